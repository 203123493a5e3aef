"""``infrakaart witte-vlekken``: the ranking of areas by white-spot score."""

from __future__ import annotations

import argparse
import sys

from geo.analysis.names import MODES
from geo.cli._common import (
    add_database_option,
    add_division_option,
    add_school_year_option,
    open_store,
    school_year_of,
    selected_division,
)
from geo.reference.levels import LEVELS
from geo.settings import DEFAULTS, Settings
from geo.text import decimal_comma


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart witte-vlekken`` and its options."""
    p = sub.add_parser(
        "witte-vlekken",
        help="Rangorde van gebieden die aandacht nodig hebben (witte-vlekscore).",
        description="Bereken per gebied het aantal partners en donateurs, de partners binnen "
        "bereik per 10.000 jongeren (10-19 jaar, CBS 2021), de vmbo-scholen zonder partner "
        "binnen de straal (of, als het schooljaar gegeven activiteiten heeft, de vmbo-scholen "
        "die dat schooljaar niet zijn bereikt) en de geschatte reistijd naar de "
        "dichtstbijzijnde mbo-infralocatie "
        "(gemiddeld en het aandeel jongeren met een lange reis), met de drie delen van de "
        "witte-vlekscore (percentielen 0-100), de score, de rang en het bereik van rangen "
        "als de gewichten iets verschuiven. Reistijden zijn schattingen. Contactgegevens "
        "staan er nooit in.",
    )
    p.add_argument("--niveau", choices=LEVELS, default=DEFAULTS.level,
                   help=f"gebiedsniveau (standaard {DEFAULTS.level})")
    p.add_argument("--straal", type=float, default=DEFAULTS.radius_km, metavar="KM",
                   help="straal voor 'school met partner dichtbij' in km, hemelsbreed "
                   f"(standaard {decimal_comma(DEFAULTS.radius_km)})")
    p.add_argument("--omweg", type=float, default=DEFAULTS.detour, metavar="FACTOR",
                   help="omwegfactor op de hemelsbrede afstand "
                   f"(standaard {decimal_comma(DEFAULTS.detour)})")
    p.add_argument("--reiswijze", choices=_modes_default_first(), default=DEFAULTS.area_mode,
                   help=f"reiswijze voor de reistijd (standaard {DEFAULTS.area_mode})")
    p.add_argument("--top", type=int, default=DEFAULTS.top_units, metavar="N",
                   help=f"aantal gebieden dat wordt toegelicht (standaard {DEFAULTS.top_units})")
    add_school_year_option(p)
    add_division_option(p)
    add_database_option(p)
    p.add_argument("--uitvoer", default=None, metavar="PAD.csv",
                   help="schrijf de hele tabel als CSV (of .xlsx) naar dit bestand")


def _modes_default_first() -> list[str]:
    return [DEFAULTS.area_mode, *(m for m in MODES if m != DEFAULTS.area_mode)]


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart witte-vlekken``; returns the exit code."""
    from geo.analysis import indicators as analysis
    from geo.analysis.rail import area_model
    from geo.analysis.reach import reach_year
    from geo.analysis.score import reach_year_of, score_caption_nl, top_units_text
    from geo.analysis.travel import StraightLineModel
    from geo.output.tables import write_table
    from geo.reference.data import load_reference

    if args.straal < 0:
        print("Fout: --straal mag niet negatief zijn.", file=sys.stderr)
        return 1
    if args.omweg < 1:
        print("Fout: --omweg moet 1 of groter zijn (1 = hemelsbreed).", file=sys.stderr)
        return 1
    year = school_year_of(args)
    reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    division = selected_division(args, reference)
    store = open_store(args, settings)
    try:
        year = school_year_of(args, store)
        reach = reach_year(store.activities.all(school_year=year), year)
        table = analysis.indicators(
            args.niveau, reference=reference, division=division,
            partners=store.organisations(include_personal=False), schools=store.schools(),
            mbo=store.mbo_locations(), radius_km=args.straal,
            travel=area_model(str(settings.data_dir), StraightLineModel(detour=args.omweg)),
            mode=args.reiswijze, reach=reach,
        )
    finally:
        store.close()
    print(f"Witte vlekken per {args.niveau} ({len(table)} gebieden; "
          f"straal {decimal_comma(args.straal)} km, omwegfactor {decimal_comma(args.omweg)}, "
          f"reiswijze {args.reiswijze}). "
          "Hoger = meer aandacht nodig.")
    for line in top_units_text(table, n=max(args.top, 0)):
        print(line)
    print(score_caption_nl(table.attrs.get("gewichten"), school_year=reach_year_of(table))
          .replace("Uitleg op de pagina Over.", "Uitleg: pagina Over."))
    if reach is None:
        print(f"Schooljaar {year} heeft nog geen gegeven activiteiten: het deel scholen telt "
              "de vmbo-scholen zonder partner binnen de straal.")
    if not table["partners"].any():
        print("Let op: er staan nog geen actieve partners met een locatie in het register.")
    print("Reistijden en afstanden zijn schattingen (trein waar die helpt, anders "
          "hemelsbreed x omwegfactor).")
    if args.uitvoer:
        out = write_table(args.uitvoer, analysis.export_sheets(table), private=False)
        print(f"{len(table)} gebieden geschreven naar {out}")
    return 0
