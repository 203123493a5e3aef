"""Indicators per unit, the white-spot score and the "wat als" scenario.

Pure functions on DataFrames: the register frames come in (as
:meth:`geo.register.store.Store.organisations`, :meth:`~geo.register.store.Store.schools` and
:meth:`~geo.register.store.Store.mbo_locations` return them, or the bundled reference data via
:func:`reference_schools` / :func:`reference_mbo_locations`), one row per unit comes out,
at the level ``gemeente`` (46), ``subregio`` (per division) or ``arbeidsmarktregio`` (5).

Units are joined on GM codes only: a partner, school or PC4 area is counted in the unit of
its ``gemeentecode`` (the 2024 municipality, so Heerhugowaard counts in Dijk en Waard and
Weesp in Amsterdam); the subregion is re-derived from that code with the active division.

Distances between points are computed in RD New (EPSG:28992). Travel figures come from a
:class:`geo.analysis.travel.TravelModel` and are estimates. The Dutch texts :data:`SCORE_UITLEG`,
:data:`PARTNER_UITLEG` and :data:`BEVOLKING_UITLEG` explain the figures on the "Over" page.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.analysis.proximity import nearest, to_rd
from geo.analysis.travel import DEFAULT_MODE, StraightLineModel, TravelModel, check_mode
from geo.errors import AddressError
from geo.fields import partner_kind_codes
from geo.reference.data import Division, Reference
from geo.reference.regions import LEVELS, assign_areas

#: Organisation kinds counted as partners by default: the companies of the network.
#: Municipalities (``overheid``) and schools (``onderwijs``) are members too, but they
#: are present everywhere by nature (every unit has a municipality; schools are counted
#: separately) and a school organisation would make its own school "have a partner".
#: The kinds with ``partner=True`` in :data:`geo.fields.KINDS`.
PARTNER_SOORTEN: tuple[str, ...] = partner_kind_codes()

#: The table columns, in order: the CLI contract first, then the supporting columns.
TABLE_COLUMNS: list[str] = [
    "code", "naam", "arbeidsmarktregio_code", "partners", "donateurs", "inwoners_10_19",
    "partners_per_10k_jongeren", "scholen", "scholen_vmbo", "aandeel_scholen_met_partner",
    "afstand_mbo_infra_km_gemiddeld", "afstand_mbo_infra_km_max",
    "reistijd_mbo_infra_min_gemiddeld", "score", "rang",
]
EXTRA_COLUMNS: list[str] = [
    "arbeidsmarktregio", "scholen_met_partner", "reistijd_mbo_infra_min_max",
    "deelscore_schaarste", "deelscore_reistijd", "deelscore_scholen",
]

#: Dutch description of every column, for the Excel "Uitleg" sheet and the pages.
COLUMN_DESCRIPTIONS_NL: dict[str, str] = {
    "code": "Code van het gebied (GM-code, subregionaam of AM-code)",
    "naam": "Naam van het gebied",
    "arbeidsmarktregio_code": "Arbeidsmarktregio (CBS-code)",
    "partners": "Actieve partners met een bekende locatie in het gebied (zie uitleg)",
    "donateurs": "Actieve donateurs met een bekende locatie in het gebied (elke soort)",
    "inwoners_10_19": "Inwoners van 10 tot 20 jaar (CBS postcodecijfers 2021)",
    "partners_per_10k_jongeren": "Partners per 10.000 inwoners van 10 tot 20 jaar",
    "scholen": "Vestigingen voortgezet onderwijs (DUO) in het gebied",
    "scholen_vmbo": "Waarvan met vmbo (basis/kader of gemengd/theoretisch)",
    "aandeel_scholen_met_partner": (
        "Aandeel (0–1) van de scholen met minstens één partner binnen de straal (hemelsbreed)"
    ),
    "afstand_mbo_infra_km_gemiddeld": (
        "Geschatte reisafstand (km) naar de dichtstbijzijnde mbo-infralocatie, gewogen "
        "gemiddelde over de postcodegebieden naar aantal jongeren"
    ),
    "afstand_mbo_infra_km_max": "Grootste geschatte reisafstand (km) vanuit een postcodegebied",
    "reistijd_mbo_infra_min_gemiddeld": (
        "Geschatte reistijd (minuten) naar de dichtstbijzijnde mbo-infralocatie, gewogen "
        "gemiddelde naar aantal jongeren"
    ),
    "score": "Witte-vlekscore 0–100: hoe hoger, hoe meer aandacht nodig",
    "rang": "Rang op de witte-vlekscore (1 = meeste aandacht nodig)",
    "arbeidsmarktregio": "Naam van de arbeidsmarktregio",
    "scholen_met_partner": "Scholen met minstens één partner binnen de straal",
    "reistijd_mbo_infra_min_max": "Langste geschatte reistijd (minuten) vanuit een postcodegebied",
    "deelscore_schaarste": "Deelscore partnerschaarste (0–100)",
    "deelscore_reistijd": "Deelscore reisbelasting (0–100)",
    "deelscore_scholen": "Deelscore scholen zonder partner in de buurt (0–100)",
}

PARTNER_UITLEG = (
    "Als partner telt een **actieve** organisatie met een **bekende locatie** van de soort "
    "aannemer, ingenieursbureau, netbeheerder of overig. Gemeenten (overheid) en "
    "onderwijsinstellingen zijn ook lid van het netwerk, maar tellen hier niet mee: elke "
    "gemeente heeft er één, en een school zou anders zichzelf als partner in de buurt "
    "hebben. Donateurs worden wel van elke soort geteld. Een organisatie telt in de gemeente "
    "van haar adres (gemeentelijke indeling 2024, dus Heerhugowaard in Dijk en Waard en "
    "Weesp in Amsterdam). Voor 'scholen met een partner binnen de straal' tellen ook "
    "partners net buiten het werkgebied mee (hemelsbrede afstand)."
)

BEVOLKING_UITLEG = (
    "Het aantal jongeren is het aantal inwoners van 10 tot 20 jaar per postcodegebied (PC4) "
    "uit de CBS-postcodecijfers van **2021**, afgerond op vijftallen. Elk postcodegebied "
    "telt volledig mee in de gemeente (indeling 2024) waar het grootste deel van zijn "
    "oppervlak ligt; postcodegebieden op een gemeentegrens worden dus niet gesplitst. "
    "Afstanden en reistijden worden gemeten vanaf het midden van elk postcodegebied en "
    "gewogen naar het aantal jongeren dat er woont."
)


@dataclass(frozen=True)
class ScoreWeights:
    """Weights and anchor of the white-spot score (see :func:`white_spot_score`).

    Parameters
    ----------
    schaarste : float
        Weight of partner scarcity.
    reistijd : float
        Weight of the travel burden to the nearest mbo infra place.
    scholen : float
        Weight of schools without a partner within the radius.
    reistijd_max_min : float
        Mean travel time (minutes, one way) at which the travel burden reaches 100.
    """

    schaarste: float = 0.4
    reistijd: float = 0.4
    scholen: float = 0.2
    reistijd_max_min: float = 120.0

    def __post_init__(self) -> None:
        values = (self.schaarste, self.reistijd, self.scholen)
        if any((not np.isfinite(v)) or v < 0 for v in values) or sum(values) <= 0:
            raise ValueError("De gewichten moeten 0 of groter zijn en niet allemaal 0.")
        if not np.isfinite(self.reistijd_max_min) or self.reistijd_max_min <= 0:
            raise ValueError("De maximale reistijd moet groter dan 0 minuten zijn.")


def score_explanation_nl(weights: ScoreWeights | None = None) -> str:
    """Dutch explanation of the white-spot score with the given weights (Markdown)."""
    w = weights or ScoreWeights()
    return (
        "De **witte-vlekscore** (0–100, hoger = meer aandacht nodig) is het gewogen "
        "gemiddelde van drie deelscores, elk van 0 tot 100:\n\n"
        "- **Partnerschaarste** = 100 × G / (G + P). Hierin is P het aantal partners per "
        "10.000 jongeren (10–19 jaar) in het gebied en G hetzelfde getal voor het hele "
        "werkgebied. Geen partners geeft 100, precies gemiddeld geeft 50, ver boven "
        "gemiddeld gaat naar 0. Zijn er nergens partners, dan is de deelscore overal 100.\n"
        "- **Reisbelasting** = 100 × gemiddelde geschatte reistijd naar de dichtstbijzijnde "
        f"mbo-infralocatie / {w.reistijd_max_min:g} minuten, met een maximum van 100.\n"
        "- **Scholen zonder partner** = 100 × (1 − aandeel scholen met minstens één partner "
        "binnen de straal).\n\n"
        f"Gewichten: partnerschaarste {w.schaarste:g}, reisbelasting {w.reistijd:g}, "
        f"scholen zonder partner {w.scholen:g}. De score is Σ gewicht × deelscore / Σ "
        "gewicht; een deelscore die niet te berekenen is (bijvoorbeeld een gemeente zonder "
        "school) telt niet mee.\n\n"
        "Meer partners in een gebied laat de score van dat gebied dalen of gelijk; een "
        "langere reistijd laat hem stijgen of gelijk. De deelscores gebruiken vaste "
        "ijkpunten in plaats van het beste en slechtste gebied, zodat een nieuwe locatie in "
        "de ene regio de reisbelasting van een andere regio niet verandert (wel de rang)."
    )


#: The score explanation with the default weights, for the "Over" page.
SCORE_UITLEG = score_explanation_nl()

#: One-line version of the score explanation, for a caption next to the ranked table.
SCORE_UITLEG_KORT = (
    "Witte-vlekscore 0–100 (hoger = meer aandacht nodig): gewogen gemiddelde van "
    "partnerschaarste (0,4), geschatte reistijd naar de dichtstbijzijnde mbo-infralocatie "
    "(0,4) en scholen zonder partner binnen de straal (0,2). Uitleg op de pagina Over."
)

#: Short note on the population figures, for a caption under a table.
BEVOLKING_NOOT = (
    "Jongeren = inwoners van 10 tot 20 jaar per postcodegebied (CBS, 2021), geteld in de "
    "gemeente (2024) waar het grootste deel van het postcodegebied ligt. Reistijden en "
    "-afstanden zijn schattingen (hemelsbreed × omwegfactor)."
)


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"Onbekend niveau '{level}'; kies uit {', '.join(LEVELS)}.")
    return level


def units_of(
    level: str, reference: Reference, division: Division | None = None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The units at ``level`` and the map gemeentecode → unit code.

    Parameters
    ----------
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    reference : Reference
    division : Division, optional
        The subregion division; the bundled proposal when omitted.

    Returns
    -------
    units : pandas.DataFrame
        ``code``, ``naam``, ``arbeidsmarktregio_code``, ``arbeidsmarktregio``; sorted by
        code. A subregion's code is its name; a subregion spanning two regions gets the
        region of its first municipality (as :func:`geo.reference.regions.unit_polygons`).
    code_of : dict
        gemeentecode → unit code, for the municipalities of the five regions.
    """
    _check_level(level)
    division = division or reference.default_division
    gem = reference.gemeenten[
        ["gemeentecode", "gemeentenaam", "arbeidsmarktregio_code", "arbeidsmarktregio"]
    ].sort_values("gemeentecode")
    gem = pd.DataFrame(gem).assign(subregio=gem["gemeentecode"].map(division.subregion_of()))
    if level == "gemeente":
        units = gem.rename(columns={"gemeentecode": "code", "gemeentenaam": "naam"})
        code_of = dict(zip(gem["gemeentecode"], gem["gemeentecode"], strict=True))
    elif level == "subregio":
        units = gem.groupby("subregio", as_index=False, sort=True).first()
        units = units.assign(code=units["subregio"], naam=units["subregio"])
        code_of = dict(zip(gem["gemeentecode"], gem["subregio"], strict=True))
    else:
        units = gem.groupby("arbeidsmarktregio_code", as_index=False, sort=True).first()
        units = units.assign(code=units["arbeidsmarktregio_code"],
                             naam=units["arbeidsmarktregio"])
        code_of = dict(zip(gem["gemeentecode"], gem["arbeidsmarktregio_code"], strict=True))
    units = units[["code", "naam", "arbeidsmarktregio_code", "arbeidsmarktregio"]]
    return units.sort_values("code").reset_index(drop=True), code_of


