"""Domain errors. Messages are Dutch: they are shown to users as they are.

Every error derives from :class:`InfrakaartError`; each subclass also derives from the
matching built-in (``ValueError``, ``TimeoutError``, ...) so generic handlers still work.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path


class InfrakaartError(Exception):
    """Root of all Infrakaart errors; ``str(err)`` is a Dutch message for the user."""


class ReferenceDataError(InfrakaartError, ValueError):
    """A bundled reference file is missing, unreadable or fails validation."""


class DivisionError(InfrakaartError, ValueError):
    """A subregion division file is not a valid division of the 46 municipalities."""


class AddressError(InfrakaartError, ValueError):
    """A postcode, address or place name cannot be understood or located."""


class GeocoderError(InfrakaartError):
    """The geocoder answered with something unusable."""


class GeocoderUnavailable(GeocoderError, ConnectionError):
    """The geocoder cannot be reached (network down, 5xx after retries)."""


class GeocoderTimeout(GeocoderUnavailable, TimeoutError):
    """The geocoder did not answer in time."""


class GeocoderRateLimited(GeocoderUnavailable):
    """The geocoder kept answering 429 Too Many Requests."""


class GeocoderBadAnswer(GeocoderError):
    """The geocoder answered with something that is not its documented answer.

    HTTP 200 with a body that is not JSON, of the wrong shape or too large; or a
    redirect elsewhere. The service is reachable but cannot be trusted: such an answer
    is never cached and never places a row.
    """


class ImportFileError(InfrakaartError, ValueError):
    """An import file cannot be read at all (wrong type, no header, too large)."""


class StoreError(InfrakaartError):
    """The database refused an operation."""


class ConflictError(StoreError):
    """Someone else saved a newer version of the record in the meantime."""

    def __init__(self, message: str, *, current: dict | None = None) -> None:
        super().__init__(message)
        self.current = current


class AuthError(InfrakaartError, PermissionError):
    """Login failed or the user lacks the role for an action."""


class OutputError(InfrakaartError, OSError):
    """A file for the user cannot be written (folder, permission, disk full, size limit).

    The message names the path and the reason; nothing was written and an existing file
    with that name is unchanged. The CLI exits with :attr:`exit_code`.
    """

    #: Exit code of the CLI for a file that cannot be written.
    exit_code = 2

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


#: Unicode categories that are invisible or change how text around them is shown:
#: controls (Cc, also tab and newline), format characters (Cf: zero-width space and
#: joiners, soft hyphen, byte order mark, the bidirectional embeddings, overrides and
#: isolates U+202A-U+202E and U+2066-U+2069, LRM/RLM), private use (Co), surrogates (Cs),
#: unassigned code points (Cn) and the line and paragraph separators (Zl, Zp).
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def shown(text: object, limit: int = 80) -> str:
    r"""``text`` safe to quote in a message: invisible characters as ``?``, at most ``limit``.

    File names, sheet names and cell values come from outside; quoted in a terminal or
    on a page they must not carry escape sequences, direction overrides or pages of text.
    (Escaping for HTML or Markdown still happens where the message is shown.)

    Examples
    --------
    >>> shown("lijst\u202egpj.csv")
    'lijst?gpj.csv'
    """
    clean = "".join(
        "?" if unicodedata.category(ch) in INVISIBLE_CATEGORIES else ch
        for ch in str(text)[: limit + 1]
    )
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
