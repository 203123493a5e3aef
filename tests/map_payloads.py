"""Read the data layers back out of a rendered map (for tests and benchmarks)."""

from __future__ import annotations

import json
import re

from geo.output.map_json import unpacked

_CALL_RE = re.compile(
    r"ikmap\.(points|badges|circles|lines|areas|legendLayer|legend|offlineBase|view)"
    r"\((?:\w+, )?(\{.*?\})(?:, '[0-9a-f]+')?\);", re.S)


def payloads(html: str) -> list[tuple[str, dict]]:
    """``(kind, payload)`` of every ``ikmap.<kind>(…)`` call in ``html``, in order.

    The first ``})`` before ``);`` (or before the layer's content key, ``, '<hex>');``) ends
    a call's payload: map_json escapes every brace inside strings, so no string holds one.
    Packed area geometries come back as GeoJSON (through
    :func:`geo.output.map_json.unpacked`, the mirror of ``map_layers.js``).
    """
    found = [(kind, json.loads(body)) for kind, body in _CALL_RE.findall(html)]
    for _kind, payload in found:
        for feature in payload.get("geojson", {}).get("features", []):
            if feature.get("geometry") and "packed" in feature["geometry"]:
                feature["geometry"] = unpacked(feature["geometry"])
    return found


def layer(html: str, kind: str, class_name: str | None = None) -> dict:
    """The one payload of ``kind`` (and CSS class); fails when there is not exactly one."""
    found = [p for k, p in payloads(html)
             if k == kind and (class_name is None or p.get("className") == class_name)]
    assert len(found) == 1, f"{len(found)} layers {kind}/{class_name}"
    return found[0]


def strings(value) -> list[str]:
    """Every string inside a payload (values, not keys)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def all_texts(html: str) -> list[str]:
    """Every string of every data layer and legend in ``html``."""
    return [s for _, p in payloads(html) for s in strings(p)]
