"""``infrakaart waar``: the municipality, subregion and region of a postcode or place."""

from __future__ import annotations

import argparse
import json

from geo.settings import Settings


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart waar`` and its options."""
    p = sub.add_parser(
        "waar",
        help="In welke gemeente, subregio en arbeidsmarktregio ligt een postcode of plaats?",
        description="Zoek de gemeente, subregio en arbeidsmarktregio van een postcode of plaats "
        "(offline, met de meegeleverde CBS-gegevens).",
    )
    p.add_argument("invoer", nargs="+", help="postcode (1703AB of 1703) of plaatsnaam")
    p.add_argument("--json", action="store_true", help="antwoord als één JSON-object")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart waar``; returns the exit code."""
    from geo.reference.data import load_reference
    from geo.reference.gazetteer import Gazetteer
    from geo.reference.regions import assign_areas

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
