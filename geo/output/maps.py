"""folium map builders: data in, ``folium.Map`` out. Pure; tested by rendering.

No text is written into HTML or a template here: every name, place and label travels as
data in the layers of :mod:`geo.output.map_layers` and is put on the page with ``textContent``
in the browser (see that module for why). Polygons are simplified in RD New
(:data:`SIMPLIFY_TOLERANCE_M`) so pages stay light.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import folium
import geopandas as gpd
import pandas as pd

from geo import education_places
from geo import fields as registry
from geo.addresses import address_line
from geo.kept import Kept
from geo.output.map_json import packed
from geo.output.map_layers import (
    AreaLayer,
    BadgeLayer,
    Legend,
    Line,
    MetricScale,
    OfflineBase,
    PointLayer,
    add_library,
    check_map,
)
from geo.reference.data import (
    RD_NEW,
    WGS84,
    Division,
    Reference,
    load_reference,
    shared_per_reference,
)
from geo.reference.gazetteer import precision_label
from geo.reference.regions import unit_polygons
from geo.settings import Settings

PDOK_BRT_URL = (
    "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
)
PDOK_ATTRIBUTION = 'Kaartgegevens © <a href="https://www.kadaster.nl">Kadaster</a> (PDOK)'
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>-bijdragers'
DATA_ATTRIBUTION = (
    "Bron: CBS (gebiedsindelingen, postcodecijfers), PDOK; © CBS, © ESRI Nederland "
    "(postcodegebieden); DUO open onderwijsdata (CC0)"
)

#: Centre and zoom showing the five regions.
NH_CENTER = (52.58, 4.85)
NH_ZOOM = 9

#: Douglas-Peucker tolerance for boundaries, in metres (RD New).
SIMPLIFY_TOLERANCE_M = 40.0

#: :func:`simplified` shapes by the frame's content (the latest few).
SIMPLIFIED = Kept(32)

REGION_COLORS = {
    "AM15": "#4e79a7",  # Noord-Holland Noord
    "AM17": "#59a14f",  # Zaanstreek/Waterland
    "AM37": "#edc948",  # Zuid-Kennemerland en IJmond
    "AM18": "#e15759",  # Groot Amsterdam
    "AM12": "#b07aa1",  # Gooi en Vechtstreek
}

#: Simplification of the offline base: municipalities of the five regions, the rest of the
#: country as one shape (metres, RD New).
OFFLINE_BASE_TOLERANCE_M = {"regio": 80.0, "elders": 500.0}
#: Land colour and border of the offline base; the water colour is in map_layers.css.
OFFLINE_BASE_STYLE = {"fillColor": "#f4f1e8", "fillOpacity": 1, "color": "#8c8c8c",
                      "weight": 0.7}

SCHOOL_COLOR = "#333333"
VMBO_COLOR = "#d7301f"
MBO_COLOR = "#000000"


def base_map(
    *, center: Sequence[float] | None = None, zoom: int = NH_ZOOM, height: str = "100%",
    reference: Reference | None = None,
) -> folium.Map:
    """An empty map with PDOK BRT-Achtergrondkaart and OpenStreetMap as basemaps.

    Below the tiles lies the land from the bundled municipality boundaries
    (:func:`offline_base`), so without internet the map still shows the coast, the lakes and
    the municipalities instead of a grey square.

    Parameters
    ----------
    center : (lat, lon), optional
        Defaults to the middle of the five regions.
    zoom : int
        Initial zoom level.
    height : str
        CSS height of the map.
    reference : Reference, optional
        Whose municipalities form the offline base; the bundled data by default.

    Returns
    -------
    folium.Map
        With the browser half of :mod:`geo.output.map_layers` added; call :func:`finish_map`
        after adding layers.
    """
    fmap = folium.Map(
        location=list(center or NH_CENTER),
        zoom_start=zoom,
        tiles=None,
        control_scale=False,
        height=height,
        prefer_canvas=False,
    )
    add_library(fmap)
    reference = reference or load_reference(Settings().data_dir)
    fmap.add_child(OfflineBase(offline_base(reference), style=OFFLINE_BASE_STYLE),
                   name="ik_offline_base")
    MetricScale().add_to(fmap)
    folium.TileLayer(
        PDOK_BRT_URL, name="BRT-Achtergrondkaart (PDOK)", attr=PDOK_ATTRIBUTION, max_zoom=19
    ).add_to(fmap)
    folium.TileLayer(
        OSM_URL, name="OpenStreetMap", attr=OSM_ATTRIBUTION, max_zoom=19, show=False
    ).add_to(fmap)
    return fmap


def offline_base(reference: Reference) -> list[dict]:
    """The land as GeoJSON geometries (WGS84, shapes only), made once per reference.

    The municipalities of the five regions keep their borders; the rest of the country is
    one shape, simplified more. The CBS boundaries follow the shore, so the sea and the
    large lakes stay open and show the map's water colour.
    """
    return shared_per_reference(reference, _offline_base)


def _offline_base(reference: Reference) -> list[dict]:
    land = reference.gemeenten_rd
    inside = land["in_5_nh_regios"].astype(bool)
    regio = land.loc[inside, "geometry"].simplify(OFFLINE_BASE_TOLERANCE_M["regio"],
                                                  preserve_topology=True)
    elders = land.loc[~inside, "geometry"].union_all().simplify(
        OFFLINE_BASE_TOLERANCE_M["elders"], preserve_topology=True)
    shapes = gpd.GeoSeries([*regio, elders], crs=land.crs).to_crs(WGS84)
    # Packed with 4 decimals (about 10 m) here, once, not for every map drawn.
    return [packed(shape.__geo_interface__, digits=4) for shape in shapes if not shape.is_empty]


def finish_map(fmap: folium.Map, *, legend: Iterable[tuple[str, str, str]] = (),
               title: str = "") -> folium.Map:
    """Add the layer switcher and a legend (with the data attribution) to ``fmap``.

    Parameters
    ----------
    legend : iterable of (kind, colour, label)
        ``kind`` is ``"punt"``, ``"vlak"`` or ``"lijn"``.
    title : str
        Legend heading.

    Returns
    -------
    folium.Map
        The same map, checked with :func:`geo.output.map_layers.check_map`.
    """
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    add_legend(fmap, legend, title=title)
    return check_map(fmap)


def add_legend(fmap: folium.Map, items: Iterable[tuple[str, str, str]], *,
               title: str = "") -> None:
    """Add a foldable legend, drawn in the browser from data (see :class:`Legend`)."""
    fmap.add_child(Legend(items, title=title or "Legenda", attribution=DATA_ATTRIBUTION),
                   name="ik_legend")


def simplified(frame: gpd.GeoDataFrame, tolerance_m: float = SIMPLIFY_TOLERANCE_M
               ) -> gpd.GeoDataFrame:
    """``frame`` with geometries simplified in RD New and returned in WGS84.

    The simplified shapes are kept by the frame's geometry (the areas of a map are the same
    at every run; the projection is the slow part); every call gets its own frame.
    """
    if frame.crs is None:
        raise ValueError("frame has no CRS")
    digest = hashlib.sha256(f"{frame.crs.to_wkt()}|{tolerance_m!r}".encode())
    for shape in frame.geometry.to_wkb():
        digest.update(b"-" if shape is None else shape)
    key = digest.hexdigest()
    shapes = SIMPLIFIED.get(key)
    if shapes is None:
        rd = frame.geometry.to_crs(RD_NEW)
        shapes = rd.simplify(tolerance_m, preserve_topology=True).to_crs(WGS84)
        SIMPLIFIED.put(key, shapes)
    out = frame.copy()
    out = out.set_geometry(shapes.set_axis(frame.index).copy(), crs=WGS84)
    return out


def boundary_layers(
    reference: Reference, division: Division | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Simplified polygons of the three levels, ready for :func:`add_boundaries`.

    Returns
    -------
    dict
        ``"arbeidsmarktregio"``, ``"subregio"`` and ``"gemeente"`` →
        GeoDataFrame (WGS84) with ``code``, ``naam``, ``arbeidsmarktregio``; municipalities
        also carry ``subregio``.
    """
    layers = {
        level: simplified(unit_polygons(level, reference, division), tolerance)
        for level, tolerance in (("arbeidsmarktregio", 80.0), ("subregio", 40.0),
                                 ("gemeente", SIMPLIFY_TOLERANCE_M))
    }
    sub_of = (division or reference.default_division).subregion_of()
    layers["gemeente"]["subregio"] = layers["gemeente"]["code"].map(sub_of)
    return layers