def _flag(frame: pd.DataFrame, column: str, default: bool) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(default, index=frame.index)
    return frame[column].map(lambda v: bool(v) if pd.notna(v) else False).astype(bool)


def _xy(frame: pd.DataFrame, lat: str = "lat", lon: str = "lon") -> np.ndarray:
    if frame.empty or lat not in frame.columns or lon not in frame.columns:
        return np.empty((0, 2))
    return to_rd(frame[lon].to_numpy(), frame[lat].to_numpy())


def _gemeentecodes(frame: pd.DataFrame, reference: Reference) -> pd.Series:
    """GM code per row: the ``gemeentecode`` column, else derived from lat/lon."""
    for column in ("gemeentecode", "gemeentecode_duo"):
        if column in frame.columns:
            codes = frame[column].astype(object).where(frame[column].notna(), None)
            break
    else:
        codes = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    missing = codes.isna()
    if missing.any() and {"lat", "lon"} <= set(frame.columns):
        sub = frame.loc[missing]
        areas = assign_areas(sub["lon"].to_numpy(float), sub["lat"].to_numpy(float), reference)
        codes.loc[missing] = areas["gemeentecode"].to_numpy()
    return codes


def active_partners(
    partners: pd.DataFrame, *, soorten: Collection[str] | None = PARTNER_SOORTEN
) -> pd.DataFrame:
    """The organisations that count as partners: active, located, of ``soorten``.

    Parameters
    ----------
    partners : pandas.DataFrame
        As :meth:`geo.register.store.Store.organisations` (public variant is enough).
    soorten : collection of str, optional
        Kinds to count; None counts every kind. Default :data:`PARTNER_SOORTEN`.

    Returns
    -------
    pandas.DataFrame
        A filtered copy.
    """
    keep = _flag(partners, "actief", True)
    if soorten is not None and "soort" in partners.columns:
        keep &= partners["soort"].isin(list(soorten))
    xy = _xy(partners)
    if len(xy):
        keep &= np.isfinite(xy).all(axis=1)
    else:
        keep &= False
    return partners.loc[keep].copy()


