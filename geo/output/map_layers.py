r"""The one way text reaches a map: data layers that carry user text as JSON, never as code.

Why this module exists
----------------------
folium and branca render every map script as a Jinja template *twice*:
``MacroElement.render`` wraps each element's rendered script in a new
``branca.element.Element``, whose constructor compiles the string as a template again. Any
text that lands in a script — a partner name in a popup, a subregion name in a GeoJSON
property — is therefore executed on the server when it contains ``{{ … }}`` or
``{% … %}``. HTML escaping does not help: braces are not HTML.

The design that makes the mistake impossible
--------------------------------------------
1. **Text is data, in one encoder.** Every value a map shows travels inside a JSON payload
   made by :func:`geo.output.map_json.map_json`, which escapes ``{`` and ``}`` inside
   strings as ``\u007b`` / ``\u007d`` (and ``< > & ' ` $`` and the JavaScript line
   separators). JSON itself never produces ``{{``, ``{%`` or ``{#`` (an object starts with a
   key string), so the rendered script contains no template syntax, however often branca
   compiles it; ``</script>`` cannot close the script either. (This module's own
   elements even place their rendered parts in the page as text, never compiled again:
   :mod:`geo.output.map_render`.)
2. **Text becomes text in the browser.** ``geo/output/map_layers.js`` builds every marker, popup,
   tooltip and legend from the payload and puts values into the page with ``textContent``
   only. Python never writes HTML around user text, so there is nothing to forget to escape:
   template syntax, HTML and ``${…}`` all show literally.
3. **Nothing else may carry text.** :func:`check_map` walks a finished map and refuses any
   element that is not one of this module's layers or a text-free folium part (map, tiles,
   layer switcher, fit-bounds). A folium ``Popup``, ``Tooltip``, ``Marker`` or ``GeoJson``
   added by a future change fails loudly in every test that renders the map; pages show maps
   only through ``pages/_shared.show_map`` and the CLI only through
   :func:`geo.output.assets.standalone_html`, both of which call it. Layer names (shown in the layer
   switcher by folium itself) must be plain text without markup characters.

Use the classes below (:class:`PointLayer`, :class:`BadgeLayer`, :class:`CircleLayer`,
:class:`LineLayer`, :class:`AreaLayer`, :class:`Legend`, :class:`OfflineBase`,
:class:`MapView`); the builders in :mod:`geo.output.maps` use them, and its ``base_map``
calls :func:`add_library`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import folium
import pandas as pd
from branca.element import Element, MacroElement, Template
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.map import FitBounds, Layer, LayerControl
from folium.raster_layers import TileLayer

from geo.output.map_json import area_features, map_json
from geo.output.map_render import AddTo, add_when_shown, place_parts
from geo.output.map_texts import Line, lines_spec, text_payload, used_columns

#: The browser half of this module.
LIBRARY_JS = Path(__file__).with_name("map_layers.js")
LIBRARY_CSS = Path(__file__).with_name("map_layers.css")

#: leaflet.markercluster's files as ``folium.plugins.MarkerCluster`` names them (a test keeps
#: them equal), so maps need not import ``folium.plugins`` (0.15 s per ``infrakaart kaart``).
_MARKERCLUSTER = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/"
MARKER_CLUSTER_JS = [("markerclusterjs", _MARKERCLUSTER + "leaflet.markercluster.js")]
MARKER_CLUSTER_CSS = [("markerclustercss", _MARKERCLUSTER + "MarkerCluster.css"),
                      ("markerclusterdefaultcss", _MARKERCLUSTER + "MarkerCluster.Default.css")]

#: Jinja's three opening markers; none may appear in anything this module renders.
JINJA_MARKERS = ("{{", "{%", "{#")

#: Layer names are shown by Leaflet's layer switcher as HTML: no markup or template
#: characters (an apostrophe is fine: folium writes names with ``tojson``).
_LAYER_NAME_RE = re.compile(r"^[^{}<>&\"`$\\]*$")

#: Map parts that carry no user text (besides layer names, which are checked).
_TEXT_FREE_ELEMENTS = (folium.Map, TileLayer, LayerControl, FitBounds, ElementAddToElement,
                       AddTo)


#: Below this screen width (pixels, e.g. a phone) the legend opens folded, so that it does
#: not cover the map.
LEGEND_OPEN_MIN_WIDTH = 600


class UnsafeMapError(TypeError):
    """A map holds an element that could carry text into a template (a programming error)."""


# --------------------------------------------------------------------------- elements


class _SafeElement(MacroElement):
    """Base of every element this module renders; its script is made by :func:`map_json`."""

    payload: object = None
    _encoded: tuple[int, str] | None = None
    #: The payload holds nothing personal, so its encoding may be kept for every session
    #: (:func:`map_json`'s ``keep``); set by the builders that know.
    public_payload: bool = False

    def render(self, **kwargs) -> None:
        """Render into the page as text (:func:`geo.output.map_render.place_parts`)."""
        place_parts(self, kwargs)

    @property
    def payload_json(self) -> str:
        """The element's data through the one encoder, :func:`map_json`.

        Encoded once per payload: folium and streamlit-folium render a map several times.
        A payload is set whole in the constructor and never changed in place.
        """
        if self._encoded is None or self._encoded[0] != id(self.payload):
            self._encoded = (id(self.payload),
                             map_json(self.payload, keep=self.public_payload))
        return self._encoded[1]

    @property
    def payload_key(self) -> str:
        """A hash of what the browser builds from this element: its kind, name and data.

        ``map_layers.js`` keeps the layers of the latest update by this key, so an update
        that sends a layer unchanged gets the built one back instead of building it again.
        """
        seen = f"{type(self).__name__}\0{getattr(self, 'layer_name', '')}\0"
        return hashlib.sha256((seen + self.payload_json).encode("utf-8")).hexdigest()[:24]


class MapLibrary(_SafeElement):
    """The browser half (``map_layers.js``) and its CSS, added once per map."""

    _template = Template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "IkMapLibrary"
        self.css = LIBRARY_CSS.read_text(encoding="utf-8")
        self.code = library_code()
        if any(marker in self.css for marker in JINJA_MARKERS):
            raise UnsafeMapError("map_layers.css contains a Jinja marker")


def library_code() -> str:
    """The JavaScript of ``map_layers.js``, checked to contain no Jinja marker."""
    code = LIBRARY_JS.read_text(encoding="utf-8")
    if any(marker in code for marker in JINJA_MARKERS):
        raise UnsafeMapError("map_layers.js contains a Jinja marker")
    return code


def add_library(fmap: folium.Map) -> None:
    """Add :class:`MapLibrary` to ``fmap`` (once; before any layer)."""
    if not any(isinstance(c, MapLibrary) for c in fmap._children.values()):
        fmap.add_child(MapLibrary(), name="ik_map_library")


class _DataLayer(JSCSSMixin, _SafeElement, Layer):
    """A toggleable layer built in the browser by ``ikmap.<kind>(payload)``."""

    kind = ""
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = ikmap.{{ this.kind }}({{ this.payload_json }}, "
        "'{{ this.payload_key }}');"
        "{% endmacro %}"
    )
    default_js: list = []
    default_css: list = []

    def __init__(self, name: str, payload: dict, *, show: bool = True,
                 control: bool = True, fixed: bool = False) -> None:
        _check_layer_name(name)
        Layer.__init__(self, name=name, overlay=True, control=control, show=show)
        self._name = f"Ik{type(self).__name__}"
        self.payload = payload
        #: Part of the map itself (e.g. borders): a page's filters never change it, so
        #: :mod:`geo.output.map_updates` keeps it in the map instead of updating it.
        self.fixed = fixed

    def render(self, **kwargs) -> None:
        """Add the layer to its parent when shown (as folium's ``Layer``), then render."""
        add_when_shown(self)
        super().render(**kwargs)


def _style_table(styles: Sequence[Mapping[str, object]], style: Sequence[int] | int
                 ) -> tuple[list[dict], list[int] | int]:
    table = [dict(s) for s in styles]
    if isinstance(style, int):
        return table, style
    return table, [int(i) for i in style]


def _coordinates(frame: pd.DataFrame) -> tuple[list[float], list[float]]:
    lat = [round(float(v), 6) for v in frame["lat"]]
    lon = [round(float(v), 6) for v in frame["lon"]]
    return lat, lon


class PointLayer(_DataLayer):
    """Circle markers, one per row of ``frame`` (``lat``, ``lon`` and text columns).

    Parameters
    ----------
    name : str
        Shown in the layer switcher (plain text).
    frame : DataFrame
        One row per point; rows without coordinates must be dropped by the caller.
    styles : sequence of dict
        Leaflet path options (``radius``, ``color``, ``weight``, ``fillColor``,
        ``fillOpacity``); each point uses one of them.
    style : int or sequence of int
        Index into ``styles``: one for all, or one per row.
    class_name : str
        CSS class of every marker (``ik-partner``, ``ik-school``, …); tests find markers by it.
    tooltip, popup : sequence of Line or str, optional
        What hovering and clicking show; a str is a column shown without label.
    cluster : dict, optional
        Options for leaflet.markercluster; None draws every marker.
    show : bool
        Visible when the map opens.
    label : bool
        Show the tooltip always, as a label above the marker (for one chosen point).
    """

    kind = "points"

    def __init__(self, name: str, frame: pd.DataFrame, *, styles: Sequence[Mapping],
                 style: Sequence[int] | int = 0, class_name: str,
                 tooltip: Sequence[Line | str] | None = None,
                 popup: Sequence[Line | str] | None = None, popup_width: int = 300,
                 cluster: Mapping[str, object] | None = None, show: bool = True,
                 label: bool = False) -> None:
        lat, lon = _coordinates(frame)
        table, index = _style_table(styles, style)
        payload = {"lat": lat, "lon": lon, "styles": table, "style": index,
                   "className": class_name, "cluster": dict(cluster) if cluster else None,
                   **text_payload(frame, tooltip, popup, popup_width)}
        if label and tooltip:
            payload["tooltipOptions"] = {"permanent": True, "direction": "top",
                                         "offset": [0, -12], "className": "ik-etiket"}
        super().__init__(name, payload, show=show)
        if cluster:
            self.default_js = list(MARKER_CLUSTER_JS)
            self.default_css = list(MARKER_CLUSTER_CSS)


class BadgeLayer(_DataLayer):
    """Markers drawn as a round badge with a short fixed text (e.g. "mbo")."""

    kind = "badges"

    def __init__(self, name: str, frame: pd.DataFrame, *, badge: str, class_name: str,
                 tooltip: Sequence[Line | str] | None = None,
                 popup: Sequence[Line | str] | None = None, popup_width: int = 280,
                 size: int = 26, show: bool = True) -> None:
        lat, lon = _coordinates(frame)
        payload = {"lat": lat, "lon": lon, "badge": badge, "className": class_name,
                   "size": size, **text_payload(frame, tooltip, popup, popup_width)}
        super().__init__(name, payload, show=show)


class CircleLayer(_DataLayer):
    """Circles with a radius in metres (``radius_m`` column), e.g. a reach."""

    kind = "circles"

    def __init__(self, name: str, frame: pd.DataFrame, *, styles: Sequence[Mapping],
                 style: Sequence[int] | int = 0, class_name: str = "ik-bereik",
                 tooltip: Sequence[Line | str] | None = None, show: bool = True) -> None:
        lat, lon = _coordinates(frame)
        table, index = _style_table(styles, style)
        payload = {"lat": lat, "lon": lon,
                   "radius_m": [float(r) for r in frame["radius_m"]],
                   "styles": table, "style": index, "className": class_name,
                   **text_payload(frame, tooltip, None, 0)}
        super().__init__(name, payload, show=show)


class LineLayer(_DataLayer):
    """Straight lines; ``paths`` holds one list of ``(lat, lon)`` per row of ``frame``."""

    kind = "lines"

    def __init__(self, name: str, frame: pd.DataFrame, *,
                 paths: Sequence[Sequence[tuple[float, float]]], styles: Sequence[Mapping],
                 style: Sequence[int] | int = 0, class_name: str = "ik-lijn",
                 tooltip: Sequence[Line | str] | None = None, show: bool = True) -> None:
        if len(paths) != len(frame):
            raise ValueError("one path per row expected")
        table, index = _style_table(styles, style)
        payload = {"paths": [[[round(float(a), 6), round(float(b), 6)] for a, b in path]
                             for path in paths],
                   "styles": table, "style": index, "className": class_name,
                   **text_payload(frame, tooltip, None, 0)}
        super().__init__(name, payload, show=show)


class AreaLayer(_DataLayer):
    """Polygons from a GeoDataFrame in WGS84, with tooltips from its columns.

    Parameters
    ----------
    frame : GeoDataFrame
        Geometry plus the text columns named in ``tooltip``/``popup``; an optional
        ``ik_style`` column holds per-feature Leaflet style overrides (dicts).
    style : dict
        Leaflet path options shared by all features.
    highlight : dict, optional
        Style while the pointer is over a feature.
    """

    kind = "areas"
    public_payload = True  # names, codes and figures of areas; never a person's data

    def __init__(self, name: str, frame, *, style: Mapping[str, object],
                 class_name: str = "ik-vlak", tooltip: Sequence[Line | str] | None = None,
                 popup: Sequence[Line | str] | None = None,
                 highlight: Mapping[str, object] | None = None, show: bool = True,
                 fixed: bool = False) -> None:
        columns = [c for c in dict.fromkeys([*used_columns(tooltip, popup), "ik_style"])
                   if c in frame]
        geojson = area_features(frame[[*columns, "geometry"]])
        payload = {"geojson": geojson, "styles": [dict(style)], "className": class_name,
                   "highlight": dict(highlight) if highlight else None,
                   "tooltip": lines_spec(tooltip), "popup": lines_spec(popup)}
        super().__init__(name, payload, show=show, fixed=fixed)


class _MapPart(_SafeElement):
    """A part of the map itself (not a layer), made by ``ikmap.<call>(map, payload)``."""

    call = ""
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "ikmap.{{ this.call }}({{ this._parent.get_name() }}, {{ this.payload_json }});"
        "{% endmacro %}"
    )