def add_boundaries(
    fmap: folium.Map, layers: dict[str, gpd.GeoDataFrame], *, fill_regions: bool = True
) -> None:
    """Add regions, subregions and municipalities as three toggleable, fixed layers.

    ``layers`` comes from :func:`boundary_layers`.
    """
    regions = layers["arbeidsmarktregio"].copy()
    regions["ik_style"] = [
        {"color": REGION_COLORS.get(code, "#555"), "fillColor": REGION_COLORS.get(code, "#999")}
        for code in regions["code"]
    ]
    AreaLayer(
        "Arbeidsmarktregio's", regions, class_name="ik-regio",
        style={"weight": 3, "fillOpacity": 0.12 if fill_regions else 0}, fixed=True,
        tooltip=[Line("naam", "Arbeidsmarktregio"), Line("code", "Code")],
    ).add_to(fmap)
    AreaLayer(
        "Subregio's", layers["subregio"], class_name="ik-subregio",
        style={"color": "#222", "weight": 2, "dashArray": "6 4", "fillOpacity": 0},
        fixed=True,
        tooltip=[Line("naam", "Subregio"), Line("arbeidsmarktregio", "Arbeidsmarktregio")],
    ).add_to(fmap)
    AreaLayer(
        "Gemeenten", layers["gemeente"], class_name="ik-gemeente",
        style={"color": "#555", "weight": 0.8, "fillOpacity": 0}, fixed=True,
        highlight={"weight": 2.5, "color": "#000"},
        tooltip=[Line("naam", "Gemeente"), Line("code", "CBS-code"), Line("subregio", "Subregio"),
                 Line("arbeidsmarktregio", "Arbeidsmarktregio")],
    ).add_to(fmap)


