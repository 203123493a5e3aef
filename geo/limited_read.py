"""Reading a file someone handed us: never more than a limit, with a Dutch reason if not.

Import files and division files come from users. :func:`read_at_most` checks with
``os.stat`` that the path is a regular file no larger than the limit before reading, and
then reads at most ``limit + 1`` bytes (a file that grows meanwhile is caught too);
:func:`unreadable_reason` says in Dutch why a file could not be read. Callers wrap both in
their own domain error.
"""

from __future__ import annotations

import stat
from pathlib import Path


class NotARegularFile(OSError):
    """The path exists but is a pipe, a device or a socket, not a file."""


class FileTooLarge(OSError):
    """The file is larger than the limit; :attr:`size` is what was seen (bytes)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"file of {size} bytes over the limit")
        self.size = size


def read_at_most(path: str | Path, limit: int) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes.

    Raises
    ------
    FileTooLarge
        Larger than ``limit`` (on disk, or by the time it was read).
    NotARegularFile, IsADirectoryError, FileNotFoundError, PermissionError, OSError
        When it cannot be read; :func:`unreadable_reason` says why in Dutch.
    """
    path = Path(path)
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(str(path))
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFile(str(path))
    if info.st_size > limit:
        raise FileTooLarge(info.st_size)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(len(data))
    return data


def unreadable_reason(err: OSError) -> str:
    """Why a file could not be read, in Dutch (without the path)."""
    if isinstance(err, FileNotFoundError):
        return "het bestand bestaat niet"
    if isinstance(err, IsADirectoryError):
        return "het is een map"
    if isinstance(err, NotARegularFile):
        return "het is geen gewoon bestand"
    if isinstance(err, PermissionError):
        return "geen leesrechten"
    return f"leesfout ({err.strerror or type(err).__name__})"
