"""The Jaaroverzicht: the facts and figures of a school year, for the board.

What a page shows (and ``infrakaart jaaroverzicht`` prints and writes), computed without
Streamlit: the school years to choose from, the overview of one beside the year before
(:mod:`geo.analysis.year_overview`), the vmbo schools not reached, the notes that keep
the figures honest, and the file to download (through :mod:`geo.output.tables`).

Which school year first (decision)
    The one :func:`geo.activities.first_school_year` chooses (the current school year
    when it has activities, else the latest earlier one that has) — the same on every
    page and command. A page offers every school year with activities and the current
    one, newest first.

No personal data: activities are read from the public view, so the guest teachers and
the notes never reach this overview. Who may open the page is the page's decision
(``geo.auth.can``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from geo import activities
from geo.analysis.year_overview import CHANGE, TOPIC, YearOverview, year_overview
from geo.output import tables
from geo.register.store import Store
from geo.settings import DEFAULTS
from geo.text import count_noun, nl_number, signed_decimal

#: Columns of :attr:`YearOverviewView.not_reached`.
NOT_REACHED_COLUMNS = ("Subregio", "Gemeente", "Plaats", "School", "Vestigingscode")

#: Sheet names of the Excel download.
SHEETS = ("Jaaroverzicht", "vmbo niet bereikt")

#: What the overview says about how pupils are counted.
PUPILS_NOTE = ("Leerlingen bereikt is opgeteld per activiteit: een leerling die bij twee "
               "activiteiten was, telt twee keer.")

#: What it says about what counts.
GIVEN_NOTE = ("Alleen activiteiten met de status 'gegeven' tellen mee; geplande en "
              "geannuleerde staan er apart onder.")


@dataclass(frozen=True)
class YearOverviewView:
    """Everything the Jaaroverzicht shows.

    Attributes
    ----------
    school_year, previous_year : str
        The school year shown and the one beside it.
    school_years : tuple of str
        The school years to choose from, newest first.
    overview : YearOverview
        The figures.
    table : pandas.DataFrame
        :meth:`YearOverview.table`: numbers as numbers, for a file.
    shown : pandas.DataFrame
        The same, as Dutch text for a page (``55,6 %``, ``+10``).
    not_reached : pandas.DataFrame
        The vmbo schools without a given activity this school year
        (:data:`NOT_REACHED_COLUMNS`).
    notes : tuple of str
        Plain Dutch sentences under the table (no user text).
    examples : bool
        True when the year's activities include example data.
    """

    school_year: str
    previous_year: str
    school_years: tuple[str, ...]
    overview: YearOverview
    table: pd.DataFrame
    shown: pd.DataFrame
    not_reached: pd.DataFrame
    notes: tuple[str, ...]
    examples: bool

    @property
    def title(self) -> str:
        """``"Jaaroverzicht 2024-2025 (met 2023-2024 ernaast)"``."""
        return f"Jaaroverzicht {self.school_year} (met {self.previous_year} ernaast)"

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The overview and the vmbo schools not reached, as sheets of one workbook."""
        return dict(zip(SHEETS, (self.table, self.not_reached), strict=True))

    def file_bytes(self, *, xlsx: bool) -> bytes:
        """The download: both sheets as ``.xlsx``, or the overview alone as ``.csv``."""
        return tables.table_bytes(self.sheets(), xlsx=xlsx)

    def file_name(self, *, xlsx: bool) -> str:
        """``jaaroverzicht_2024-2025.xlsx`` (or ``.csv``)."""
        return f"jaaroverzicht_{self.school_year}.{'xlsx' if xlsx else 'csv'}"

    def lines(self) -> list[str]:
        """The overview as lines of text for the terminal."""
        width = max(len(str(t)) for t in self.shown[TOPIC])
        out = [self.title, ""]
        out.append(f"{TOPIC:<{width}}  {self.school_year:>10}  {self.previous_year:>10}  "
                   f"{CHANGE:>8}")
        for row in self.shown.itertuples(index=False):
            out.append(f"{row[0]:<{width}}  {row[1]:>10}  {row[2]:>10}  {row[3]:>8}")
        out.append("")
        out += list(self.notes)
        return out


