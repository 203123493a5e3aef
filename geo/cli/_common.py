"""What several commands share: ``--database``, ``--indeling``, ``--schooljaar``, the register.

Cheap to import: argparse only; the register and the reference data load inside the
functions, when a command runs.
"""

from __future__ import annotations

import argparse

from geo.settings import Settings


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """Declare ``--database PAD`` (default: the register of the settings)."""
    parser.add_argument("--database", default=None, metavar="PAD",
                        help="SQLite-database (standaard uit de instellingen; wordt aangemaakt "
                        "als die nog niet bestaat)")


def add_division_option(parser: argparse.ArgumentParser) -> None:
    """Declare ``--indeling PAD.csv``, an own subregion division."""
    parser.add_argument("--indeling", default=None, metavar="PAD.csv",
                        help="eigen subregio-indeling (kolommen gemeentecode, subregio)")


def selected_division(args: argparse.Namespace, reference):
    """The division from ``--indeling``, else the bundled proposal."""
    from geo.reference.divisions import read_division

    if not args.indeling:
        return reference.default_division
    return read_division(args.indeling, reference.gemeentecodes)


def add_school_year_option(parser: argparse.ArgumentParser) -> None:
    """Declare ``--schooljaar JJJJ-JJJJ``: the school year whose reach a command shows."""
    parser.add_argument("--schooljaar", default=None, metavar="JJJJ-JJJJ",
                        help="schooljaar van het bereik (scholen met een gegeven activiteit), "
                        "als 2025-2026; standaard het lopende, of het laatste met "
                        "activiteiten als het lopende er nog geen heeft")


def _first_school_year(store) -> str:
    """The school year pages show first (:func:`geo.activities.first_school_year`)."""
    from datetime import date

    from geo import activities

    known = store.activities.school_years() if store is not None else ()
    return activities.first_school_year(known, date.today())


def school_year_of(args: argparse.Namespace, store=None, *, default=_first_school_year,
                   parse=None) -> str | None:
    """The school year of ``--schooljaar``; without it ``default``.

    Called once without ``store`` to check the option before any work, and again with the
    opened register when the default needs it.

    Parameters
    ----------
    default : str, None or callable, optional
        What a missing option gives: a value (``None`` lets the view choose), or a
        callable of ``store`` that returns one. Without it
        :func:`geo.activities.first_school_year` of the register's school years (the one
        pages show first; today's school year before the register is open).
    parse : callable, optional
        Reads the text (default :func:`geo.activities.parse_school_year`); its Dutch
        ``ValueError`` becomes the message.

    Raises
    ------
    InfrakaartError
        In Dutch, for a value that is not a school year.
    """
    from geo import activities
    from geo.errors import InfrakaartError

    if not args.schooljaar:
        return default(store) if callable(default) else default
    try:
        return (parse or activities.parse_school_year)(args.schooljaar)
    except ValueError as err:
        raise InfrakaartError(f"--schooljaar: {err}.") from err


def open_store(args: argparse.Namespace, settings: Settings, *, reference=None):
    """The register at ``--database`` (or the configured one); created when missing.

    Raises
    ------
    StoreError
        With a Dutch message when the folder or the file cannot be made or opened (a
        file where the folder should be, no rights, a full disk, not a database);
        :func:`geo.cli.main` prints it and exits with 1.
    """
    from pathlib import Path

    from geo.reference.data import load_reference
    from geo.register.store import Store

    database = Path(args.database) if args.database else settings.database_path
    if reference is None:  # a checked copy in var/cache saves reading data/ every time
        reference = load_reference(settings.data_dir, cache_dir=settings.cache_dir)
    # An own --database keeps its pre-upgrade copies next to it.
    return Store(database, reference,
                 backup_dir=None if args.database else settings.backup_dir)


def print_checked_file(name: str, table, verdicts) -> dict[str, int]:
    """Print how an import file was read and how many rows got which verdict.

    Returns the number of rows per verdict (:func:`geo.intake.verdicts.count_statuses`).
    """
    from geo.intake.verdicts import count_statuses
    from geo.text import count_noun

    how = (f"werkblad '{table.sheet}'" if table.sheet is not None
           else f"scheidingsteken '{table.delimiter}', codering {table.encoding}")
    print(f"Bestand: {name} ({how}); kopregel op rij {table.header_row}.")
    if table.unknown_columns:
        print(f"Niet herkende kolommen (genegeerd): {', '.join(table.unknown_columns)}.")
    counts = count_statuses(verdicts)
    print(f"{count_noun(len(verdicts), 'rij', 'rijen')} gecontroleerd: {counts['ok']} ok, "
          f"{counts['waarschuwing']} waarschuwing, {counts['fout']} fout.")
    return counts


def cli_user() -> str:
    """The name the command line writes in the register's history: ``cli:<login>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
