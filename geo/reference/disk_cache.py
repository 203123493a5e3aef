"""Work built from the reference data, kept in the cache folder for the next process.

Reading ``data/`` with geopandas and preparing the map's base layers take a good part of a
second that every ``infrakaart kaart`` would spend again. :func:`cached` keeps such a
result in one file in the cache folder (``var/cache/``), keyed by :func:`cache_key`: the
bundled data files, the code that computes the result, the folder, and the versions of
Python and of the libraries whose objects are kept. A file whose key differs (a data file,
the code or a library changed) is made again; so is a missing or unreadable one, and a
folder that cannot be written only costs the time (the answer is the same).

The value is pickled, so a file is only read when it belongs to this user and nobody else
may write it or its folder (the folder is made private, mode 0700); otherwise it is built
again. The key is checked from the file's first line, before anything is unpickled.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from geo.private_files import ensure_private_dir
from geo.reference.sources import fingerprint

log = logging.getLogger(__name__)

#: Bump when the file layout changes.
FORMAT = 1

#: The libraries whose objects (frames, geometries, projections) a cached value holds.
_LIBRARIES = ("numpy", "pandas", "pyarrow", "shapely", "pyproj", "geopandas")

_Value = TypeVar("_Value")


def library_versions() -> str:
    """Python and the versions of :data:`_LIBRARIES` (with GEOS and PROJ), as one string."""
    parts = [sys.version]
    for name in _LIBRARIES:
        try:
            module = sys.modules.get(name) or __import__(name)
        except ImportError:
            parts.append(f"{name}=none")
            continue
        parts.append(f"{name}={getattr(module, '__version__', '?')}")
    import pyproj
    import shapely

    parts.append(f"geos={shapely.geos_version_string}")
    parts.append(f"proj={pyproj.proj_version_str}")
    return ";".join(parts)


def cache_key(data_dir: str | Path, code: tuple[Path, ...], name: str) -> str:
    """The key of the value ``name`` built from ``data_dir`` by ``code`` (files)."""
    folder = str(Path(data_dir).resolve())
    text = (f"{FORMAT}:{name}:{folder}:{library_versions()}:"
            f"{fingerprint(data_dir, extra=(Path(__file__), *code))}")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _header(key: str) -> bytes:
    return f"infrakaart-cache {FORMAT} {key}\n".encode("ascii")


def _trusted(path: Path) -> bool:
    """The file and its folder belong to this user and only this user may write them."""
    getuid = getattr(os, "getuid", None)
    for item in (path, path.parent):
        info = item.stat()
        if getuid is not None and info.st_uid != getuid():
            return False
        if info.st_mode & 0o022:
            return False
    return True


def read(path: Path, key: str) -> object | None:
    """The value kept in ``path`` under ``key``; None when missing, stale or not to be trusted."""
    try:
        with open(path, "rb") as file:
            if file.readline() != _header(key):
                return None
            if not _trusted(path):
                log.warning("Cache file %s is not private; building it again", path)
                return None
            return pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as err:  # a truncated or foreign file: build again
        log.warning("Cache file %s unreadable (%s); building it again", path,
                    type(err).__name__)
        return None


def write(path: Path, key: str, value: object) -> None:
    """Keep ``value`` in ``path`` under ``key`` (atomically, private); log when impossible."""
    try:
        ensure_private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(_header(key))
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError) as err:
        log.warning("Cache file not saved in %s: %s", path.parent, err)


def cached(path: Path, key: str, build: Callable[[], _Value], *,
           expect: type | tuple[type, ...] = object) -> _Value:
    """The value in ``path`` when its key is ``key`` (and it is an ``expect``), else ``build()``.

    A built value is saved in ``path`` for the next process.
    """
    value = read(path, key)
    if value is not None and isinstance(value, expect):
        return value  # type: ignore[return-value]
    value = build()
    write(path, key, value)
    return value