def _number(label: str, value: float) -> str:
    if "%" in label:
        return f"{nl_number(value, 1)} %"
    return nl_number(value)


def _change(label: str, value: float) -> str:
    if "%" in label:
        return signed_decimal(value)
    return f"{'+' if value > 0 else ''}{nl_number(value)}"


def _shown(table: pd.DataFrame, current: str, previous: str) -> pd.DataFrame:
    rows = [{TOPIC: r[TOPIC], current: _number(r[TOPIC], r[current]),
             previous: _number(r[TOPIC], r[previous]), CHANGE: _change(r[TOPIC], r[CHANGE])}
            for r in table.to_dict("records")]
    return pd.DataFrame(rows, columns=list(table.columns))


def _not_reached(codes: tuple[str, ...], schools: pd.DataFrame) -> pd.DataFrame:
    chosen = schools[schools["vestigingscode"].isin(codes)]
    rows = [{"Subregio": s["subregio"] or "", "Gemeente": s["gemeentenaam"] or "",
             "Plaats": s["plaats"] or "", "School": s["naam"],
             "Vestigingscode": s["vestigingscode"]} for s in chosen.to_dict("records")]
    frame = pd.DataFrame(rows, columns=list(NOT_REACHED_COLUMNS))
    return frame.sort_values(["Subregio", "Plaats", "School"],
                             key=lambda c: c.str.casefold()).reset_index(drop=True)


def year_overview_view(store: Store, *, school_year: str | None = None,
                       today: date | None = None,
                       maximum: int = DEFAULTS.max_guest_lessons_vo) -> YearOverviewView:
    """The Jaaroverzicht of ``school_year`` (default: see the module notes).

    Parameters
    ----------
    store : Store
        The register (activities from its public view, its schools).
    school_year : str, optional
        ``"2024-2025"`` (also ``2024/2025``); the default school year when omitted.
    today : date, optional
        Which school year is the current one (default: today).
    maximum : int
        The most guest lessons VO in a school year.

    Raises
    ------
    ValueError
        In Dutch, for a ``school_year`` that is not one.
    """
    today = today or date.today()
    known = store.activities.school_years()
    year = (activities.parse_school_year(school_year) if school_year
            else activities.first_school_year(known, today))
    frame = store.activities.all()
    schools = store.schools()
    overview = year_overview(frame, schools, school_year=year, maximum=maximum)
    table = overview.table()
    in_year = frame[frame["schooljaar"] == year]
    notes = [GIVEN_NOTE, PUPILS_NOTE]
    if overview.current.pupils_unknown:
        lacking = count_noun(overview.current.pupils_unknown, "gegeven activiteit",
                             "gegeven activiteiten")
        notes.append(f"{lacking} zonder aantal leerlingen: het aantal leerlingen is daardoor "
                     "te laag.")
    if in_year.empty:
        notes.append(f"Voor schooljaar {year} staan nog geen activiteiten in het register. "
                     "Importeer de planning met 'infrakaart activiteiten import'.")
    examples = bool(in_year["voorbeeld"].any()) if not in_year.empty else False
    if examples:
        notes.append("Dit overzicht bevat verzonnen voorbeeldactiviteiten; ze verdwijnen met "
                     "de voorbeeldpartners (Beheer, of 'infrakaart voorbeeld --verwijderen').")
    years = sorted({*known, activities.school_year(today), year}, reverse=True)
    return YearOverviewView(
        school_year=year, previous_year=overview.previous.school_year,
        school_years=tuple(years), overview=overview, table=table,
        shown=_shown(table, year, overview.previous.school_year),
        not_reached=_not_reached(overview.current.vmbo_not_reached, schools),
        notes=tuple(notes), examples=examples)
