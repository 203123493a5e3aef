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
from geo.text import nl_format

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
    merged["waarde"] = ["—" if pd.isna(v) else nl_format(fmt, v) for v in merged[column]]
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
        texts = [nl_format(candidate, e) for e in edges]
        if len(set(texts)) == len(texts):
            break
    return texts[:-1], texts[1:]


def _more_decimals(fmt: str) -> str:
    """``"{:.0f}"`` → ``"{:.1f}"``, ``"{:.0%}"`` → ``"{:.1%}"``."""
    match = re.fullmatch(r"\{:\.(\d+)([f%])\}", fmt)
    return f"{{:.{int(match.group(1)) + 1}{match.group(2)}}}" if match else fmt


# ---------------------------------------------------------------------------------------
# The two-variable map: few partners × long trip
# ---------------------------------------------------------------------------------------

#: 3 × 3 colours, ``BIVARIATE_COLORS[trip][partners]``: trip 0 = short … 2 = long,
#: partners 0 = many … 2 = few. Few partners and a long trip is the darkest.
BIVARIATE_COLORS = [
    ["#e8e8e8", "#e4acac", "#c85a5a"],
    ["#b0d5df", "#ad9ea5", "#985356"],
    ["#64acbe", "#627f8c", "#574249"],
]
#: Dutch names of the three classes of each part (low → high attention).
PARTNER_CLASSES = ["veel partners", "gemiddeld aantal partners", "weinig partners"]
TRIP_CLASSES = ["dichtbij", "middelver", "ver"]
#: The class that must stand out.
FAR_AND_FEW = "ver én weinig partners"


def bivariate_class(value: float) -> int | None:
    """Third (0, 1, 2) of a part on its 0–100 percentile scale; None when missing."""
    if value is None or not np.isfinite(value):
        return None
    return min(int(value // (100.0 / 3.0)), 2)


def bivariate_label(trip: int, partners: int) -> str:
    """Dutch label of a cell of the 3 × 3 legend."""
    if trip == 2 and partners == 2:
        return FAR_AND_FEW
    return f"{TRIP_CLASSES[trip]}, {PARTNER_CLASSES[partners]}"


def add_bivariate(
    fmap: folium.Map,
    units: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    label: str,
    partners: str = "deelscore_schaarste",
    trip: str = "deelscore_reistijd",
) -> list[tuple[str, str, str]]:
    """Colour ``units`` by two parts at once (thirds of each); returns legend entries.

    ``table`` holds the parts of :mod:`geo.analysis.score` as percentiles (0–100, higher
    = more attention), so the thirds compare a unit with the other units of its level.
    Units that are far *and* have few partners get the darkest colour and a black edge.

    Parameters
    ----------
    fmap : folium.Map
    units : geopandas.GeoDataFrame
        From :func:`geo.reference.regions.unit_polygons`.
    table : pandas.DataFrame
        One row per unit with ``code``, ``naam`` is taken from ``units``.
    label : str
        Name of the layer.
    partners, trip : str
        The columns of the two parts.

    Returns
    -------
    list of (kind, colour, label)
        The nine cells, most attention first, and "geen gegevens" when a unit lacks one.
    """
    merged = simplified(units).merge(table[["code", partners, trip]], on="code", how="left")
    styles, classes, missing = [], [], False
    for p_value, t_value in zip(merged[partners], merged[trip], strict=True):
        p_class, t_class = bivariate_class(p_value), bivariate_class(t_value)
        if p_class is None or t_class is None:
            missing = True
            styles.append({"fillColor": "#cccccc"})
            classes.append("geen gegevens")
            continue
        style = {"fillColor": BIVARIATE_COLORS[t_class][p_class]}
        if (t_class, p_class) == (2, 2):
            style.update({"color": "#000", "weight": 3})
        styles.append(style)
        classes.append(bivariate_label(t_class, p_class))
    merged["ik_style"] = styles
    merged["klasse"] = classes
    merged["deel_partners"] = [_part_text(v) for v in merged[partners]]
    merged["deel_reis"] = [_part_text(v) for v in merged[trip]]
    AreaLayer(
        f"Kleurkaart: {label}", merged, class_name="ik-kleurkaart",
        style={"color": "#444", "weight": 1, "fillOpacity": 0.75},
        highlight={"weight": 3, "color": "#000"},
        tooltip=[Line("naam", strong=True), Line("klasse"),
                 Line("deel_partners", "Weinig partners (0–100)"),
                 Line("deel_reis", "Lange reis (0–100)")],
    ).add_to(fmap)
    legend = [("vlak", BIVARIATE_COLORS[t][p], bivariate_label(t, p))
              for t in (2, 1, 0) for p in (2, 1, 0)]
    if missing:
        legend.append(("vlak", "#cccccc", "geen gegevens"))
    return legend


def _part_text(value: float) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:.0f}"
