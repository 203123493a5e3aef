"""Domain errors. Messages are Dutch: they are shown to users as they are.

Every error derives from :class:`InfrakaartError`; each subclass also derives from the
matching built-in (``ValueError``, ``TimeoutError``, ...) so generic handlers still work.
"""

from __future__ import annotations

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
