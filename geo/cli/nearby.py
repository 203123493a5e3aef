"""``infrakaart dichtbij``: the nearest partners of a school, as a call list."""

from __future__ import annotations

import argparse
import sys

from geo.cli._common import add_database_option, open_store
from geo.settings import DEFAULTS, Settings
from geo.text import count_noun


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart dichtbij`` and its options."""
    p = sub.add_parser(
        "dichtbij",
        help="De dichtstbijzijnde partners van een school (belijst).",
        description="Toon de dichtstbijzijnde partners van een middelbare school, gesorteerd op "
        "afstand in rechte lijn, met een geschatte reistijd. Zonder --straal: de N dichtstbij "
        f"(standaard {DEFAULTS.nearest_count}); met --straal zonder -n: alle partners binnen "
        "de straal. "
        "Contactgegevens staan er nooit in.",
    )
    p.add_argument("--school", required=True, metavar="VESTIGINGSCODE",
                   help="DUO-vestigingscode van de school, bijv. 13EE00")
    p.add_argument("-n", type=int, default=None, metavar="N",
                   help=f"aantal partners (standaard {DEFAULTS.nearest_count}; zonder -n met "
                   "--straal: allemaal)")
    p.add_argument("--straal", type=float, default=None, metavar="KM",
                   help="alleen partners binnen deze afstand in km (hemelsbreed)")
    p.add_argument("--soort", nargs="+", action="extend", default=None, metavar="SOORT",
                   help="alleen deze soorten (één of meer), bijv. aannemer netbeheerder")
    p.add_argument("--donateurs", action="store_true", help="alleen donateurs")
    p.add_argument("--ook-inactief", action="store_true",
                   help="ook partners die niet meer actief zijn")
    add_database_option(p)
    p.add_argument("--uitvoer", default=None, metavar="PAD.csv",
                   help="schrijf de lijst als CSV naar dit bestand")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart dichtbij``; returns the exit code."""
    from geo.analysis.proximity import default_travel, nearest_partners
    from geo.fields import kind_codes
    from geo.output.call_lists import (
        call_list,
        for_people,
        no_partners_message,
        skipped_message,
        with_school,
    )
    from geo.output.tables import write_table

    if args.n is not None and args.n < 1:
        print("Fout: -n moet minstens 1 zijn.", file=sys.stderr)
        return 1
    if args.straal is not None and args.straal <= 0:
        print("Fout: --straal moet groter dan 0 km zijn.", file=sys.stderr)
        return 1
    unknown = sorted(set(args.soort or []) - set(kind_codes()))
    if unknown:
        print(f"Fout: {count_noun(len(unknown), 'onbekende soort', 'onbekende soorten')}: "
              f"{', '.join(unknown)}. "
              f"Kies uit: {', '.join(kind_codes())}.", file=sys.stderr)
        return 1
    store = open_store(args, settings)
    schools = store.schools()
    code = args.school.strip().upper()
    school = schools[schools["vestigingscode"].fillna("").str.upper() == code]
    if school.empty:
        print(f"Fout: geen school met vestigingscode '{args.school}' gevonden. "
              "De code staat in de DUO-lijst (bijv. 13EE00).", file=sys.stderr)
        return 1
    k = args.n if args.n is not None else (
        None if args.straal is not None else DEFAULTS.nearest_count)
    result = nearest_partners(
        school.iloc[[0]],
        store.organisations(include_personal=False),
        k=k,
        radius_km=args.straal,
        travel=default_travel(),
        kinds=args.soort,
        donor=True if args.donateurs else None,
        active=None if args.ook_inactief else True,
    )
    table = call_list(result, include_personal=False)
    name = school.iloc[0]["naam"]
    place = school.iloc[0].get("plaats") or ""
    if table.empty:
        filtered = bool(args.soort or args.donateurs)
        print(no_partners_message(f"{name} ({place})" if place else name,
                                  radius_km=args.straal, filtered=filtered))
    else:
        print(f"Partners dichtbij {name}" + (f" ({place})" if place else "") + ":")
        print(for_people(table).to_string(index=False))
        print("Afstand hemelsbreed; reistijd is een schatting.")
    note = skipped_message(result)
    if note:
        print(f"Let op: {note}")
    if args.uitvoer:
        write_table(args.uitvoer, for_people(with_school(table, school.iloc[0])), private=False)
        print(f"{count_noun(len(table), 'partner', 'partners')} geschreven naar {args.uitvoer}")
    return 0
