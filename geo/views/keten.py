"""The chain view (Keten): PO events → VO activities → mbo infra inflow, per unit.

What the page "Keten" shows and ``infrakaart keten`` prints and writes, computed without
Streamlit: per unit and school year the PET events, the VO activities, the vmbo schools
reached, the partners (present and active), the travel time to mbo infra, the inflow
per 1,000 young people (suppressed: :mod:`geo.analysis.suppression`) and where inflow
stops (:mod:`geo.analysis.chain`), with a row for the five regions together, the caveats,
the files to download, and a map on request (:meth:`ChainView.map`; the table alone
loads no drawing library).

Which school year first (decision)
    The latest school year with inflow figures and activities; else the latest with
    inflow figures; else as the Jaaroverzicht (the current school year when it has
    activities, else the latest that has). A page offers every school year with
    activities or inflow and the current one, newest first.

No personal data: activities are read from the public view (no guest teachers, no
notes); inflow only as published by :func:`geo.analysis.inflow.inflow_by_unit`, so no
count below five reaches the table, the files, the map or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo import activities
from geo.analysis.chain import (
    CAVEATS_NL,
    CLASS_NOTES_NL,
    CLASSES,
    VO_KINDS,
    chain_by_unit,
    unit_activities,
)
from geo.analysis.indicators import indicators, units_of
from geo.analysis.inflow import YOUTH_NOTE_NL, inflow_by_unit
from geo.analysis.travel import TravelModel
from geo.output import tables
from geo.reference.data import Division, Reference
from geo.reference.levels import LEVEL_LABELS, LEVELS
from geo.settings import DEFAULTS
from geo.text import count_noun, nl_number

#: The columns people see, in order (Dutch headers).
COLUMNS = ("Gebied", "Code", "Jongeren (10-19 jaar)", "PET-events (po)", "VO-activiteiten",
           "vmbo-scholen", "vmbo-scholen bereikt", "vmbo bereikt (%)", "Partners",
           "Partners actief", "Reistijd mbo infra (min)", "Instroom mbo infra",
           "Per 1.000 jongeren", "Waar stopt de instroom?")

_VO_LABELS = ", ".join(activities.activity_kind_label(k) for k in VO_KINDS)

#: What the columns mean, for the "Uitleg" sheet and the page (Dutch).
COLUMN_NOTES = {
    "Gebied": "Gemeente, subregio of arbeidsmarktregio.",
    "Code": "CBS-gemeentecode, naam van de subregio of code van de arbeidsmarktregio.",
    "Jongeren (10-19 jaar)": "Inwoners van 10 tot 20 jaar (CBS-postcodecijfers 2021).",
    "PET-events (po)": "Gegeven PET-events voor het primair onderwijs in het schooljaar.",
    "VO-activiteiten": f"Gegeven activiteiten voor het voortgezet onderwijs ({_VO_LABELS}).",
    "vmbo-scholen": "Scholen met vmbo in het register.",
    "vmbo-scholen bereikt": "vmbo-scholen met minstens één gegeven activiteit (elke soort) "
                            "in het schooljaar.",
    "vmbo bereikt (%)": "Bereikte vmbo-scholen als deel van alle vmbo-scholen; leeg zonder "
                        "vmbo-school.",
    "Partners": "Actieve partners met een bekende locatie in het gebied.",
    "Partners actief": "Organisaties die in het schooljaar een activiteit in het gebied gaven.",
    "Reistijd mbo infra (min)": "Geschatte reistijd naar de dichtstbijzijnde mbo-infralocatie, "
                                "gemiddeld en gewogen naar jongeren.",
    "Instroom mbo infra": "Nieuwe mbo-infrastudenten in het schooljaar, naar woongebied. "
                          "'<5': minder dan 5 (afgeschermd); 'a tot b' of 'hoogstens b': "
                          "het gebied bevat afgeschermde gemeenten.",
    "Per 1.000 jongeren": "Instroom per 1.000 jongeren; leeg als de instroom is afgeschermd.",
    "Waar stopt de instroom?": "Instroom vergeleken met wat het cijfer van de vijf regio's "
                               "samen verwacht laat, rekening houdend met toeval.",
}

#: Shown when the school year has no inflow figures (Dutch).
NO_INFLOW_NOTE = ("Voor schooljaar {year} zijn geen instroomcijfers. Importeer ze met "
                  "'infrakaart instroom import BESTAND' (kolommen: zie de README).")

#: Shown when the school year's figures include example data (Dutch).
EXAMPLE_NOTE = ("Dit overzicht bevat verzonnen voorbeeldgegevens (activiteiten of instroom); "
                "ze verdwijnen met de voorbeeldpartners (Beheer, of 'infrakaart voorbeeld "
                "--verwijderen').")


@dataclass(frozen=True)
class ChainView:
    """Everything the chain view shows.

    Attributes
    ----------
    level, school_year : str
    school_years : tuple of str
        The school years to choose from, newest first.
    has_inflow : bool
        Whether the school year has inflow figures.
    title : str
    units : pandas.DataFrame
        :func:`geo.analysis.chain.chain_by_unit` (published figures only): for the map.
    table : pandas.DataFrame
        :data:`COLUMNS`, one row per unit and one for the five regions together; numbers
        as numbers (for a file).
    shown : pandas.DataFrame
        The same as Dutch text (for a page and the terminal).
    classes : tuple of (str, str, int)
        (class code, Dutch label, number of units) for every class present, in legend order.
    caveats, notes : tuple of str
        Plain Dutch sentences (no user text except inflow sources, which pages escape).
    """

    level: str
    school_year: str
    school_years: tuple[str, ...]
    has_inflow: bool
    title: str
    units: pd.DataFrame
    table: pd.DataFrame
    shown: pd.DataFrame
    classes: tuple[tuple[str, str, int], ...]
    caveats: tuple[str, ...]
    notes: tuple[str, ...]

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The table and its explanation ("Uitleg"), for :mod:`geo.output.tables`."""
        explanation = pd.DataFrame(
            [*COLUMN_NOTES.items(), ("", ""),
             *((f"Klasse: {CLASSES[code]}", CLASS_NOTES_NL[code]) for code in CLASSES),
             ("", ""), *(("Let op", text) for text in self.caveats),
             *(("Toelichting", text) for text in self.notes)],
            columns=["Kolom", "Betekenis"])
        return {"Keten": self.table, "Uitleg": explanation}

    def file_bytes(self, *, xlsx: bool) -> bytes:
        """The download: table and explanation as ``.xlsx``, or the table as ``.csv``."""
        return tables.table_bytes(self.sheets(), xlsx=xlsx)

    def file_name(self, *, xlsx: bool) -> str:
        """``keten-subregio-2024-2025.xlsx`` (or ``.csv``)."""
        return f"keten-{self.level}-{self.school_year}.{'xlsx' if xlsx else 'csv'}"

    def lines(self) -> list[str]:
        """The table, its classes and caveats as lines of text for the terminal."""
        shown = self.shown.fillna("").astype(str)
        if (self.units["code"] == self.units["naam"]).all():  # subregions: the code is the name
            shown = shown.drop(columns="Code")
        widths = {c: max(len(c), *(len(v) for v in shown[c])) for c in shown.columns}
        out = [f"{self.title} ({count_noun(len(self.units), 'gebied', 'gebieden')}).", ""]
        out.append("  ".join(c.ljust(widths[c]) for c in shown.columns).rstrip())
        out += ["  ".join(str(v).ljust(widths[c]) for c, v in zip(shown.columns, row,
                                                                 strict=True)).rstrip()
                for row in shown.itertuples(index=False)]
        out.append("")
        out += [f"{label}: {count_noun(n, 'gebied', 'gebieden')}." for _, label, n in
                self.classes]
        out.append("")
        out += list(self.notes)
        out += [f"Let op: {text}" for text in self.caveats]
        return out

    def map(self, *, reference: Reference, division: Division | None = None,
            mbo: pd.DataFrame | None = None):
        """The map of where inflow stops (a ``folium.Map``; loads the drawing libraries)."""
        from geo.output.chain_maps import chain_map
        from geo.reference.regions import unit_polygons

        return chain_map(unit_polygons(self.level, reference, division), self.units,
                         reference=reference, mbo=mbo,
                         title=f"Waar stopt de instroom? ({self.school_year})")


