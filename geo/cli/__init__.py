"""Command-line interface ``infrakaart``. Output and messages are Dutch.

Each subcommand lives in its own module (or a small group) of this package as a pair:
``add(subparsers)`` declares its arguments and ``run(args, settings)`` does the work by
calling geo/ functions. Register a new command by adding its pair to :data:`COMMANDS`.

Building the parser is cheap: the command modules import only argparse and the plain
names of :mod:`geo.settings`, :mod:`geo.reference.levels` and
:mod:`geo.analysis.names` at the top; everything heavy (pandas, the register, maps,
the solver) is imported inside ``run``, so ``infrakaart waar`` never loads folium.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from geo.cli import (
    activities,
    ambassadors,
    chain,
    education,
    importing,
    inflow,
    maintenance,
    nearby,
    partner_map,
    register,
    users,
    waar,
    white_spots,
)
from geo.errors import InfrakaartError
from geo.settings import Settings

Command = tuple[Callable[[argparse._SubParsersAction], None],
                Callable[[argparse.Namespace, Settings], int]]

#: name → (declare arguments, run). Keep in the order shown by ``infrakaart --help``.
COMMANDS: dict[str, Command] = {
    "waar": (waar.add, waar.run),
    "import": (importing.add, importing.run),
    "gebruiker": (users.add, users.run),
    "dichtbij": (nearby.add, nearby.run),
    "ambassadeurs": (ambassadors.add, ambassadors.run),
    "witte-vlekken": (white_spots.add, white_spots.run),
    "kaart": (partner_map.add, partner_map.run),
    "export": (register.add_export, register.run_export),
    "voorbeeld": (register.add_example, register.run_example),
    "backup": (maintenance.add_backup, maintenance.run_backup),
    "herstel": (maintenance.add_restore, maintenance.run_restore),
    "status": (maintenance.add_status, maintenance.run_status),
    "mbo": (education.add, education.run),
    "activiteiten": (activities.add, activities.run),
    "jaaroverzicht": (activities.add_overview, activities.run_overview),
    "instroom": (inflow.add, inflow.run),
    "keten": (chain.add, chain.run),
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
    """Run the CLI; returns the exit code.

    0 ok; 1 not found, invalid, the register cannot be opened or written, or import rows
    not saved because of a conflict; 2 unreadable input, or a file that cannot be written
    (missing, no permission, disk full, file-size limit): :class:`~geo.errors.OutputError`
    and any other :class:`OSError` get a Dutch message on stderr instead of a traceback.
    """
    from geo.terminal import TerminalText

    # Everything a command prints passes one boundary: no escape sequences or direction
    # overrides from names, files or messages reach the user's terminal.
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalText(sys.stdout), TerminalText(sys.stderr)
    try:
        return _run(argv, settings)
    finally:
        sys.stdout, sys.stderr = real


def _run(argv: list[str] | None, settings: Settings | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings or Settings.from_env()
    except ValueError as err:  # a setting in the environment that cannot be read
        print(f"Fout in de instellingen: {err}", file=sys.stderr)
        return 1
    from geo.logs import configure_logging

    configure_logging(settings)
    _, run = COMMANDS[args.opdracht]
    try:
        return run(args, settings)
    except InfrakaartError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return getattr(err, "exit_code", 1)
    except OSError as err:
        from geo.output.files import describe_os_error

        where = f" bij {err.filename}" if err.filename else ""
        print(f"Fout{where}: {describe_os_error(err)}.", file=sys.stderr)
        return 2
