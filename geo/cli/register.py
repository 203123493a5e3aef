"""``infrakaart export`` and ``infrakaart voorbeeld``: the register as a file, example data."""

from __future__ import annotations

import argparse

from geo.cli._common import add_database_option, cli_user, open_store
from geo.settings import Settings
from geo.text import count_noun


def add_export(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart export`` and its options."""
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
    add_database_option(p)


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart export``; returns the exit code."""
    from geo.output.export import export_register

    with open_store(args, settings) as store:
        summary = export_register(store, args.uitvoer, fmt=args.formaat, public=args.publiek)
    print(summary.message())
    print(f"Geschreven naar {args.uitvoer}.")
    if not args.publiek:
        print("Let op: dit bestand bevat persoonsgegevens; deel het niet buiten het team.")
    return 0


def add_example(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart voorbeeld`` and its options."""
    p = sub.add_parser(
        "voorbeeld",
        help="Verzonnen voorbeeldpartners, -activiteiten en -instroomcijfers laden of "
        "verwijderen.",
        description="Laad de verzonnen voorbeeldlijst (data/voorbeeld/partners_voorbeeld.csv) "
        "in het register, offline geplaatst op postcode en gemarkeerd als voorbeeld, zodat "
        "de kaart meteen iets laat zien, met verzonnen activiteiten en instroomcijfers van "
        "twee schooljaren (data/voorbeeld/activiteiten_voorbeeld.csv en "
        "instroom_voorbeeld.csv). Echte organisaties, activiteiten en cijfers blijven "
        "ongemoeid.",
    )
    p.add_argument("--alleen-als-leeg", action="store_true",
                   help="niets doen als het register al organisaties bevat (voor make run)")
    p.add_argument("--verwijderen", action="store_true",
                   help="alle voorbeeldorganisaties, -activiteiten en -instroom verwijderen")
    add_database_option(p)


def run_example(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart voorbeeld``; returns the exit code."""
    from geo.register.examples import load_example_data

    with open_store(args, settings) as store:
        database = store.path
        if args.verwijderen:
            activities = store.activities.count(examples=True)
            inflow = store.inflow.count(examples=True)
            removed = store.delete_example_data(user=cli_user())
            gone = count_noun(removed, "voorbeeldorganisatie", "voorbeeldorganisaties")
            also = count_noun(activities, "voorbeeldactiviteit", "voorbeeldactiviteiten")
            rows = count_noun(inflow, "rij", "rijen")
            print(f"{gone} en {also} verwijderd uit {database}"
                  + (f", met {rows} voorbeeldinstroom." if inflow else "."))
            return 0
        if args.alleen_als_leeg and store.organisation_count() > 0:
            print(f"Register {database} bevat al organisaties; geen voorbeeldgegevens geladen.")
            return 0
        outcome = load_example_data(store, user=cli_user())
    activities = outcome["activiteiten"]
    inflow = outcome["instroom"]
    years = ", ".join(sorted({found["schooljaar"] for found in inflow["sets"]}))
    print(f"Voorbeeldgegevens in {database}: {outcome['nieuw']} nieuw, "
          f"{outcome['bijgewerkt']} bijgewerkt, {outcome['ongewijzigd']} ongewijzigd; "
          f"activiteiten: {activities['nieuw']} nieuw, {activities['bijgewerkt']} bijgewerkt, "
          f"{activities['ongewijzigd']} ongewijzigd; "
          f"instroom: {count_noun(inflow['rijen'], 'rij', 'rijen')} (schooljaren {years}). "
          "Dit zijn verzonnen organisaties, activiteiten en cijfers; verwijder ze met "
          "'infrakaart voorbeeld --verwijderen'.")
    return 0
