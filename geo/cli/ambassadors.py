"""``infrakaart ambassadeurs``: choose k ambassadors that together reach the most schools."""

from __future__ import annotations

import argparse
import sys

from geo.cli._common import add_database_option, add_division_option, open_store, selected_division
from geo.settings import DEFAULTS, Settings
from geo.text import count_noun, decimal_comma


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart ambassadeurs`` and its options."""
    p = sub.add_parser(
        "ambassadeurs",
        help="Kies k ambassadeurs die samen de meeste (vmbo-)scholen bereiken.",
        description="Kies k partners als ambassadeur zodat samen zo veel mogelijk scholen "
        "binnen de straal liggen (vmbo-scholen tellen zwaarder). De beste keuze wordt exact "
        "berekend; bij gelijk bereik gaan vmbo-scholen die weinig partners bereiken voor. "
        "Per gekozen partner: naam, subregio, "
        "scholen_bereik en vmbo_scholen_bereik; daarna één samenvattingsregel. Met --uitvoer "
        "komt de tabel in een CSV en de samenvatting in <naam>_samenvatting.txt ernaast. "
        "Contactgegevens staan er nooit in.",
    )
    p.add_argument("-k", type=int, required=True, metavar="K", help="aantal ambassadeurs")
    p.add_argument("--straal", type=float, default=DEFAULTS.radius_km, metavar="KM",
                   help="bereik van een ambassadeur in km, hemelsbreed "
                   f"(standaard {decimal_comma(DEFAULTS.radius_km)})")
    p.add_argument("--per-subregio", action="store_true",
                   help="minstens één ambassadeur in elke subregio die kandidaten heeft")
    p.add_argument("--vmbo-gewicht", type=float, default=DEFAULTS.vmbo_weight, metavar="W",
                   help="gewicht van een school met vmbo; andere scholen tellen 1 "
                   f"(standaard {decimal_comma(DEFAULTS.vmbo_weight)})")
    add_division_option(p)
    add_database_option(p)
    p.add_argument("--uitvoer", default=None, metavar="PAD.csv",
                   help="schrijf de gekozen ambassadeurs als CSV naar dit bestand")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart ambassadeurs``; returns the exit code."""
    from pathlib import Path

    from geo.analysis.coverage import coverage
    from geo.analysis.plans import optimal_plan
    from geo.output.files import write_file_atomically
    from geo.output.tables import write_table
    from geo.reference.data import load_reference

    if args.k < 1:
        print("Fout: -k moet minstens 1 zijn.", file=sys.stderr)
        return 1
    if args.straal <= 0:
        print("Fout: --straal moet groter dan 0 km zijn.", file=sys.stderr)
        return 1
    if args.vmbo_gewicht < 0:
        print("Fout: --vmbo-gewicht mag niet negatief zijn.", file=sys.stderr)
        return 1
    reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    division = selected_division(args, reference)
    store = open_store(args, settings)
    cov = coverage(
        store.organisations(include_personal=False), store.schools(),
        radius_km=args.straal, vmbo_weight=args.vmbo_gewicht, division=division,
    )
    plan = optimal_plan(cov, k=args.k, per_subregion=args.per_subregio)
    table = plan.chosen[["naam", "subregio", "scholen_bereik", "vmbo_scholen_bereik"]]
    print(table.to_string(index=False))
    for note in plan.notes:
        print(f"Let op: {note}")
    if plan.ties is not None:
        print(f"Even goede keuzes: {plan.ties.sentence()}")
    summary = f"Samenvatting: {plan.summary()} Status: {plan.status}."
    print(summary)
    if args.uitvoer:
        out = Path(args.uitvoer)
        write_table(out, table, private=False)
        summary_path = out.with_name(f"{out.stem}_samenvatting.txt")
        write_file_atomically(summary_path, (summary + "\n").encode("utf-8"), private=False)
        written = count_noun(len(table), "ambassadeur", "ambassadeurs")
        print(f"{written} geschreven naar {out}; samenvatting in {summary_path}")
    return 0
