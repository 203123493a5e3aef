"""``infrakaart mbo``: list the education places and set a place's exact address.

``infrakaart mbo lijst`` shows every place of the register (mbo infra and the rest of the
chain) with its address, how precise its location is (in Dutch) and where it came from;
``infrakaart mbo zet NAAM --adres … --postcode … [--plaats …]`` places one at an address
with PDOK, or offline on postcode or place name with ``--offline`` (or in an offline
installation). Nothing is changed when the name is unknown or ambiguous, the postcode is
invalid, the address cannot be placed, or PDOK is down without ``--offline`` (a Dutch
message, exit code 1).
"""

from __future__ import annotations

import argparse

from geo.cli._common import add_database_option, cli_user, open_store
from geo.settings import Settings


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart mbo lijst`` and ``infrakaart mbo zet``."""
    p = sub.add_parser(
        "mbo",
        help="De opleidingslocaties (mbo infra en andere) bekijken of hun adres zetten.",
        description="Bekijk de opleidingslocaties in het register of zet het exacte adres "
        "van één locatie. De analyse (reistijd naar mbo infra, witte vlekken, Wat als) en de "
        "kaarten gebruiken de locaties uit het register.",
    )
    commands = p.add_subparsers(dest="mbo_opdracht", metavar="lijst|zet", required=True)
    listing = commands.add_parser(
        "lijst", help="alle opleidingslocaties met adres, nauwkeurigheid en bron",
        description="Toon alle opleidingslocaties met adres, nauwkeurigheid en bron.")
    listing.add_argument("--uitvoer", default=None, metavar="PAD.csv|PAD.xlsx",
                         help="schrijf de lijst ook naar dit CSV- of Excel-bestand")
    add_database_option(listing)
    setting = commands.add_parser(
        "zet", help="het adres van één opleidingslocatie zetten (PDOK of offline)",
        description="Zet het adres van een opleidingslocatie en plaats die opnieuw: met PDOK "
        "op het exacte adres, of met --offline op de postcode (4 cijfers) of de plaatsnaam. "
        "Is PDOK niet bereikbaar, dan verandert er niets. De nauwkeurigheid wordt getoond "
        "en opgeslagen.")
    setting.add_argument("naam", metavar="NAAM",
                         help="naam, uniek deel van de naam, of nummer uit 'infrakaart mbo lijst'")
    setting.add_argument("--adres", default="", metavar="STRAAT_HUISNUMMER",
                         help="straat en huisnummer, bijvoorbeeld 'Bouwkade 12'")
    setting.add_argument("--postcode", default="", help="postcode, bijvoorbeeld 1703 AB")
    setting.add_argument("--plaats", default=None,
                         help="plaats (standaard de plaats die de locatie nu heeft)")
    setting.add_argument("--offline", action="store_true",
                         help="PDOK niet gebruiken; plaatsen op postcode (4 cijfers) of plaats")
    add_database_option(setting)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart mbo``; returns the exit code."""
    if args.mbo_opdracht == "lijst":
        return _run_list(args, settings)
    return _run_set(args, settings)


def _run_list(args: argparse.Namespace, settings: Settings) -> int:
    from geo.register.places import place_lines, places_table

    with open_store(args, settings) as store:
        places = store.places.all()
    for line in place_lines(places):
        print(line)
    if args.uitvoer:
        from geo.output.tables import write_table

        write_table(args.uitvoer, places_table(places), private=False)
        print(f"Geschreven naar {args.uitvoer}.")
    return 0


def _run_set(args: argparse.Namespace, settings: Settings) -> int:
    from geo.auth import LOCAL_ADMIN_ROLE
    from geo.intake.geocoding import make_geocoder
    from geo.reference.data import load_reference
    from geo.reference.gazetteer import Gazetteer
    from geo.register.places import address_update, find_place, place_lines

    reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    with open_store(args, settings, reference=reference) as store:
        place = find_place(store.places.all(), args.naam)
        town = place["plaats"] if args.plaats is None else args.plaats
        geocoder = make_geocoder(settings, Gazetteer(reference), offline=args.offline)
        try:
            update = address_update(geocoder, street=args.adres, postcode=args.postcode,
                                    place=town, offline=args.offline or settings.offline)
        finally:
            close = getattr(geocoder, "close", None)
            if close is not None:
                close()
        store.places.save({"id": place["id"], **update}, user=cli_user(),
                          role=LOCAL_ADMIN_ROLE, expected_version=place["versie"])
        saved = store.places.all()
    print("Opgeslagen:")
    for line in place_lines(saved[saved["id"] == place["id"]]):
        print(line)
    return 0
