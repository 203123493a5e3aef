"""Command-line interface ``infrakaart``. Output and messages are Dutch.

Each subcommand is a pair: ``_add_<name>(subparsers)`` declares its arguments and
``_run_<name>(args, settings)`` does the work by calling geo/ functions. Register a
new command by adding its pair to :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from geo.errors import InfrakaartError
from geo.settings import Settings


def _add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", default=None, metavar="PAD",
                        help="SQLite-database (standaard uit de instellingen; wordt aangemaakt "
                        "als die nog niet bestaat)")


def _add_division_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--indeling", default=None, metavar="PAD.csv",
                        help="eigen subregio-indeling (kolommen gemeentecode, subregio)")


def _division(args: argparse.Namespace, reference):
    """The division from ``--indeling``, else the bundled proposal."""
    from geo.reference.data import read_division

    if not args.indeling:
        return reference.default_division
    return read_division(args.indeling, reference.gemeentecodes)


def _open_store(args: argparse.Namespace, settings: Settings, *, reference=None):
    """The register at ``--database`` (or the configured one); created when missing.

    Raises
    ------
    StoreError
        With a Dutch message when the folder or the file cannot be made or opened (a
        file where the folder should be, no rights, a full disk, not a database);
        :func:`main` prints it and exits with 1.
    """
    from pathlib import Path

    from geo.reference.data import load_reference
    from geo.register.store import Store

    database = Path(args.database) if args.database else settings.database_path
    if reference is None:
        reference = load_reference(settings.data_dir)
    return Store(database, reference)



def _add_waar(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "waar",
        help="In welke gemeente, subregio en arbeidsmarktregio ligt een postcode of plaats?",
        description="Zoek de gemeente, subregio en arbeidsmarktregio van een postcode of plaats "
        "(offline, met de meegeleverde CBS-gegevens).",
    )
    p.add_argument("invoer", nargs="+", help="postcode (1703AB of 1703) of plaatsnaam")
    p.add_argument("--json", action="store_true", help="antwoord als één JSON-object")


def _run_waar(args: argparse.Namespace, settings: Settings) -> int:
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


def _add_dichtbij(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dichtbij",
        help="De dichtstbijzijnde partners van een school (belijst).",
        description="Toon de dichtstbijzijnde partners van een middelbare school, gesorteerd op "
        "afstand in rechte lijn, met een geschatte reistijd. Zonder --straal: de N dichtstbij "
        "(standaard 5); met --straal zonder -n: alle partners binnen de straal. "
        "Contactgegevens staan er nooit in.",
    )
    p.add_argument("--school", required=True, metavar="VESTIGINGSCODE",
                   help="DUO-vestigingscode van de school, bijv. 13EE00")
    p.add_argument("-n", type=int, default=None, metavar="N",
                   help="aantal partners (standaard 5; zonder -n met --straal: allemaal)")
    p.add_argument("--straal", type=float, default=None, metavar="KM",
                   help="alleen partners binnen deze afstand in km (hemelsbreed)")
    p.add_argument("--soort", nargs="+", action="extend", default=None, metavar="SOORT",
                   help="alleen deze soort(en), bijv. aannemer netbeheerder")
    p.add_argument("--donateurs", action="store_true", help="alleen donateurs")
    p.add_argument("--ook-inactief", action="store_true",
                   help="ook partners die niet meer actief zijn")
    _add_database_option(p)
    p.add_argument("--uitvoer", default=None, metavar="PAD.csv",
                   help="schrijf de lijst als CSV naar dit bestand")


def _run_dichtbij(args: argparse.Namespace, settings: Settings) -> int:

    from geo.analysis.proximity import default_travel, nearest_partners
    from geo.output.call_lists import call_list, no_partners_message, skipped_message
    from geo.output.tables import write_table
    from geo.register.store import SOORTEN

    if args.n is not None and args.n < 1:
        print("Fout: -n moet minstens 1 zijn.", file=sys.stderr)
        return 1
    if args.straal is not None and args.straal <= 0:
        print("Fout: --straal moet groter dan 0 km zijn.", file=sys.stderr)
        return 1
    unknown = sorted(set(args.soort or []) - set(SOORTEN))
    if unknown:
        print(f"Fout: onbekende soort(en): {', '.join(unknown)}. "
              f"Kies uit: {', '.join(SOORTEN)}.", file=sys.stderr)
        return 1
    store = _open_store(args, settings)
    schools = store.schools()
    code = args.school.strip().upper()
    school = schools[schools["vestigingscode"].fillna("").str.upper() == code]
    if school.empty:
        print(f"Fout: geen school met vestigingscode '{args.school}' gevonden. "
              "De code staat in de DUO-lijst (bijv. 13EE00).", file=sys.stderr)
        return 1
    k = args.n if args.n is not None else (None if args.straal is not None else 5)
    result = nearest_partners(
        school.iloc[[0]],
        store.organisations(include_personal=False),
        k=k,
        radius_km=args.straal,
        travel=default_travel(),
        soort=args.soort,
        donateur=True if args.donateurs else None,
        actief=None if args.ook_inactief else True,
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
        print(table.to_string(index=False))
        print("Afstand hemelsbreed; reistijd is een schatting.")
    note = skipped_message(result)
    if note:
        print(f"Let op: {note}")
    if args.uitvoer:
        write_table(args.uitvoer, table, private=False)
        print(f"{len(table)} partner(s) geschreven naar {args.uitvoer}")
    return 0


def _add_ambassadeurs(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ambassadeurs",
        help="Kies k ambassadeurs die samen de meeste (vmbo-)scholen bereiken.",
        description="Kies k partners als ambassadeur zodat samen zo veel mogelijk scholen "
        "binnen de straal liggen (vmbo-scholen tellen zwaarder). Exacte optimalisatie "
        "(maximal covering location problem, CBC). Per gekozen partner: naam, subregio, "
        "scholen_bereik en vmbo_scholen_bereik; daarna één samenvattingsregel. Met --uitvoer "
        "komt de tabel in een CSV en de samenvatting in <naam>_samenvatting.txt ernaast. "
        "Contactgegevens staan er nooit in.",
    )
    p.add_argument("-k", type=int, required=True, metavar="K", help="aantal ambassadeurs")
    p.add_argument("--straal", type=float, default=10.0, metavar="KM",
                   help="bereik van een ambassadeur in km, hemelsbreed (standaard 10)")
    p.add_argument("--per-subregio", action="store_true",
                   help="minstens één ambassadeur in elke subregio die kandidaten heeft")
    p.add_argument("--vmbo-gewicht", type=float, default=2.0, metavar="W",
                   help="gewicht van een school met vmbo; andere scholen tellen 1 (standaard 2)")
    _add_division_option(p)
    _add_database_option(p)
    p.add_argument("--uitvoer", default=None, metavar="PAD.csv",
                   help="schrijf de gekozen ambassadeurs als CSV naar dit bestand")


def _run_ambassadeurs(args: argparse.Namespace, settings: Settings) -> int:
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
    reference = load_reference(settings.data_dir)
    division = _division(args, reference)
    store = _open_store(args, settings)
    cov = coverage(
        store.organisations(include_personal=False), store.schools(),
        radius_km=args.straal, vmbo_weight=args.vmbo_gewicht, division=division,
    )
    plan = optimal_plan(cov, k=args.k, per_subregion=args.per_subregio)
    table = plan.chosen[["naam", "subregio", "scholen_bereik", "vmbo_scholen_bereik"]]
    print(table.to_string(index=False))
    for note in plan.notes:
        print(f"Let op: {note}")
    summary = f"Samenvatting: {plan.summary()} Status: {plan.status}."
    print(summary)
    if args.uitvoer:
        out = Path(args.uitvoer)
        write_table(out, table, private=False)
        summary_path = out.with_name(f"{out.stem}_samenvatting.txt")
        write_file_atomically(summary_path, (summary + "\n").encode("utf-8"), private=False)
        print(f"{len(table)} ambassadeur(s) geschreven naar {out}; samenvatting in "
              f"{summary_path}")
    return 0


def _add_gebruiker(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gebruiker",
        help="Lokale accounts voor het team en het bestuur beheren.",
        description="Beheer de lokale accounts (naam, rol, wachtwoord-hash) in het "
        "gebruikersbestand (INFRAKAART_USERS_PATH, standaard var/gebruikers.toml).",
    )
    acties = p.add_subparsers(dest="actie", metavar="ACTIE", required=True)
    toevoegen = acties.add_parser(
        "toevoegen",
        help="Een account aanmaken.",
        description="Maak een account aan. Zonder --wachtwoord-stdin wordt het wachtwoord "
        "twee keer gevraagd (minstens 10 tekens).",
    )
    toevoegen.add_argument("naam", help="gebruikersnaam (letters, cijfers en . _ @ + -)")
    toevoegen.add_argument("--rol", required=True, choices=("team", "bestuur"),
                           help="team (beheer) of bestuur (beheer en ambassadeurs)")
    toevoegen.add_argument("--wachtwoord-stdin", action="store_true",
                           help="lees het wachtwoord van de eerste regel van standaardinvoer")
    toevoegen.add_argument("--overschrijven", action="store_true",
                           help="vervang rol en wachtwoord van een bestaand account")
    verwijderen = acties.add_parser("verwijderen", help="Een account verwijderen.")
    verwijderen.add_argument("naam", help="gebruikersnaam")
    acties.add_parser("lijst", help="Alle accounts tonen (naam en rol).")


def _read_new_password(*, from_stdin: bool) -> str:
    """The new password from stdin's first line, or asked twice without echo."""
    import getpass

    from geo.auth import check_password_strength
    from geo.errors import AuthError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Wachtwoord: ")
        check_password_strength(password)
        if getpass.getpass("Herhaal het wachtwoord: ") != password:
            raise AuthError("De twee wachtwoorden zijn niet gelijk; er is niets opgeslagen.")
    check_password_strength(password)
    return password


