"""``infrakaart keten``: the chain per unit (PO events → VO activities → mbo infra inflow).

``infrakaart keten [--niveau …] [--schooljaar …] [--indeling …] [--uitvoer PAD]`` prints
the chain table of one school year (small inflow counts suppressed), the classes of
"where inflow stops" and the caveats; ``--uitvoer`` writes the table as ``.csv`` or
``.xlsx`` (with its explanation), or the map as one ``.html`` file that opens offline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import PurePath

from geo.cli._common import (
    add_database_option,
    add_division_option,
    open_store,
    school_year_of,
    selected_division,
)
from geo.reference.levels import LEVELS
from geo.settings import DEFAULTS, Settings

#: The file types ``--uitvoer`` may end in.
SUFFIXES = (".csv", ".xlsx", ".html")


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart keten`` and its options."""
    p = sub.add_parser(
        "keten",
        help="De keten per gebied: PET-events, VO-activiteiten en instroom in mbo infra.",
        description="Per gebied en schooljaar: gegeven PET-events (po), VO-activiteiten, "
        "bereikte vmbo-scholen, partners, reistijd naar mbo infra en de instroom in mbo infra "
        "per 1.000 jongeren, met waar de instroom stopt. Aantallen onder de 5 staan er als "
        "'<5'; een totaal met zo'n gemeente erin als bereik.",
    )
    p.add_argument("--niveau", choices=LEVELS, default=DEFAULTS.level,
                   help=f"gebiedsniveau (standaard {DEFAULTS.level})")
    p.add_argument("--schooljaar", default=None, metavar="2024-2025",
                   help="schooljaar (standaard het laatste met instroomcijfers en activiteiten)")
    p.add_argument("--uitvoer", default=None, metavar="PAD.csv|PAD.xlsx|PAD.html",
                   help="schrijf de tabel (.csv, .xlsx met uitleg) of de kaart (.html)")
    add_division_option(p)
    add_database_option(p)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart keten``; returns the exit code."""
    suffix = PurePath(args.uitvoer).suffix.lower() if args.uitvoer else ""
    if args.uitvoer and suffix not in SUFFIXES:
        print(f"Fout: --uitvoer moet eindigen op {', '.join(SUFFIXES[:-1])} of {SUFFIXES[-1]}.",
              file=sys.stderr)
        return 1
    year = school_year_of(args, default=None)  # None: the view's (latest with inflow)
    from geo.reference.data import load_reference
    from geo.views.keten import chain_view

    reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    division = selected_division(args, reference)  # before any work: a bad file stops here
    with open_store(args, settings, reference=reference) as store:
        view = chain_view(store, reference=reference, division=division, level=args.niveau,
                          school_year=year)
        mbo = store.places.all(active_only=True) if suffix == ".html" else None
    for line in view.lines():
        print(line)
    if not args.uitvoer:
        return 0
    if suffix == ".html":
        return _write_map(args.uitvoer, view, reference, division, mbo, settings)
    from geo.output.tables import write_table

    out = write_table(args.uitvoer, view.sheets(), private=False)
    extra = " (de uitleg staat in .xlsx)" if suffix == ".csv" else ""
    print(f"Keten geschreven naar {out}{extra}.")
    return 0


def _write_map(path: str, view, reference, division, mbo, settings: Settings) -> int:
    from geo.output.assets import standalone_html
    from geo.output.files import write_file_atomically

    try:
        html = standalone_html(view.map(reference=reference, division=division, mbo=mbo),
                               settings.static_dir)
    except RuntimeError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return 1
    out = write_file_atomically(path, html.encode("utf-8"), private=False)
    print(f"Kaart geschreven naar {out} ({len(html) // 1024} kB).")
    return 0