def region_legend() -> list[tuple[str, str, str]]:
    """Legend entries for the five labour-market regions."""
    from geo.reference.data import REGIONS

    return [("vlak", REGION_COLORS[code], f"{name} ({code})") for code, name in REGIONS.items()]


def _precision_column(frame: pd.DataFrame, default: str) -> list[str]:
    codes = frame["nauwkeurigheid"] if "nauwkeurigheid" in frame else [default] * len(frame)
    return [precision_label(code) for code in codes]


def _located(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.dropna(subset=["lat", "lon"]).reset_index(drop=True)


#: Circle-marker styles of schools: without and with vmbo.
SCHOOL_STYLES = (
    {"radius": 5, "color": "#ffffff", "weight": 1, "fillColor": SCHOOL_COLOR, "fillOpacity": 0.9},
    {"radius": 5, "color": "#ffffff", "weight": 1, "fillColor": VMBO_COLOR, "fillOpacity": 0.9},
)

#: Fill colours of schools by reach: reached (vmbo, other); not reached vmbo schools keep
#: :data:`VMBO_COLOR`, the other schools not reached :data:`SCHOOL_COLOR`.
REACHED_COLORS = ("#1a9850", "#91cf60")

#: Circle-marker styles of schools by reach, indexed by ``2 × reached + vmbo``: not reached
#: (other, vmbo), reached (other, vmbo). vmbo schools are a little larger.
REACH_SCHOOL_STYLES = tuple(
    {"radius": 6 if vmbo else 5, "color": "#ffffff", "weight": 1, "fillOpacity": 0.95,
     "fillColor": (REACHED_COLORS[0 if vmbo else 1] if reached
                   else VMBO_COLOR if vmbo else SCHOOL_COLOR)}
    for reached in (False, True) for vmbo in (False, True))


def add_schools(fmap: folium.Map, schools: pd.DataFrame, *, vmbo_only: bool = False,
                show: bool = True) -> int:
    """Add secondary schools as one toggleable data layer; returns the number drawn.

    ``schools`` needs ``naam`` (or ``vestigingsnaam``), ``lat``, ``lon``, ``heeft_vmbo``
    and optionally ``plaats``, ``onderwijsstructuur``, ``nauwkeurigheid``. With a
    ``bereikt`` column (:func:`geo.output.reach_maps.with_school_reach`) the schools are
    coloured by reach (:data:`REACH_SCHOOL_STYLES`) and the pop-up says it
    (``bereik_tekst``).
    """
    frame = schools.copy()
    if "naam" not in frame and "vestigingsnaam" in frame:
        frame["naam"] = frame["vestigingsnaam"]
    if "plaats" not in frame and "plaatsnaam" in frame:
        frame["plaats"] = frame["plaatsnaam"]
    if vmbo_only:
        frame = frame[frame["heeft_vmbo"].astype(bool)]
    frame = _located(frame)
    frame["locatie"] = _precision_column(frame, "postcode4")
    vmbo = [int(bool(v)) for v in frame["heeft_vmbo"]]
    reach = "bereikt" in frame
    PointLayer(
        "Middelbare scholen (vmbo)" if vmbo_only else "Middelbare scholen", frame,
        styles=REACH_SCHOOL_STYLES if reach else SCHOOL_STYLES,
        style=[2 * int(bool(r)) + v for r, v in zip(frame["bereikt"], vmbo, strict=True)]
        if reach else vmbo,
        class_name="ik-school", show=show, tooltip=["naam"],
        popup=[Line("naam", "School", strong=True), Line("plaats", "Plaats"),
               Line("onderwijsstructuur", "Onderwijs"), Line("bereik_tekst", em=True),
               Line("locatie", "Locatie")],
    ).add_to(fmap)
    return len(frame)


def add_mbo(fmap: folium.Map, mbo: pd.DataFrame) -> int:
    """Add the education places as large labelled badges; returns the number drawn.

    The places that count as destinations in the travel analysis (the mbo infra places,
    :func:`geo.education_places.destination_kind_codes`) are the layer
    "Mbo-infra-opleidingen" with an "mbo" badge; other kinds of place (a training centre,
    hbo), when given, a layer "Andere opleidingen" of their own. The pop-up names the
    place, its institution, kind and address, how precise the location is and where it
    came from, and says so when a place is still only located by its place name.
    """
    frame = _located(mbo)
    frame["locatie"] = [f"Locatie: {text}" for text in _precision_column(frame, "plaats")]
    kinds = frame["soort"] if "soort" in frame else pd.Series(None, index=frame.index,
                                                              dtype=object)
    frame["soort_tekst"] = [education_places.place_kind_label(k) if k else None for k in kinds]
    sources = frame["bron"] if "bron" in frame else [None] * len(frame)
    frame["bron_tekst"] = [f"Bron: {education_places.place_source_label(b)}" if b else None
                           for b in sources]
    frame["adres_tekst"] = [address_line(place) for place in frame.to_dict("records")]
    precision = frame.get("nauwkeurigheid", pd.Series("plaats", index=frame.index))
    frame["plaatsniveau"] = [education_places.PLACE_LEVEL_NOTE if str(p) in ("plaats", "")
                             else None for p in precision.fillna("")]
    popup = [Line("naam", strong=True), "instelling", "soort_tekst", "adres_tekst",
             Line("locatie", em=True), Line("bron_tekst", em=True),
             Line("plaatsniveau", em=True)]
    other = kinds.notna() & ~kinds.isin(education_places.destination_kind_codes())
    BadgeLayer("Mbo-infra-opleidingen", frame[~other], badge="mbo", class_name="ik-mbo",
               tooltip=["naam"], popup=popup).add_to(fmap)
    if other.any():
        BadgeLayer("Andere opleidingen", frame[other], badge="opl", class_name="ik-opleiding",
                   tooltip=["naam", "soort_tekst"], popup=popup).add_to(fmap)
    return len(frame)


#: Ring colour of an organisation that gave activities in the chosen school year.
ACTIVE_RING_COLOR = "#1a9850"

#: Circle-marker rings of organisations by ``(donor, gave activities)``: a thin white ring,
#: a thick dark one for donors, a thick green one for partners that gave activities (even
#: thicker for a donor that did).
_RING = {(False, False): {"radius": 6, "color": "#ffffff", "weight": 1.5},
         (True, False): {"radius": 8, "color": "#111111", "weight": 3},
         (False, True): {"radius": 8, "color": ACTIVE_RING_COLOR, "weight": 3},
         (True, True): {"radius": 9, "color": ACTIVE_RING_COLOR, "weight": 5}}


def partner_styles() -> tuple[list[dict], dict[tuple[str, bool, bool], int]]:
    """Style table of organisation markers and its index by ``(kind, donor, active)``.

    One fill colour per kind of :data:`geo.fields.KINDS`; the ring says donor and whether
    the organisation gave activities in the school year shown (``activiteiten`` > 0).
    """
    styles: list[dict] = []
    index: dict[tuple[str, bool, bool], int] = {}
    for kind in registry.KINDS:
        for (donor, active), ring in _RING.items():
            index[(kind.code, donor, active)] = len(styles)
            styles.append({**ring, "fillColor": kind.colour, "fillOpacity": 0.95})
    return styles, index


def partner_texts(partners: pd.DataFrame) -> pd.DataFrame:
    """``partners`` with the display columns the partner popup shows (plain text)."""
    frame = partners.copy()
    labels = registry.kind_labels()
    kinds = [labels.get(str(k), str(k or "")) for k in frame.get(
        "soort", pd.Series([""] * len(frame), index=frame.index))]
    donors = _flags(frame, "donateur")
    frame["soort_tekst"] = [f"{k} · donateur" if d else k
                            for k, d in zip(kinds, donors, strict=True)]
    place = frame["plaats"] if "plaats" in frame else pd.Series("", index=frame.index)
    if "gemeentenaam" in frame:
        place = place.where(place.fillna("").astype(str).str.strip() != "",
                            frame["gemeentenaam"])
    frame["plaats_tekst"] = place
    if "ambassadeur_voor" in frame:
        frame["ambassadeur_tekst"] = [
            f"Ambassadeur voor {v}" if isinstance(v, str) and v.strip() else None
            for v in frame["ambassadeur_voor"]]
    frame["locatie"] = [f"Locatie: {text}" for text in _precision_column(frame, "geen")]
    return frame


def partner_popup_lines(*, show_personal: bool) -> list[Line]:
    """The lines of a partner popup; contact fields only when ``show_personal``."""
    lines = [Line("naam", strong=True), Line("soort_tekst"), Line("plaats_tekst"),
             Line("website"), Line("ambassadeur_tekst"), Line("activiteiten_tekst", em=True)]
    if show_personal:
        lines += [Line("contactpersoon", "Contact"), Line("email", "E-mail"),
                  Line("telefoon", "Telefoon")]
    return [*lines, Line("locatie", em=True)]


def _flags(frame: pd.DataFrame, column: str) -> list[bool]:
    if column not in frame:
        return [False] * len(frame)
    return [bool(v) if not pd.isna(v) else False for v in frame[column]]


def _partner_style_index(frame: pd.DataFrame) -> list[int]:
    _, index = partner_styles()
    fallback = registry.FALLBACK_KIND
    kinds = frame["soort"] if "soort" in frame else [fallback] * len(frame)
    active = [bool(n) and n > 0 for n in frame["activiteiten"].fillna(0)] if (
        "activiteiten" in frame) else [False] * len(frame)
    return [index.get((str(k), d, a), index[(fallback, d, a)])
            for k, d, a in zip(kinds, _flags(frame, "donateur"), active, strict=True)]


def add_partners(fmap: folium.Map, partners: pd.DataFrame, *, show_personal: bool = False,
                 cluster: bool = True, name: str = "Partners") -> int:
    """Add organisations as one data layer, coloured by kind; donors get a thick dark ring.

    Personal fields are shown only when ``show_personal`` is true AND present in the
    frame; public pages pass a frame that does not contain them at all. With an
    ``activiteiten`` column (:func:`geo.output.reach_maps.with_partner_activity`) the
    partners that gave activities get a green ring.
    Returns the number of organisations drawn.
    """
    frame = partner_texts(_located(partners))
    styles, _ = partner_styles()
    layer = PointLayer(
        name, frame, styles=styles, style=_partner_style_index(frame),
        class_name="ik-partner", tooltip=["naam"],
        popup=partner_popup_lines(show_personal=show_personal),
        cluster={"disableClusteringAtZoom": 12, "maxClusterRadius": 40} if cluster else None,
    )
    layer.public_payload = not show_personal  # then the popups hold no contact data
    layer.add_to(fmap)
    return len(frame)


def partner_legend(kinds: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """Legend entries for organisation kinds (all of :data:`geo.fields.KINDS`) and donors."""
    known = {kind.code: kind for kind in registry.KINDS}
    codes = list(kinds) if kinds is not None else list(known)
    items = [("punt", known[k].colour, known[k].label) for k in codes if k in known]
    items.append(("punt", "#ffffff", "Donateur: dikke donkere rand"))
    return items


def _one(record: pd.Series | dict) -> pd.DataFrame:
    return pd.DataFrame([dict(record)])


def add_point(fmap: folium.Map, lat: float, lon: float, *, name: str, tooltip: str,
              color: str, radius: int = 10, class_name: str = "ik-punt") -> None:
    """Add one highlighted point (a chosen place, a current location) with a tooltip."""
    PointLayer(
        name, _one({"lat": lat, "lon": lon, "tooltip": tooltip}), class_name=class_name,
        styles=[{"radius": radius, "color": "#ffffff", "weight": 3, "fillColor": color,
                 "fillOpacity": 1.0}],
        tooltip=["tooltip"],
    ).add_to(fmap)
