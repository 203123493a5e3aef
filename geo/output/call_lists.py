"""The partners of a school and the schools near a partner, as lists for people.

:func:`call_list` and :func:`school_list` turn the long tables of
:func:`geo.analysis.proximity.nearest_partners` and
:func:`~geo.analysis.proximity.schools_near_partner` into the tables the page "School
koppelen", its downloads and ``infrakaart dichtbij`` show; the ``*_message`` functions
give the Dutch sentences for an empty result and for rows skipped for lack of a location.

The lists keep short column names for programs; :func:`for_people` gives them the Dutch
headings that the page, the downloads and the command line show. A file also names the
school it was made for (:func:`with_school`), so a printed list or a forwarded file says
where it belongs.
"""

from __future__ import annotations

import pandas as pd

from geo.addresses import address_line
from geo.analysis.names import MODES
from geo.analysis.proximity import SKIPPED_PARTNERS, SKIPPED_SCHOOLS, TRAVEL_MODE
from geo.fields import field_named
from geo.register.store import PERSONAL_FIELDS
from geo.settings import DEFAULTS
from geo.text import count_noun, decimal_comma

#: Columns of a call list (CLI output and page table), in order.
CALL_LIST_COLUMNS = [
    "rang", "naam", "soort", "donateur", "adres", "gemeentenaam", "afstand_km",
    "reistijd_min", "reiswijze",
]

#: Columns :func:`with_school` puts in front of a call list in a file.
SCHOOL_COLUMNS = ["school", "vestigingscode", "school_adres"]

#: Dutch headings of the list columns that are not register fields.
_HEADINGS = {
    "rang": "Rang",
    "naam": "Partner",
    "adres": "Adres",
    "gemeentenaam": "Gemeente",
    "afstand_km": "Afstand (km, hemelsbreed)",
    "reistijd_min": "Reistijd (min, schatting)",
    "reiswijze": "Reiswijze",
    "school": "School",
    "school_adres": "Adres school",
    "vmbo": "vmbo",
}


def heading(column: str) -> str:
    """The Dutch heading of a list column: the register's label, or the list's own."""
    if column in _HEADINGS:
        return _HEADINGS[column]
    found = field_named(column)
    return found.column_label if found is not None else column


def for_people(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with Dutch column headings (see :func:`heading`), values unchanged."""
    return table.rename(columns={c: heading(c) for c in table.columns})


def _addresses(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([address_line(row) for row in frame.to_dict("records")],
                     index=frame.index, dtype=object)


def _mode_label(result: pd.DataFrame) -> str:
    return MODES.get(result.attrs.get(TRAVEL_MODE, DEFAULTS.nearby_mode), "")


def call_list(result: pd.DataFrame, *, include_personal: bool = False) -> pd.DataFrame:
    """The partners of one school as a table for people (page, export, CLI).

    Parameters
    ----------
    result : pandas.DataFrame
        Rows of :func:`geo.analysis.proximity.nearest_partners` for one school.
    include_personal : bool
        Append ``contactpersoon``, ``email``, ``telefoon`` (staff only) — only those
        present in ``result``.

    Returns
    -------
    pandas.DataFrame
        :data:`CALL_LIST_COLUMNS` (+ contact columns), sorted by distance;
        ``afstand_km`` rounded to 0.01 km and ``reistijd_min`` to whole minutes;
        ``adres`` the partner's address on one line, ``reiswijze`` the travel mode of
        ``reistijd_min`` (from ``result.attrs``).
    """
    columns = list(CALL_LIST_COLUMNS)
    if include_personal:
        columns += [c for c in PERSONAL_FIELDS if c in result.columns]
    table = result.assign(adres=_addresses(result), reiswijze=_mode_label(result))
    table = table.reindex(columns=columns).copy()
    if "rang" in result.columns:
        table = table.sort_values(["rang"], kind="stable")
    table["afstand_km"] = pd.to_numeric(table["afstand_km"]).round(2)
    table["reistijd_min"] = pd.to_numeric(table["reistijd_min"]).round(0).astype("Int64")
    for column in ("naam", "soort", "gemeentenaam"):
        table[column] = table[column].astype(object).where(table[column].notna(), "")
    table["donateur"] = table["donateur"].map(
        lambda v: "ja" if v is True or v == 1 else ("nee" if v is False or v == 0 else "")
    )
    return table.reset_index(drop=True)


def with_school(table: pd.DataFrame, school: pd.Series | dict) -> pd.DataFrame:
    """A call list with the school's name, vestigingscode and address in front (files)."""
    get = school.get
    front = pd.DataFrame({
        "school": [get("naam") or ""] * len(table),
        "vestigingscode": [get("vestigingscode") or ""] * len(table),
        "school_adres": [address_line(school)] * len(table),
    }, index=table.index)
    return pd.concat([front, table], axis=1)


#: Columns of a school list (page table and downloads), in order.
SCHOOL_LIST_COLUMNS = [
    "rang", "school", "vestigingscode", "adres", "gemeentenaam", "onderwijsstructuur", "vmbo",
    "afstand_km", "reistijd_min", "reiswijze",
]


def school_list(result: pd.DataFrame) -> pd.DataFrame:
    """The schools near one partner as a table for people (page, export).

    Parameters
    ----------
    result : pandas.DataFrame
        From :func:`geo.analysis.proximity.schools_near_partner`.

    Returns
    -------
    pandas.DataFrame
        :data:`SCHOOL_LIST_COLUMNS` in the order of ``result`` (vmbo first), ``vmbo`` as
        ``ja``/``nee``, ``adres`` on one line, ``reiswijze`` the travel mode,
        ``afstand_km`` rounded to 0.01 km and ``reistijd_min`` to whole minutes.
    """
    return result.assign(
        school=result["naam"],
        adres=_addresses(result),
        reiswijze=_mode_label(result),
        vmbo=result["heeft_vmbo"].map({True: "ja", False: "nee"}),
        afstand_km=result["afstand_km"].round(2),
        reistijd_min=result["reistijd_min"].round(0).astype("Int64"),
    ).reindex(columns=SCHOOL_LIST_COLUMNS)


def no_partners_message(
    school_name: str, *, radius_km: float | None = None, filtered: bool = False
) -> str:
    """Dutch message for an empty result of :func:`~geo.analysis.proximity.nearest_partners`."""
    extra = " die aan de filters voldoen" if filtered else ""
    if radius_km is not None:
        return f"Geen partners{extra} binnen {decimal_comma(radius_km)} km van {school_name}."
    return f"Geen partners{extra} met een bekende locatie gevonden voor {school_name}."


def no_schools_message(partner_name: str, *, radius_km: float) -> str:
    """Dutch message for an empty result of :func:`~geo.analysis.proximity.schools_near_partner`."""
    return f"Geen scholen binnen {decimal_comma(radius_km)} km van {partner_name}."


def skipped_message(result: pd.DataFrame) -> str:
    """Dutch note on rows skipped for lack of a location; empty when none."""
    parts = []
    n_p = result.attrs.get(SKIPPED_PARTNERS, 0)
    n_s = result.attrs.get(SKIPPED_SCHOOLS, 0)
    if n_p:
        parts.append(count_noun(n_p, "partner", "partners"))
    if n_s:
        parts.append(count_noun(n_s, "school", "scholen"))
    if not parts:
        return ""
    return " en ".join(parts) + " zonder bekende locatie overgeslagen."
