"""Indicators per unit: partners, young people, schools and travel to mbo infra.

Pure functions on DataFrames: the register frames come in (as
:meth:`geo.register.store.Store.organisations`, :meth:`~geo.register.store.Store.schools` and
:meth:`~geo.register.store.Store.mbo_locations` return them, or the bundled reference data via
:func:`reference_schools` / :func:`reference_mbo_locations`), one row per unit comes out,
at the level ``gemeente`` (46), ``subregio`` (per division) or ``arbeidsmarktregio`` (5),
ranked by the white-spot score of :mod:`geo.analysis.score`.

Units are joined on GM codes only (:mod:`geo.analysis.units`): a partner, school or PC4
area is counted in the unit of its ``gemeentecode`` (the 2024 municipality, so
Heerhugowaard counts in Dijk en Waard and Weesp in Amsterdam); the subregion is re-derived
from that code with the active division.

Distances between points are computed in RD New (EPSG:28992). Travel figures come from a
:class:`geo.analysis.travel.TravelModel` and are estimates. The Dutch texts
:data:`PARTNER_EXPLANATION_NL` and :data:`POPULATION_EXPLANATION_NL` explain the figures on
the "Over" page and in the exports. Defaults (radius, mode, weights) come from
:data:`geo.settings.DEFAULTS`.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from geo.analysis.access import access_and_trips_by_unit, weighted_by_unit
from geo.analysis.names import COLUMN_DESCRIPTIONS_NL
from geo.analysis.proximity import nearest, to_rd
from geo.analysis.rail import area_model
from geo.analysis.reach import ReachYear, vmbo_not_reached_by_unit
from geo.analysis.score import (
    REACH_YEAR,
    ScoreWeights,
    reach_year_of,
    score_explanation_nl,
    white_spot_score,
)
from geo.analysis.travel import TravelModel, check_mode
from geo.analysis.units import check_level, gemeentecodes, units_of, young_people
from geo.fields import partner_kind_codes
from geo.reference.data import Division, Reference
from geo.settings import DEFAULTS

#: Organisation kinds counted as partners by default: the companies of the network.
#: Municipalities (``overheid``) and schools (``onderwijs``) are members too, but they
#: are present everywhere by nature (every unit has a municipality; schools are counted
#: separately) and a school organisation would make its own school "have a partner".
#: The kinds with ``partner=True`` in :data:`geo.fields.KINDS`.
PARTNER_KINDS: tuple[str, ...] = partner_kind_codes()

#: Dutch explanation of who counts as a partner, for the "Over" page and the exports.
PARTNER_EXPLANATION_NL = (
    "Als partner telt een **actieve** organisatie met een **bekende locatie** van de soort "
    "aannemer, ingenieursbureau, netbeheerder of overig. Gemeenten (overheid) en "
    "onderwijsinstellingen zijn ook lid van het netwerk, maar tellen hier niet mee: elke "
    "gemeente heeft er één, en een school zou anders zichzelf als partner in de buurt "
    "hebben. Donateurs worden wel van elke soort geteld. Een organisatie telt in de gemeente "
    "van haar adres (gemeentelijke indeling 2024, dus Heerhugowaard in Dijk en Waard en "
    "Weesp in Amsterdam). Voor 'scholen met een partner binnen de straal' tellen ook "
    "partners net buiten het werkgebied mee (hemelsbrede afstand)."
)

#: Dutch explanation of the population figures, for the "Over" page and the exports.
POPULATION_EXPLANATION_NL = (
    "Het aantal jongeren is het aantal inwoners van 10 tot 20 jaar per postcodegebied (PC4) "
    "uit de CBS-postcodecijfers van **2021**, afgerond op vijftallen. Elk postcodegebied "
    "telt volledig mee in de gemeente (indeling 2024) waar het grootste deel van zijn "
    "oppervlak ligt; postcodegebieden op een gemeentegrens worden dus niet gesplitst. "
    "Afstanden en reistijden worden gemeten vanaf het midden van elk postcodegebied en "
    "gewogen naar het aantal jongeren dat er woont."
)


#: Short note on the population figures, for a caption under a table.
POPULATION_NOTE_NL = (
    "Jongeren = inwoners van 10 tot 20 jaar per postcodegebied (CBS, 2021), geteld in de "
    "gemeente (2024) waar het grootste deel van het postcodegebied ligt. Reistijden en "
    "-afstanden zijn schattingen (hemelsbreed × omwegfactor)."
)


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------


def _flag(frame: pd.DataFrame, column: str, default: bool) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(default, index=frame.index)
    return frame[column].map(lambda v: bool(v) if pd.notna(v) else False).astype(bool)


def _xy(frame: pd.DataFrame, lat: str = "lat", lon: str = "lon") -> np.ndarray:
    if frame.empty or lat not in frame.columns or lon not in frame.columns:
        return np.empty((0, 2))
    return to_rd(frame[lon].to_numpy(), frame[lat].to_numpy())


def active_partners(
    partners: pd.DataFrame, *, kinds: Collection[str] | None = PARTNER_KINDS
) -> pd.DataFrame:
    """The organisations that count as partners: active, located, of ``kinds``.

    Parameters
    ----------
    partners : pandas.DataFrame
        As :meth:`geo.register.store.Store.organisations` (public variant is enough).
    kinds : collection of str, optional
        Kinds to count; None counts every kind. Default :data:`PARTNER_KINDS`.

    Returns
    -------
    pandas.DataFrame
        A filtered copy.
    """
    keep = _flag(partners, "actief", True)
    if kinds is not None and "soort" in partners.columns:
        keep &= partners["soort"].isin(list(kinds))
    xy = _xy(partners)
    if len(xy):
        keep &= np.isfinite(xy).all(axis=1)
    else:
        keep &= False
    return partners.loc[keep].copy()


def reference_schools(reference: Reference) -> pd.DataFrame:
    """The bundled DUO schools in the shape of :meth:`geo.register.store.Store.schools`.

    Columns ``id`` (the vestigingscode), ``vestigingscode``, ``naam``, ``plaats``,
    ``gemeentecode``, ``heeft_vmbo``, ``lat``, ``lon``: enough for the indicators, the
    proximity queries and the ambassador planner without a register.
    """
    s = reference.scholen
    return pd.DataFrame({
        "id": s["vestigingscode"].to_numpy(),
        "vestigingscode": s["vestigingscode"].to_numpy(),
        "naam": s["vestigingsnaam"].to_numpy(),
        "plaats": s["plaatsnaam"].str.title().to_numpy(),
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
    frame["gemeentecode"] = gemeentecodes(frame, reference).to_numpy()
    return frame


# ---------------------------------------------------------------------------------------
# Indicators
# ---------------------------------------------------------------------------------------


def pc4_travel(
    reference: Reference,
    mbo: pd.DataFrame,
    *,
    travel: TravelModel | None = None,
    mode: str = DEFAULTS.area_mode,
) -> pd.DataFrame:
    """Estimated distance and time from every PC4 area of the five regions to mbo infra.

    Parameters
    ----------
    reference : Reference
    mbo : pandas.DataFrame
        The mbo infra places with ``lat``/``lon`` (rows without a location are skipped).
    travel : TravelModel, optional
        Default :func:`geo.analysis.rail.area_model` (public transport with the train).
    mode : {"fiets", "ov_auto"}

    Returns
    -------
    pandas.DataFrame
        ``pc4``, ``gemeentecode``, ``inw_10_19``, ``afstand_km`` (travel distance to the
        nearest place), ``reistijd_min`` (time to the place that is quickest to reach);
        NaN when no mbo place has a location.
    """
    check_mode(mode)
    travel = travel or area_model(str(reference.data_dir))
    out = young_people(reference)
    pc4 = reference.pc4.set_index("pc4").loc[out["pc4"]]
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


def indicators(
    level: str,
    *,
    reference: Reference,
    division: Division | None = None,
    partners: pd.DataFrame,
    schools: pd.DataFrame,
    mbo: pd.DataFrame,
    radius_km: float = DEFAULTS.radius_km,
    travel: TravelModel | None = None,
    weights: ScoreWeights | None = None,
    mode: str = DEFAULTS.area_mode,
    kinds: Collection[str] | None = PARTNER_KINDS,
    catchment_km: float = DEFAULTS.access_catchment_km,
    reach: ReachYear | None = None,
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
        Straight-line radius for "school with a partner nearby", inclusive: a partner
        exactly this far away counts.
    travel : TravelModel, optional
        Default :func:`geo.analysis.rail.area_model` (public transport with the train).
    weights : ScoreWeights, optional
        Weights of the white-spot score.
    mode : {"fiets", "ov_auto"}
        Mode for the travel times (default ``DEFAULTS.area_mode``).
    kinds : collection of str, optional
        Organisation kinds counted as partners; see :data:`PARTNER_KINDS`.
    catchment_km : float
        Catchment of a partner in the partner access (:mod:`geo.analysis.access`).
    reach : ReachYear, optional
        The schools a school year's activities reached (:func:`geo.analysis.reach.reach_year`,
        None when the year has no given activity). With it the table has
        ``scholen_vmbo_niet_bereikt`` and ``aandeel_vmbo_niet_bereikt`` and the score's
        school part is "vmbo schools not reached" (``schools`` then needs
        ``vestigingscode``); without it, "vmbo schools without a partner".

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS` then :data:`EXTRA_COLUMNS`, sorted by ``rang``
        (1 = most attention needed), then ``code``. ``attrs`` records the settings, and
        the school year of ``reach`` (:data:`geo.analysis.score.REACH_YEAR`, None without).
    """
    check_level(level)
    check_mode(mode)
    if not np.isfinite(radius_km) or radius_km < 0:
        raise ValueError("De straal moet 0 km of groter zijn.")
    travel = travel or area_model(str(reference.data_dir))
    weights = weights or ScoreWeights()
    units, code_of = units_of(level, reference, division)
    table = units.set_index("code")

    # Partners and donors, counted by the unit of their municipality.
    counted = active_partners(partners, kinds=kinds)
    unit = gemeentecodes(counted, reference).map(code_of)
    table["partners"] = unit.value_counts().reindex(table.index, fill_value=0)
    donors = active_partners(partners, kinds=None)
    donors = donors[_flag(donors, "donateur", False)]
    unit_d = gemeentecodes(donors, reference).map(code_of)
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
    distance = weighted_by_unit(per_pc4, "afstand_km").reindex(table.index)
    minutes = weighted_by_unit(per_pc4, "reistijd_min").reindex(table.index)
    table["afstand_mbo_infra_km_gemiddeld"] = distance["mean"]
    table["afstand_mbo_infra_km_max"] = distance["max"]
    table["reistijd_mbo_infra_min_gemiddeld"] = minutes["mean"]
    table["reistijd_mbo_infra_min_max"] = minutes["max"]
    pc4 = reference.pc4.set_index("pc4").loc[per_pc4["pc4"]]
    table = table.join(access_and_trips_by_unit(
        per_pc4, to_rd(pc4["lon_pos"].to_numpy(), pc4["lat_pos"].to_numpy()), _xy(counted),
        catchment_km=catchment_km))

    # Schools, and which have a partner within the radius (straight line, RD New).
    school_unit = gemeentecodes(schools, reference).map(code_of)
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
    school_stats["vmbo_far"] = school_stats["vmbo"] & school_stats["located"] & ~near
    vmbo_located = (school_stats["vmbo"] & school_stats["located"]).groupby(school_stats["unit"])
    far = grouped["vmbo_far"].sum().reindex(table.index, fill_value=0)
    n_vmbo = vmbo_located.sum().reindex(table.index, fill_value=0)
    table["scholen_vmbo_zonder_partner"] = far
    table["aandeel_vmbo_zonder_partner"] = (far / n_vmbo.where(n_vmbo > 0)).astype(float)
    n_located = grouped["located"].sum().reindex(table.index, fill_value=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["aandeel_scholen_met_partner"] = np.where(
            n_located > 0, table["scholen_met_partner"] / n_located, np.nan
        )

    if reach is not None:  # the score's school part: vmbo schools not reached this year
        missed = vmbo_not_reached_by_unit(school_unit, schools, reach.reached)
        table = table.join(missed.reindex(table.index))
        table["scholen_vmbo_niet_bereikt"] = table["scholen_vmbo_niet_bereikt"].fillna(0)

    for column in ("partners", "donateurs", "scholen", "scholen_vmbo", "scholen_met_partner",
                   "scholen_vmbo_zonder_partner", "scholen_vmbo_niet_bereikt"):
        if column in table:
            table[column] = table[column].astype(int)
    table = white_spot_score(table.reset_index(), weights=weights)
    table.attrs.update({
        "niveau": level, "straal_km": float(radius_km), "reiswijze": mode,
        "reismodel": travel.describe_nl(), "gewichten": weights, "reikwijdte_km": catchment_km,
        REACH_YEAR: None if reach is None else reach.school_year,
    })
    return table


# ---------------------------------------------------------------------------------------
# Output for people
# ---------------------------------------------------------------------------------------

_ROUNDING = {
    "partners_per_10k_jongeren": 2, "aandeel_scholen_met_partner": 3,
    "afstand_mbo_infra_km_gemiddeld": 1, "afstand_mbo_infra_km_max": 1,
    "reistijd_mbo_infra_min_gemiddeld": 0, "reistijd_mbo_infra_min_max": 0,
    "score": 1, "deelscore_schaarste": 1, "deelscore_reistijd": 1, "deelscore_scholen": 1,
    "toegang_partners_per_10k_jongeren": 2, "aandeel_vmbo_zonder_partner": 3,
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
        elif column.startswith("aandeel_"):
            out[column] = out[column].round(3)
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
        Extra text for the "Uitleg" sheet; defaults to the score explanation with the
        weights the table was computed with (``attrs["gewichten"]``, else the defaults).

    Returns
    -------
    dict of str to pandas.DataFrame
        Sheet name → table, in order; write with :func:`geo.output.tables.xlsx_bytes`,
        :func:`geo.output.tables.csv_bytes` (first sheet) or :func:`geo.output.tables.write_table`.
    """
    notes = [(c, COLUMN_DESCRIPTIONS_NL.get(c, "")) for c in table.columns]
    score_text = explanation or score_explanation_nl(table.attrs.get("gewichten"),
                                                     school_year=reach_year_of(table))
    notes += [("", ""), ("Witte-vlekscore", score_text.replace("**", ""))]
    notes += [("Partners", PARTNER_EXPLANATION_NL.replace("**", "")),
              ("Jongeren", POPULATION_EXPLANATION_NL.replace("**", ""))]
    return {
        sheet_name: rounded(table),
        "Uitleg": pd.DataFrame(notes, columns=["Kolom", "Betekenis"]),
    }
