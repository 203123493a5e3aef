"""``infrakaart gebruiker``: the local accounts of the team and the board."""

from __future__ import annotations

import argparse
import sys

from geo.settings import Settings


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart gebruiker`` and its options."""
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


def _end_sessions(name: str, settings: Settings) -> None:
    """End the account's logins in the app: a new password or no account at all."""
    from geo.auth import SessionPolicy
    from geo.register.sessions import end_sessions_of

    ended = end_sessions_of(settings.database_path, name,
                            SessionPolicy.from_settings(settings))
    if ended:
        print(f"{ended} {'sessie' if ended == 1 else 'sessies'} in de app beëindigd.")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart gebruiker``; returns the exit code."""
    from geo import auth

    path = settings.users_path
    if args.actie == "toevoegen":
        auth.normalise_name(args.naam)  # refuse a bad name before asking for a password
        password = _read_new_password(from_stdin=args.wachtwoord_stdin)
        user = auth.add_user(path, args.naam, args.rol, password, replace=args.overschrijven)
        print(f"Gebruiker '{user.name}' opgeslagen met rol {user.role} in {path}.")
        _end_sessions(user.name, settings)
    elif args.actie == "verwijderen":
        auth.remove_user(path, args.naam)
        print(f"Gebruiker '{auth.normalise_name(args.naam)}' verwijderd.")
        _end_sessions(auth.normalise_name(args.naam), settings)
    else:
        users = auth.list_users(path)
        if not users:
            print("Nog geen gebruikers. Maak er een met: "
                  "infrakaart gebruiker toevoegen NAAM --rol team")
        for user in users:
            print(f"{user.name}\t{user.role}")
    return 0
