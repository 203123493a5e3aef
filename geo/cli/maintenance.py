"""``infrakaart backup``, ``herstel`` and ``status``: keeping the register safe on a server.

``status`` is also the container's health check (``deploy/Dockerfile``): it reads the
register without changing it and exits with 0 when the register can be read (and, with
``--app``, the app answers), else 1. Whether PDOK answers is reported but never makes
the check fail: the app then places addresses offline.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from geo.cli._common import add_database_option
from geo.settings import Settings
from geo.text import count_noun

#: The app's own health endpoint, as the container's health check asks it.
APP_HEALTH_URL = "http://127.0.0.1:8501/_stcore/health"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"verwacht een geheel getal van 1 of meer, niet {text!r}")
    return value


def _database(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.database) if args.database else settings.database_path


def _backup_dir(args: argparse.Namespace, settings: Settings) -> Path:
    """``--naar``, else the settings' folder (next to an own ``--database``)."""
    if getattr(args, "naar", None):
        return Path(args.naar)
    if args.database:
        return Path(args.database).parent / "backups"
    return settings.backup_dir


def _contents(counts: dict[str, int]) -> str:
    mappings = counts.get("kolomkoppelingen", 0)
    inflow = counts.get("instroom", 0)
    return (f"{counts['organisaties']} organisaties, {counts['scholen']} scholen, "
            f"{counts['opleidingslocaties']} opleidingslocaties, "
            + (count_noun(counts["activiteiten"], "activiteit", "activiteiten") + ", "
               if "activiteiten" in counts else "")
            + f"{counts['historie']} regels historie"
            + (", " + count_noun(mappings, "onthouden kolomkoppeling",
                                 "onthouden kolomkoppelingen") if mappings else "")
            + (f", {count_noun(inflow, 'rij', 'rijen')} instroom" if inflow else ""))