def _run_gebruiker(args: argparse.Namespace, settings: Settings) -> int:
    from geo import auth

    path = settings.users_path
    if args.actie == "toevoegen":
        auth.normalise_name(args.naam)  # refuse a bad name before asking for a password
        password = _read_new_password(from_stdin=args.wachtwoord_stdin)
        user = auth.add_user(path, args.naam, args.rol, password, replace=args.overschrijven)
        print(f"Gebruiker '{user.name}' opgeslagen met rol {user.role} in {path}.")
    elif args.actie == "verwijderen":
        auth.remove_user(path, args.naam)
        print(f"Gebruiker '{auth.normalise_name(args.naam)}' verwijderd.")
    else:
        users = auth.list_users(path)
        if not users:
            print("Nog geen gebruikers. Maak er een met: "
                  "infrakaart gebruiker toevoegen NAAM --rol team")
        for user in users:
            print(f"{user.name}\t{user.role}")
    return 0


def _add_import(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="Partners (of scholen) importeren uit een Excel- of CSV-bestand.",
        description="Lees een .xlsx- of .csv-bestand, controleer en plaats elke rij (PDOK, of "
        "offline met de meegeleverde postcodegegevens) en zet de organisaties in het "
        "register. Een organisatie die er al in staat (zelfde naam en postcode) wordt "
        "bijgewerkt. Elke niet-lege rij krijgt een oordeel: ok, waarschuwing of fout. Een "
        "organisatie die tijdens het controleren door iemand anders is gewijzigd, verwijderd "
        "of toegevoegd wordt niet overschreven maar gemeld (exitcode 1).",
    )
    p.add_argument("bestand", metavar="BESTAND", help="het .xlsx- of .csv-bestand")
    p.add_argument("--soort", choices=("partners", "scholen"), default="partners",
                   help="wat het bestand bevat (standaard partners)")
    p.add_argument("--offline", action="store_true",
                   help="PDOK niet gebruiken; plaatsen op postcode (4 cijfers) en plaatsnaam")
    _add_database_option(p)
    p.add_argument("--uitvoer", default=None, metavar="RESULTAAT.csv",
                   help="schrijf per rij het oordeel naar dit CSV-bestand")
    p.add_argument("--droog", action="store_true",
                   help="alleen controleren; niets in de database opslaan")


