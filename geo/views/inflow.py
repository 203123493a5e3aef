"""The inflow overview: where inflow into mbo infra stops, beside partners and travel time.

One table per level and school year: per unit the young people, the inflow into mbo
infra (suppressed: ``"<5"``, a range for a total with a hidden municipality), the
inflow per 1,000 young people (empty when hidden), the number of partners and the
estimated travel time to mbo infra (from :func:`geo.analysis.indicators.indicators`, as
the Kaart page computes them), with a last row for the five regions together, and the
Dutch caveat (association, not cause; small numbers). Nothing here ever holds a count
below five: the figures come from :func:`geo.analysis.inflow.inflow_by_unit`.

Used by ``infrakaart instroom overzicht`` and, later, by a page (Streamlit-free here).
The frame ``units`` keeps ``code`` and the school year, so the activities per unit and
school year can be joined to it for the chain view.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.analysis.indicators import indicators
from geo.analysis.inflow import CAVEAT_NL, YOUTH_NOTE_NL, inflow_by_unit
from geo.analysis.travel import TravelModel
from geo.output import tables
from geo.reference.data import Division, Reference
from geo.reference.levels import LEVEL_LABELS
from geo.settings import DEFAULTS
from geo.text import count_noun

#: The columns people see, in order (Dutch headers).
TABLE_COLUMNS = ("Gebied", "Code", "Jongeren (10-19 jaar)", "Instroom mbo infra",
                 "Per 1.000 jongeren", "Partners", "Reistijd mbo infra (min, gemiddeld)")

#: What the columns mean, for the "Uitleg" sheet (Dutch).
COLUMN_NOTES = {
    "Gebied": "Gemeente, subregio of arbeidsmarktregio.",
    "Code": "CBS-gemeentecode, naam van de subregio of code van de arbeidsmarktregio.",
    "Jongeren (10-19 jaar)": "Inwoners van 10 tot 20 jaar (CBS-postcodecijfers 2021).",
    "Instroom mbo infra": "Nieuwe mbo-infrastudenten in het schooljaar, naar woongebied. "
                          "'<5': minder dan 5 (afgeschermd). 'a tot b' of 'hoogstens b': "
                          "het gebied bevat afgeschermde gemeenten.",
    "Per 1.000 jongeren": "Instroom per 1.000 jongeren; leeg als de instroom is "
                          "afgeschermd.",
    "Partners": "Actieve partners met een bekende locatie in het gebied.",
    "Reistijd mbo infra (min, gemiddeld)": "Geschatte reistijd naar de dichtstbijzijnde "
                                           "mbo-infralocatie, gewogen naar jongeren.",
}

#: Shown when the register holds example inflow (Dutch).
EXAMPLE_NOTICE = ("Deze cijfers bevatten **voorbeeldgegevens** (verzonnen instroom). Verwijder "
                  "ze met de andere voorbeelden (Beheer of 'infrakaart voorbeeld "
                  "--verwijderen').")

#: Shown when there are no inflow figures yet (Dutch).
EMPTY_MESSAGE = ("Er zijn nog geen instroomcijfers. Importeer ze met 'infrakaart instroom "
                 "import BESTAND' (kolommen: zie de README).")


@dataclass(frozen=True)
class InflowOverview:
    """What the inflow overview shows.

    Attributes
    ----------
    level : str
    school_year : str or None
        The school year shown; None when there are no figures.
    school_years : tuple of str
        Every school year with figures, oldest first (for a select).
    sources : tuple of str
        The sources added up in this school year.
    title : str
    table : pandas.DataFrame
        :data:`TABLE_COLUMNS`, one row per unit and a last row for the five regions.
    units : pandas.DataFrame
        The suppressed figures per unit (:func:`geo.analysis.inflow.inflow_by_unit`)
        with ``partners`` and ``reistijd_mbo_infra_min_gemiddeld``: for a map or a join.
    caveat : str
        Association, not cause; small numbers (Dutch).
    notes : tuple of str
        Captions: how young people are counted, which sources, example data.
    message : str or None
        Why the table is empty, if it is.
    sheets : dict of str to pandas.DataFrame
        The table and its explanation ("Uitleg"), for :mod:`geo.output.tables`.
    file_stem : str
    """

    level: str
    school_year: str | None
    school_years: tuple[str, ...]
    sources: tuple[str, ...]
    title: str
    table: pd.DataFrame
    units: pd.DataFrame
    caveat: str
    notes: tuple[str, ...]
    message: str | None
    sheets: dict[str, pd.DataFrame]
    file_stem: str

    @property
    def csv(self) -> bytes:
        """The table as CSV (the explanation is only in the Excel file)."""
        return tables.table_bytes(self.sheets, xlsx=False)

    @property
    def xlsx(self) -> bytes:
        """The table and its explanation as an Excel workbook."""
        return tables.table_bytes(self.sheets, xlsx=True)


def _display(units: pd.DataFrame) -> pd.DataFrame:
    rows = [{
        "Gebied": u.naam, "Code": u.code, "Jongeren (10-19 jaar)": int(u.jongeren),
        "Instroom mbo infra": u.instroom, "Per 1.000 jongeren": u.per_1000_tekst,
        "Partners": int(u.partners),
        "Reistijd mbo infra (min, gemiddeld)": (None if pd.isna(u.reistijd)
                                                else round(float(u.reistijd))),
    } for u in units.itertuples(index=False)]
    totals = units.attrs["totaal"]
    minutes = units["reistijd"].to_numpy(float)
    weights = units["jongeren"].to_numpy(float)
    known = (weights > 0) & pd.notna(minutes)
    mean = (float((minutes[known] * weights[known]).sum() / weights[known].sum())
            if known.any() else None)
    rows.append({
        "Gebied": totals["naam"], "Code": "", "Jongeren (10-19 jaar)": totals["jongeren"],
        "Instroom mbo infra": totals["instroom"], "Per 1.000 jongeren": totals["per_1000_tekst"],
        "Partners": int(units["partners"].sum()),
        "Reistijd mbo infra (min, gemiddeld)": None if mean is None else round(mean),
    })
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def inflow_overview(store, *, reference: Reference, division: Division | None = None,
                    level: str = DEFAULTS.level, school_year: str | None = None,
                    travel: TravelModel | None = None) -> InflowOverview:
    """The inflow overview of one school year at ``level``.

    Parameters
    ----------
    store : geo.register.store.Store
    reference, division
        The reference data and the subregion division (bundled when omitted).
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    school_year : str, optional
        Default: the latest with figures.
    travel : TravelModel, optional
        For the travel time (default as the indicators: train where it helps).

    Returns
    -------
    InflowOverview

    Raises
    ------
    ValueError
        In Dutch, for a school year without figures or an unknown level.
    """
    division = division or reference.default_division
    years = tuple(store.inflow.school_years())
    if school_year is not None and school_year not in years:
        known = ", ".join(years) if years else "geen"
        raise ValueError(f"Voor schooljaar '{school_year}' zijn geen instroomcijfers; wel "
                         f"voor: {known}.")
    year = school_year or (years[-1] if years else None)
    rows = store.inflow.rows(year) if year else pd.DataFrame(columns=["pc4", "aantal"])
    units = inflow_by_unit(level, rows, reference=reference, division=division,
                           school_year=year or "")
    figures = indicators(level, reference=reference, division=division,
                         partners=store.organisations(), schools=store.schools(),
                         mbo=store.mbo_locations(), travel=travel).set_index("code")
    units = units.assign(
        partners=units["code"].map(figures["partners"]).fillna(0).astype(int),
        reistijd=units["code"].map(figures["reistijd_mbo_infra_min_gemiddeld"]))
    table = _display(units)
    if year is None:  # no figures at all: nothing to show, not "<5" everywhere
        table["Instroom mbo infra"] = ""
        table["Per 1.000 jongeren"] = ""
    units = units.rename(columns={"reistijd": "reistijd_mbo_infra_min_gemiddeld"})
    sources = tuple(store.inflow.sources(year)) if year else ()
    notes = [YOUTH_NOTE_NL]
    if sources:
        notes.append(("Bron: " if len(sources) == 1 else "Bronnen: ") + "; ".join(sources)
                     + (f" ({count_noun(len(sources), 'bron', 'bronnen')} opgeteld; tellen ze "
                        "dezelfde studenten, importeer dan één bron)."
                        if len(sources) > 1 else "."))
    if year and not store.inflow.rows(year, examples=True).empty:
        notes.append(EXAMPLE_NOTICE)
    label = LEVEL_LABELS[level].lower()
    title = (f"Instroom mbo infra per {label}, schooljaar {year}" if year
             else f"Instroom mbo infra per {label}")
    explanation = pd.DataFrame(
        [*COLUMN_NOTES.items(), ("", ""), ("Let op", CAVEAT_NL),
         *(("Toelichting", note.replace("**", "")) for note in notes)],
        columns=["Kolom", "Betekenis"])
    return InflowOverview(
        level=level, school_year=year, school_years=years, sources=sources, title=title,
        table=table, units=units, caveat=CAVEAT_NL, notes=tuple(notes),
        message=None if year else EMPTY_MESSAGE,
        sheets={"Instroom": table, "Uitleg": explanation},
        file_stem=f"instroom-{level}-{year or 'leeg'}")