class Legend(_MapPart):
    """A foldable legend: title, items ``(kind, colour, label)`` and the data attribution.

    It opens unfolded on a screen at least :data:`LEGEND_OPEN_MIN_WIDTH` pixels wide and
    folded (title only) on a narrower one, e.g. a phone.
    """

    call = "legend"

    def __init__(self, items: Iterable[tuple[str, str, str]], *, title: str,
                 attribution: str) -> None:
        super().__init__()
        self._name = "IkLegend"
        self.payload = {
            "title": title,
            "items": [{"kind": kind, "color": color, "label": label}
                      for kind, color, label in items],
            "attribution": attribution,
            "openMinWidth": LEGEND_OPEN_MIN_WIDTH,
        }


class LegendLayer(_DataLayer):
    """A :class:`Legend` as a layer: shown while on the map, gone when removed."""

    kind = "legendLayer"

    def __init__(self, legend: Legend) -> None:
        super().__init__("Legenda", legend.payload, control=False)


class OfflineBase(_MapPart):
    """Land below the tiles, so a map without tiles still shows where it is.

    ``shapes`` are :func:`geo.output.map_json.packed` geometries (WGS84; shapes only, so
    no text), best packed once by the caller; ``style`` gives their Leaflet path options.
    """

    call = "offlineBase"

    def __init__(self, shapes: Iterable[Mapping], *, style: Mapping[str, object]) -> None:
        super().__init__()
        self._name = "IkOfflineBase"
        features = [{"type": "Feature", "properties": {}, "geometry": {
            "type": str(shape["type"]), "digits": int(shape["digits"]),
            "packed": shape["packed"]}} for shape in shapes]
        self.payload = {"geojson": {"type": "FeatureCollection", "features": features},
                        "style": dict(style)}


