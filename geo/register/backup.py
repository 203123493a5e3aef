"""Backups of the register: made while the app runs, checked before they come back.

Making a backup
    :func:`make_backup` copies the register with SQLite's online backup API
    (``sqlite3.Connection.backup``) in one step: the copy is one consistent snapshot even
    while the app writes (in WAL mode readers and writers do not block each other). The
    copy is written to a hidden temporary file (mode 0600) in the backup folder (mode
    0700), switched to an ordinary rollback journal, flushed to disk and only then renamed
    to its final name, so a backup either exists whole or not at all.

Names
    ``infrakaart-<UTC time>.sqlite`` for an ordinary backup; the copies made before a
    schema upgrade (``-voor-upgrade-v<N>``) and before a restore (``-voor-herstel``) carry
    their reason and are never deleted by :func:`prune`, which keeps the newest ordinary
    ones.

Restoring
    :func:`inspect_register` checks a file before it is trusted (``PRAGMA
    integrity_check``, the register's tables, a schema version this code understands);
    :func:`restore_backup` then makes a safety copy of the current register and copies the
    backup *into* the register file with the same backup API, so connections that are open
    on it see the restored data and a failure leaves the register as it was.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from geo.errors import StoreError
from geo.private_files import create_private_file, ensure_private_dir, restrict_sqlite_files
from geo.register.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

#: Tables every Infrakaart register has (since schema version 1).
REGISTER_TABLES = ("organisaties", "scholen", "opleidingslocaties", "historie")
#: Tables of later schema versions, counted when present (``kolomkoppelingen``: since
#: schema 8, ``activiteiten``: 9, ``instroom``: 10). Login sessions (``sessies``) are copied
#: but not counted: they end anyway.
LATER_TABLES = ("kolomkoppelingen", "activiteiten", "instroom")
#: The education places' table was called ``mbo_locaties`` before schema 6.
_PLACES_BEFORE_V6 = "mbo_locaties"

#: Reason in the name of the copy made before a schema upgrade to version N.
UPGRADE_REASON = "voor-upgrade-v{version}"

#: Reason in the name of the copy made before a restore.
RESTORE_REASON = "voor-herstel"

_NAME = re.compile(r"^infrakaart-(\d{8}T\d{6}\d{6}Z)(?:-([a-z0-9-]+))?\.sqlite$")
_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class RegisterInfo:
    """What a register file holds, read without changing it.

    Attributes
    ----------
    path : Path
        The file.
    schema_version : int
        Its ``PRAGMA user_version``.
    counts : dict[str, int]
        Rows per table of :data:`REGISTER_TABLES`, and of :data:`LATER_TABLES` the
        register has.
    """

    path: Path
    schema_version: int
    counts: dict[str, int]


@dataclass(frozen=True)
class Backup:
    """One backup file in the backup folder.

    Attributes
    ----------
    path : Path
        The file.
    made : datetime
        When it was made (UTC, from its name).
    reason : str
        ``""`` for an ordinary backup, else why it was made (never pruned).
    """

    path: Path
    made: datetime
    reason: str


@dataclass(frozen=True)
class RestoreResult:
    """What :func:`restore_backup` did.

    Attributes
    ----------
    restored : RegisterInfo
        The backup that is now the register.
    safety_copy : Path or None
        The copy of the register as it was before (None when there was none).
    """

    restored: RegisterInfo
    safety_copy: Path | None


# ------------------------------------------------------------------------------ listing


def backup_name(made: datetime, reason: str = "") -> str:
    """The file name of a backup made at ``made`` (UTC) for ``reason``."""
    stamp = made.astimezone(UTC).strftime(_TIME_FORMAT)
    return f"infrakaart-{stamp}{'-' + reason if reason else ''}.sqlite"


def list_backups(folder: str | Path) -> list[Backup]:
    """The backups in ``folder``, oldest first; other files are ignored."""
    found = []
    try:
        entries = list(Path(folder).iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    for path in entries:
        match = _NAME.match(path.name)
        if match and path.is_file():
            made = datetime.strptime(match[1], _TIME_FORMAT).replace(tzinfo=UTC)
            found.append(Backup(path, made, match[2] or ""))
    return sorted(found, key=lambda b: (b.made, b.path.name))


def latest_backup(folder: str | Path) -> Backup | None:
    """The newest backup in ``folder`` (of any kind), or None."""
    backups = list_backups(folder)
    return backups[-1] if backups else None


def prune(folder: str | Path, *, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` ordinary backups; returns the deleted files.

    Copies made before an upgrade or a restore are kept.
    """
    ordinary = [b for b in list_backups(folder) if not b.reason]
    doomed = ordinary[:max(0, len(ordinary) - max(1, keep))]
    for backup in doomed:
        backup.path.unlink(missing_ok=True)
        log.info("Deleted old backup %s", backup.path.name)
    return [b.path for b in doomed]


