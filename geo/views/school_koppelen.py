"""The page "School koppelen": the nearest partners of a school, the schools near a partner.

The page has two independent tabs, each with widgets that depend on the answer to the
previous one (the school list depends on the search), so the view is an object built once
per run, :func:`school_linking`, whose methods answer each step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import folium
import pandas as pd

from geo.analysis.proximity import nearest_partners, schools_near_partner
from geo.fields import kind_codes
from geo.output import partner_maps, tables
from geo.output.call_lists import (
    call_list,
    for_people,
    no_partners_message,
    no_schools_message,
    school_list,
    skipped_message,
    with_school,
)
from geo.output.focus import CHOSEN, Focus
from geo.settings import DEFAULTS
from geo.text import md, nl_number

#: How close the map looks at a partner or school chosen in the table.
ROW_ZOOM = 14


@dataclass(frozen=True)
class Download:
    """A table offered as CSV and as Excel, under one file name."""

    stem: str
    csv: bytes
    xlsx: bytes


@dataclass(frozen=True)
class SchoolSearch:
    """The schools matching a search: ``options`` (id → label) and the one to preselect."""

    options: dict
    index: int
    message: str | None


@dataclass(frozen=True)
class LinkResult:
    """One answer of a tab: a message, or a map and a table with its downloads.

    Attributes
    ----------
    message : str or None
        Markdown (values escaped) when there is nothing to show, e.g. no partner in reach.
    warning : str or None
        Markdown, when the search cannot run (the school has no location).
    heading : str or None
        Markdown line above the result.
    fmap : folium.Map or None
    table : pandas.DataFrame or None
        The call list or the school list, as shown and downloaded.
    download : Download or None
    note : str or None
        Markdown note on rows skipped for lack of a location.
    points : pandas.DataFrame or None
        One row per row of ``table``, in the same order: ``lat``, ``lon`` and the ``label``
        the map shows when the row is chosen (:meth:`row_focus`).
    """

    message: str | None = None
    warning: str | None = None
    heading: str | None = None
    fmap: folium.Map | None = None
    table: pd.DataFrame | None = None
    download: Download | None = None
    note: str | None = None
    points: pd.DataFrame | None = None

    @property
    def table_key(self) -> str:
        """A short fingerprint of the rows, empty without rows.

        A page keys the table's selection with it, so a selection never outlives the rows
        it was made in.
        """
        if self.points is None:
            return ""
        text = "\n".join(f"{lat:.6f} {lon:.6f} {label}" for lat, lon, label in zip(
            self.points["lat"], self.points["lon"], self.points["label"], strict=True))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def row_focus(self, position: int | None) -> Focus | None:
        """Where the map looks when the table row at ``position`` is chosen, else None.

        ``position`` is the row's place in :attr:`table` as shown (0 = first), as a
        table's selection reports it; out of range (the rows changed) is no choice.
        """
        if self.points is None or position is None or not 0 <= position < len(self.points):
            return None
        row = self.points.iloc[int(position)]
        return Focus(float(row["lat"]), float(row["lon"]), label=str(row["label"]),
                     zoom=ROW_ZOOM, kind=CHOSEN)


def slug(text: str) -> str:
    """A file-name part from a name: lower case, letters and digits joined by ``-``."""
    keep = "".join(c if c.isalnum() else "-" for c in str(text).lower())
    return "-".join(part for part in keep.split("-") if part)[:40] or "lijst"


def file_stem(prefix: str, name: object, where: object) -> str:
    """A download's file name without extension that tells which location it is for.

    ``file_stem("partners-bij", "Scholen aan Zee", "00MV06")`` →
    ``"partners-bij-scholen-aan-zee-00mv06"``; ``where`` is left out when empty.
    """
    parts = [prefix, slug(name)]
    if isinstance(where, str) and where.strip():
        parts.append(slug(where))
    return "-".join(parts)


def _label(row: pd.Series) -> str:
    place = row.get("plaats") or ""
    return f"{row['naam']} — {place}" if place else str(row["naam"])


def school_label(row: pd.Series) -> str:
    """A school as people tell locations apart: name, street, place and vestigingscode.

    ``"Scholen aan Zee … — Akkerbouwstraat 1, Julianadorp (00MV06)"``.
    """
    where = ", ".join(str(part) for part in (row.get("straat"), row.get("plaats"))
                      if isinstance(part, str) and part.strip())
    code = row.get("vestigingscode")
    label = f"{row['naam']} — {where}" if where else str(row["naam"])
    return f"{label} ({code})" if isinstance(code, str) and code else label


#: School columns a search looks in: a school is found by name, street, postcode, place,
#: municipality (Julianadorp is in Den Helder) or vestigingscode.
SEARCHED_COLUMNS = ("naam", "straat", "postcode", "plaats", "gemeentenaam", "vestigingscode")


def _download(table: pd.DataFrame, stem: str) -> Download:
    return Download(stem=stem, csv=tables.csv_bytes(table),
                    xlsx=tables.xlsx_bytes(table, sheet_name=stem))


def _note(result: pd.DataFrame) -> str | None:
    return md(skipped_message(result)) or None


def _km(value: float) -> str:
    return f"{nl_number(value, 1)} km"


def _points(rows: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"lat": rows["lat"].astype(float).to_numpy(),
                         "lon": rows["lon"].astype(float).to_numpy(), "label": labels})


class SchoolLinking:
    """The answers of "School koppelen" for one register and one role.

    Parameters
    ----------
    schools, partners : pandas.DataFrame
        As the register gives them; ``partners`` with contact data only for staff.
    staff : bool
        Contact data in tables, maps and downloads.
    """

    def __init__(self, schools: pd.DataFrame, partners: pd.DataFrame, *, staff: bool) -> None:
        self.schools = schools
        self.partners = partners
        self.staff = staff

    # --- School → partners ----------------------------------------------------------------

    def search(self, query: str, *, wanted_code: str | None = None) -> SchoolSearch:
        """Schools whose :data:`SEARCHED_COLUMNS` contain ``query`` (else each of its words).

        ``wanted_code`` (a vestigingscode) is preselected when it is among them.
        """
        schools = self.schools
        haystack = schools.reindex(columns=SEARCHED_COLUMNS).fillna("").astype(str).agg(
            " ".join, axis=1).str.casefold()
        wanted = " ".join(query.casefold().split())
        found_mask = haystack.str.contains(wanted, regex=False)
        if not found_mask.any():  # "zee julianadorp": every word somewhere
            found_mask = pd.Series(True, index=schools.index)
            for word in wanted.split():
                found_mask &= haystack.str.contains(word, regex=False)
        found = schools[found_mask]
        found = found.sort_values(["naam", "plaats"], key=lambda s: s.fillna("").str.casefold())
        if found.empty:
            return SchoolSearch({}, 0, f"Geen school gevonden voor '{md(query)}'.")
        options = {sid: school_label(row) for sid, row in found.set_index("id").iterrows()}
        by_code = found.set_index("vestigingscode")["id"].to_dict() if wanted_code else {}
        start = list(options).index(by_code[wanted_code]) if wanted_code in by_code else 0
        return SchoolSearch(options, start, None)

    def partners_of(
        self,
        school_id,
        *,
        k: int | None = DEFAULTS.nearest_count,
        radius_km: float | None = None,
        kinds: Sequence[str] | None = None,
        mode: str = DEFAULTS.nearby_mode,
        donors_only: bool = False,
        active_only: bool = True,
    ) -> LinkResult:
        """The nearest partners of one school: ``k`` of them, or all within ``radius_km``.

        ``kinds`` None means every kind (:func:`geo.fields.kind_codes`).
        """
        kinds = list(kind_codes()) if kinds is None else list(kinds)
        chosen = self.schools[self.schools["id"] == school_id]
        school = chosen.iloc[0]
        if pd.isna(school["lat"]) or pd.isna(school["lon"]):
            return LinkResult(warning=f"{md(school['naam'])} heeft nog geen locatie; "
                              "zoeken kan niet.")
        result = nearest_partners(
            chosen, self.partners, k=k, radius_km=radius_km, travel_mode=mode, kinds=kinds,
            donor=True if donors_only else None, active=True if active_only else None,
        )
        if "rang" in result.columns:  # the order of the call list
            result = result.sort_values("rang", kind="stable")
        if result.empty:
            filtered = donors_only or active_only or len(kinds) < len(kind_codes())
            return LinkResult(message=md(no_partners_message(
                school["naam"], radius_km=radius_km, filtered=filtered)), note=_note(result))
        table = call_list(result, include_personal=self.staff)
        code = school.get("vestigingscode") or ""
        return LinkResult(
            heading=f"Partners bij {md(school_label(school))}",
            fmap=partner_maps.school_partners_map(school, result, show_personal=self.staff),
            table=for_people(table),
            download=_download(for_people(with_school(table, school)),
                               file_stem("partners-bij", school["naam"], code)),
            note=_note(result),
            points=_points(result, [
                f"Gekozen: {int(rang)}. {naam} — {_km(km)}" for rang, naam, km in zip(
                    result["rang"], result["naam"].fillna(""), result["afstand_km"],
                    strict=True)]),
        )

    # --- Partner → schools ----------------------------------------------------------------

    def partner_options(self) -> dict:
        """Partners with a location, id → label, sorted by name; empty when there are none."""
        placed = self.partners.dropna(subset=["lat", "lon"])
        placed = placed.sort_values("naam", key=lambda s: s.fillna("").str.casefold())
        return {pid: _label(row) for pid, row in placed.set_index("id").iterrows()}

    def schools_of(self, partner_id, *, radius_km: float = DEFAULTS.radius_km,
                   vmbo_only: bool = False) -> LinkResult:
        """The schools within ``radius_km`` of one partner, vmbo schools first."""
        partner = self.partners[self.partners["id"] == partner_id].iloc[0]
        near = schools_near_partner(partner, self.schools, radius_km=radius_km,
                                    vmbo_only=vmbo_only)
        if near.empty:
            return LinkResult(message=md(no_schools_message(partner["naam"],
                                                            radius_km=radius_km)),
                              note=_note(near))
        n_vmbo = int(near["heeft_vmbo"].astype(bool).sum())
        table = for_people(school_list(near))
        return LinkResult(
            heading=f"**{len(near)}** scholen binnen {radius_km} km, waarvan **{n_vmbo}** met "
                    "vmbo.",
            fmap=partner_maps.partner_schools_map(partner, near, radius_km=radius_km,
                                          show_personal=self.staff),
            table=table,
            download=_download(table, file_stem("scholen-bij", partner["naam"],
                                               partner.get("plaats"))),
            note=_note(near),
            points=_points(near, [f"Gekozen: {naam} — {_km(km)}" for naam, km in zip(
                near["naam"].fillna(""), near["afstand_km"], strict=True)]),
        )


def school_linking(store, *, staff: bool) -> SchoolLinking:
    """The view of "School koppelen" on ``store``; contact data only for ``staff``.

    Personal fields are read per call, never cached across users.
    """
    return SchoolLinking(store.schools(), store.organisations(include_personal=staff),
                         staff=staff)
