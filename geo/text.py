r"""Text from users, shown as text: the one escaper for Markdown.

Streamlit renders ``st.markdown``, ``st.caption``, ``st.info``/``warning``/``error``/
``success``, ``st.write`` of a string, widget labels and radio options as GitHub-flavoured
Markdown with Streamlit's own directives (``:red[…]``, ``:material/icon:``, emoji shortcodes,
``$…$`` for LaTeX). A partner named ``[x](https://evil.invalid)`` would become a link, an
image link would make visitors' browsers fetch from elsewhere, and ``www.x.nl`` or
``https://…`` would be linked automatically.

:func:`md` backslash-escapes every ASCII punctuation character (CommonMark allows an escape
before any of them, and an escaped character never starts a construct or an autolink) and
folds line breaks into spaces, so a value can never leave the line or the paragraph it is
put in. Pages wrap every value that is not their own constant text in :func:`md`; values
shown in ``st.dataframe``, ``st.text``, ``st.code`` or selectbox options need nothing.

Numbers, counts and times for people live here too, so that every page, file and command
writes them the same way: :func:`nl_number` (thousands dot, decimal comma, never ``-0``),
:func:`nl_format` (the same for a format string), :func:`decimal_comma`,
:func:`signed_decimal`, :func:`count_noun` (``1 partner``, ``2 partners``) and
:func:`local_time` (Europe/Amsterdam).
"""

from __future__ import annotations

import math
import re
import string
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_PUNCTUATION_RE = re.compile("[" + re.escape(string.punctuation) + "]")
_LINE_BREAKS_RE = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")


_DUTCH_SEPARATORS = str.maketrans(",.", ".,")
_SIMPLE_FORMAT_RE = re.compile(r"\{:\.(\d+)([f%])\}")


def md(value: object) -> str:
    r"""``value`` as Markdown that shows exactly the text, never a link, image or format.

    Parameters
    ----------
    value : object
        Anything; None and NaN become an empty string, other values their ``str``.

    Returns
    -------
    str
        The text with every ASCII punctuation character backslash-escaped and line
        breaks replaced by a space.

    Examples
    --------
    >>> md("[x](https://evil.invalid)")
    '\\[x\\]\\(https\\:\\/\\/evil\\.invalid\\)'
    >>> md(None)
    ''
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = _LINE_BREAKS_RE.sub(" ", str(value))
    return _PUNCTUATION_RE.sub(lambda m: "\\" + m.group(0), text)


def nl_number(value: float, decimals: int = 0, *, trim: bool = False) -> str:
    """A number as Dutch people write it: thousands dot, decimal comma, never ``-0``.

    ``trim`` drops trailing zeros of the decimals.

    Examples
    --------
    >>> nl_number(12345.678, 1)
    '12.345,7'
    >>> nl_number(-0.04, 1)
    '0,0'
    >>> nl_number(2.50, 2, trim=True)
    '2,5'
    """
    number = round(float(value), decimals) or 0.0  # -0.0 is falsy: no "-0"
    text = f"{number:,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_DUTCH_SEPARATORS)


def nl_format(fmt: str, value: float) -> str:
    """``value`` in a format such as ``"{:.1f}"`` or ``"{:.0%}"``, the Dutch way.

    Examples
    --------
    >>> nl_format("{:.1f}", 1234.56)
    '1.234,6'
    >>> nl_format("{:.0%}", 0.25)
    '25%'
    """
    match = _SIMPLE_FORMAT_RE.fullmatch(fmt)
    if match is None:
        return fmt.format(value).replace(".", ",")
    decimals, kind = int(match.group(1)), match.group(2)
    if kind == "%":
        return nl_number(float(value) * 100, decimals) + "%"
    return nl_number(value, decimals)


def signed_decimal(value: float) -> str:
    """A difference for people, one decimal with a comma: ``-2,1``, ``+0,4``; never ``-0,0``.

    Examples
    --------
    >>> signed_decimal(-0.04)
    '0'
    >>> signed_decimal(2.06)
    '+2,1'
    """
    tenths = round(float(value), 1)
    if tenths == 0:
        return "0"
    return ("+" if tenths > 0 else "-") + decimal_comma(abs(tenths))


def count_noun(n: int, one: str, many: str) -> str:
    """``n`` with the singular or plural noun: ``1 partner``, ``3 partners``, ``0 rijen``.

    Examples
    --------
    >>> count_noun(1, "rij", "rijen")
    '1 rij'
    >>> count_noun(1200, "rij", "rijen")
    '1.200 rijen'
    """
    return f"{nl_number(n)} {one if n == 1 else many}"


def decimal_comma(value: float) -> str:
    """A number as people in the Netherlands write it, without trailing zeros.

    Examples
    --------
    >>> decimal_comma(1.3)
    '1,3'
    >>> decimal_comma(10.0)
    '10'
    """
    return f"{float(value):g}".replace(".", ",")


#: The time zone people in Noord-Holland read times in.
LOCAL_ZONE = "Europe/Amsterdam"

_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def local_time(moment: object) -> str:
    """An ISO 8601 time stamp as people in the Netherlands read it, in their own time zone.

    A stamp without an offset is taken as UTC; text that is not a time stamp is returned
    as it is, and None or NaN as ``""``.

    Examples
    --------
    >>> local_time("2026-12-01T02:09:36+00:00")
    '1 dec 2026 03:09'
    >>> local_time("2026-07-01T10:00:00+00:00")
    '1 jul 2026 12:00'
    """
    if moment is None or (isinstance(moment, float) and math.isnan(moment)):
        return ""
    try:
        parsed = datetime.fromisoformat(str(moment))
    except ValueError:
        return str(moment)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    local = parsed.astimezone(ZoneInfo(LOCAL_ZONE))
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
