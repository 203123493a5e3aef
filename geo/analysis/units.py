"""The units of a level and what lies in them: municipalities, subregions, regions.

Shared by the indicators (:mod:`geo.analysis.indicators`) and the reach
(:mod:`geo.analysis.reach`), so both count a partner, a school, an activity and a young
person in the same unit. Units are joined on GM codes only: a row counts in the unit of
its ``gemeentecode`` (the 2024 municipality, so Heerhugowaard counts in Dijk en Waard and
Weesp in Amsterdam); the subregion is re-derived from that code with the active division.
"""

from __future__ import annotations

import pandas as pd

from geo.reference.data import Division, Reference
from geo.reference.levels import LEVELS
from geo.reference.regions import assign_areas


def check_level(level: str) -> str:
    """``level`` itself when it is one of :data:`geo.reference.levels.LEVELS`.

    Raises
    ------
    ValueError
        In Dutch, for any other level.
    """
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
    check_level(level)
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


def gemeentecodes(frame: pd.DataFrame, reference: Reference) -> pd.Series:
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


def young_people(reference: Reference) -> pd.DataFrame:
    """The young people (10 to 20 years) of every PC4 area of the five regions.

    Returns
    -------
    pandas.DataFrame
        ``pc4``, ``gemeentecode``, ``inw_10_19`` (CBS 2021, rounded to fives; 0 when
        unknown), in the order of ``reference.pc4``. A PC4 area counts wholly in the
        municipality where most of its surface lies.
    """
    pc4 = reference.pc4
    pc4 = pc4[pc4["gemeentecode"].isin(set(reference.gemeenten["gemeentecode"]))]
    return pd.DataFrame({
        "pc4": pc4["pc4"].to_numpy(),
        "gemeentecode": pc4["gemeentecode"].to_numpy(),
        "inw_10_19": pc4["inw_10_19"].fillna(0).to_numpy(float),
    })