def reference_schools(reference: Reference) -> pd.DataFrame:
    """The bundled DUO schools in the shape of :meth:`geo.register.store.Store.schools`."""
    s = reference.scholen
    return pd.DataFrame({
        "vestigingscode": s["vestigingscode"].to_numpy(),
        "naam": s["vestigingsnaam"].to_numpy(),
        "gemeentecode": s["gemeentecode_duo"].to_numpy(),
        "heeft_vmbo": s["heeft_vmbo"].to_numpy(bool),
        "lat": s["lat"].to_numpy(float),
        "lon": s["lon"].to_numpy(float),
    })


def reference_mbo_locations(reference: Reference, gazetteer=None) -> pd.DataFrame:
    """The bundled mbo infra places, located with the offline gazetteer.

    Parameters
    ----------
    reference : Reference
    gazetteer : geo.reference.gazetteer.Gazetteer, optional
        Built from ``reference`` when omitted.

    Returns
    -------
    pandas.DataFrame
        ``naam``, ``instelling``, ``plaats``, ``lat``, ``lon``, ``nauwkeurigheid``,
        ``gemeentecode`` (as :meth:`geo.register.store.Store.mbo_locations`).
    """
    from geo.reference.gazetteer import Gazetteer

    gaz = gazetteer or Gazetteer(reference)
    rows = []
    for row in reference.mbo.itertuples(index=False):
        found = gaz.postcode(row.postcode) if row.postcode else None
        found = found or gaz.place(row.plaats)
        rows.append({
            "naam": row.naam, "instelling": row.instelling, "plaats": row.plaats,
            "lat": found.lat if found else np.nan, "lon": found.lon if found else np.nan,
            "nauwkeurigheid": found.precision if found else "geen",
        })
    frame = pd.DataFrame(rows)
    frame["gemeentecode"] = _gemeentecodes(frame, reference).to_numpy()
    return frame


