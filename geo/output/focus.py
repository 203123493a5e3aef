"""A map's focus: a searched place or a chosen table row, marked and looked at.

A page centres a map on what a person searched for (a place, postcode or address) or on the
row they chose in the table next to it. :class:`Focus` says where it is, what it is called
and how close to look; :func:`add_focus` marks it (a labelled point, and the outline of an
area) and, when asked, makes the map open there. The label travels as data like every map
text (:mod:`geo.output.map_layers`), so a searched text can never become code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from shapely.geometry import shape

from geo.output.map_layers import AreaLayer, MapView, PointLayer, set_view
from geo.reference.data import WGS84

#: How close to look at a point, by how precisely it is known (see
#: :data:`geo.reference.gazetteer.PRECISIONS`): a building closer than a whole place.
ZOOM_BY_PRECISION = {"adres": 17, "postcode6": 16, "handmatig": 16, "postcode4": 14,
                     "plaats": 13}
#: The zoom for a precision not in :data:`ZOOM_BY_PRECISION`.
DEFAULT_ZOOM = 13

#: What a focus is: a place someone searched for, or a row chosen in a table.
SEARCHED, CHOSEN = "gezocht", "gekozen"

#: Layer names (plain text, shown in the layer switcher), CSS classes and marker styles.
_LAYER_NAMES = {SEARCHED: "Gezochte plek", CHOSEN: "Gekozen in de tabel"}
_POINT_STYLES = {
    SEARCHED: {"radius": 9, "color": "#ffffff", "weight": 3, "fillColor": "#1f5fa8",
               "fillOpacity": 1.0, "interactive": False},
    # A ring around the chosen partner or school, which stays clickable beneath it.
    CHOSEN: {"radius": 15, "color": "#ff7f00", "weight": 4, "fill": False,
             "interactive": False},
}
_OUTLINE_STYLE = {"color": "#ff7f00", "weight": 5, "fillOpacity": 0, "interactive": False}


def zoom_for(precision: object) -> int:
    """The zoom to look at a point located with ``precision``."""
    return ZOOM_BY_PRECISION.get(str(precision), DEFAULT_ZOOM)


@dataclass(frozen=True)
class Focus:
    """Where a map should look, and what is there.

    Attributes
    ----------
    lat, lon : float
        The point (WGS84); for an area a point inside it.
    label : str
        What is shown next to the point, e.g. ``"Gezocht: Alkmaar (Alkmaar)"`` (plain
        text; it reaches the map as data).
    zoom : int
        How close to look at the point.
    kind : str
        :data:`SEARCHED` or :data:`CHOSEN`.
    bounds : ((south, west), (north, east)), optional
        Fit these instead of ``zoom`` (an area).
    outline : dict, optional
        A GeoJSON geometry (WGS84) drawn as a thick outline: the chosen area.
    """

    lat: float
    lon: float
    label: str
    zoom: int = DEFAULT_ZOOM
    kind: str = SEARCHED
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None
    outline: Mapping | None = None

    def __post_init__(self) -> None:
        if self.kind not in _POINT_STYLES:
            raise ValueError(f"unknown focus kind: {self.kind!r}")


def add_focus(fmap: folium.Map, focus: Focus, *, look: bool = True) -> None:
    """Mark ``focus`` on ``fmap``; with ``look``, the map opens there.

    The point gets its label always shown; an area (``focus.outline``) is outlined as well.
    Only one focus of each kind belongs on a map; the last one that looks wins.
    """
    marks = []
    if focus.outline is not None:
        area = gpd.GeoDataFrame({"naam": [focus.label]},
                                geometry=[shape(dict(focus.outline))], crs=WGS84)
        marks.append(AreaLayer(_LAYER_NAMES[focus.kind] + " (gebied)", area,
                               style=_OUTLINE_STYLE, class_name=f"ik-{focus.kind}-gebied"))
    point = pd.DataFrame({"lat": [focus.lat], "lon": [focus.lon], "label": [focus.label]})
    style = dict(_POINT_STYLES[focus.kind])
    if focus.outline is not None:  # the area's own point: a small dot carrying its label
        style = {**_POINT_STYLES[SEARCHED], "radius": 4, "fillColor": "#ff7f00"}
    marks.append(PointLayer(_LAYER_NAMES[focus.kind], point, styles=[style],
                            class_name=f"ik-{focus.kind}", tooltip=["label"], label=True))
    for mark in marks:
        # Not in the layer switcher: a finished map's switcher is drawn before these
        # layers exist (it would list an undefined layer and stop the map script).
        mark.control = False
        mark.add_to(fmap)
    if look:
        set_view(fmap, MapView(bounds=focus.bounds) if focus.bounds is not None
                 else MapView(center=(focus.lat, focus.lon), zoom=focus.zoom))
