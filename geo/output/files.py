"""Safe file output: atomic writes, private permissions and Dutch messages on failure.

Every file Infrakaart writes for a user (CLI exports, tables, maps) goes through
:func:`write_file_atomically` or, for writers that need a path of their own (GDAL via
pyogrio), :func:`atomic_output`. Both

* write into a fresh private folder (mode 0700) next to the target and move the finished
  file into place with :func:`os.replace`, so the target is either the complete old file
  or the complete new one, never half written, and no temporary file survives a failure;
* create missing parent folders (as ``mkdir -p`` does);
* give a file with personal data (``private=True``: staff exports, the staff map, import
  results) mode 0600, readable by its owner only. Other files get at most 0644: never
  group- or world-writable, and a stricter umask is respected;
* turn an :class:`OSError` (folder missing or not creatable, no permission, disk full,
  file-size limit, read-only file system, target is a folder, name too long) into an
  :class:`~geo.errors.OutputError` whose message is Dutch and names the path.

A file-size limit (``ulimit -f``, ``RLIMIT_FSIZE``) normally kills a process with
``SIGXFSZ``; CPython ignores that signal at start-up, so the write raises ``EFBIG``
instead and is reported like any other failure.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import OutputError

#: Mode of a file with personal data: owner read/write only.
PRIVATE_MODE = 0o600
#: Highest mode of any other file: owner read/write, others read.
PUBLIC_MODE = 0o644

_REASONS = {
    errno.ENOENT: "de map bestaat niet en kan niet worden gemaakt",
    errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
    errno.EEXIST: "een deel van het pad is een bestand, geen map",
    errno.EACCES: "geen schrijfrechten in deze map",
    errno.EPERM: "geen schrijfrechten in deze map",
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijfruimte (quotum) is op",
    errno.EFBIG: "het bestand wordt groter dan de toegestane bestandsgrootte",
    errno.EISDIR: "dat is een map; geef een bestandsnaam op",
    errno.EROFS: "het bestandssysteem is alleen-lezen",
    errno.ENAMETOOLONG: "de naam is te lang",
    errno.EIO: "de schijf gaf een lees-/schrijffout",
}


def describe_os_error(err: OSError) -> str:
    """A Dutch reason for an operating-system error (without the path).

    Parameters
    ----------
    err : OSError
        The error as raised by the operating system.

    Returns
    -------
    str
        E.g. ``"de schijf is vol"``; unknown errors give the system's own text.
    """
    reason = _REASONS.get(err.errno or 0)
    if reason:
        return reason
    return f"systeemfout ({err.strerror or type(err).__name__})"


def output_error(path: str | Path, err: OSError) -> OutputError:
    """The :class:`OutputError` for a failed write of ``path`` (raise it ``from err``)."""
    return OutputError(
        f"Kan {path} niet schrijven: {describe_os_error(err)}. Er is niets geschreven; "
        "een bestaand bestand met die naam is niet veranderd.",
        path=Path(path),
    )


def _prepare_folder(target: Path) -> None:
    if target.is_dir():
        raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    target.parent.mkdir(parents=True, exist_ok=True)


def _set_mode(path: Path, *, private: bool) -> None:
    if private:
        os.chmod(path, PRIVATE_MODE)
    else:
        current = path.stat().st_mode & 0o777
        if current & ~PUBLIC_MODE:
            os.chmod(path, current & PUBLIC_MODE)


@contextmanager
def atomic_output(path: str | Path, *, private: bool, suffix: str | None = None
                  ) -> Iterator[Path]:
    """A temporary path to write to; moved onto ``path`` when the block succeeds.

    The temporary path lies inside a new folder with mode 0700 next to the target. On any
    exception the folder and everything in it is removed and the target is left as it was.

    Parameters
    ----------
    path : str or Path
        The file to write.
    private : bool
        Give the file mode 0600 (personal data); otherwise at most 0644.
    suffix : str, optional
        Suffix of the temporary file, for writers that choose a driver by suffix
        (``".gpkg"``); default: the suffix of ``path``.

    Yields
    ------
    Path
        Where to write the file (it does not exist yet).

    Raises
    ------
    OutputError
        When the folder cannot be made, the file cannot be written or moved into place.
    """
    target = Path(path)
    folder: Path | None = None
    try:
        _prepare_folder(target)
        folder = Path(tempfile.mkdtemp(prefix=".infrakaart-", dir=target.parent))
        tmp = folder / f"uitvoer{target.suffix if suffix is None else suffix}"
        yield tmp
        if not tmp.is_file():  # a bug in the caller, not something a user can fix
            raise RuntimeError(f"the writer made no file at {tmp}")
        _set_mode(tmp, private=private)
        os.replace(tmp, target)
    except OutputError:
        raise
    except OSError as err:
        raise output_error(target, err) from err
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def write_file_atomically(path: str | Path, data: bytes, *, private: bool) -> Path:
    """Write ``data`` to ``path`` in one step: all of it or nothing.

    Parameters
    ----------
    path : str or Path
        The file to write; missing parent folders are created; an existing file is
        replaced only when the new one is complete.
    data : bytes
        The content.
    private : bool
        True for files with personal data: mode 0600. Otherwise at most 0644.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    OutputError
        With a Dutch message naming the path and the reason (disk full, no permission,
        file-size limit, ...). No temporary file is left behind.
    """
    target = Path(path)
    with atomic_output(target, private=private) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                     PRIVATE_MODE if private else PUBLIC_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    return target
