"""``infrakaart instroom``: import inflow figures, show the overview, list the imports.

``infrakaart instroom import BESTAND [--bron …] [--droog]`` checks every row (ok /
waarschuwing / fout, with the reason) and stores the good rows; each school year and
source in the file replaces its earlier set, in one transaction.
``infrakaart instroom overzicht [--niveau …] [--schooljaar …] [--uitvoer …]`` shows inflow
per 1,000 young people beside partners and travel time, small counts suppressed.
``infrakaart instroom historie`` lists the imports: which file, when, what it replaced.
"""

from __future__ import annotations

import argparse
import sys

from geo.cli._common import (
    add_database_option,
    add_division_option,
    cli_user,
    open_store,
    print_checked_file,
    school_year_of,
    selected_division,
)
from geo.reference.levels import LEVELS
from geo.settings import DEFAULTS, Settings
from geo.text import count_noun


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart instroom import|overzicht|historie``."""
    p = sub.add_parser(
        "instroom",
        help="Instroom in mbo infra: cijfers importeren, overzicht per gebied, historie.",
        description="Instroomcijfers van nieuwe mbo-infrastudenten per schooljaar en "
        "woongebied (postcode of gemeente). Aantallen onder de 5 worden nooit getoond.",
    )
    commands = p.add_subparsers(dest="instroom_opdracht", metavar="import|overzicht|historie",
                                required=True)
    importing = commands.add_parser(
        "import", help="instroomcijfers importeren uit een Excel- of CSV-bestand",
        description="Lees een .xlsx- of .csv-bestand met de kolommen Schooljaar, Postcode "
        "(PC4) of Gemeentecode, Aantal en Bron (en eventueel Opleiding, Locatie, Opmerking). "
        "Elke rij krijgt een oordeel: ok, waarschuwing of fout, met de reden. Foute rijen "
        "worden overgeslagen, de rest wordt opgeslagen. Een schooljaar en bron die al in het "
        "register staan, worden in zijn geheel vervangen.")
    importing.add_argument("bestand", metavar="BESTAND", help="het .xlsx- of .csv-bestand")
    importing.add_argument("--bron", default="", metavar="TEKST",
                           help="bron voor rijen zonder kolom Bron (bijvoorbeeld 'DUO 2025')")
    importing.add_argument("--droog", action="store_true",
                           help="alleen controleren; niets in de database opslaan")
    importing.add_argument("--uitvoer", default=None, metavar="RESULTAAT.csv",
                           help="schrijf per rij het oordeel naar dit CSV-bestand")
    add_database_option(importing)
    overview = commands.add_parser(
        "overzicht", help="instroom per 1.000 jongeren naast partners en reistijd",
        description="Instroom in mbo infra per gebied en per 1.000 jongeren (10-19 jaar), "
        "naast het aantal partners en de geschatte reistijd naar mbo infra. Aantallen onder "
        "de 5 staan er als '<5'; een totaal met zo'n gebied erin als bereik.")
    overview.add_argument("--niveau", choices=LEVELS, default=DEFAULTS.level,
                          help=f"gebiedsniveau (standaard {DEFAULTS.level})")
    overview.add_argument("--schooljaar", default=None, metavar="2024-2025",
                          help="schooljaar (standaard het laatste met cijfers)")
    overview.add_argument("--uitvoer", default=None, metavar="PAD.csv|PAD.xlsx",
                          help="schrijf de tabel naar dit CSV- of Excel-bestand")
    add_division_option(overview)
    add_database_option(overview)
    history = commands.add_parser(
        "historie", help="welke instroombestanden wanneer zijn geïmporteerd",
        description="Alle imports van instroomcijfers, nieuwste eerst: bestand, moment, "
        "schooljaar, bron, aantal rijen en wat ze vervingen.")
    add_database_option(history)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart instroom``; returns the exit code."""
    if args.instroom_opdracht == "import":
        return _run_import(args, settings)
    if args.instroom_opdracht == "overzicht":
        return _run_overview(args, settings)
    return _run_history(args, settings)


def _set_text(year: str, source: str) -> str:
    return f"schooljaar {year} · bron '{source}'"


