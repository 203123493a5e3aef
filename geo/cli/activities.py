"""``infrakaart activiteiten import|lijst`` and ``infrakaart jaaroverzicht``."""

from __future__ import annotations

import argparse
import sys

from geo.cli._common import add_database_option, cli_user, open_store, print_checked_file
from geo.settings import Settings
from geo.text import count_noun

_YEAR_HELP = "schooljaar als 2024-2025 (1 augustus tot en met 31 juli)"


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart activiteiten`` with ``import`` and ``lijst``."""
    p = sub.add_parser(
        "activiteiten",
        help="Activiteiten (gastlessen, voorlichtingen, …) importeren of opsommen.",
        description="Activiteiten van Infra Bindt in het register: de planning van het team "
        "importeren (Excel of CSV) of de activiteiten van een schooljaar opsommen.",
    )
    what = p.add_subparsers(dest="actie", metavar="ACTIE", required=True)
    imp = what.add_parser(
        "import", help="De planning (Excel of CSV) importeren.",
        description="Lees de planning van het team (.xlsx of .csv), controleer elke rij (soort, "
        "datum, school op vestigingscode of naam en plaats, partners op naam uit het "
        "register) en zet de activiteiten in het register. Elke niet-lege rij krijgt een "
        "oordeel: ok, waarschuwing of fout; rijen met een fout worden overgeslagen, de rest "
        "wordt in één keer opgeslagen. Een activiteit die er al in staat (zelfde soort, "
        "datum en school of plaats) wordt bijgewerkt, niet verdubbeld.")
    imp.add_argument("bestand", metavar="BESTAND", help="het .xlsx- of .csv-bestand")
    imp.add_argument("--droog", action="store_true",
                     help="alleen controleren; niets in de database opslaan")
    imp.add_argument("--uitvoer", default=None, metavar="RESULTAAT.csv",
                     help="schrijf per rij het oordeel naar dit bestand (.csv of .xlsx)")
    add_database_option(imp)
    lst = what.add_parser(
        "lijst", help="De activiteiten opsommen (zonder gastdocenten en notities).",
        description="Som de activiteiten op, per datum: soort, status, school of plaats, "
        "partners en aantal leerlingen. Gastdocenten en notities (persoonsgegevens) staan "
        "er niet in.")
    lst.add_argument("--schooljaar", default=None, metavar="JJJJ-JJJJ",
                     help=_YEAR_HELP + "; standaard alle")
    lst.add_argument("--uitvoer", default=None, metavar="PAD.csv",
                     help="schrijf de lijst ook naar dit bestand (.csv of .xlsx)")
    add_database_option(lst)


def add_overview(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart jaaroverzicht``."""
    p = sub.add_parser(
        "jaaroverzicht",
        help="Feiten en cijfers van een schooljaar, met het jaar ervoor ernaast.",
        description="Het jaaroverzicht uit het register: gegeven gastlessen VO (tegen het "
        "maximum), gastlessen vmbo (Tech Your Talent), voorlichtingen, PET-events, open "
        "dagen, beurzen, netwerkbijeenkomsten, bereikte scholen, partners die activiteiten "
        "gaven, bereikte leerlingen en vmbo-scholen die niet zijn bereikt, met het schooljaar "
        "ervoor ernaast. Alleen activiteiten met de status 'gegeven' tellen.")
    p.add_argument("--schooljaar", default=None, metavar="JJJJ-JJJJ",
                   help=_YEAR_HELP + "; standaard het lopende (of laatste met activiteiten)")
    p.add_argument("--uitvoer", default=None, metavar="BESTAND.xlsx",
                   help="schrijf het overzicht naar .csv, of naar .xlsx met ook de lijst van "
                   "niet bereikte vmbo-scholen")
    add_database_option(p)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart activiteiten``; returns the exit code."""
    if args.actie == "import":
        return _run_import(args, settings)
    return _run_list(args, settings)


def _run_import(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile
    from pathlib import Path

    from geo.auth import LOCAL_ADMIN_ROLE
    from geo.errors import ImportFileError, StoreError
    from geo.intake.activities import (
        check_planning,
        planning_records,
        planning_result_table,
        read_planning,
    )
    from geo.intake.reading import read_import_file
    from geo.output.tables import write_table
    from geo.reference.data import load_reference
    from geo.register.store import Store

    path = Path(args.bestand)
    try:
        table = read_planning(read_import_file(path, settings=settings), path.name,
                              settings=settings)
    except ImportFileError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return 2
    database = Path(args.database) if args.database else settings.database_path
    reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    with tempfile.TemporaryDirectory() as scratch:
        # A dry run never creates a register: it checks against a fresh one instead.
        store = (Store(Path(scratch) / "droog.sqlite", reference)
                 if args.droog and not database.exists()
                 else open_store(args, settings, reference=reference))
        with store:
            verdicts = check_planning(table, schools=store.schools(),
                                      organisations=store.organisations(), reference=reference)
            records = planning_records(verdicts)
            counts = print_checked_file(path.name, table, verdicts)
            if "status" not in table.columns:
                print("Geen kolom Status: een nieuwe activiteit wordt 'gegeven' als de datum "
                      "voorbij is, anders 'gepland'; bestaande houden hun status.")
            if args.droog:
                matched = sum(m is not None for m in store.activities.match_import(records))
                print(f"Droog: niets opgeslagen. Zou {len(records) - matched} nieuw en "
                      f"{matched} bijgewerkt of ongewijzigd opleveren.")
            else:
                try:
                    outcome = store.activities.apply_import(records, user=cli_user(),
                                                            role=LOCAL_ADMIN_ROLE)
                except StoreError as err:
                    print(f"Fout: {err}", file=sys.stderr)
                    return 1
                print(f"Register {database}: {outcome['nieuw']} nieuw, {outcome['bijgewerkt']} "
                      f"bijgewerkt, {outcome['ongewijzigd']} ongewijzigd.")
    if counts["fout"]:
        print(f"{count_noun(counts['fout'], 'rij', 'rijen')} met een fout niet opgenomen; zie "
              "de melding per rij.")
    for v in verdicts:
        if v.status != "ok":
            print(f"  rij {v.row} · {v.name or '(leeg)'} · {v.status}: {v.message}")
    if args.uitvoer:
        write_table(args.uitvoer, planning_result_table(verdicts), private=True)
        print(f"Resultaat per rij geschreven naar {args.uitvoer}.")
    return 0


def _school_year(text: str | None) -> str | None:
    from geo.activities import parse_school_year
    from geo.errors import InfrakaartError

    if text is None:
        return None
    try:
        return parse_school_year(text)
    except ValueError as err:
        raise InfrakaartError(f"--schooljaar: {err}.") from err


def _run_list(args: argparse.Namespace, settings: Settings) -> int:
    from geo.output.tables import write_table

    year = _school_year(args.schooljaar)
    with open_store(args, settings) as store:
        listing = store.activities.listing(school_year=year)
    for row in listing.to_dict("records"):
        where = (f"{row['School']} ({row['Vestigingscode']})" if row["Vestigingscode"]
                 else row["Plaats"] or row["Gemeente"] or "geen plaats")
        pupils = row["Aantal leerlingen"]
        parts = [f"{row['Nr']}. {row['Datum']}", row["Soort"], row["Status"], where]
        if row["Partners"]:
            parts.append(f"partners: {row['Partners']}")
        if isinstance(pupils, int | float) and pupils == pupils:  # not NA or NaN
            parts.append(count_noun(int(pupils), "leerling", "leerlingen"))
        if row["Voorbeeld"]:
            parts.append("voorbeeld")
        print(" · ".join(str(p) for p in parts))
    scope = f"in schooljaar {year}" if year else "in het register"
    print(f"{count_noun(len(listing), 'activiteit', 'activiteiten')} {scope}.")
    if args.uitvoer:
        write_table(args.uitvoer, listing, private=False)
        print(f"Lijst geschreven naar {args.uitvoer}.")
    return 0


def run_overview(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart jaaroverzicht``; returns the exit code."""
    from geo.output.tables import is_xlsx_path, write_table
    from geo.views.jaaroverzicht import year_overview_view

    year = _school_year(args.schooljaar)
    with open_store(args, settings) as store:
        view = year_overview_view(store, school_year=year)
    for line in view.lines():
        print(line)
    missing = view.not_reached
    if len(missing):
        print("")
        print(f"vmbo-scholen niet bereikt in {view.school_year}:")
        for row in missing.to_dict("records"):
            print(f"  {row['Subregio'] or '-'} · {row['Plaats']} · {row['School']} "
                  f"({row['Vestigingscode']})")
    if args.uitvoer:
        write_table(args.uitvoer, view.sheets(), private=False)
        extra = "" if is_xlsx_path(args.uitvoer) else " (de lijst van vmbo-scholen staat in .xlsx)"
        print(f"Jaaroverzicht geschreven naar {args.uitvoer}{extra}.")
    return 0
