r"""The one encoder of map data: JSON that is inert as a Jinja template, in HTML and in JS.

Every text a map shows travels through :func:`map_json` (see :mod:`geo.output.map_layers`
for why: folium compiles rendered map scripts as templates).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: Characters escaped inside JSON strings: template braces, HTML specials, the backtick and
#: dollar of JavaScript template literals, and the two line separators JavaScript treats as
#: line ends.
_JSON_ESCAPES = {
    "{": "\\u007b", "}": "\\u007d", "<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
    "'": "\\u0027", "`": "\\u0060", "$": "\\u0024", "\u2028": "\\u2028", "\u2029": "\\u2029",
}
_JSON_ESCAPE_RE = re.compile("[" + re.escape("".join(_JSON_ESCAPES)) + "]")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')


def json_ready(value: object) -> object:
    """``value`` as a JSON-ready Python value: NaN/NA → None, numpy scalars → Python."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return [json_ready(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _escape_string(match: re.Match) -> str:
    return _JSON_ESCAPE_RE.sub(lambda m: _JSON_ESCAPES[m.group(0)], match.group(0))


def map_json(value: object) -> str:
    r"""Serialise ``value`` as JSON that is inert as a Jinja template, in HTML and in JS.

    Parameters
    ----------
    value : object
        Dicts, lists, strings, numbers, booleans, None (numpy and pandas scalars too;
        NaN becomes null). Anything else is turned into its string.

    Returns
    -------
    str
        JSON in which no string contains a raw ``{ } < > & ' ` $`` or U+2028/U+2029,
        so the result holds none of Jinja's markers (``{{``, ``{%``, ``{#``) and cannot end
        a ``<script>`` element. ``JSON.parse`` (or a JavaScript literal) gives the
        original text back unchanged.

    Examples
    --------
    >>> map_json({"naam": "{{ 7*191 }}"})
    '{"naam":"\\u007b\\u007b 7*191 \\u007d\\u007d"}'
    """
    text = json.dumps(json_ready(value), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return _STRING_RE.sub(_escape_string, text)


def rounded(coordinates: list, digits: int = 6) -> list:
    """GeoJSON coordinates rounded to ``digits`` decimals (6 ≈ 0.1 m): lighter pages."""
    if coordinates and isinstance(coordinates[0], int | float):
        return [round(c, digits) for c in coordinates]
    return [rounded(part, digits) for part in coordinates]