# ---------------------------------------------------------------------------------------
# Indicators
# ---------------------------------------------------------------------------------------


def pc4_travel(
    reference: Reference,
    mbo: pd.DataFrame,
    *,
    travel: TravelModel | None = None,
    mode: str = DEFAULT_MODE,
) -> pd.DataFrame:
    """Estimated distance and time from every PC4 area of the five regions to mbo infra.

    Parameters
    ----------
    reference : Reference
    mbo : pandas.DataFrame
        The mbo infra places with ``lat``/``lon`` (rows without a location are skipped).
    travel : TravelModel, optional
        Default :class:`geo.analysis.travel.StraightLineModel`.
    mode : {"fiets", "ov_auto"}

    Returns
    -------
    pandas.DataFrame
        ``pc4``, ``gemeentecode``, ``inw_10_19``, ``afstand_km`` (travel distance to the
        nearest place), ``reistijd_min`` (time to the place that is quickest to reach);
        NaN when no mbo place has a location.
    """
    check_mode(mode)
    travel = travel or StraightLineModel()
    pc4 = reference.pc4
    pc4 = pc4[pc4["gemeentecode"].isin(set(reference.gemeenten["gemeentecode"]))]
    out = pd.DataFrame({
        "pc4": pc4["pc4"].to_numpy(),
        "gemeentecode": pc4["gemeentecode"].to_numpy(),
        "inw_10_19": pc4["inw_10_19"].fillna(0).to_numpy(float),
    })
    origins = to_rd(pc4["lon_pos"].to_numpy(), pc4["lat_pos"].to_numpy())
    places = _xy(mbo)
    places = places[np.isfinite(places).all(axis=1)] if len(places) else places
    if len(places) == 0:
        out["afstand_km"] = np.nan
        out["reistijd_min"] = np.nan
        return out
    out["afstand_km"] = travel.distances_km(origins, places).min(axis=1)
    out["reistijd_min"] = travel.durations_min(origins, places, mode=mode).min(axis=1)
    return out


