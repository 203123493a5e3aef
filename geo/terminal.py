"""Text for a terminal: the command line's one boundary for everything it prints.

Names, places, file names and messages come from spreadsheets, divisions and the register.
Printed as they are, an escape sequence (``ESC [2J``, ``ESC ]0;…BEL``) would clear or
retitle the user's terminal or fake output, and a right-to-left override would show a
line in another order than it is. :class:`TerminalText` wraps ``sys.stdout`` and
``sys.stderr`` for the duration of a command and shows every such character as ``?``, so
no command can forget it; tab, newline and carriage return (progress lines) stay.
"""

from __future__ import annotations

import re
from typing import TextIO

#: C0 controls except tab/newline/carriage return, DEL, C1 controls, and the Unicode
#: bidirectional embeddings, overrides and isolates.
_UNSAFE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    r"""``text`` with terminal control and direction-override characters shown as ``?``.

    Examples
    --------
    >>> terminal_safe("Bouw\x1b[2J B.V.\n")
    'Bouw?[2J B.V.\n'
    """
    return _UNSAFE_RE.sub("?", text)


class TerminalText:
    """A text stream that passes everything through :func:`terminal_safe`.

    Parameters
    ----------
    stream : TextIO
        The real stream (``sys.stdout`` or ``sys.stderr``).
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` made safe; returns the number of characters given."""
        self._stream.write(terminal_safe(text))
        return len(text)

    def writelines(self, lines) -> None:
        """Write each line made safe."""
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