def _run_import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from geo.auth import LOCAL_ADMIN_ROLE
    from geo.errors import ImportFileError, OutputError
    from geo.intake.inflow import (
        check_inflow,
        inflow_key,
        inflow_records,
        inflow_result_table,
        read_inflow,
    )
    from geo.intake.reading import read_import_file
    from geo.output.tables import write_table
    from geo.reference.data import load_reference
    from geo.text import local_time

    path = Path(args.bestand)
    try:
        table = read_inflow(read_import_file(path, settings=settings), path.name,
                            settings=settings)
    except ImportFileError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return 2
    reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    verdicts = check_inflow(table, reference=reference, source=args.bron)
    counts = print_checked_file(path.name, table, verdicts)
    for v in verdicts:
        if v.status != "ok":
            print(f"  rij {v.row} · {v.name} · {v.status}: {v.message}")
    records = inflow_records(verdicts)
    database = Path(args.database) if args.database else settings.database_path
    if args.droog:
        current = {}
        if database.exists():
            with open_store(args, settings, reference=reference) as store:
                current = store.inflow.current_sets()
        sets = {inflow_key(r)[:2]: r for r in records}
        print(f"Droog: niets opgeslagen. Zou {count_noun(len(records), 'rij', 'rijen')} "
              f"opslaan in {count_noun(len(sets), 'set', 'sets')}.")
        for (year, key), record in sets.items():
            earlier = current.get((year, key, False))
            if earlier:
                print(f"  {_set_text(year, record['bron'])}: zou de eerdere set vervangen "
                      f"({count_noun(earlier['rijen'], 'rij', 'rijen')} uit "
                      f"{earlier['bestand']}, {local_time(earlier['wanneer'])}).")
    elif records:
        with open_store(args, settings, reference=reference) as store:
            outcome = store.inflow.apply_import(records, filename=path.name, user=cli_user(),
                                                role=LOCAL_ADMIN_ROLE)
        print(f"Register {database}: {count_noun(outcome['rijen'], 'rij', 'rijen')} "
              "opgeslagen.")
        for found in outcome["sets"]:
            line = (f"  {_set_text(found['schooljaar'], found['bron'])}: "
                    f"{count_noun(found['rijen'], 'rij', 'rijen')}")
            earlier = found["eerder"]
            if earlier:
                replaced = count_noun(found["vervangen"], "rij", "rijen")
                line += (f"; vervangt de eerdere set ({replaced} uit {earlier['bestand']}, "
                         f"{local_time(earlier['wanneer'])})")
            print(line + ".")
    else:
        print("Geen rijen om op te slaan; het register is niet veranderd.")
    if args.uitvoer:
        try:
            write_table(args.uitvoer, inflow_result_table(verdicts), private=True)
        except OutputError as err:
            print(f"Fout: {err}", file=sys.stderr)
            return err.exit_code
        print(f"Resultaat per rij geschreven naar {args.uitvoer}.")
    return 1 if counts["fout"] and not records else 0


def _run_overview(args: argparse.Namespace, settings: Settings) -> int:
    from geo.intake.inflow import parse_school_year
    from geo.output.tables import write_table
    from geo.reference.data import load_reference
    from geo.views.inflow import inflow_overview

    # None: the view's latest school year with inflow; inflow has its own school-year rules.
    year = school_year_of(args, default=None, parse=parse_school_year)
    reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    division = selected_division(args, reference)
    with open_store(args, settings, reference=reference) as store:
        try:
            view = inflow_overview(store, reference=reference, division=division,
                                   level=args.niveau, school_year=year)
        except ValueError as err:
            print(f"Fout: {err}", file=sys.stderr)
            return 1
    if view.message:
        print(view.message)
        return 0
    print(f"{view.title} ({count_noun(len(view.table) - 1, 'gebied', 'gebieden')}).")
    shown = view.table.fillna("").astype(str)
    widths = {c: max(len(c), *(len(v) for v in shown[c])) for c in shown.columns}
    print("  ".join(c.ljust(widths[c]) for c in shown.columns))
    for row in shown.itertuples(index=False):
        print("  ".join(str(v).ljust(widths[c]) for c, v in zip(shown.columns, row,
                                                                strict=True)))
    for note in view.notes:
        print(note.replace("**", ""))
    print(f"Let op: {view.caveat}")
    if args.uitvoer:
        out = write_table(args.uitvoer, view.sheets, private=False)
        print(f"{count_noun(len(view.table) - 1, 'gebied', 'gebieden')} geschreven naar {out}")
    return 0


def _run_history(args: argparse.Namespace, settings: Settings) -> int:
    import pandas as pd

    from geo.text import local_time

    with open_store(args, settings) as store:
        imports = store.inflow.imports()
    if imports.empty:
        print("Er zijn nog geen instroomcijfers geïmporteerd.")
        return 0
    print(f"{count_noun(len(imports), 'import', 'imports')} van instroomcijfers (nieuwste "
          "eerst):")
    for item in imports.itertuples(index=False):
        state = ("vervangen door import " + str(int(item.vervangen_door))
                 if pd.notna(item.vervangen_door) else "actueel")
        replaced = (f"; verving {count_noun(int(item.vervangen), 'rij', 'rijen')}"
                    if int(item.vervangen) else "")
        example = " (voorbeeld)" if bool(item.voorbeeld) else ""
        print(f"  {int(item.id)} · {local_time(item.wanneer)} · {item.bestand}{example} · "
              f"{_set_text(item.schooljaar, item.bron)} · "
              f"{count_noun(int(item.rijen), 'rij', 'rijen')}{replaced} · {state}")
    return 0