# ------------------------------------------------------------------------------ writing


def _remove_temporary(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some file systems cannot open a folder; the rename still happened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def copy_database(source: sqlite3.Connection, folder: str | Path, *, reason: str = "",
                  now: Callable[[], datetime] | None = None) -> Path:
    """Write a consistent copy of the database open on ``source`` into ``folder``.

    Parameters
    ----------
    source : sqlite3.Connection
        An open connection to the register, not inside a write transaction (SQLite
        refuses to back up through one); in WAL mode it copies the last commit.
    folder : str or Path
        The backup folder; created with mode 0700 when missing.
    reason : str
        Part of the name for a copy with a reason (see the module docstring).
    now : callable, optional
        The clock (UTC), for tests.

    Returns
    -------
    Path
        The new backup (mode 0600).

    Raises
    ------
    StoreError
        With a Dutch message when the folder or the copy cannot be written; nothing is
        left behind then.
    """
    target_dir = Path(folder)
    made = (now or (lambda: datetime.now(UTC)))()
    try:
        ensure_private_dir(target_dir)
        final = target_dir / backup_name(made, reason)
        temporary = target_dir / f".{final.name}.tmp"
        create_private_file(temporary)
    except OSError as err:
        raise StoreError(f"De map voor reservekopieën ({target_dir}) kan niet worden gebruikt: "
                         f"{err.strerror or type(err).__name__}.") from err
    try:
        copy = sqlite3.connect(temporary, isolation_level=None)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        if final.exists():
            raise FileExistsError(final)
        os.replace(temporary, final)
        _fsync_folder(target_dir)
    except (sqlite3.Error, OSError) as err:
        _remove_temporary(temporary)
        reason_text = getattr(err, "strerror", None) or str(err) or type(err).__name__
        raise StoreError(f"De reservekopie in {target_dir} is mislukt ({reason_text}); "
                         "er is geen kopie gemaakt.") from err
    log.info("Backup written: %s", final.name)
    return final


def _connect_existing(path: Path, *, read_only: bool) -> sqlite3.Connection:
    """A connection to an existing database file (never creates one)."""
    if not path.is_file():
        raise StoreError(f"{path} bestaat niet of is geen bestand.")
    mode = "ro" if read_only else "rw"
    try:
        return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode={mode}", uri=True,
                               isolation_level=None, timeout=30.0)
    except sqlite3.Error as err:
        raise StoreError(f"{path} kan niet worden geopend (geen leesrechten, of geen "
                         "SQLite-bestand).") from err


def make_backup(database: str | Path, folder: str | Path, *, keep: int,
                now: Callable[[], datetime] | None = None) -> tuple[Path, list[Path]]:
    """Back up the register at ``database`` into ``folder`` and keep the newest ``keep``.

    Returns
    -------
    tuple[Path, list[Path]]
        The new backup and the old ordinary backups that were deleted.

    Raises
    ------
    StoreError
        With a Dutch message when the register does not exist or cannot be read, or
        the backup cannot be written.
    """
    source = _connect_existing(Path(database), read_only=False)
    try:
        made = copy_database(source, folder, now=now)
    finally:
        source.close()
    return made, prune(folder, keep=keep)


def backup_before_upgrade(connection: sqlite3.Connection, database: str | Path,
                          folder: str | Path | None) -> Path | None:
    """Copy the register when its schema is older than this code's (before migrating).

    Called by :class:`~geo.register.store.Store` inside the transaction that migrates.
    Not for a new (empty) register, nor one at the current version.

    Parameters
    ----------
    connection : sqlite3.Connection
        The store's connection (in its ``BEGIN IMMEDIATE`` transaction).
    database : str or Path
        The register file.
    folder : str or Path, optional
        The backup folder; by default ``backups`` next to the register.

    Returns
    -------
    Path or None
        The copy, when one was needed.

    Raises
    ------
    StoreError
        When the copy cannot be made: then nothing is migrated.
    """
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if not 0 < version < SCHEMA_VERSION:
        return None
    return upgrade_backup(database, folder or Path(database).parent / "backups",
                          version=version)