def _weighted_by_unit(per_pc4: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per unit: population-weighted mean and maximum of ``column`` over its PC4 areas.

    Areas without young inhabitants are left out of both; a unit where nobody aged
    10–19 lives gets the plain mean and maximum of all its areas.
    """
    values = per_pc4[column].to_numpy(float)
    weights = per_pc4["inw_10_19"].to_numpy(float)
    inhabited = (weights > 0) & np.isfinite(values)
    frame = pd.DataFrame({
        "unit": per_pc4["unit"].to_numpy(),
        "vw": np.where(inhabited, values * weights, 0.0),
        "w": np.where(inhabited, weights, 0.0),
        "v_inhabited": np.where(inhabited, values, np.nan),
        "v": values,
    })
    grouped = frame.groupby("unit")
    sums = grouped[["vw", "w"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(sums["w"] > 0, sums["vw"] / sums["w"], grouped["v"].mean())
    maximum = grouped["v_inhabited"].max().fillna(grouped["v"].max())
    return pd.DataFrame({"mean": mean, "max": maximum}, index=sums.index)


def indicators(
    level: str,
    *,
    reference: Reference,
    division: Division | None = None,
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    mbo: pd.DataFrame,
    radius_km: float = 10.0,
    travel: TravelModel | None = None,
    weights: ScoreWeights | None = None,
    mode: str = DEFAULT_MODE,
    soorten: Collection[str] | None = PARTNER_SOORTEN,
) -> pd.DataFrame:
    """Indicators and white-spot score, one row per unit at ``level``.

    Parameters
    ----------
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    reference : Reference
        Units, PC4 population (2021) and PC4 points.
    division : Division, optional
        Subregion division; the bundled proposal when omitted.
    partners : pandas.DataFrame
        Organisations (public columns suffice): ``soort``, ``actief``, ``donateur``,
        ``lat``, ``lon``, ``gemeentecode`` (derived from lat/lon when absent).
    schools : pandas.DataFrame
        ``gemeentecode`` (or ``gemeentecode_duo``), ``heeft_vmbo``, ``lat``, ``lon``.
    mbo : pandas.DataFrame
        The mbo infra places, ``lat``, ``lon``.
    radius_km : float
        Straight-line radius for "school with a partner nearby" (default 10 km).
    travel : TravelModel, optional
        Default :class:`geo.analysis.travel.StraightLineModel` (detour 1.3).
    weights : ScoreWeights, optional
        Weights of the white-spot score.
    mode : {"fiets", "ov_auto"}
        Mode for the travel times (default ``ov_auto``).
    soorten : collection of str, optional
        Organisation kinds counted as partners; see :data:`PARTNER_SOORTEN`.

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS` then :data:`EXTRA_COLUMNS`, sorted by ``rang``
        (1 = most attention needed), then ``code``. ``attrs`` records the settings.
    """
    _check_level(level)
    check_mode(mode)
    if not np.isfinite(radius_km) or radius_km < 0:
        raise ValueError("De straal moet 0 km of groter zijn.")
    travel = travel or StraightLineModel()
    weights = weights or ScoreWeights()
    units, code_of = units_of(level, reference, division)
    table = units.set_index("code")

    # Partners and donors, counted by the unit of their municipality.
    counted = active_partners(partners, soorten=soorten)
    unit = _gemeentecodes(counted, reference).map(code_of)
    table["partners"] = unit.value_counts().reindex(table.index, fill_value=0)
    donors = active_partners(partners, soorten=None)
    donors = donors[_flag(donors, "donateur", False)]
    unit_d = _gemeentecodes(donors, reference).map(code_of)
    table["donateurs"] = unit_d.value_counts().reindex(table.index, fill_value=0)

    # Young population (PC4 2021) and travel to the nearest mbo infra place.
    per_pc4 = pc4_travel(reference, mbo, travel=travel, mode=mode)
    per_pc4["unit"] = per_pc4["gemeentecode"].map(code_of)
    table["inwoners_10_19"] = (
        per_pc4.groupby("unit")["inw_10_19"].sum().reindex(table.index, fill_value=0.0)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        table["partners_per_10k_jongeren"] = np.where(
            table["inwoners_10_19"] > 0,
            table["partners"] / table["inwoners_10_19"] * 10_000.0,
            np.nan,
        )
    distance = _weighted_by_unit(per_pc4, "afstand_km").reindex(table.index)
    minutes = _weighted_by_unit(per_pc4, "reistijd_min").reindex(table.index)
    table["afstand_mbo_infra_km_gemiddeld"] = distance["mean"]
    table["afstand_mbo_infra_km_max"] = distance["max"]
    table["reistijd_mbo_infra_min_gemiddeld"] = minutes["mean"]
    table["reistijd_mbo_infra_min_max"] = minutes["max"]

    # Schools, and which have a partner within the radius (straight line, RD New).
    school_unit = _gemeentecodes(schools, reference).map(code_of)
    vmbo = _flag(schools, "heeft_vmbo", False)
    school_xy = _xy(schools)
    located = (np.isfinite(school_xy).all(axis=1) if len(school_xy)
               else np.zeros(len(schools), dtype=bool))
    partner_xy = _xy(counted)
    if len(partner_xy) and located.any():
        dist, _ = nearest(school_xy, partner_xy, k=1, max_distance_m=radius_km * 1000.0)
        near = np.isfinite(dist[:, 0])
    else:
        near = np.zeros(len(schools), dtype=bool)
    school_stats = pd.DataFrame({
        "unit": school_unit.to_numpy(), "vmbo": vmbo.to_numpy(bool),
        "located": located, "near": near & located,
    })
    grouped = school_stats.groupby("unit")
    table["scholen"] = grouped.size().reindex(table.index, fill_value=0)
    table["scholen_vmbo"] = grouped["vmbo"].sum().reindex(table.index, fill_value=0)
    table["scholen_met_partner"] = grouped["near"].sum().reindex(table.index, fill_value=0)
    n_located = grouped["located"].sum().reindex(table.index, fill_value=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["aandeel_scholen_met_partner"] = np.where(
            n_located > 0, table["scholen_met_partner"] / n_located, np.nan
        )

    for column in ("partners", "donateurs", "scholen", "scholen_vmbo", "scholen_met_partner"):
        table[column] = table[column].astype(int)
    table = white_spot_score(table.reset_index(), weights=weights)
    table.attrs.update({
        "niveau": level, "straal_km": float(radius_km), "reiswijze": mode,
        "reismodel": travel.describe_nl(), "gewichten": weights,
    })
    return table


def white_spot_score(table: pd.DataFrame, *, weights: ScoreWeights | None = None) -> pd.DataFrame:
    """Add the three partial scores, ``score`` and ``rang`` to an indicator table.

    ``score = Σ w_k · term_k / Σ w_k`` over the terms that can be computed, with

    - ``deelscore_schaarste = 100 · G / (G + P)``, P the unit's partners per 10,000
      young people and G the same for all units together (100 everywhere when G = 0);
    - ``deelscore_reistijd = 100 · min(1, t / reistijd_max_min)``, t the unit's
      population-weighted mean travel time;
    - ``deelscore_scholen = 100 · (1 − aandeel_scholen_met_partner)``.

    The anchors are fixed or (G) move with the unit's own count in the same direction,
    so one more partner in a unit never raises its score and a longer travel time never
    lowers it, and changes elsewhere leave a unit's travel and schools terms alone.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit (all units of a level) with ``code``, ``partners``,
        ``inwoners_10_19``, ``reistijd_mbo_infra_min_gemiddeld`` and
        ``aandeel_scholen_met_partner``.
    weights : ScoreWeights, optional

    Returns
    -------
    pandas.DataFrame
        A copy with the added columns, columns in :data:`TABLE_COLUMNS` +
        :data:`EXTRA_COLUMNS` order (others after), sorted by ``rang`` then ``code``.
    """
    w = weights or ScoreWeights()
    out = table.copy()
    partners = out["partners"].to_numpy(float)
    people = out["inwoners_10_19"].to_numpy(float)
    total_people = people[people > 0].sum()
    total_partners = partners[people > 0].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        if total_partners <= 0 or total_people <= 0:
            scarcity = np.where(people > 0, 100.0, np.nan)
        else:
            # 100·G/(G+P) = 100 / (1 + P/G), P/G = (partners/people)/(Σpartners/Σpeople)
            ratio = (partners / people) / (total_partners / total_people)
            scarcity = np.where(people > 0, 100.0 / (1.0 + ratio), np.nan)
    minutes = out["reistijd_mbo_infra_min_gemiddeld"].to_numpy(float)
    travel = 100.0 * np.minimum(1.0, np.maximum(minutes, 0.0) / w.reistijd_max_min)
    share = out["aandeel_scholen_met_partner"].to_numpy(float)
    schools = 100.0 * (1.0 - np.clip(share, 0.0, 1.0))
    out["deelscore_schaarste"] = scarcity
    out["deelscore_reistijd"] = travel
    out["deelscore_scholen"] = schools

    terms = np.column_stack([scarcity, travel, schools])
    weight = np.array([w.schaarste, w.reistijd, w.scholen], dtype=float)
    usable = np.isfinite(terms) & (weight > 0)
    num = np.where(usable, terms * weight, 0.0).sum(axis=1)
    den = np.where(usable, weight, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["score"] = np.where(den > 0, num / den, np.nan)
    out["rang"] = out["score"].rank(ascending=False, method="min", na_option="bottom")
    out["rang"] = out["rang"].astype(int)
    order = [c for c in TABLE_COLUMNS + EXTRA_COLUMNS if c in out.columns]
    out = out[order + [c for c in out.columns if c not in order]]
    return out.sort_values(["rang", "code"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Scenario "wat als"
# ---------------------------------------------------------------------------------------


#: Name of the hypothetical place in the scenario.
SCENARIO_PLACE_NAME = "Nieuwe mbo-infralocatie (wat als)"

SCENARIO_COLUMNS: list[str] = [
    "code", "naam", "arbeidsmarktregio_code", "inwoners_10_19",
    "reistijd_gemiddeld_nu", "reistijd_gemiddeld_wat_als", "reistijd_gemiddeld_verschil",
    "reistijd_max_nu", "reistijd_max_wat_als",
    "afstand_gemiddeld_nu", "afstand_gemiddeld_wat_als", "afstand_gemiddeld_verschil",
    "afstand_max_nu", "afstand_max_wat_als",
    "score_nu", "score_wat_als", "rang_nu", "rang_wat_als", "rang_verschil",
]


COLUMN_DESCRIPTIONS_NL.update({
    "reistijd_gemiddeld_nu": "Geschatte reistijd (min) naar mbo-infra, gewogen gemiddelde, nu",
    "reistijd_gemiddeld_wat_als": "Idem, met de nieuwe locatie",
    "reistijd_gemiddeld_verschil": "Verschil in minuten (negatief = korter)",
    "reistijd_max_nu": "Langste geschatte reistijd (min) vanuit een postcodegebied, nu",
    "reistijd_max_wat_als": "Idem, met de nieuwe locatie",
    "afstand_gemiddeld_nu": "Geschatte reisafstand (km), gewogen gemiddelde, nu",
    "afstand_gemiddeld_wat_als": "Idem, met de nieuwe locatie",
    "afstand_gemiddeld_verschil": "Verschil in km (negatief = korter)",
    "afstand_max_nu": "Grootste geschatte reisafstand (km) vanuit een postcodegebied, nu",
    "afstand_max_wat_als": "Idem, met de nieuwe locatie",
    "score_nu": "Witte-vlekscore nu",
    "score_wat_als": "Witte-vlekscore met de nieuwe locatie",
    "rang_nu": "Rang nu (1 = meeste aandacht nodig)",
    "rang_wat_als": "Rang met de nieuwe locatie",
    "rang_verschil": "Verandering van de rang (positief = minder urgent)",
})


def municipality_point(reference: Reference, gemeentecode: str) -> tuple[float, float]:
    """A representative point (lat, lon) of a municipality of the five regions.

    The PC4 point of the municipality closest to its population-weighted centre, so
    always where people live (never in a lake).

    Raises
    ------
    AddressError
        When ``gemeentecode`` is not one of the 46 municipalities.
    """
    code = str(gemeentecode).strip().upper()
    if code not in set(reference.gemeenten["gemeentecode"]):
        raise AddressError(f"'{gemeentecode}' is geen gemeentecode van het werkgebied.")
    pc4 = reference.pc4[reference.pc4["gemeentecode"] == code]
    weights = pc4["inw_totaal_2021"].fillna(0).to_numpy(float)
    xy = to_rd(pc4["lon_pos"].to_numpy(), pc4["lat_pos"].to_numpy())
    if weights.sum() <= 0:
        weights = np.ones(len(pc4))
    centre = np.average(xy, axis=0, weights=weights)
    idx = int(np.argmin(np.hypot(*(xy - centre).T)))
    return float(pc4["lat_pos"].iloc[idx]), float(pc4["lon_pos"].iloc[idx])


def resolve_location(
    new_location: tuple[float, float] | Sequence[float] | str, reference: Reference
) -> tuple[float, float]:
    """A (lat, lon) for a scenario location given as a point or a GM code."""
    if isinstance(new_location, str):
        return municipality_point(reference, new_location)
    lat, lon = (float(v) for v in new_location)
    if not (50.0 <= lat <= 54.0 and 3.0 <= lon <= 7.5):
        raise AddressError("De nieuwe locatie ligt niet in Nederland; kies een punt op de kaart.")
    return lat, lon


def scenario(
    level: str,
    *,
    new_location: tuple[float, float] | str,
    reference: Reference,
    division: Division | None = None,
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    mbo: pd.DataFrame,
    radius_km: float = 10.0,
    travel: TravelModel | None = None,
    weights: ScoreWeights | None = None,
    mode: str = DEFAULT_MODE,
    soorten: Collection[str] | None = PARTNER_SOORTEN,
) -> pd.DataFrame:
    """Today versus today plus one hypothetical mbo infra place, per unit.

    Parameters
    ----------
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    new_location : (lat, lon) or str
        WGS84 point, or a GM code (its representative point, see
        :func:`municipality_point`).
    reference, division, partners, schools, mbo, radius_km, travel, weights, mode, soorten
        As for :func:`indicators`.

    Returns
    -------
    pandas.DataFrame
        :data:`SCENARIO_COLUMNS`: travel time (min) and distance (km), mean and worst,
        today (``_nu``) and with the new place (``_wat_als``), the differences (negative
        = shorter), score and rank before and after (``rang_verschil`` > 0: the unit
        moves down the attention list). Sorted by the gain in mean travel time, largest
        first, then ``code``. ``attrs`` holds ``lat``/``lon`` of the new place and the
        weighted mean travel time over the whole area before and after.
    """
    lat, lon = resolve_location(new_location, reference)
    extra = pd.DataFrame([{"naam": SCENARIO_PLACE_NAME, "lat": lat, "lon": lon}])
    mbo_after = pd.concat([mbo, extra], ignore_index=True)
    options = dict(reference=reference, division=division, partners=partners, schools=schools,
                   radius_km=radius_km, travel=travel, weights=weights, mode=mode,
                   soorten=soorten)
    before = indicators(level, mbo=mbo, **options).set_index("code")
    after = indicators(level, mbo=mbo_after, **options).set_index("code").reindex(before.index)
    out = pd.DataFrame(index=before.index)
    out["naam"] = before["naam"]
    out["arbeidsmarktregio_code"] = before["arbeidsmarktregio_code"]
    out["inwoners_10_19"] = before["inwoners_10_19"]
    pairs = {
        "reistijd_gemiddeld": "reistijd_mbo_infra_min_gemiddeld",
        "reistijd_max": "reistijd_mbo_infra_min_max",
        "afstand_gemiddeld": "afstand_mbo_infra_km_gemiddeld",
        "afstand_max": "afstand_mbo_infra_km_max",
        "score": "score",
        "rang": "rang",
    }
    for name, column in pairs.items():
        out[f"{name}_nu"] = before[column]
        out[f"{name}_wat_als"] = after[column]
    out["reistijd_gemiddeld_verschil"] = out["reistijd_gemiddeld_wat_als"] - out[
        "reistijd_gemiddeld_nu"]
    out["afstand_gemiddeld_verschil"] = out["afstand_gemiddeld_wat_als"] - out[
        "afstand_gemiddeld_nu"]
    out["rang_verschil"] = out["rang_wat_als"] - out["rang_nu"]
    out = out.reset_index()[SCENARIO_COLUMNS]
    out = out.sort_values(["reistijd_gemiddeld_verschil", "code"], kind="stable")
    out = out.reset_index(drop=True)
    people = out["inwoners_10_19"].to_numpy(float)
    out.attrs.update({
        "lat": lat, "lon": lon, "niveau": level, "reiswijze": mode,
        "reistijd_werkgebied_nu": _mean(out["reistijd_gemiddeld_nu"], people),
        "reistijd_werkgebied_wat_als": _mean(out["reistijd_gemiddeld_wat_als"], people),
    })
    return out


def _mean(values: pd.Series, weights: np.ndarray) -> float:
    v = values.to_numpy(float)
    ok = np.isfinite(v) & (weights > 0)
    return float(np.average(v[ok], weights=weights[ok])) if ok.any() else float("nan")


# ---------------------------------------------------------------------------------------
# Output for people
# ---------------------------------------------------------------------------------------

_ROUNDING = {
    "partners_per_10k_jongeren": 2, "aandeel_scholen_met_partner": 3,
    "afstand_mbo_infra_km_gemiddeld": 1, "afstand_mbo_infra_km_max": 1,
    "reistijd_mbo_infra_min_gemiddeld": 0, "reistijd_mbo_infra_min_max": 0,
    "score": 1, "deelscore_schaarste": 1, "deelscore_reistijd": 1, "deelscore_scholen": 1,
}


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """A copy with figures rounded for people (km 0.1, minutes 1, score 0.1)."""
    out = table.copy()
    for column in out.columns:
        if column in _ROUNDING:
            out[column] = out[column].round(_ROUNDING[column])
        elif column.startswith(("reistijd_", "afstand_", "score_")) and pd.api.types.is_float_dtype(
            out[column]
        ):
            out[column] = out[column].round(0 if column.startswith("reistijd_") else 1)
    if "inwoners_10_19" in out.columns:
        out["inwoners_10_19"] = out["inwoners_10_19"].round(0).astype("Int64")
    return out


def export_sheets(table: pd.DataFrame, *, sheet_name: str = "Witte vlekken",
                  explanation: str | None = None) -> dict[str, pd.DataFrame]:
    """The table for a download or file, as sheets for :mod:`geo.output.tables`.

    The first sheet is the rounded table (:func:`rounded`; a CSV holds only this one),
    the second, "Uitleg", explains every column and the score.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`indicators` or :func:`scenario`.
    sheet_name : str
        Name of the data sheet.
    explanation : str, optional
        Extra text for the "Uitleg" sheet; defaults to :data:`SCORE_UITLEG`.

    Returns
    -------
    dict of str to pandas.DataFrame
        Sheet name → table, in order; write with :func:`geo.output.tables.xlsx_bytes`,
        :func:`geo.output.tables.csv_bytes` (first sheet) or :func:`geo.output.tables.write_table`.
    """
    notes = [(c, COLUMN_DESCRIPTIONS_NL.get(c, "")) for c in table.columns]
    notes += [("", ""), ("Witte-vlekscore", (explanation or SCORE_UITLEG).replace("**", ""))]
    notes += [("Partners", PARTNER_UITLEG.replace("**", "")),
              ("Jongeren", BEVOLKING_UITLEG.replace("**", ""))]
    return {
        sheet_name: rounded(table),
        "Uitleg": pd.DataFrame(notes, columns=["Kolom", "Betekenis"]),
    }


def top_units_text(table: pd.DataFrame, *, n: int = 3) -> list[str]:
    """Dutch lines explaining the ``n`` units that need most attention."""
    lines = []
    for row in table.sort_values(["rang", "code"]).head(n).itertuples(index=False):
        terms = {
            "weinig partners": row.deelscore_schaarste,
            "lange reistijd naar mbo-infra": row.deelscore_reistijd,
            "scholen zonder partner in de buurt": row.deelscore_scholen,
        }
        reasons = [k for k, v in sorted(terms.items(), key=lambda kv: -np.nan_to_num(kv[1]))
                   if pd.notna(v) and v >= 50]
        reason = ", ".join(reasons) if reasons else "geen uitschieter; relatief hoogste score"
        share = ("—" if pd.isna(row.aandeel_scholen_met_partner)
                 else f"{row.aandeel_scholen_met_partner:.0%}")
        lines.append(
            f"{row.rang}. {row.naam} — score {row.score:.1f} ({reason}); "
            f"{row.partners} partner{'' if row.partners == 1 else 's'}, "
            f"{row.partners_per_10k_jongeren:.1f} per 10.000 jongeren; "
            f"reistijd mbo-infra gem. {row.reistijd_mbo_infra_min_gemiddeld:.0f} min (schatting); "
            f"scholen met partner: {share}"
        )
    return lines

