"""``infrakaart import``: check, place and store partners or schools from a file."""

from __future__ import annotations

import argparse
import sys

from geo.cli._common import add_database_option, cli_user, open_store, print_checked_file
from geo.settings import Settings
from geo.text import count_noun


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart import`` and its options."""
    p = sub.add_parser(
        "import",
        help="Partners (of scholen) importeren uit een Excel- of CSV-bestand.",
        description="Lees een .xlsx- of .csv-bestand, controleer en plaats elke rij (PDOK, of "
        "offline met de meegeleverde postcodegegevens) en zet de organisaties in het "
        "register. Een organisatie die er al in staat (zelfde naam en postcode) wordt "
        "bijgewerkt. Kolomnamen die in Beheer → Importeren aan een veld zijn gekoppeld, "
        "worden ook hier herkend. Elke niet-lege rij krijgt een oordeel: ok, waarschuwing "
        "of fout. Een "
        "organisatie die tijdens het controleren door iemand anders is gewijzigd, verwijderd "
        "of toegevoegd wordt niet overschreven maar gemeld (exitcode 1).",
    )
    p.add_argument("bestand", metavar="BESTAND", help="het .xlsx- of .csv-bestand")
    p.add_argument("--soort", choices=("partners", "scholen"), default="partners",
                   help="wat het bestand bevat (standaard partners)")
    p.add_argument("--offline", action="store_true",
                   help="PDOK niet gebruiken; plaatsen op postcode (4 cijfers) en plaatsnaam")
    add_database_option(p)
    p.add_argument("--uitvoer", default=None, metavar="RESULTAAT.csv",
                   help="schrijf per rij het oordeel naar dit CSV-bestand")
    p.add_argument("--droog", action="store_true",
                   help="alleen controleren; niets in de database opslaan")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart import``; returns the exit code."""
    import dataclasses
    from pathlib import Path

    import pandas as pd

    from geo.errors import ImportFileError, OutputError
    from geo.intake.geocoding import make_geocoder
    from geo.intake.pausing import paused_gc
    from geo.intake.reading import read_import_file, read_table
    from geo.intake.records import result_table, to_records
    from geo.intake.verdicts import check_rows
    from geo.output.tables import write_table
    from geo.reference.data import load_reference
    from geo.reference.gazetteer import Gazetteer
    from geo.register.column_mappings import remembered_at

    path = Path(args.bestand)
    database = Path(args.database) if args.database else settings.database_path
    # The command line's own row limit (it keeps no verdicts between runs).
    settings = dataclasses.replace(settings, max_import_rows=settings.max_cli_import_rows)
    try:
        # Size checked on disk first; missing, folder, no permission: ImportFileError too.
        data = read_import_file(path, settings=settings)
        # The headers remembered on Beheer → Importeren (read only: nothing is created).
        with paused_gc():  # every row kept: no cyclic collection meanwhile
            table = read_table(data, path.name, settings=settings,
                               mapping=remembered_at(database))
    except ImportFileError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return 2

    reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    store = None
    if not args.droog or database.exists():
        store = open_store(args, settings, reference=reference)
    if store is None:
        existing = pd.DataFrame()
    elif args.soort == "scholen":
        existing = store.schools()
    else:
        existing = store.organisations()
    gazetteer = store.gazetteer if store is not None else Gazetteer(reference)
    geocoder = make_geocoder(settings, gazetteer, offline=args.offline)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rRij {done} van {total} gecontroleerd…", end="", file=sys.stderr)

    verdicts = check_rows(table, geocoder=geocoder, reference=reference, existing=existing,
                          kind=args.soort, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    print_checked_file(path.name, table, verdicts)
    if getattr(geocoder, "went_offline", False):
        reason = getattr(geocoder, "offline_reason", "")
        print("Geocodering: offline — " + (reason or "PDOK was niet te gebruiken."))
    elif args.offline or settings.offline:
        print("Geocodering: offline (gekozen), met de meegeleverde postcode- en plaatsgegevens.")
    else:
        print("Geocodering: PDOK Locatieserver.")

    records = to_records(verdicts, kind=args.soort, fields=table.fields, reference=reference)
    left_out = len(verdicts) - len(records)
    exit_code = 0
    if args.droog:
        updates = sum(1 for r in records if "id" in r)
        print(f"Droog: niets opgeslagen. Zou {len(records) - updates} nieuw en {updates} "
              "bijgewerkt opleveren.")
    else:
        assert store is not None
        from geo.auth import LOCAL_ADMIN_ROLE

        # The command line may set ambassadors: it has the database file anyway.
        with store:
            outcome = store.apply_import(records, user=cli_user(), kind=args.soort,
                                         role=LOCAL_ADMIN_ROLE)
        conflicts = outcome["conflicten"]
        print(f"Register {database}: {outcome['nieuw']} nieuw, {outcome['bijgewerkt']} "
              f"bijgewerkt, {outcome['ongewijzigd']} ongewijzigd"
              + (f", {len(conflicts)} niet opgeslagen (conflict)." if conflicts else "."))
        if conflicts:
            print(f"Let op: {count_noun(len(conflicts), 'rij', 'rijen')} niet opgeslagen: na de "
                  "controle door iemand anders gewijzigd, verwijderd of toegevoegd. Hun werk is "
                  "niet overschreven; importeer het bestand opnieuw om deze rijen met de nieuwste "
                  "gegevens te controleren.", file=sys.stderr)
            for conflict in conflicts:
                print(f"  {conflict.message}", file=sys.stderr)
            exit_code = 1
    if left_out:
        print(f"{count_noun(left_out, 'rij', 'rijen')} niet opgenomen (zonder naam, dubbel in "
              "het bestand of al in de DUO-lijst); zie de melding per rij.")
    for v in verdicts:
        if v.status != "ok":
            print(f"  rij {v.row} · {v.name or '(geen naam)'} · {v.status}: {v.message}")
    if args.uitvoer:
        # Private: a row's message may quote what was in the file (an e-mail address).
        try:
            write_table(args.uitvoer, result_table(verdicts), private=True)
        except OutputError as err:
            print(f"Fout: {err}", file=sys.stderr)
            if not args.droog:
                print("De import zelf is wel in het register opgeslagen.", file=sys.stderr)
            return err.exit_code
        print(f"Resultaat per rij geschreven naar {args.uitvoer}.")
    return exit_code
