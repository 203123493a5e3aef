"""Runtime files that only the service user may read: the register, caches, their folder.

The register holds personal data (contact persons, e-mail addresses, phone numbers), so
its SQLite file must not be readable by other users of the machine. SQLite creates a new
database file with mode 0644 (less the umask) and gives the ``-wal`` and ``-shm`` files
the mode of the database file. Creating the empty file ourselves with mode 0600 *before*
SQLite opens it closes the window: SQLite keeps the mode of an existing file, and the WAL
and shared-memory files follow it.

Any module that keeps a private file (the register in :mod:`geo.register.store`, the geocoder
cache in :mod:`geo.intake._http`) calls :func:`create_private_file` before opening it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

#: Mode of a private folder: only the owner may list, enter or write it.
PRIVATE_DIR_MODE = 0o700

#: Mode of a private file: only the owner may read or write it.
PRIVATE_FILE_MODE = 0o600

#: Files SQLite keeps next to a database in WAL mode.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def ensure_private_dir(path: str | Path) -> Path:
    """Create the folder ``path`` (and missing parents) if it does not exist.

    The folder itself is created with mode 0700; missing parents get the default mode,
    as ``mkdir -p`` does. An existing folder is left as it is.

    Parameters
    ----------
    path : str or Path
        The folder.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    FileExistsError
        When ``path`` exists but is not a folder.
    NotADirectoryError
        When a parent of ``path`` is a file.
    OSError
        When the folder cannot be created (no permission, read-only disk, ...).
    """
    folder = Path(path)
    if folder.is_dir():
        return folder
    if folder.exists():
        raise FileExistsError(f"{folder} exists and is not a directory")
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=PRIVATE_DIR_MODE)
    except FileExistsError:
        if not folder.is_dir():  # lost a race against a file of the same name
            raise
    return folder


def create_private_file(path: str | Path) -> Path:
    """Make sure ``path`` exists as a file that only its owner can read (mode 0600).

    A missing file is created empty with mode 0600 (less the umask), atomically, so
    there is no moment at which it is readable by others; its folder is created with
    :func:`ensure_private_dir`. An existing file that others may read is narrowed to
    0600 (a warning is logged); one owned by another user is left alone.

    Call this before ``sqlite3.connect``: an empty file is a valid empty database, and
    SQLite gives its ``-wal`` and ``-shm`` files the same mode.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    Path
        The file.

    Raises
    ------
    IsADirectoryError
        When ``path`` is a folder.
    OSError
        When the folder or the file cannot be created.
    """
    target = Path(path)
    ensure_private_dir(target.parent)
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory")
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        restrict_to_owner(target)
    else:
        os.close(fd)
    return target


def restrict_to_owner(path: str | Path) -> bool:
    """Narrow an existing file that group or others may access to mode 0600.

    Parameters
    ----------
    path : str or Path
        The file; a missing file is ignored.

    Returns
    -------
    bool
        True when the mode was changed.
    """
    target = Path(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode) or not info.st_mode & 0o077:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        log.warning("%s is readable by others but owned by another user; not changed", target)
        return False
    try:
        os.chmod(target, PRIVATE_FILE_MODE)
    except OSError as err:
        log.warning("Could not restrict %s to its owner: %s", target, err)
        return False
    log.warning("%s was readable by others (mode %o); changed to 0600", target,
                stat.S_IMODE(info.st_mode))
    return True


def restrict_sqlite_files(path: str | Path) -> None:
    """:func:`restrict_to_owner` for a database and the WAL/SHM/journal files beside it."""
    target = Path(path)
    restrict_to_owner(target)
    for suffix in SQLITE_SIDE_FILES:
        restrict_to_owner(target.with_name(target.name + suffix))
