"""The page "Bereik" (team): import the planning, then per subregion who was not reached.

What the page shows, computed without Streamlit:

1. **Planning importeren**: a planning sheet checked row by row with the importer of
   ``infrakaart activiteiten import`` (:mod:`geo.intake.activities`): a verdict per row
   (ok / waarschuwing / fout) and, with one click, the rows that are not ``fout`` written
   in one transaction (:meth:`geo.register.activities.Activities.apply_import`, permission
   ``importeren``). :class:`PlanningCheck` is what the page keeps between reruns.
2. **Bereik per subregio** (:func:`reach_overview`): per subregion of the division the
   schools and vmbo schools reached in the school year, activities per 1,000 young
   people, and guest lessons VO against an even share of the maximum
   (:func:`geo.analysis.reach.reach_by_unit` says how that share is made).
3. **One subregion** (:func:`subregion_reach`): its vmbo schools not reached, each with
   the nearest partners that could go (:func:`geo.analysis.proximity.nearest_partners`,
   ``k`` = :attr:`geo.settings.Defaults.nearest_count`; active partners of the partner
   kinds), a map, and the call list to download (:mod:`geo.output.tables`).

Which school year first (decision): the current one (1 August to 31 July,
:func:`geo.activities.school_year`), so the team sees at once who is still to be reached
this year; every year with activities can be chosen.

Privacy: activities are read from the public view (no guest teachers, no notes) and the
map names no one who taught. The call list holds contact data only when the caller passes
``include_personal`` (the page: ``geo.auth.can(role, "contactgegevens_zien")``); an
uploaded sheet's staff-only columns stay in the session of the staff member who
uploaded it and are never shown in the verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import folium
import geopandas as gpd
import pandas as pd

from geo import activities, fields
from geo.analysis.indicators import PARTNER_KINDS, active_partners
from geo.analysis.proximity import nearest_partners
from geo.analysis.reach import (
    GUEST_LESSONS_TOTAL,
    MAXIMUM,
    partner_activity,
    reach_by_unit,
    school_reach,
)
from geo.errors import ImportFileError, InfrakaartError
from geo.intake.activities import (
    check_planning,
    planning_records,
    planning_result_table,
    read_planning,
)
from geo.output import tables
from geo.output.call_lists import call_list, for_people, with_school
from geo.output.maps import simplified
from geo.output.reach_maps import subregion_reach_map, with_partner_activity, with_school_reach
from geo.reference.data import Division, Reference
from geo.reference.regions import unit_polygons
from geo.register.store import Store
from geo.settings import DEFAULTS, Settings
from geo.text import count_noun, md, nl_number
from geo.views.beheer import Message

#: Columns of :attr:`ReachOverview.shown` (and, as numbers, :attr:`ReachOverview.table`).
OVERVIEW_COLUMNS = (
    "Subregio", "Scholen", "Scholen bereikt", "vmbo-scholen", "vmbo bereikt",
    "vmbo niet bereikt", "Aandeel vmbo bereikt", "Activiteiten", "Per 1.000 jongeren",
    "Gastlessen VO", "Evenredig deel maximum", "Gastlessen VO van dat deel",
)
_FROM_REACH = dict(zip(OVERVIEW_COLUMNS, (
    "naam", "scholen", "scholen_bereikt", "scholen_vmbo", "scholen_vmbo_bereikt",
    "scholen_vmbo_niet_bereikt", "aandeel_vmbo_bereikt", "activiteiten",
    "activiteiten_per_1000_jongeren", "gastlessen_vo", "gastlessen_vo_evenredig_deel",
    "gastlessen_vo_van_evenredig_deel"), strict=True))

#: Columns of :attr:`SubregionReach.not_reached`.
NOT_REACHED_COLUMNS = ("School", "Plaats", "Gemeente", "Vestigingscode", "Partners dichtbij")

#: What the page says about the even share of the maximum.
SHARE_NOTE = ("Het evenredige deel is het maximum aan gastlessen VO verdeeld naar het aantal "
              "scholen per subregio: een maatstaf om subregio's te vergelijken, geen doel per "
              "subregio.")
#: What it says about what counts.
GIVEN_NOTE = ("Bereikt = minstens één activiteit met de status 'gegeven' in het schooljaar "
              "(geplande en geannuleerde tellen niet). Activiteiten per 1.000 jongeren: "
              "inwoners van 10 tot 20 jaar (CBS 2021).")


# ------------------------------------------------------------------------------ import


@dataclass(frozen=True)
class PlanningCheck:
    """A checked planning sheet, kept by the page between reruns (plain data).

    Attributes
    ----------
    file_id : str
        The upload it belongs to: a new upload starts a new check.
    summary : str
        Dutch lines on how the file was read (Markdown, the file name escaped).
    problem : str or None
        Why the file could not be read (Markdown); then there are no rows.
    verdicts : pandas.DataFrame
        :func:`geo.intake.activities.planning_result_table`: row, activity, verdict,
        message (never a guest teacher or a note).
    counts : dict
        ``ok``, ``waarschuwing``, ``fout`` → number of rows.
    records : tuple of dict
        What applying writes: the rows that are not ``fout``.
    applied : Message or None
        The outcome once applied (the page then shows it instead of the button).
    """

    file_id: str
    summary: str
    problem: str | None = None
    verdicts: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    counts: dict[str, int] = field(default_factory=dict)
    records: tuple[dict, ...] = field(default=(), repr=False)
    applied: Message | None = None

    @property
    def latest_school_year(self) -> str | None:
        """The newest school year among the rows to write (the page shows it after import)."""
        years = [activities.school_year(r["datum"]) for r in self.records if r.get("datum")]
        return max(years) if years else None

    @property
    def button_label(self) -> str:
        """``"Importeren (12 rijen)"``: the rows that applying writes."""
        return f"Importeren ({count_noun(len(self.records), 'rij', 'rijen')})"


def check_planning_file(store: Store, data: bytes, filename: str, file_id: str, *,
                        settings: Settings, reference: Reference,
                        today: date | None = None) -> PlanningCheck:
    """Read and check an uploaded planning sheet; nothing is written.

    Parameters
    ----------
    store : Store
        Schools and organisations to match against (public data).
    data, filename : bytes, str
        The upload.
    file_id : str
        The upload's id (see :class:`PlanningCheck`).
    settings : Settings
        Size and row limits.
    reference : Reference
        Place and municipality names.
    today : date, optional
        For the status of rows without one.
    """
    try:
        table = read_planning(data, filename, settings=settings)
    except ImportFileError as err:
        return PlanningCheck(file_id, summary="", problem=md(err))
    verdicts = check_planning(table, schools=store.schools(),
                              organisations=store.organisations(), reference=reference,
                              today=today)
    counts = {s: sum(v.status == s for v in verdicts) for s in ("ok", "waarschuwing", "fout")}
    how = (f"werkblad '{table.sheet}'" if table.sheet is not None
           else f"scheidingsteken '{table.delimiter}', codering {table.encoding}")
    lines = [f"{filename}: {count_noun(len(verdicts), 'rij', 'rijen')} met gegevens ({how}; "
             f"kopregel op rij {table.header_row})."]
    if table.unknown_columns:
        lines.append(f"Niet herkende kolommen (genegeerd): {', '.join(table.unknown_columns)}.")
    if "status" not in table.columns:
        lines.append("Geen kolom Status: een nieuwe activiteit wordt 'gegeven' als de datum "
                     "voorbij is, anders 'gepland'; bestaande houden hun status.")
    return PlanningCheck(file_id, summary="\n\n".join(md(line) for line in lines),
                         verdicts=planning_result_table(verdicts), counts=counts,
                         records=tuple(planning_records(verdicts)))


def apply_planning(store: Store, check: PlanningCheck, *, user: str,
                   role: str | None) -> PlanningCheck:
    """Write the checked rows (all or nothing); the check with its :attr:`~PlanningCheck.applied`.

    Needs ``geo.auth.can(role, "importeren")``; a refusal or a row the register refuses
    is an error message and nothing is written.
    """
    if not check.records:
        return replace(check, applied=Message("warning", "Er is geen rij om te importeren."))
    try:
        outcome = store.activities.apply_import(list(check.records), user=user, role=role)
    except InfrakaartError as err:
        return replace(check, applied=Message("error", md(f"Er is niets opgeslagen: {err}")))
    skipped = check.counts.get("fout", 0)
    text = (f"Planning geïmporteerd: {outcome['nieuw']} nieuw, {outcome['bijgewerkt']} "
            f"bijgewerkt, {outcome['ongewijzigd']} ongewijzigd"
            + (f"; {count_noun(skipped, 'rij', 'rijen')} met een fout overgeslagen."
               if skipped else "."))
    return replace(check, applied=Message("success", text))


# ------------------------------------------------------------------------------ overview


@dataclass(frozen=True)
class ReachOverview:
    """The reach of a school year per subregion.

    Attributes
    ----------
    school_year : str
    school_years : tuple of str
        To choose from, newest first (every year with activities and the current one).
    subregions : tuple of str
        The subregions of the division, by name.
    table : pandas.DataFrame
        :data:`OVERVIEW_COLUMNS`, numbers as numbers (for a file).
    shown : pandas.DataFrame
        The same as Dutch text for a page (``45 %``, ``0,8``).
    lines : tuple of str
        Plain Dutch sentences: the network's guest lessons against the maximum, the notes.
    """

    school_year: str
    school_years: tuple[str, ...]
    subregions: tuple[str, ...]
    table: pd.DataFrame
    shown: pd.DataFrame
    lines: tuple[str, ...]

    def file_bytes(self, *, xlsx: bool) -> bytes:
        """The overview as ``.xlsx`` or ``.csv``."""
        return tables.table_bytes({"Bereik per subregio": self.table}, xlsx=xlsx)

    def file_name(self, *, xlsx: bool) -> str:
        """``bereik_2025-2026.xlsx`` (or ``.csv``)."""
        return f"bereik_{self.school_year}.{'xlsx' if xlsx else 'csv'}"


def _percent(value: float) -> str:
    return "—" if pd.isna(value) else f"{nl_number(100 * value)} %"


def _decimal(value: float) -> str:
    return "—" if pd.isna(value) else nl_number(value, 1)


def reach_overview(store: Store, *, reference: Reference, division: Division,
                   school_year: str | None = None, today: date | None = None,
                   maximum: int = DEFAULTS.max_guest_lessons_vo) -> ReachOverview:
    """The reach per subregion of ``school_year``.

    Without ``school_year``: the one :func:`geo.activities.first_school_year` chooses.

    Raises
    ------
    ValueError
        In Dutch, for a ``school_year`` that is not one.
    """
    today = today or date.today()
    year = activities.parse_school_year(school_year or activities.first_school_year(
        store.activities.school_years(), today))
    done = store.activities.all(school_year=year)
    reach = reach_by_unit("subregio", reference=reference, division=division,
                          activities_frame=done, schools=store.schools(), school_year=year,
                          maximum=maximum)
    table = pd.DataFrame({label: reach[column] for label, column in _FROM_REACH.items()})
    shown = table.copy()
    for label in ("Aandeel vmbo bereikt", "Gastlessen VO van dat deel"):
        shown[label] = [_percent(v) for v in table[label]]
    for label in ("Per 1.000 jongeren", "Evenredig deel maximum"):
        shown[label] = [_decimal(v) for v in table[label]]
    given, most = reach.attrs[GUEST_LESSONS_TOTAL], reach.attrs[MAXIMUM]
    share = f" ({nl_number(100 * given / most, 1)} %)" if most else ""
    lines = [f"In schooljaar {year} {'is' if given == 1 else 'zijn'} "
             f"{count_noun(given, 'gastles', 'gastlessen')} VO gegeven, van een maximum van "
             f"{most}{share}.", SHARE_NOTE, GIVEN_NOTE]
    if done.empty:
        lines.append(f"Voor schooljaar {year} staan nog geen activiteiten in het register: "
                     "importeer de planning hierboven.")
    elif bool(done["voorbeeld"].any()):
        lines.append("Dit schooljaar bevat verzonnen voorbeeldactiviteiten; ze verdwijnen met "
                     "de voorbeeldpartners (Beheer).")
    years = activities.school_year_choices(store.activities.school_years(), today)
    return ReachOverview(
        school_year=year, school_years=tuple(sorted({*years, year}, reverse=True)),
        subregions=tuple(sorted(division.subregions, key=str.casefold)), table=table,
        shown=shown, lines=tuple(lines))


# ------------------------------------------------------------------------------ subregion


@dataclass(frozen=True)
class SubregionReach:
    """One subregion: its vmbo schools not reached and the partners nearby.

    Attributes
    ----------
    subregion, school_year : str
    not_reached : pandas.DataFrame
        :data:`NOT_REACHED_COLUMNS`, by place and name.
    calls : pandas.DataFrame
        The call list: for each school not reached its nearest partners (Dutch
        headings; contact data only when asked for).
    fmap : folium.Map
        The subregion with its schools and the partners nearby.
    caption : str
        Counts under the list (plain Dutch; the subregion name escaped).
    """

    subregion: str
    school_year: str
    not_reached: pd.DataFrame
    calls: pd.DataFrame
    fmap: folium.Map
    caption: str

    def file_bytes(self, *, xlsx: bool) -> bytes:
        """The call list (and, in Excel, the schools not reached) to download."""
        sheets = {"Bellijst": self.calls, "vmbo niet bereikt": self.not_reached}
        return tables.table_bytes(sheets, xlsx=xlsx)

    def file_name(self, *, xlsx: bool) -> str:
        """``bellijst_<subregio>_2025-2026.xlsx``; the name keeps letters and digits."""
        stem = "".join(c if c.isalnum() else "-" for c in self.subregion).strip("-")[:40]
        return f"bellijst_{stem or 'subregio'}_{self.school_year}.{'xlsx' if xlsx else 'csv'}"


def _nearby_text(rows: pd.DataFrame) -> str:
    return "; ".join(f"{name} ({nl_number(km, 1)} km)"
                     for name, km in zip(rows["naam"], rows["afstand_km"], strict=True))


def subregion_reach(store: Store, *, reference: Reference, division: Division,
                    subregion: str, school_year: str, include_personal: bool = False,
                    k: int = DEFAULTS.nearest_count,
                    areas: gpd.GeoDataFrame | None = None) -> SubregionReach:
    """The vmbo schools of ``subregion`` not reached in ``school_year``, and who could go.

    Parameters
    ----------
    store : Store
    reference, division : Reference, Division
    subregion : str
        A subregion of ``division``.
    school_year : str
    include_personal : bool
        Contact data of the partners in the call list and the map (staff only).
    k : int
        Partners per school.
    areas : geopandas.GeoDataFrame, optional
        The subregions' outlines (WGS84, ``code``/``naam``), e.g. cached by the page;
        made from ``reference`` when omitted.

    Raises
    ------
    ValueError
        In Dutch, for a subregion that is not in the division.
    """
    if subregion not in division.subregions:
        raise ValueError(f"'{subregion}' is geen subregio van de indeling '{division.name}'.")
    year = activities.parse_school_year(school_year)
    done = store.activities.all(school_year=year)
    schools = store.schools()
    schools = schools[schools["gemeentecode"].map(division.subregion_of()) == subregion]
    schools = with_school_reach(school_reach(done, schools, school_year=year), year)
    missed_mask = (schools["heeft_vmbo"].astype(bool) & ~schools["bereikt"]
                   & (schools["vestigingscode"].fillna("") != ""))
    missed = schools[missed_mask].sort_values(
        ["plaats", "naam"], key=lambda c: c.fillna("").str.casefold())
    partners = with_partner_activity(
        active_partners(store.organisations(include_personal=include_personal)),
        partner_activity(done, school_year=year), year)
    near = (nearest_partners(missed, partners, k=k) if len(missed) and len(partners)
            else pd.DataFrame(columns=["school_vestigingscode", "partner_id", "naam",
                                       "afstand_km"]))
    by_school = {code: rows for code, rows in near.groupby("school_vestigingscode")}
    empty = near.iloc[0:0]
    missed = missed.assign(partners_dichtbij=[
        _nearby_text(by_school.get(code, empty)) for code in missed["vestigingscode"]])
    not_reached = pd.DataFrame({
        "School": missed["naam"], "Plaats": missed["plaats"].fillna(""),
        "Gemeente": missed["gemeentenaam"].fillna(""),
        "Vestigingscode": missed["vestigingscode"],
        "Partners dichtbij": missed["partners_dichtbij"]},
        columns=list(NOT_REACHED_COLUMNS)).reset_index(drop=True)
    calls = _calls(missed, by_school, near, include_personal=include_personal, year=year)
    nearby = partners[partners["id"].isin(set(near["partner_id"]))]
    outline = areas if areas is not None else simplified(
        unit_polygons("subregio", reference, division))
    fmap = subregion_reach_map(
        area=outline[outline["code"] == subregion][["naam", "geometry"]],
        schools=schools[~missed_mask], not_reached=missed, partners=nearby,
        school_year=year, show_personal=include_personal)
    vmbo = int((schools["heeft_vmbo"].astype(bool)
                & (schools["vestigingscode"].fillna("") != "")).sum())
    kinds = [fields.kind_label(code).lower() for code in PARTNER_KINDS]
    caption = (f"{len(missed)} van de {count_noun(vmbo, 'vmbo-school', 'vmbo-scholen')} in "
               f"{md(subregion)} niet bereikt in {year}; per school de "
               f"{count_noun(k, 'dichtstbijzijnde partner', 'dichtstbijzijnde partners')} "
               f"(hemelsbreed; actieve partners van de soort {', '.join(kinds[:-1])} of "
               f"{kinds[-1]}).")
    return SubregionReach(subregion=subregion, school_year=year, not_reached=not_reached,
                          calls=calls, fmap=fmap, caption=caption)


def _calls(missed: pd.DataFrame, by_school: dict, near: pd.DataFrame, *,
           include_personal: bool, year: str) -> pd.DataFrame:
    """The call list: per school not reached its nearest partners, Dutch headings."""
    parts = []
    for school in missed.to_dict("records"):
        rows = by_school.get(school["vestigingscode"])
        if rows is None or rows.empty:
            continue
        listing = call_list(rows, include_personal=include_personal)
        listing["activiteiten"] = rows["activiteiten"].to_numpy()
        parts.append(with_school(listing, school))
    if not parts:
        listing = call_list(near.assign(activiteiten=0), include_personal=include_personal)
        parts = [with_school(listing.assign(activiteiten=0), {})]
    calls = for_people(pd.concat(parts, ignore_index=True))
    return calls.rename(columns={"activiteiten": f"Activiteiten in {year}"})
