"""Choropleths: colour the areas of a level by an indicator, with honest class labels.

Classes are quantiles unless many values are equal (then equal widths), so one deviating
unit still stands out; labels use the Dutch decimal comma and get one more decimal when
rounding would make two breaks look equal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.output.map_layers import AreaLayer, Line
from geo.output.maps import simplified

#: Sequential colour scale (light → dark) for choropleths: higher value = darker.
CHOROPLETH_COLORS = ["#fff5eb", "#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#8c2d04"]


def choropleth_bins(values: pd.Series, n: int = len(CHOROPLETH_COLORS)) -> list[float]:
    """Class breaks (ascending) for ``values``; NaN ignored.

    Quantile classes, so every colour is used about equally; when many values are equal
    the quantiles collapse, and equal-width classes between minimum and maximum are
    used instead, so one deviating unit still stands out.
    """
    clean = values.dropna().astype(float)
    if clean.empty:
        return [0.0, 1.0]
    edges = np.unique(np.quantile(clean, np.linspace(0, 1, n + 1)))
    if len(edges) < min(n, clean.nunique()) + 1:
        edges = np.linspace(clean.min(), clean.max(), n + 1)
    if len(np.unique(edges)) == 1:
        edges = np.array([edges[0], edges[0] + 1])
    return [float(e) for e in edges]


def color_for(value: float, edges: Sequence[float]) -> str:
    """Colour of ``value`` for class breaks ``edges``; grey for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "#cccccc"
    idx = int(np.searchsorted(edges, value, side="right")) - 1
    idx = min(max(idx, 0), len(edges) - 2)
    scale = CHOROPLETH_COLORS
    # Spread the classes over the whole colour scale when there are fewer of them.
    pos = round(idx * (len(scale) - 1) / max(len(edges) - 2, 1))
    return scale[pos]


def add_choropleth(
    fmap: folium.Map,
    units: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    column: str,
    label: str,
    fmt: str = "{:.1f}",
) -> list[tuple[str, str, str]]:
    """Colour ``units`` by ``table[column]`` (joined on ``code``); returns legend entries.

    ``units`` comes from :func:`geo.reference.regions.unit_polygons`; ``table`` has one row per
    unit with a ``code`` column (as :mod:`geo.analysis.indicators` produces).
    """
    merged = simplified(units).merge(table[["code", column]], on="code", how="left")
    edges = choropleth_bins(merged[column])
    merged["ik_style"] = [{"fillColor": color_for(v, edges)} for v in merged[column]]
    merged["waarde"] = ["—" if pd.isna(v) else nl_number(fmt, v) for v in merged[column]]
    AreaLayer(
        f"Kleurkaart: {label}", merged, class_name="ik-kleurkaart",
        style={"color": "#444", "weight": 1, "fillOpacity": 0.7},
        highlight={"weight": 3, "color": "#000"},
        tooltip=[Line("naam", strong=True), Line("waarde", label)],
    ).add_to(fmap)
    return [
        ("vlak", color_for(lo, edges), f"{lo_text} – {hi_text}")
        for lo, hi, lo_text, hi_text in zip(
            edges[:-1], edges[1:], *_distinct_labels(edges, fmt), strict=True
        )
    ]


def _distinct_labels(edges: Sequence[float], fmt: str) -> tuple[list[str], list[str]]:
    """Lower and upper class labels; one more decimal when rounding makes breaks equal."""
    for candidate in (fmt, _more_decimals(fmt)):
        texts = [nl_number(candidate, e) for e in edges]
        if len(set(texts)) == len(texts):
            break
    return texts[:-1], texts[1:]


def nl_number(fmt: str, value: float) -> str:
    """Format ``value`` with ``fmt`` and a Dutch decimal comma."""
    return fmt.format(value).replace(".", ",")


def _more_decimals(fmt: str) -> str:
    """``"{:.0f}"`` → ``"{:.1f}"``, ``"{:.0%}"`` → ``"{:.1%}"``."""
    match = re.fullmatch(r"\{:\.(\d+)([f%])\}", fmt)
    return f"{{:.{int(match.group(1)) + 1}{match.group(2)}}}" if match else fmt
