"""The map of the chain view: where inflow into mbo infra stops, per unit.

Each unit is coloured by its class (:data:`geo.analysis.chain.CLASSES`); its tooltip
names the unit, the class, the inflow as people may see it ("<5", "53 tot 61"), the rate
per 1,000 young people (only when shown), the PET events, the VO activities, the vmbo
schools reached and the partners. Units about which nothing can be said (a count below
five that is not clearly low, no figures) are a neutral grey. Every text travels as data
(:mod:`geo.output.map_layers`); the frame comes from
:func:`geo.analysis.chain.chain_by_unit`, which holds no count below five.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo.analysis.chain import (
    CLASSES,
    HIGHER,
    LOWER_WITH,
    LOWER_WITHOUT,
    NO_FIGURES,
    SIMILAR,
    TOO_FEW,
)
from geo.output.map_layers import AreaLayer, Line
from geo.output.maps import add_mbo, base_map, finish_map, simplified
from geo.reference.data import Reference
from geo.text import nl_number

#: Fill colour per class: reds where inflow is lower, blue where higher, grey where
#: nothing can be said.
CLASS_COLORS: dict[str, str] = {
    LOWER_WITHOUT: "#b2182b",
    LOWER_WITH: "#ef8a62",
    SIMILAR: "#ffffbf",
    HIGHER: "#4575b4",
    TOO_FEW: "#cccccc",
    NO_FIGURES: "#e6e6e6",
}

#: Classes drawn with a dashed border (no conclusion).
_UNSURE = (TOO_FEW, NO_FIGURES)


def _texts(chain: pd.DataFrame) -> pd.DataFrame:
    """The tooltip texts of each unit (Dutch, decimal comma)."""
    out = pd.DataFrame({"code": chain["code"]})
    out["klasse_tekst"] = chain["klasse_tekst"]
    out["instroom_tekst"] = chain["instroom"].fillna("").astype(str)
    out["per_1000_tekst"] = chain["per_1000_tekst"].fillna("").astype(str)
    out["po_tekst"] = [nl_number(v) for v in chain["po_events"]]
    out["vo_tekst"] = [nl_number(v) for v in chain["vo_activiteiten"]]
    out["vmbo_tekst"] = [f"{nl_number(r)} van {nl_number(n)}" if n else ""
                         for r, n in zip(chain["scholen_vmbo_bereikt"], chain["scholen_vmbo"],
                                         strict=True)]
    out["partners_tekst"] = [f"{nl_number(p)} (actief: {nl_number(a)})" for p, a in
                             zip(chain["partners"], chain["partners_actief"], strict=True)]
    out["ik_style"] = [
        {"fillColor": CLASS_COLORS[k], **({"dashArray": "4 4"} if k in _UNSURE else {})}
        for k in chain["klasse"]]
    return out


def add_chain_areas(fmap: folium.Map, units: gpd.GeoDataFrame, chain: pd.DataFrame, *,
                    name: str = "Waar stopt de instroom?") -> list[tuple[str, str, str]]:
    """Colour ``units`` by the class of ``chain`` (joined on ``code``); returns the legend.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        From :func:`geo.reference.regions.unit_polygons` (``code``, ``naam``).
    chain : pandas.DataFrame
        :func:`geo.analysis.chain.chain_by_unit` of the same level.

    Returns
    -------
    list of (kind, colour, label)
        The classes on the map, in the order of :data:`CLASSES`.
    """
    merged = simplified(units)[["code", "naam", "geometry"]].merge(_texts(chain), on="code",
                                                                   how="inner")
    AreaLayer(
        name, merged, class_name="ik-keten",
        style={"color": "#444", "weight": 1, "fillOpacity": 0.75},
        highlight={"weight": 3, "color": "#000"},
        tooltip=[Line("naam", strong=True), Line("klasse_tekst"),
                 Line("instroom_tekst", "Instroom mbo infra"),
                 Line("per_1000_tekst", "Per 1.000 jongeren"),
                 Line("po_tekst", "PET-events (po)"), Line("vo_tekst", "VO-activiteiten"),
                 Line("vmbo_tekst", "vmbo-scholen bereikt"),
                 Line("partners_tekst", "Partners")],
    ).add_to(fmap)
    present = set(chain["klasse"])
    return [("vlak", CLASS_COLORS[code], label) for code, label in CLASSES.items()
            if code in present]


def chain_map(units: gpd.GeoDataFrame, chain: pd.DataFrame, *,
              reference: Reference | None = None, mbo: pd.DataFrame | None = None,
              title: str = "Waar stopt de instroom?") -> folium.Map:
    """The chain map: the units coloured by class, the mbo infra places, a legend.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        From :func:`geo.reference.regions.unit_polygons`.
    chain : pandas.DataFrame
        :func:`geo.analysis.chain.chain_by_unit`.
    reference : Reference, optional
        For the offline base of :func:`geo.output.maps.base_map`.
    mbo : pandas.DataFrame, optional
        Education places to mark (``store.places.all(active_only=True)``).
    title : str
        The legend's heading.
    """
    fmap = base_map(reference=reference)
    legend = add_chain_areas(fmap, units, chain)
    if mbo is not None and not mbo.empty:
        add_mbo(fmap, mbo)
        legend.append(("punt", "#000000", "mbo-infra-opleiding"))
    return finish_map(fmap, legend=legend, title=title)