def _cli_user() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _run_import(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    import pandas as pd

    from geo.errors import ImportFileError, OutputError
    from geo.intake.geocoding import make_geocoder
    from geo.intake.importer import check_rows, count_statuses, read_table, result_table, to_records
    from geo.intake.reading import read_import_file
    from geo.output.tables import write_table
    from geo.reference.data import load_reference
    from geo.reference.gazetteer import Gazetteer

    path = Path(args.bestand)
    try:
        # Size checked on disk first; missing, folder, no permission: ImportFileError too.
        data = read_import_file(path, settings=settings)
        table = read_table(data, path.name, settings=settings)
    except ImportFileError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return 2

    reference = load_reference(settings.data_dir)
    database = Path(args.database) if args.database else settings.database_path
    store = None
    if not args.droog or database.exists():
        store = _open_store(args, settings, reference=reference)
    if store is None:
        existing = pd.DataFrame()
    elif args.soort == "scholen":
        existing = store.schools()
    else:
        existing = store.organisations()
    geocoder = make_geocoder(settings, Gazetteer(reference), offline=args.offline)

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\rRij {done} van {total} gecontroleerd…", end="", file=sys.stderr)

    verdicts = check_rows(table, geocoder=geocoder, reference=reference, existing=existing,
                          kind=args.soort, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    how = (f"werkblad '{table.sheet}'" if table.sheet is not None
           else f"scheidingsteken '{table.delimiter}', codering {table.encoding}")
    print(f"Bestand: {path.name} ({how}); kopregel op rij {table.header_row}.")
    if table.unknown_columns:
        print(f"Niet herkende kolommen (genegeerd): {', '.join(table.unknown_columns)}.")
    counts = count_statuses(verdicts)
    print(f"{len(verdicts)} rij(en) gecontroleerd: {counts['ok']} ok, "
          f"{counts['waarschuwing']} waarschuwing, {counts['fout']} fout.")
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
            outcome = store.apply_import(records, user=_cli_user(), kind=args.soort,
                                         role=LOCAL_ADMIN_ROLE)
        conflicts = outcome["conflicten"]
        print(f"Register {database}: {outcome['nieuw']} nieuw, {outcome['bijgewerkt']} "
              f"bijgewerkt, {outcome['ongewijzigd']} ongewijzigd"
              + (f", {len(conflicts)} niet opgeslagen (conflict)." if conflicts else "."))
        if conflicts:
            print(f"Let op: {len(conflicts)} rij(en) niet opgeslagen: na de controle door "
                  "iemand anders gewijzigd, verwijderd of toegevoegd. Hun werk is niet "
                  "overschreven; importeer het bestand opnieuw om deze rijen met de nieuwste "
                  "gegevens te controleren.", file=sys.stderr)
            for conflict in conflicts:
                print(f"  {conflict.message}", file=sys.stderr)
            exit_code = 1
    if left_out:
        print(f"{left_out} rij(en) niet opgenomen (zonder naam, dubbel in het bestand of al in "
              "de DUO-lijst); zie de melding per rij.")
    for v in verdicts:
        if v.status != "ok":
            print(f"  rij {v.rij} · {v.naam or '(geen naam)'} · {v.status}: {v.melding}")
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


def _add_witte_vlekken(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "witte-vlekken",
        help="Rangorde van gebieden die aandacht nodig hebben (witte-vlekscore).",
        description="Bereken per gebied het aantal partners en donateurs, jongeren (10-19 jaar, "
        "CBS 2021), scholen, het aandeel scholen met een partner binnen de straal en de "
        "geschatte afstand en reistijd naar de dichtstbijzijnde mbo-infralocatie, met de "
        "witte-vlekscore (0-100, hoger = meer aandacht nodig) en de rang. Reistijden zijn "
        "schattingen (hemelsbreed x omwegfactor). Contactgegevens staan er nooit in.",
    )
    p.add_argument("--niveau", choices=["gemeente", "subregio", "arbeidsmarktregio"],
                   default="subregio", help="gebiedsniveau (standaard subregio)")
    p.add_argument("--straal", type=float, default=10.0, metavar="KM",
                   help="straal voor 'school met partner dichtbij' in km, hemelsbreed "
                   "(standaard 10)")
    p.add_argument("--omweg", type=float, default=1.3, metavar="FACTOR",
                   help="omwegfactor op de hemelsbrede afstand (standaard 1,3)")
    p.add_argument("--reiswijze", choices=["ov_auto", "fiets"], default="ov_auto",
                   help="reiswijze voor de reistijd (standaard ov_auto)")
    p.add_argument("--top", type=int, default=3, metavar="N",
                   help="aantal gebieden dat wordt toegelicht (standaard 3)")
    _add_division_option(p)
    _add_database_option(p)
    p.add_argument("--uitvoer", default=None, metavar="PAD.csv",
                   help="schrijf de hele tabel als CSV (of .xlsx) naar dit bestand")


def _run_witte_vlekken(args: argparse.Namespace, settings: Settings) -> int:
    from geo.analysis import indicators as analysis
    from geo.analysis.score import top_units_text
    from geo.analysis.travel import StraightLineModel
    from geo.output.tables import write_table
    from geo.reference.data import load_reference

    if args.straal < 0:
        print("Fout: --straal mag niet negatief zijn.", file=sys.stderr)
        return 1
    if args.omweg < 1:
        print("Fout: --omweg moet 1 of groter zijn (1 = hemelsbreed).", file=sys.stderr)
        return 1
    reference = load_reference(settings.data_dir)
    division = _division(args, reference)
    store = _open_store(args, settings)
    try:
        table = analysis.indicators(
            args.niveau, reference=reference, division=division,
            partners=store.organisations(include_personal=False), schools=store.schools(),
            mbo=store.mbo_locations(), radius_km=args.straal,
            travel=StraightLineModel(detour=args.omweg), mode=args.reiswijze,
        )
    finally:
        store.close()
    print(f"Witte vlekken per {args.niveau} ({len(table)} gebieden; straal {args.straal:g} km, "
          f"omwegfactor {args.omweg:g}, reiswijze {args.reiswijze}). "
          "Hoger = meer aandacht nodig.")
    for line in top_units_text(table, n=max(args.top, 0)):
        print(line)
    if not table["partners"].any():
        print("Let op: er staan nog geen actieve partners met een locatie in het register.")
    print("Reistijden en afstanden zijn schattingen (hemelsbreed x omwegfactor).")
    if args.uitvoer:
        out = write_table(args.uitvoer, analysis.export_sheets(table), private=False)
        print(f"{len(table)} gebieden geschreven naar {out}")
    return 0


def _add_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="Het register exporteren als CSV, Excel, GeoJSON of GeoPackage.",
        description="Schrijf alle organisaties uit het register naar een bestand, met "
        "Nederlandse kolomnamen. Met --publiek zonder contactpersonen, e-mailadressen, "
        "telefoonnummers en interne notities. In GeoJSON en GeoPackage staan alleen "
        "organisaties met een locatie (punten in WGS84).",
    )
    p.add_argument("--formaat", required=True, choices=("csv", "xlsx", "geojson", "gpkg"),
                   help="bestandsformaat")
    p.add_argument("--uitvoer", required=True, metavar="PAD", help="het bestand om te schrijven")
    p.add_argument("--publiek", action="store_true",
                   help="zonder persoonsgegevens (om te delen met partners)")
    _add_database_option(p)


def _run_export(args: argparse.Namespace, settings: Settings) -> int:

    from geo.output.export import export_register

    with _open_store(args, settings) as store:
        summary = export_register(store, args.uitvoer, fmt=args.formaat, public=args.publiek)
    print(summary.message())
    print(f"Geschreven naar {args.uitvoer}.")
    if not args.publiek:
        print("Let op: dit bestand bevat persoonsgegevens; deel het niet buiten het team.")
    return 0


def _add_voorbeeld(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "voorbeeld",
        help="Verzonnen voorbeeldpartners laden of verwijderen.",
        description="Laad de verzonnen voorbeeldlijst (data/voorbeeld/partners_voorbeeld.csv) "
        "in het register, offline geplaatst op postcode en gemarkeerd als voorbeeld, zodat "
        "de kaart meteen iets laat zien. Echte organisaties blijven ongemoeid.",
    )
    p.add_argument("--alleen-als-leeg", action="store_true",
                   help="niets doen als het register al organisaties bevat (voor make run)")
    p.add_argument("--verwijderen", action="store_true",
                   help="alle voorbeeldorganisaties verwijderen")
    _add_database_option(p)


def _run_voorbeeld(args: argparse.Namespace, settings: Settings) -> int:

    from geo.register.store import load_example_data

    with _open_store(args, settings) as store:
        database = store.path
        if args.verwijderen:
            removed = store.delete_example_data(user=_cli_user())
            print(f"{removed} voorbeeldorganisatie(s) verwijderd uit {database}.")
            return 0
        if args.alleen_als_leeg and store.organisation_count() > 0:
            print(f"Register {database} bevat al organisaties; geen voorbeeldgegevens geladen.")
            return 0
        outcome = load_example_data(store, user=_cli_user())
    print(f"Voorbeeldgegevens in {database}: {outcome['nieuw']} nieuw, "
          f"{outcome['bijgewerkt']} bijgewerkt, {outcome['ongewijzigd']} ongewijzigd. "
          "Dit zijn verzonnen organisaties; verwijder ze met 'infrakaart voorbeeld "
          "--verwijderen'.")
    return 0


def _add_kaart(sub: argparse._SubParsersAction) -> None:
    from geo.analysis.vocabulary import CHOROPLETH_INDICATORS
    from geo.reference.levels import LEVELS

    p = sub.add_parser(
        "kaart",
        help="De partnerkaart als los HTML-bestand (opent ook zonder internet).",
        description="Schrijf de partnerkaart (grenzen, kleurkaart, scholen, mbo-infra, actieve "
        "partners) als één HTML-bestand dat in elke browser opent, ook offline (alleen de "
        "achtergrondtegels hebben internet nodig). Met --publiek zonder persoonsgegevens.",
    )
    p.add_argument("--uitvoer", required=True, metavar="KAART.html", help="het HTML-bestand")
    p.add_argument("--publiek", action="store_true",
                   help="zonder contactpersonen, e-mailadressen en telefoonnummers (om te delen)")
    p.add_argument("--niveau", choices=LEVELS, default="subregio",
                   help="niveau van de kleurkaart (standaard subregio)")
    p.add_argument("--kleurkaart", choices=[k for k in CHOROPLETH_INDICATORS if k],
                   default="score", help="indicator voor de kleurkaart (standaard score)")
    _add_division_option(p)
    _add_database_option(p)


def _run_kaart(args: argparse.Namespace, settings: Settings) -> int:
    from geo.analysis import indicators as analysis
    from geo.analysis.vocabulary import CHOROPLETH_INDICATORS
    from geo.output import maps
    from geo.output.assets import standalone_html
    from geo.output.files import write_file_atomically
    from geo.reference.regions import unit_polygons

    with _open_store(args, settings) as store:
        reference = store.reference
        division = _division(args, reference)  # before any work: a bad file stops here
        organisations = store.organisations(include_personal=not args.publiek)
        schools, mbo = store.schools(), store.mbo_locations()
    active = organisations[organisations["actief"]]
    table = analysis.indicators(args.niveau, reference=reference, division=division,
                                partners=active, schools=schools, mbo=mbo)
    label, fmt = CHOROPLETH_INDICATORS[args.kleurkaart]
    fmap = maps.build_partner_map(
        layers=maps.boundary_layers(reference, division), partners=active, schools=schools,
        mbo=mbo, show_personal=not args.publiek,
        choropleth=(unit_polygons(args.niveau, reference, division), table, args.kleurkaart,
                    label, fmt),
    )
    try:
        html = standalone_html(fmap, settings.static_dir)
    except RuntimeError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return 1
    # The staff map has contact data in its pop-ups: readable by its owner only.
    out = write_file_atomically(args.uitvoer, html.encode("utf-8"), private=not args.publiek)
    placed = int(active["lat"].notna().sum())
    print(f"Kaart geschreven naar {out} ({len(html) // 1024} kB): {placed} actieve "
          f"organisaties, {len(schools)} scholen, {len(mbo)} mbo-infra-locaties; kleurkaart "
          f"'{label}' per {args.niveau}.")
    if not args.publiek:
        print("Let op: deze kaart bevat persoonsgegevens in de pop-ups; gebruik --publiek om "
              "te delen.")
    return 0


Command = tuple[Callable[[argparse._SubParsersAction], None],
                Callable[[argparse.Namespace, Settings], int]]

#: name → (declare arguments, run). Keep in the order shown by ``infrakaart --help``.
COMMANDS: dict[str, Command] = {
    "waar": (_add_waar, _run_waar),
    "import": (_add_import, _run_import),
    "gebruiker": (_add_gebruiker, _run_gebruiker),
    "dichtbij": (_add_dichtbij, _run_dichtbij),
    "ambassadeurs": (_add_ambassadeurs, _run_ambassadeurs),
    "witte-vlekken": (_add_witte_vlekken, _run_witte_vlekken),
    "kaart": (_add_kaart, _run_kaart),
    "export": (_add_export, _run_export),
    "voorbeeld": (_add_voorbeeld, _run_voorbeeld),
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


if __name__ == "__main__":
    sys.exit(main())