class MapView(_MapPart):
    """Where the map looks when it opens: a centre and zoom, or bounds to fit.

    Numbers only. Added after the layers (and after a folium ``FitBounds``), it wins; a map
    holds at most one (:func:`set_view` replaces it).
    """

    call = "view"

    def __init__(self, *, center: tuple[float, float] | None = None, zoom: int | None = None,
                 bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
                 max_zoom: int = 16) -> None:
        super().__init__()
        self._name = "IkMapView"
        if bounds is not None:
            (south, west), (north, east) = bounds
            self.payload = {"bounds": [[float(south), float(west)], [float(north), float(east)]],
                            "maxZoom": int(max_zoom)}
        elif center is not None and zoom is not None:
            self.payload = {"lat": float(center[0]), "lon": float(center[1]), "zoom": int(zoom)}
        else:
            raise ValueError("a centre with a zoom, or bounds, expected")


def set_view(fmap: folium.Map, view: MapView) -> None:
    """Make ``view`` the last part of ``fmap`` (replacing an earlier one), so it wins."""
    fmap._children.pop("ik_view", None)
    fmap.add_child(view, name="ik_view")


class MetricScale(_SafeElement):
    """A scale bar in kilometres only (folium's shows miles too)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, position: 'bottomright'})"
        ".addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


# --------------------------------------------------------------------------- the guard


def _check_layer_name(name: object) -> None:
    if not isinstance(name, str) or not _LAYER_NAME_RE.match(name):
        raise UnsafeMapError(f"layer name must be plain text: {name!r}")


def _walk(element: Element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def check_map(fmap: folium.Map) -> folium.Map:
    """Refuse a map that could carry text into a template; returns the same map.

    Raises
    ------
    UnsafeMapError
        When ``fmap`` holds an element other than this module's layers and the text-free
        folium parts, a layer name with markup characters, or data layers without the
        browser library.
    """
    has_library = False
    for element in _walk(fmap):
        if isinstance(element, MapLibrary):
            has_library = True
        if isinstance(element, Layer):
            _check_layer_name(element.layer_name)
        if isinstance(element, (_SafeElement, *_TEXT_FREE_ELEMENTS)):
            continue
        raise UnsafeMapError(
            f"{type(element).__name__} is not allowed in an Infrakaart map: text must reach "
            "maps through geo.output.map_layers (see its module docstring)"
        )
    if not has_library and any(isinstance(e, _DataLayer | Legend | OfflineBase)
                               for e in _walk(fmap)):
        raise UnsafeMapError("data layers need the map library: call add_library(fmap)")
    return fmap