def school_years(store, today: date) -> tuple[list[str], str]:
    """Every school year to offer (newest first) and the one to show first."""
    with_activities = set(store.activities.school_years())
    with_inflow = set(store.inflow.school_years())
    both = with_activities & with_inflow
    first = (max(both) if both else max(with_inflow) if with_inflow
             else activities.first_school_year(with_activities, today))
    years = sorted({*with_activities, *with_inflow, activities.school_year(today), first},
                   reverse=True)
    return years, first


def _percent(value: float) -> float | None:
    return None if pd.isna(value) else round(100.0 * float(value))


def _minutes(value: float) -> int | None:
    return None if pd.isna(value) else int(round(float(value)))


def _table(units: pd.DataFrame) -> pd.DataFrame:
    rows = [{
        "Gebied": u.naam, "Code": u.code, "Jongeren (10-19 jaar)": int(u.jongeren),
        "PET-events (po)": int(u.po_events), "VO-activiteiten": int(u.vo_activiteiten),
        "vmbo-scholen": int(u.scholen_vmbo), "vmbo-scholen bereikt": int(u.scholen_vmbo_bereikt),
        "vmbo bereikt (%)": _percent(u.aandeel_vmbo_bereikt), "Partners": int(u.partners),
        "Partners actief": int(u.partners_actief),
        "Reistijd mbo infra (min)": _minutes(u.reistijd_mbo_infra_min_gemiddeld),
        "Instroom mbo infra": u.instroom, "Per 1.000 jongeren": u.per_1000_tekst,
        "Waar stopt de instroom?": u.klasse_tekst,
    } for u in units.itertuples(index=False)]
    total = units.attrs["totaal"]
    minutes = units["reistijd_mbo_infra_min_gemiddeld"].to_numpy(float)
    weights = units["jongeren"].to_numpy(float)
    known = (weights > 0) & np.isfinite(minutes)
    mean = (float((minutes[known] * weights[known]).sum() / weights[known].sum())
            if known.any() else np.nan)
    rows.append({
        "Gebied": total["naam"], "Code": "", "Jongeren (10-19 jaar)": int(total["jongeren"]),
        "PET-events (po)": total["po_events"], "VO-activiteiten": total["vo_activiteiten"],
        "vmbo-scholen": total["scholen_vmbo"],
        "vmbo-scholen bereikt": total["scholen_vmbo_bereikt"],
        "vmbo bereikt (%)": _percent(total["aandeel_vmbo_bereikt"]),
        "Partners": int(units["partners"].sum()), "Partners actief": total["partners_actief"],
        "Reistijd mbo infra (min)": _minutes(mean), "Instroom mbo infra": total["instroom"],
        "Per 1.000 jongeren": total["per_1000_tekst"], "Waar stopt de instroom?": "",
    })
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    def text(column: str, value: object) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return "" if column in ("Instroom mbo infra", "Per 1.000 jongeren") else "—"
        if isinstance(value, str):
            return value
        return f"{nl_number(value)} %" if column == "vmbo bereikt (%)" else nl_number(value)

    return pd.DataFrame({c: [text(c, v) for v in table[c].astype(object)] for c in COLUMNS},
                        columns=list(COLUMNS))


