r"""The one encoder of map data: JSON that is inert as a Jinja template, in HTML and in JS.

Every text a map shows travels through :func:`map_json` (see :mod:`geo.output.map_layers`
for why: folium compiles rendered map scripts as templates).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.kept import Kept

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
        if isinstance(value, list) and all(v is None or type(v) is str for v in value):
            return list(value)  # text columns, the common case: nothing to convert
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


def map_json(value: object, *, keep: bool = False) -> str:
    r"""Serialise ``value`` as JSON that is inert as a Jinja template, in HTML and in JS.

    Parameters
    ----------
    value : object
        Dicts, lists, strings, numbers, booleans, None (numpy and pandas scalars too;
        NaN becomes null). Anything else is turned into its string.
    keep : bool
        Keep the result for the next call with the same data (one per process, for every
        session): only for data that holds nothing personal.

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
    try:  # the common case at once; numpy and pandas values through json_ready
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False, default=_json_default)
    except (TypeError, ValueError):  # NaN in a plain list, or a key that is not text
        text = json.dumps(json_ready(value), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    return _escaped(text, keep=keep)


#: :func:`map_json`'s escaped texts by the plain JSON (the latest few; not longer than the limit): a
#: page's map sends the same borders and mostly the same layers at every run.
_ESCAPED_MAX_CHARS = 8_000_000
_ESCAPED = Kept(24)


def _escaped(text: str, *, keep: bool) -> str:
    """``text`` (plain JSON) with every string escaped by :data:`_JSON_ESCAPES`."""
    if not keep:
        return _STRING_RE.sub(_escape_string, text)
    found = _ESCAPED.get(text)
    if found is None:
        found = _STRING_RE.sub(_escape_string, text)
        if len(text) <= _ESCAPED_MAX_CHARS:
            _ESCAPED.put(text, found)
    return found


def _json_default(value: object) -> object:
    """What :func:`json.dumps` cannot write itself (numpy, pandas, other objects)."""
    return json_ready(value)


#: Decimals kept by :func:`packed` for map areas (5 ≈ 1 m, finer than any simplified border).
PACKED_DIGITS = 5


def packed(geometry: Mapping, digits: int = PACKED_DIGITS) -> dict:
    """A GeoJSON (Multi)Polygon or (Multi)LineString, its rings as delta-coded integers.

    Each ring ``[[lon, lat], …]`` becomes one flat list ``[x0, y0, dx1, dy1, …]`` of
    coordinates times ``10**digits``, every value after the first pair the difference from
    the one before. Quantised first and then differenced, so no error adds up along a
    ring. Under half the bytes of plain coordinates with six decimals; ``map_layers.js`` (and
    :func:`unpacked`, its Python mirror for tests) turn it back into GeoJSON.

    Examples
    --------
    >>> packed({"type": "LineString", "coordinates": [[4.5, 52.25], [4.50002, 52.25]]})
    {'type': 'LineString', 'digits': 5, 'packed': [450000, 5225000, 2, 0]}
    """
    scale = 10 ** digits

    def pack(part: list) -> list:
        if part and isinstance(part[0][0], int | float):
            flat: list[int] = []
            last_x = last_y = 0
            for lon, lat, *_ in part:
                x, y = round(lon * scale), round(lat * scale)
                flat += (x - last_x, y - last_y)
                last_x, last_y = x, y
            return flat
        return [pack(inner) for inner in part]

    return {"type": str(geometry["type"]), "digits": digits,
            "packed": pack(geometry["coordinates"])}


def unpacked(geometry: Mapping) -> dict:
    """The GeoJSON geometry of a :func:`packed` one (coordinates rounded to its digits)."""
    scale = 10 ** int(geometry["digits"])

    def unpack(part: list) -> list:
        if not part or isinstance(part[0], int):
            out, x, y = [], 0, 0
            for i in range(0, len(part), 2):
                x, y = x + part[i], y + part[i + 1]
                out.append([round(x / scale, 10), round(y / scale, 10)])
            return out
        return [unpack(inner) for inner in part]

    return {"type": geometry["type"], "coordinates": unpack(geometry["packed"])}


#: :func:`area_features` by the frame's content (the latest few).
FEATURES = Kept(32)


def area_features(frame) -> dict:
    """The GeoJSON FeatureCollection of a GeoDataFrame, every geometry :func:`packed`.

    Kept by the frame's content (its values and the bytes of every geometry): the
    borders of a page's map are the same at every run, and turning them into GeoJSON
    costs more than recognising them. The features are shared between calls: like every
    payload (:mod:`geo.output.map_layers`), read-only once made.
    """
    digest = hashlib.sha256(repr(list(frame.columns)).encode("utf-8"))
    digest.update(repr(frame.drop(columns=frame.geometry.name).to_dict("list")).encode("utf-8"))
    for shape in frame.geometry.to_wkb():
        digest.update(b"-" if shape is None else shape)
    key = digest.hexdigest()
    found = FEATURES.get(key)
    if found is None:
        found = json.loads(frame.to_json(drop_id=True))
        for feature in found["features"]:
            if feature.get("geometry"):
                feature["geometry"] = packed(feature["geometry"])
        FEATURES.put(key, found)
    return {**found, "features": list(found["features"])}
