"""The app's log, configured in one place: level, rotation, no personal data.

:func:`configure_logging` is called once by the app (``app.py``) and by the CLI
(:func:`geo.cli.main`). It attaches to the ``geo`` logger

* a :class:`~logging.handlers.RotatingFileHandler` writing ``var/logs/infrakaart.log``
  (mode 0600, in a 0700 folder; 5 MB per file, five old files) when
  ``Settings.log_file`` is on;
* a handler on standard error when asked (the app: in a container ``docker logs``
  shows it and Docker rotates it).

Personal data
    The code logs ids, counts, paths and error types, never contact persons, e-mail
    addresses or phone numbers (tests check this with an import of contacts).
    :class:`RedactPersonalData` is the safety net behind that rule: it replaces anything
    that looks like an e-mail address or a phone number in a record's message and
    arguments before any handler writes it.
"""

from __future__ import annotations

import logging
import re
import sys
from logging.handlers import RotatingFileHandler

from geo.private_files import create_private_file
from geo.settings import Settings

#: The logger every module of geo/ logs under (``logging.getLogger(__name__)``).
ROOT_LOGGER = "geo"

#: Size of one log file before it is rotated, and the number of old files kept.
MAX_LOG_BYTES = 5 * 1024 * 1024
LOG_FILES_KEPT = 5

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w.])(?:\+|00)?\d[\d ()-]{8,}\d(?![\w.])")
_MARK = "_infrakaart_handler"


def redact(text: str) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by placeholders."""
    return _PHONE.sub("[telefoon]", _EMAIL.sub("[e-mail]", text))


class RedactPersonalData(logging.Filter):
    """Replace e-mail addresses and phone numbers in a log record before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the handler reports it, as logging does
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _ours(handler: logging.Handler) -> bool:
    return bool(getattr(handler, _MARK, False))


def configure_logging(settings: Settings, *, stderr: bool = False) -> logging.Logger:
    """Set up the ``geo`` logger from ``settings``; calling it again replaces the setup.

    Parameters
    ----------
    settings : Settings
        ``log_level``, ``log_file`` and ``log_path``.
    stderr : bool
        Also log to standard error (the app; the CLI prints its own Dutch messages).

    Returns
    -------
    logging.Logger
        The ``geo`` logger.
    """
    logger = logging.getLogger(ROOT_LOGGER)
    for handler in [h for h in logger.handlers if _ours(h)]:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(settings.log_level)
    handlers: list[logging.Handler] = []
    if settings.log_file:
        try:
            create_private_file(settings.log_path)
            handlers.append(RotatingFileHandler(settings.log_path, maxBytes=MAX_LOG_BYTES,
                                                backupCount=LOG_FILES_KEPT,
                                                encoding="utf-8"))
        except OSError as err:  # a read-only data folder must not stop the app
            print(f"Waarschuwing: het logbestand {settings.log_path} kan niet worden "
                  f"geschreven ({err.strerror or type(err).__name__}).", file=sys.stderr)
    if stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        setattr(handler, _MARK, True)
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactPersonalData())
        logger.addHandler(handler)
    return logger