def upgrade_backup(database: str | Path, folder: str | Path, *, version: int) -> Path:
    """The copy made before the schema of the register at ``version`` is upgraded.

    The copy is read on a connection of its own: SQLite cannot back up through a
    connection that holds a write transaction. The caller holds one (``BEGIN
    IMMEDIATE``), so no other writer changes the register between this copy and the
    upgrade.

    Raises
    ------
    StoreError
        When the copy cannot be made; the caller then does not upgrade.
    """
    try:
        source = _connect_existing(Path(database), read_only=False)
        try:
            made = copy_database(source, folder,
                                 reason=UPGRADE_REASON.format(version=version))
        finally:
            source.close()
    except StoreError as err:
        raise StoreError(f"Voor de upgrade van het register (schemaversie {version} → "
                         f"{SCHEMA_VERSION}) moet eerst een reservekopie worden gemaakt, en "
                         f"dat is mislukt: {err} Het register is niet gewijzigd.") from err
    log.info("Register at schema %d backed up before its upgrade", version)
    return made


# ------------------------------------------------------------------------------ checking


def _register_info(connection: sqlite3.Connection, path: Path) -> RegisterInfo:
    tables = {r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    named = {t: t for t in REGISTER_TABLES}
    if "opleidingslocaties" not in tables and _PLACES_BEFORE_V6 in tables:
        named["opleidingslocaties"] = _PLACES_BEFORE_V6  # a register from before schema 6
    missing = [t for t in REGISTER_TABLES if named[t] not in tables]
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if missing or version < 1:
        raise StoreError(f"{path} is geen Infrakaart-register (de tabellen "
                         f"{', '.join(missing or REGISTER_TABLES)} ontbreken).")
    named.update({t: t for t in LATER_TABLES if t in tables})
    counts = {t: int(connection.execute(f"SELECT count(*) FROM {named[t]}").fetchone()[0])
              for t in named}
    return RegisterInfo(path, version, counts)


def inspect_register(path: str | Path, *, full_check: bool = True) -> RegisterInfo:
    """Read what a register file holds, checking it; the file is not changed.

    Parameters
    ----------
    path : str or Path
        A register or a backup of one.
    full_check : bool
        Run ``PRAGMA integrity_check`` (reads every page); False for a quick look.

    Returns
    -------
    RegisterInfo

    Raises
    ------
    StoreError
        With a Dutch message when the file is missing, damaged, not an Infrakaart
        register, or has a newer schema than this code understands.
    """
    file = Path(path)
    connection = _connect_existing(file, read_only=True)
    try:
        if full_check:
            problems = [r[0] for r in connection.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise StoreError(f"{file} is beschadigd (de integriteitscontrole van SQLite "
                                 "vindt fouten).")
        info = _register_info(connection, file)
    except sqlite3.Error as err:
        raise StoreError(f"{file} is beschadigd of geen Infrakaart-register (SQLite kan het "
                         "niet lezen).") from err
    finally:
        connection.close()
    if info.schema_version > SCHEMA_VERSION:
        raise StoreError(f"{file} heeft schemaversie {info.schema_version}, nieuwer dan deze "
                         f"versie van Infrakaart begrijpt ({SCHEMA_VERSION}). Werk Infrakaart "
                         "eerst bij.")
    return info


def restore_backup(backup: str | Path, database: str | Path,
                   folder: str | Path) -> RestoreResult:
    """Make the register at ``database`` a copy of ``backup``, after checks.

    The backup must pass :func:`inspect_register`. The current register (if any) is
    first copied to ``folder`` (``-voor-herstel``). The backup is then copied into the
    register file with the online backup API in one transaction: a refusal or failure
    leaves the register unchanged. A backup with an older schema is upgraded the next
    time the register is opened (with its own pre-upgrade copy).

    Returns
    -------
    RestoreResult

    Raises
    ------
    StoreError
        With a Dutch message when the backup is refused or the restore fails.
    """
    source_path, target = Path(backup), Path(database)
    info = inspect_register(source_path)
    if target.exists() and target.resolve() == source_path.resolve():
        raise StoreError(f"{source_path} is het register zelf; kies een reservekopie.")
    safety = None
    if target.exists() and target.stat().st_size > 0:
        current = _connect_existing(target, read_only=False)
        try:
            safety = copy_database(current, folder, reason=RESTORE_REASON)
        finally:
            current.close()
    try:
        create_private_file(target)
    except OSError as err:
        raise StoreError(f"Het register {target} kan niet worden aangemaakt: "
                         f"{err.strerror or type(err).__name__}.") from err
    source = _connect_existing(source_path, read_only=True)
    try:
        destination = sqlite3.connect(target, isolation_level=None, timeout=30.0)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode = WAL")
        finally:
            destination.close()
    except sqlite3.Error as err:
        raise StoreError(f"Terugzetten van {source_path} is mislukt ({err}); het register is "
                         "niet gewijzigd.") from err
    finally:
        source.close()
    restrict_sqlite_files(target)
    log.info("Register restored from %s (schema %d)", source_path.name, info.schema_version)
    return RestoreResult(info, safety)