def _notes(store, year: str, units: pd.DataFrame, has_inflow: bool) -> list[str]:
    notes = ["Alleen activiteiten met de status 'gegeven' tellen mee, in de gemeente van de "
             "school of de plaats.", YOUTH_NOTE_NL]
    elsewhere = int(units.attrs.get("elders", 0))
    if elsewhere:
        counted = count_noun(elsewhere, "gegeven PET- of VO-activiteit telt",
                             "gegeven PET- of VO-activiteiten tellen")
        notes.append(f"{counted} in geen gebied (zonder gemeente of buiten de vijf regio's); "
                     "ze staan niet in de tabel.")
    if not has_inflow:
        notes.append(NO_INFLOW_NOTE.format(year=year))
    else:
        sources = store.inflow.sources(year)
        notes.append(("Bron instroom: " if len(sources) == 1 else "Bronnen instroom: ")
                     + "; ".join(sources) + ".")
    in_year = store.activities.all(school_year=year)
    examples = (bool(in_year["voorbeeld"].any()) if not in_year.empty else False) or (
        has_inflow and not store.inflow.rows(year, examples=True).empty)
    if examples:
        notes.append(EXAMPLE_NOTE)
    return notes


def chain_view(store, *, reference: Reference, division: Division | None = None,
               level: str = DEFAULTS.level, school_year: str | None = None,
               today: date | None = None, travel: TravelModel | None = None) -> ChainView:
    """The chain of one school year at ``level``.

    Parameters
    ----------
    store : geo.register.store.Store
    reference, division
        The reference data and the subregion division (bundled when omitted).
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    school_year : str, optional
        ``"2024-2025"`` (also ``2024/2025``); see the module notes when omitted.
    today : date, optional
        Which school year is the current one (default: today).
    travel : TravelModel, optional
        For the travel time (default as the indicators: train where it helps).

    Raises
    ------
    ValueError
        In Dutch, for a school year that is not one or an unknown level.
    """
    if level not in LEVELS:
        raise ValueError(f"Onbekend niveau '{level}'; kies uit {', '.join(LEVELS)}.")
    division = division or reference.default_division
    years, first = school_years(store, today or date.today())
    year = activities.parse_school_year(school_year) if school_year else first
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    has_inflow = year in store.inflow.school_years()
    rows = (store.inflow.rows(year) if has_inflow
            else pd.DataFrame(columns=["pc4", "gemeentecode", "aantal"]))
    inflow = inflow_by_unit(level, rows, reference=reference, division=division,
                            school_year=year)
    units, code_of = units_of(level, reference, division)
    schools = store.schools()
    done = unit_activities(store.activities.all(), schools, code_of=code_of,
                           units=units["code"], school_year=year, reference=reference)
    figures = indicators(level, reference=reference, division=division,
                         partners=store.organisations(), schools=schools,
                         mbo=store.mbo_locations(), travel=travel)
    chain = chain_by_unit(inflow, done, figures=figures, has_figures=has_inflow)
    table = _table(chain)
    counts = chain["klasse"].value_counts()
    classes = tuple((code, label, int(counts[code])) for code, label in CLASSES.items()
                    if code in counts)
    label = LEVEL_LABELS[level].lower()
    return ChainView(
        level=level, school_year=year, school_years=tuple(years), has_inflow=has_inflow,
        title=f"De keten per {label}, schooljaar {year}", units=chain, table=table,
        shown=_shown(table), classes=classes, caveats=CAVEATS_NL,
        notes=tuple(_notes(store, year, chain, has_inflow)))
