"""Command-line interface ``infrakaart``. Output and messages are Dutch.

Each subcommand is a pair: ``_add_<name>(subparsers)`` declares its arguments and
``_run_<name>(args, settings)`` does the work by calling geo/ functions. Register a
new command by adding its pair to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from geo.errors import InfrakaartError
from geo.settings import Settings


def _add_waar(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "waar",
        help="In welke gemeente, subregio en arbeidsmarktregio ligt een postcode of plaats?",
        description="Zoek de gemeente, subregio en arbeidsmarktregio van een postcode of plaats "
        "(offline, met de meegeleverde CBS-gegevens).",
    )
    p.add_argument("invoer", nargs="+", help="postcode (1703AB of 1703) of plaatsnaam")
    p.add_argument("--json", action="store_true", help="antwoord als één JSON-object")


def _run_waar(args: argparse.Namespace, settings: Settings) -> int:
    from geo.gazetteer import Gazetteer
    from geo.reference import load_reference
    from geo.regions import assign_areas

    text = " ".join(args.invoer)
    reference = load_reference(settings.data_dir)
    location = Gazetteer(reference).locate(text)
    areas = assign_areas([location.lon], [location.lat], reference).iloc[0]
    answer = {
        "invoer": text,
        "gemeentecode": areas["gemeentecode"],
        "gemeentenaam": areas["gemeentenaam"],
        "subregio": areas["subregio"],
        "arbeidsmarktregio_code": areas["arbeidsmarktregio_code"],
        "arbeidsmarktregio": areas["arbeidsmarktregio"],
        "nauwkeurigheid": location.precision,
        "lat": round(location.lat, 6),
        "lon": round(location.lon, 6),
    }
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
    else:
        gemeente = (
            f"{answer['gemeentenaam']} ({answer['gemeentecode']})"
            if answer["gemeentecode"]
            else "geen gemeente"
        )
        regio = (
            f"{answer['arbeidsmarktregio']} ({answer['arbeidsmarktregio_code']})"
            if answer["arbeidsmarktregio_code"]
            else answer["arbeidsmarktregio"]
        )
        print(
            f"{gemeente} · {answer['subregio']} · {regio} · "
            f"nauwkeurigheid {answer['nauwkeurigheid']}"
        )
        if location.note:
            print(f"Let op: {location.note}")
    return 0


Command = tuple[Callable[[argparse._SubParsersAction], None],
                Callable[[argparse.Namespace, Settings], int]]

#: name → (declare arguments, run). Keep in the order shown by ``infrakaart --help``.
COMMANDS: dict[str, Command] = {
    "waar": (_add_waar, _run_waar),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="infrakaart",
        description="Infrakaart — de kaart van Infra Bindt (Noord-Holland).",
    )
    sub = parser.add_subparsers(dest="opdracht", metavar="OPDRACHT", required=True)
    for add, _ in COMMANDS.values():
        add(sub)
    return parser


def main(argv: list[str] | None = None, *, settings: Settings | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 not found/invalid, 2 unreadable input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = settings or Settings.from_env()
    _, run = COMMANDS[args.opdracht]
    try:
        return run(args, settings)
    except InfrakaartError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return getattr(err, "exit_code", 1)


if __name__ == "__main__":
    sys.exit(main())