def add_backup(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart backup``."""
    p = sub.add_parser(
        "backup",
        help="Een reservekopie van het register maken (ook terwijl de app draait).",
        description="Maak een consistente kopie van het register met de online-backup van "
        "SQLite, controleer die en bewaar alleen de nieuwste N gewone kopieën. Kopieën van "
        "vóór een upgrade of een herstel blijven altijd staan.",
    )
    p.add_argument("--naar", metavar="MAP", default=None,
                   help="map voor de kopieën (standaard INFRAKAART_BACKUP_DIR, var/backups)")
    p.add_argument("--bewaar", metavar="N", type=_positive, default=None,
                   help="aantal gewone kopieën dat blijft (standaard INFRAKAART_BACKUP_KEEP)")
    add_database_option(p)


def run_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart backup``; returns the exit code."""
    from geo.register.backup import inspect_register, make_backup

    keep = args.bewaar or settings.backup_keep
    made, removed = make_backup(_database(args, settings), _backup_dir(args, settings),
                                keep=keep)
    info = inspect_register(made)  # the copy itself must pass the restore checks
    print(f"Reservekopie gemaakt: {made}")
    print(f"Inhoud: {_contents(info.counts)} (schemaversie {info.schema_version}).")
    if removed:
        older = count_noun(len(removed), "oudere reservekopie", "oudere reservekopieën")
        print(f"{older} verwijderd; de nieuwste {keep} "
              "blijven bewaard.")
    return 0


def add_restore(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart herstel``."""
    p = sub.add_parser(
        "herstel",
        help="Een reservekopie terugzetten (na controle).",
        description="Zet een reservekopie terug als register. Eerst wordt de kopie "
        "gecontroleerd (niet beschadigd, een Infrakaart-register, geen nieuwere "
        "schemaversie dan deze versie begrijpt) en wordt het huidige register bewaard "
        "als reservekopie 'voor-herstel'. Bij een weigering blijft het register "
        "ongewijzigd.",
    )
    p.add_argument("bestand", metavar="BESTAND", help="de reservekopie (.sqlite)")
    add_database_option(p)


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart herstel``; returns the exit code."""
    from geo.cli._common import open_store
    from geo.register.backup import restore_backup
    from geo.register.schema import SCHEMA_VERSION

    result = restore_backup(args.bestand, _database(args, settings),
                            _backup_dir(args, settings))
    if result.safety_copy is not None:
        print(f"Het register van vóór het herstel is bewaard als {result.safety_copy}.")
    info = result.restored
    print(f"Teruggezet: {info.path} ({_contents(info.counts)}, schemaversie "
          f"{info.schema_version}).")
    if info.schema_version < SCHEMA_VERSION:
        with open_store(args, settings) as store:  # upgrades, after its own backup
            print(f"Het register is bijgewerkt naar schemaversie {store.schema_version}.")
    print("Herstart de app (bijvoorbeeld 'docker compose restart app'), zodat iedereen de "
          "teruggezette gegevens ziet.")
    return 0


def add_status(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart status``."""
    p = sub.add_parser(
        "status",
        help="Laat zien of alles werkt: register, schemaversie, aantallen, laatste "
        "reservekopie, geocoder.",
        description="Leest het register zonder iets te veranderen. Exitcode 0 als het "
        "register leesbaar is (en met --app de app antwoordt), anders 1. Of PDOK "
        "bereikbaar is, staat erbij maar telt niet mee: zonder PDOK plaatst de app "
        "adressen offline.",
    )
    p.add_argument("--zonder-geocoder", action="store_true",
                   help="PDOK niet vragen (voor een health check die vaak draait)")
    p.add_argument("--app", metavar="URL", nargs="?", const=APP_HEALTH_URL, default=None,
                   help=f"controleer ook dat de app antwoordt (standaard {APP_HEALTH_URL})")
    add_database_option(p)


def _age(made: datetime, now: datetime) -> str:
    minutes = max(0, int((now - made).total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} minuten geleden"
    if minutes < 48 * 60:
        return f"{minutes // 60} uur geleden"
    return f"{minutes // (24 * 60)} dagen geleden"


def _geocoder_line(args: argparse.Namespace, settings: Settings) -> str:
    from geo.errors import GeocoderError

    if settings.offline:
        return "offline (INFRAKAART_OFFLINE staat aan; adressen op postcode en plaats)"
    if args.zonder_geocoder:
        return "niet gecontroleerd (--zonder-geocoder)"
    from geo.intake.pdok import check_pdok

    try:
        check_pdok(settings)
    except GeocoderError as err:
        return f"PDOK niet bereikbaar, adressen worden offline geplaatst ({err})"
    return "PDOK bereikbaar"


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart status``; returns the exit code."""
    from geo.errors import StoreError
    from geo.register.backup import inspect_register, latest_backup
    from geo.register.schema import SCHEMA_VERSION

    healthy = True
    database = _database(args, settings)
    print(f"Register: {database}")
    if not database.exists():
        print("  nog niet aangemaakt; de app maakt het bij het eerste gebruik.")
    else:
        try:
            info = inspect_register(database, full_check=False)
        except StoreError as err:
            healthy = False
            print(f"  niet leesbaar: {err}")
        else:
            note = ("" if info.schema_version == SCHEMA_VERSION else
                    "; wordt bij het volgende openen bijgewerkt, na een reservekopie")
            print(f"  leesbaar, schemaversie {info.schema_version} (deze versie van "
                  f"Infrakaart: {SCHEMA_VERSION}{note})")
            print(f"  {_contents(info.counts)}")
    last = latest_backup(_backup_dir(args, settings))
    if last is None:
        print("Laatste reservekopie: nog geen (maak er een met 'infrakaart backup').")
    else:
        print(f"Laatste reservekopie: {last.made:%Y-%m-%d %H:%M} UTC "
              f"({_age(last.made, datetime.now(UTC))}): {last.path.name}")
    print(f"Geocoder: {_geocoder_line(args, settings)}")
    if args.app:
        from geo.intake._http import answers_ok

        answers = answers_ok(args.app)
        healthy = healthy and answers
        print(f"App: {'antwoordt' if answers else 'antwoordt niet'} ({args.app})")
    print("Status: in orde." if healthy else "Status: NIET in orde.")
    return 0 if healthy else 1
