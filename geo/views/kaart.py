"""The page "Kaart": partners, schools and mbo infra on the map, and the ranking of areas.

Reach (issue 14): the schools are coloured by whether a given activity of the chosen
school year reached them (default: the current school year, :func:`geo.activities.school_year`),
the partners that took part in one get a green ring, and the white-spot score's school
part counts the vmbo schools not reached when that year has given activities
(:mod:`geo.analysis.reach`). Activities are read from the public view: the map never
shows who taught.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date

import folium
import geopandas as gpd
import pandas as pd

from geo import activities, fields
from geo.analysis.indicators import POPULATION_NOTE_NL, export_sheets, indicators
from geo.analysis.names import CHOROPLETH_INDICATORS, REACH_INDICATOR, share_column
from geo.analysis.proximity import filter_partners
from geo.analysis.reach import (
    partner_activity,
    reach_by_unit,
    reach_year,
    school_reach,
)
from geo.analysis.score import (
    rank_range_text,
    reach_year_of,
    school_part_name,
    score_caption_nl,
)
from geo.output import partner_maps, tables
from geo.output.focus import CHOSEN, Focus
from geo.output.reach_maps import with_partner_activity, with_school_reach
from geo.reference.data import OUTSIDE, REGIONS, Division, Reference
from geo.reference.levels import LEVEL_LABELS
from geo.reference.regions import unit_polygons
from geo.settings import DEFAULTS

#: The donor filter: code (as in the URL) → Dutch label.
DONOR_CHOICES = {"alle": "Alle organisaties", "ja": "Alleen donateurs", "nee": "Geen donateurs"}
_DONOR_FILTER = {"alle": None, "ja": True, "nee": False}

#: The columns of the ranking next to the map, in order.
RANKING_COLUMNS = [
    "rang", "rang_bereik", "naam", "score", "deelscore_schaarste", "deelscore_reistijd",
    "deelscore_scholen", "partners", "donateurs", "toegang_partners_per_10k_jongeren",
    "reistijd_mbo_infra_min_gemiddeld",
    *(share_column(t) for t in DEFAULTS.travel_thresholds_min),
    "scholen_vmbo", "scholen_vmbo_zonder_partner", "aandeel_scholen_met_partner",
]

#: Said under the map when the chosen school year has no given activity yet.
REACH_NOTE = (
    "Voor schooljaar {year} staan nog geen gegeven activiteiten in het register: elke school "
    "staat op de kaart als niet bereikt, en de witte-vlekscore telt nog de vmbo-scholen "
    "zonder partner binnen de straal. Het team importeert de planning op de pagina Bereik."
)

EXAMPLE_NOTICE = (
    "Deze kaart toont **voorbeeldgegevens** (verzonnen organisaties). Het team kan de "
    "echte partnerlijst importeren op de pagina Beheer; daar kunnen de voorbeelden ook "
    "worden verwijderd."
)


@dataclass(frozen=True)
class MapChoices:
    """What the visitor chose in the sidebar (the defaults are those of a fresh visit).

    Attributes
    ----------
    level : str
        Level of the ranking and the choropleth.
    indicator : str
        Column that colours the map; ``""`` for none.
    radius_km : float
        Radius for "a partner near the school".
    kinds : sequence of str or None
        Organisation kinds drawn; None for every kind.
    donors : str
        A key of :data:`DONOR_CHOICES`.
    active_only : bool
        Draw only active organisations.
    regions : sequence of str or None
        Region codes drawn; None for all five.
    show_schools, vmbo_only : bool
        Draw the schools; only those with vmbo.
    school_year : str or None
        The school year whose reach colours the schools (``"2025-2026"``); None for the
        current one.
    reach_kinds : sequence of str or None
        The kinds of activity that count as reaching a school on the map and in the
        "Bereik vmbo-scholen" colouring; None for every kind. (The score counts every kind.)
    """

    level: str = DEFAULTS.level
    indicator: str = DEFAULTS.choropleth
    radius_km: float = DEFAULTS.radius_km
    kinds: Sequence[str] | None = None
    donors: str = "alle"
    active_only: bool = True
    regions: Sequence[str] | None = None
    show_schools: bool = True
    vmbo_only: bool = False
    school_year: str | None = None
    reach_kinds: Sequence[str] | None = None


@dataclass(frozen=True)
class RankingView:
    """The ranking beside the map: what depends on the level, radius and school year.

    The page draws it in the full run; the map (:func:`kaart_map`) is redrawn on its own
    when only a filter of the map changes.

    Attributes
    ----------
    example_notice : str or None
        Shown when the register holds example organisations.
    ranking_title : str
    ranking : pandas.DataFrame
        :data:`RANKING_COLUMNS`, sorted by rank: the score, its three parts and
        ``rang_bereik``, the ranks the unit gets when the weights move (``"2–4"``).
    score_caption, population_note : str
        Captions of the ranking: the score with its weights, the population figures.
    csv, xlsx : bytes
        The whole table with its explanation, to download.
    file_stem : str
        Name of the downloads without the suffix.
    indicators : pandas.DataFrame
        The indicator table the ranking is made of (figures per area, nothing personal);
        :func:`kaart_map` colours the choropleth with it.
    ranking_units : geopandas.GeoDataFrame or None
        One row per row of ``ranking``, in the same order: the unit's ``code``, ``naam``
        and outline (WGS84), for :meth:`ranking_focus`.
    school_year : str
        The school year of the reach on the map.
    school_part : str
        The Dutch name of the score's school part ("vmbo-scholen niet bereikt in
        2025-2026", or "vmbo-scholen zonder partner" when the year has no given activity);
        with reach the ranking also has ``scholen_vmbo_niet_bereikt``.
    reach_note : str or None
        Said when the school year has no given activity yet.
    """

    example_notice: str | None
    ranking_title: str
    ranking: pd.DataFrame
    score_caption: str
    population_note: str
    csv: bytes
    xlsx: bytes
    file_stem: str
    indicators: pd.DataFrame
    ranking_units: gpd.GeoDataFrame | None = None
    school_year: str = ""
    school_part: str = ""
    reach_note: str | None = None

    @property
    def school_part_header(self) -> str:
        """The ranking's short heading of the score's school part."""
        reach = "scholen_vmbo_niet_bereikt" in self.ranking.columns
        return "Vmbo niet bereikt" if reach else "Vmbo zonder partner"

    @property
    def ranking_key(self) -> str:
        """A short fingerprint of the ranking's order.

        A page keys the table's selection with it, so a chosen row is forgotten when the
        rows change (another level, division or radius).
        """
        codes = "" if self.ranking_units is None else ",".join(self.ranking_units["code"])
        return hashlib.sha256(codes.encode("utf-8")).hexdigest()[:12]

    def ranking_focus(self, position: int | None) -> Focus | None:
        """The area of the ranking row at ``position`` (0 = first as shown), outlined.

        The map fits the area and marks it ``Gekozen: <naam>``; None for no row or a
        position out of range (the rows changed).
        """
        units = self.ranking_units
        if units is None or position is None or not 0 <= position < len(units):
            return None
        unit = units.iloc[int(position)]
        shape = unit.geometry
        if shape is None or shape.is_empty:
            return None
        west, south, east, north = shape.bounds
        inside = shape.representative_point()
        return Focus(inside.y, inside.x, label=f"Gekozen: {unit['naam']}", kind=CHOSEN,
                     bounds=((south, west), (north, east)), outline=shape.__geo_interface__)


@dataclass(frozen=True)
class KaartMap:
    """The map of the page "Kaart" and its counts (:func:`kaart_map`).

    Attributes
    ----------
    fmap : folium.Map
        Boundaries, choropleth, schools, mbo infra and organisations.
    map_caption : str
        Counts under the map.
    """

    fmap: folium.Map
    map_caption: str


@dataclass(frozen=True)
class MapView(RankingView):
    """The whole page at once (:func:`map_view`): the ranking and the map.

    Attributes
    ----------
    fmap : folium.Map or None
    map_caption : str
        As in :class:`KaartMap`.
    """

    fmap: folium.Map | None = None
    map_caption: str = ""


def school_years(store, today: date | None = None) -> tuple[list[str], str]:
    """The school years the sidebar offers (newest first) and the one chosen first.

    Every school year with activities and the current one; first the one
    :func:`geo.activities.first_school_year` chooses.
    """
    today = today or date.today()
    known = store.activities.school_years()
    return (activities.school_year_choices(known, today),
            activities.first_school_year(known, today))


#: Columns the public never sees: left out of a cache key (the key of a staff view and of
#: the public view of the same register must be the same).
_STAFF_ONLY_COLUMNS = frozenset(f.name for f in fields.fields_of("organisaties") if f.staff_only)


class IndicatorCache:
    """The latest indicator tables, keyed by the content of what they were computed from.

    A filter on the Kaart (a kind, donors, the schools shown) changes what is drawn, not
    the indicators; with this cache such a change does not compute them again. The key is
    a hash of every input (the level, radius, division and school year, and the rows of
    the partners, schools, mbo places and activities), so any change to the register
    gives a new key: nothing goes stale. Tables hold figures per area only (no personal
    data), so one cache may serve every session. Safe to share between threads.
    """

    def __init__(self, max_entries: int = 16) -> None:
        self.max_entries = max_entries
        self._tables: OrderedDict[str, pd.DataFrame] = OrderedDict()
        self._lock = threading.Lock()

    def table(self, key: str, compute) -> pd.DataFrame:
        """A copy of the table stored under ``key``, computed by ``compute()`` if absent."""
        with self._lock:
            found = self._tables.get(key)
            if found is not None:
                self._tables.move_to_end(key)
        if found is None:
            found = compute()
            with self._lock:
                self._tables[key] = found
                while len(self._tables) > self.max_entries:
                    self._tables.popitem(last=False)
        return found.copy()


def content_key(*parts: object) -> str:
    """A SHA-256 over ``parts``: frames by their rows (pandas' hash), others by ``repr``."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame | pd.Series):
            names = list(part.columns) if isinstance(part, pd.DataFrame) else [part.name]
            digest.update(repr(names).encode("utf-8"))
            digest.update(pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes())
        else:
            digest.update(repr(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _frames(store, division: Division, *, show_personal: bool, year: str):
    """Organisations and schools (with their subregion) and the year's public activities."""
    organisations = store.organisations(include_personal=show_personal)
    schools = store.schools()
    sub_of = division.subregion_of()
    for frame in (organisations, schools):
        frame["subregio"] = frame["gemeentecode"].map(sub_of).fillna(OUTSIDE)
    done = store.activities.all(school_year=year)  # the public view: no guest teachers
    return organisations, schools, done


def _year(choices: MapChoices) -> str:
    return activities.parse_school_year(choices.school_year or
                                        activities.school_year(date.today()))


def ranking_view(
    store,
    *,
    reference: Reference,
    division: Division,
    choices: MapChoices,
    boundaries: dict,
    cache: IndicatorCache | None = None,
) -> RankingView:
    """The ranking of the page "Kaart" and its downloads.

    Only ``level``, ``radius_km`` and ``school_year`` of ``choices`` count: the filters
    change the map, never the figures.

    Parameters
    ----------
    store : geo.register.store.Store
        The register.
    reference, division : Reference, Division
        The reference data and the session's subregion division.
    choices : MapChoices
    boundaries : dict
        :func:`geo.output.maps.boundary_layers` of the division (a page caches them).
    cache : IndicatorCache, optional
        Where the indicator table is kept between runs (a page shares one).
    """
    year = _year(choices)
    organisations, schools, done = _frames(store, division, show_personal=False, year=year)
    mbo = store.mbo_locations()
    active = organisations[organisations["actief"]]
    public = active[[c for c in active.columns if c not in _STAFF_ONLY_COLUMNS]]  # the key

    def compute() -> pd.DataFrame:
        return indicators(choices.level, reference=reference, division=division,
                          partners=active, schools=schools, mbo=mbo,
                          radius_km=choices.radius_km, reach=reach_year(done, year))

    table = compute() if cache is None else cache.table(content_key(
        choices.level, choices.radius_km, division.name, division.table, year, public,
        schools, mbo, done), compute)

    score_year = reach_year_of(table)
    ranking = table.assign(rang_bereik=[
        rank_range_text(lo, hi) for lo, hi in zip(table["rang_min"], table["rang_max"],
                                                  strict=True)])
    ranking = ranking.sort_values("rang")
    shapes = boundaries.get(choices.level)
    units = None if shapes is None else gpd.GeoDataFrame(
        ranking[["code", "naam"]].reset_index(drop=True),
        geometry=list(ranking["code"].map(shapes.set_index("code").geometry)),
        crs=shapes.crs)
    ranking = ranking[RANKING_COLUMNS + ([] if score_year is None
                                         else ["scholen_vmbo_niet_bereikt"])]
    ranking.attrs = {}  # the analysis settings are not for display
    sheets = export_sheets(table)
    return RankingView(
        example_notice=EXAMPLE_NOTICE if organisations["voorbeeld"].any() else None,
        ranking_title=f"Rangorde per {LEVEL_LABELS[choices.level].lower()}",
        ranking=ranking,
        score_caption=score_caption_nl(table.attrs.get("gewichten"), school_year=score_year),
        population_note=POPULATION_NOTE_NL,
        csv=tables.table_bytes(sheets, xlsx=False),
        xlsx=tables.table_bytes(sheets, xlsx=True),
        file_stem=f"witte-vlekken-{choices.level}",
        indicators=table,
        ranking_units=units,
        school_year=year,
        school_part=school_part_name(score_year),
        reach_note=None if score_year is not None else REACH_NOTE.format(year=year),
    )


def kaart_map(
    store,
    *,
    reference: Reference,
    division: Division,
    choices: MapChoices,
    indicator_table: pd.DataFrame,
    show_personal: bool,
    boundaries: dict,
) -> KaartMap:
    """The map of the page "Kaart" with every filter of ``choices`` applied.

    Parameters
    ----------
    store, reference, division, choices, boundaries
        As in :func:`ranking_view`.
    indicator_table : pandas.DataFrame
        :attr:`RankingView.indicators` of the same level, radius and school year: the
        choropleth colours the areas with it.
    show_personal : bool
        Contact data in the pop-ups (staff only).
    """
    year = _year(choices)
    organisations, schools, done = _frames(store, division, show_personal=show_personal,
                                           year=year)
    # The filters change what is drawn; the indicators use every active partner.
    shown = filter_partners(organisations, kinds=choices.kinds,
                            donor=_DONOR_FILTER[choices.donors],
                            active=True if choices.active_only else None)
    regions = list(REGIONS) if choices.regions is None else list(choices.regions)
    if len(regions) < len(REGIONS):
        shown = shown[shown["arbeidsmarktregio_code"].isin(regions)]
    shown = with_partner_activity(
        shown, partner_activity(done, school_year=year, kinds=choices.reach_kinds), year)
    schools_shown = with_school_reach(school_reach(
        done, schools[schools["arbeidsmarktregio_code"].isin(regions)], school_year=year,
        kinds=choices.reach_kinds), year)

    choropleth = None
    if choices.indicator:
        label, fmt = CHOROPLETH_INDICATORS[choices.indicator]
        coloured = indicator_table if choices.indicator != REACH_INDICATOR else reach_by_unit(
            choices.level, reference=reference, division=division, activities_frame=done,
            schools=schools, school_year=year, kinds=choices.reach_kinds)
        choropleth = (unit_polygons(choices.level, reference, division), coloured,
                      choices.indicator, label.replace("het schooljaar", year), fmt)
    mbo = store.places.all(active_only=True)  # every kind; the analysis: destinations
    fmap = partner_maps.build_partner_map(
        layers=boundaries, partners=shown, schools=schools_shown, mbo=mbo,
        show_personal=show_personal, show_schools=choices.show_schools,
        vmbo_only=choices.vmbo_only, choropleth=choropleth, kinds=choices.kinds,
        school_year=year,
    )
    unplaced = int(organisations["lat"].isna().sum())
    reached = int(schools_shown["bereikt"].sum())
    caption = (f"{int(shown['lat'].notna().sum())} organisaties op de kaart · "
               f"{len(schools_shown)} scholen ({reached} bereikt in {year}) · "
               f"{len(store.mbo_locations())} mbo-infra-locaties"
               + (f" · {unplaced} organisaties nog niet geplaatst" if unplaced else ""))
    return KaartMap(fmap=fmap, map_caption=caption)


def map_view(
    store,
    *,
    reference: Reference,
    division: Division,
    choices: MapChoices,
    show_personal: bool,
    boundaries: dict,
    cache: IndicatorCache | None = None,
) -> MapView:
    """The ranking and the map of the page "Kaart" in one; parameters as in those two.

    The page draws :func:`ranking_view` and :func:`kaart_map` apart, so that a filter
    redraws the map only.
    """
    ranking = ranking_view(store, reference=reference, division=division, choices=choices,
                           boundaries=boundaries, cache=cache)
    drawn = kaart_map(store, reference=reference, division=division, choices=choices,
                      indicator_table=ranking.indicators, show_personal=show_personal,
                      boundaries=boundaries)
    return MapView(**{f.name: getattr(ranking, f.name) for f in dataclass_fields(RankingView)},
                   fmap=drawn.fmap, map_caption=drawn.map_caption)
