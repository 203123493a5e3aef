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
    # A small prebuilt index (no pandas, no geopandas): the same answers as the gazetteer
    # and assign_areas, which build it the first time and whenever the data changes.
    from geo.reference.place_index import where_index

    text = " ".join(args.invoer)
    index = where_index(settings.data_dir, settings.cache_dir)
    location = index.locate(text)
    answer = {
        "invoer": text,
        **index.areas_of(location),
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
