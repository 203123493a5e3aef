"""Inflow into mbo infra per 1,000 young people, per unit, with small counts suppressed.

The register keeps counts by home PC4 or municipality (:mod:`geo.register.inflow`). Here
they become one figure per unit for one school year:

1. **Per municipality.** A PC4 row counts in the municipality the reference gives its
   PC4 (``reference.pc4``: the 2024 municipality with the largest part of the area, as
   the population figures do); a municipality row in its own code. All sources and
   programmes of the school year are added up. A municipality of the five regions
   without rows counts 0. Rows outside the five regions count nowhere.
2. **Suppressed** (:mod:`geo.analysis.suppression`): a municipality with fewer than
   five is ``"<5"`` without a rate; subregions, labour-market regions and the total
   are built from the published municipality figures only, so they never give a
   hidden count away (a range when a member is hidden).
3. **Per 1,000 young people**: young people are the inhabitants aged 10 to 19 of the
   bundled CBS PC4 figures (2021), counted in a municipality as the indicators do
   (:data:`geo.analysis.indicators.POPULATION_NOTE_NL`). The rate is shown only for an
   exact count of five or more; for a range it is a range.

Units are joined on CBS codes (``GMxxxx``); a subregion's code is its name in the
division, as in :func:`geo.analysis.indicators.units_of`. The result keeps ``code`` and
the school year (``attrs``), so activities per unit can be joined to it later.
"""

from __future__ import annotations

import pandas as pd

from geo.analysis.indicators import units_of
from geo.analysis.suppression import (
    combine,
    count_text,
    exact_rate,
    publish,
    rate_text,
    total,
)
from geo.reference.data import Division, Reference

#: The PC4 population column counted as young people (as in the indicators).
YOUTH_COLUMN = "inw_10_19"

#: Young people per this many is how inflow is shown ("per 1.000 jongeren").
PER = 1000

#: The columns of :func:`inflow_by_unit`, in order.
UNIT_COLUMNS = ("code", "naam", "arbeidsmarktregio_code", "arbeidsmarktregio", "schooljaar",
                "jongeren", "laag", "hoog", "afgeschermd", "instroom", "per_1000",
                "per_1000_tekst")

#: What people should know before reading inflow beside partners and travel time (Dutch).
CAVEAT_NL = (
    "Instroom naast partners en reistijd laat een samenhang zien, geen oorzaak: minder "
    "instroom waar weinig partners zijn of de reis lang is, kan ook andere redenen hebben "
    "(het aanbod van andere opleidingen, het aantal vmbo-leerlingen, een school net over de "
    "grens). Het gaat om kleine aantallen: één klas meer of minder verandert een gemeente "
    "sterk, vergelijk daarom meerdere schooljaren. Aantallen onder de 5 staan er als '<5' "
    "zonder aantal per 1.000 jongeren; een totaal met zo'n gemeente erin staat er als bereik "
    "('53 tot 61'), zodat geen klein aantal is terug te rekenen."
)

#: How young people and the rate are counted (Dutch, for a caption).
YOUTH_NOTE_NL = (
    "Per 1.000 jongeren = instroom in mbo infra per 1.000 inwoners van 10 tot 20 jaar "
    "(CBS-postcodecijfers 2021). Instroom per postcodegebied telt in de gemeente waar het "
    "grootste deel van het postcodegebied ligt (indeling 2024)."
)


def youth_by_municipality(reference: Reference) -> pd.Series:
    """Young people (10-19, CBS 2021) per municipality of the five regions."""
    pc4 = reference.pc4
    youth = pc4[YOUTH_COLUMN].fillna(0.0).groupby(pc4["gemeentecode"]).sum()
    return youth.reindex(reference.gemeentecodes, fill_value=0.0).astype(float)


def municipality_inflow(rows: pd.DataFrame, reference: Reference) -> pd.Series:
    """Inflow per municipality of the five regions (every one of them; 0 without rows).

    Parameters
    ----------
    rows : pandas.DataFrame
        As :meth:`geo.register.inflow.InflowRegister.rows` (one school year): ``pc4``
        (or None), ``gemeentecode``, ``aantal``.
    reference : Reference
        The PC4 → municipality table.

    Returns
    -------
    pandas.Series
        int64 counts indexed by the 46 municipality codes, sorted.
    """
    codes = reference.gemeentecodes
    if rows.empty:
        return pd.Series(0, index=pd.Index(codes, name="gemeentecode"), dtype="int64")
    pc4_code = dict(zip(reference.pc4["pc4"].astype(str), reference.pc4["gemeentecode"],
                        strict=True))
    by_pc4 = rows["pc4"].map(lambda v: pc4_code.get(str(v)) if v else None)
    where = by_pc4.where(by_pc4.notna(), rows["gemeentecode"])
    counts = rows["aantal"].astype("int64").groupby(where.to_numpy()).sum()
    out = counts.reindex(codes, fill_value=0).astype("int64")
    out.index.name = "gemeentecode"
    return out


def inflow_by_unit(level: str, rows: pd.DataFrame, *, reference: Reference,
                   division: Division | None = None, school_year: str = "") -> pd.DataFrame:
    """Inflow, young people and inflow per 1,000 young people per unit, suppressed.

    Parameters
    ----------
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    rows : pandas.DataFrame
        The register's rows of one school year (see :func:`municipality_inflow`).
    reference, division
        Units and population; the bundled division when omitted.
    school_year : str
        Recorded in ``attrs["schooljaar"]``.

    Returns
    -------
    pandas.DataFrame
        :data:`UNIT_COLUMNS`, sorted by code (``code`` and ``schooljaar`` join other
        figures per unit and school year): ``laag``/``hoog`` the published bounds of
        the count (equal when exact), ``afgeschermd`` the number of hidden
        municipalities inside, ``instroom`` the count as people see it, ``per_1000`` the
        rate when exact (else NaN) and ``per_1000_tekst`` as people see it.
        ``attrs``: ``niveau``, ``schooljaar`` and ``totaal`` (a dict with the same
        fields for the five regions together).
    """
    units, code_of = units_of(level, reference, division)
    published = publish(municipality_inflow(rows, reference))
    bounds = combine(published, code_of, list(units["code"]))
    youth = youth_by_municipality(reference)
    people = youth.groupby(youth.index.map(code_of)).sum().reindex(units["code"],
                                                                   fill_value=0.0)
    table = units.set_index("code").join(bounds)
    table["schooljaar"] = school_year
    table["jongeren"] = people.round(0).astype("int64")
    table["instroom"] = [count_text(lo, hi) for lo, hi in zip(table["laag"], table["hoog"],
                                                              strict=True)]
    table["per_1000"] = [exact_rate(lo, hi, n, per=PER) for lo, hi, n in zip(
        table["laag"], table["hoog"], table["jongeren"], strict=True)]
    table["per_1000_tekst"] = [rate_text(lo, hi, n, per=PER) for lo, hi, n in zip(
        table["laag"], table["hoog"], table["jongeren"], strict=True)]
    table = table.reset_index()[list(UNIT_COLUMNS)]
    low, high, hidden = total(published)
    young = float(youth.sum())
    table.attrs.update({
        "niveau": level, "schooljaar": school_year,
        "totaal": {"naam": "Vijf regio's samen", "jongeren": int(round(young)),
                   "laag": low, "hoog": high, "afgeschermd": hidden,
                   "instroom": count_text(low, high),
                   "per_1000": exact_rate(low, high, young, per=PER),
                   "per_1000_tekst": rate_text(low, high, young, per=PER)},
    })
    return table

