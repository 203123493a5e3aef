"""geo.views.bereik: the planning import, reach per subregion and one subregion, no Streamlit."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from geo.analysis.reach import reach_by_unit
from geo.output.reach_maps import NOT_REACHED_CLASS
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.views.bereik import (
    NOT_REACHED_COLUMNS,
    OVERVIEW_COLUMNS,
    apply_planning,
    check_planning_file,
    reach_overview,
    subregion_reach,
)
from tests.map_payloads import layer

YEAR = "2026-2027"
SUBREGION = "Kop van Noord-Holland"
TEACHER = "Tineke Geheimdocent"


@pytest.fixture(scope="module")
def store(tmp_path_factory, reference):
    path = tmp_path_factory.mktemp("bereik") / "register.sqlite"
    with Store(path, reference) as opened:
        load_example_data(opened)
        yield opened


@pytest.fixture(scope="module")
def kop(store, reference):
    """The vmbo schools of the Kop van Noord-Holland, by code."""
    schools = store.schools()
    sub_of = reference.default_division.subregion_of()
    inside = schools[schools["gemeentecode"].map(sub_of) == SUBREGION]
    return sorted(inside.loc[inside["heeft_vmbo"], "vestigingscode"])


def _sheet(codes: list[str]) -> bytes:
    return ("Soort;Datum;Vestigingscode;Partner;Status;Gastdocenten\n"
            f"Gastles VO;01-10-2026;{codes[0]};Voorbeeld Wegenbouw Kopland;gegeven;{TEACHER}\n"
            f"Gastles VO;02-10-2026;{codes[1]};Onbekende Partner BV;gegeven;\n"
            "Beurs;03-10-2026;;Voorbeeld Wegenbouw Kopland;gegeven;\n").encode()


def _check(store, reference, settings, data: bytes, name: str = "planning.csv"):
    return check_planning_file(store, data, name, "bestand-1", settings=settings,
                               reference=reference, today=date(2026, 12, 1))


def test_a_sheet_is_checked_row_by_row_and_nothing_is_written(store, reference, settings,
                                                               kop):
    check = _check(store, reference, settings, _sheet(kop))
    assert check.problem is None
    assert check.counts == {"ok": 1, "waarschuwing": 1, "fout": 1}
    assert list(check.verdicts["Oordeel"]) == ["ok", "fout", "waarschuwing"]
    assert "Onbekende Partner BV" in check.verdicts.iloc[1]["Melding"]
    assert len(check.records) == 2 and check.button_label == "Importeren (2 rijen)"
    assert "planning.csv: 3 rijen met gegevens" in check.summary.replace("\\", "")
    assert TEACHER not in check.verdicts.to_csv()
    assert store.activities.all(school_year=YEAR).empty


def test_a_hostile_file_name_is_escaped_and_a_bad_file_refused(store, reference, settings,
                                                               kop):
    check = _check(store, reference, settings, _sheet(kop), "<img src=x>[a](b).csv")
    assert "<img" not in check.summary.replace("\\<img", "")
    bad = _check(store, reference, settings, b"Naam;Adres\nEen;Twee\n")
    assert bad.problem and bad.records == () and bad.verdicts.empty


def test_applying_needs_the_import_permission(store, reference, settings, kop):
    check = _check(store, reference, settings, _sheet(kop))
    refused = apply_planning(store, check, user="wandelaar", role="publiek")
    assert refused.applied.kind == "error"
    assert store.activities.all(school_year=YEAR).empty
    done = apply_planning(store, check, user="anna", role="team")
    assert done.applied.kind == "success"
    assert done.applied.text == ("Planning geïmporteerd: 2 nieuw, 0 bijgewerkt, 0 ongewijzigd; "
                                 "1 rij met een fout overgeslagen.")
    again = apply_planning(store, check, user="anna", role="team")  # the same sheet again
    assert "0 nieuw, 0 bijgewerkt, 2 ongewijzigd" in again.applied.text
    nothing = apply_planning(store, _check(store, reference, settings, b"Soort;Datum\n"
                                           b"Excursie;01-10-2026\n"), user="anna", role="team")
    assert nothing.applied.kind == "warning"


@pytest.fixture(scope="module")
def imported(store, reference, kop, tmp_path_factory):
    from geo.settings import Settings

    settings = Settings(var_dir=tmp_path_factory.mktemp("var"), offline=True)
    apply_planning(store, _check(store, reference, settings, _sheet(kop)), user="anna",
                   role="team")
    return kop


def test_reach_overview_per_subregion(store, reference, imported):
    view = reach_overview(store, reference=reference, division=reference.default_division,
                          school_year=YEAR, today=date(2026, 12, 1))
    assert view.school_year == YEAR
    assert view.school_years[0] == YEAR and "2024-2025" in view.school_years
    assert list(view.table.columns) == list(OVERVIEW_COLUMNS)
    assert list(view.shown.columns) == list(OVERVIEW_COLUMNS)
    reach = reach_by_unit("subregio", reference=reference,
                          activities_frame=store.activities.all(school_year=YEAR),
                          schools=store.schools(), school_year=YEAR)
    row = view.table.set_index("Subregio").loc[SUBREGION]
    expected = reach.set_index("code").loc[SUBREGION]
    assert row["vmbo bereikt"] == expected["scholen_vmbo_bereikt"] == 1
    assert row["Gastlessen VO"] == 1 and row["Activiteiten"] == 1  # the fair: no place, no unit
    shown = view.shown.set_index("Subregio").loc[SUBREGION]
    assert shown["Aandeel vmbo bereikt"].endswith(" %")
    assert view.lines[0] == ("In schooljaar 2026-2027 is 1 gastles VO gegeven, van een "
                             "maximum van 180 (0,6 %).")
    book = pd.read_excel(io.BytesIO(view.file_bytes(xlsx=True)), sheet_name=None)
    assert list(book) == ["Bereik per subregio"]
    assert view.file_name(xlsx=False) == "bereik_2026-2027.csv"
    with pytest.raises(ValueError):
        reach_overview(store, reference=reference, division=reference.default_division,
                       school_year="volgend jaar")


def test_one_subregion_lists_the_vmbo_schools_not_reached(store, reference, imported):
    kop = imported
    view = subregion_reach(store, reference=reference, division=reference.default_division,
                           subregion=SUBREGION, school_year=YEAR, k=3)
    assert list(view.not_reached.columns) == list(NOT_REACHED_COLUMNS)
    assert set(view.not_reached["Vestigingscode"]) == set(kop) - {kop[0]}
    assert view.caption.startswith(f"{len(kop) - 1} van de {len(kop)} vmbo-scholen in "
                                   "Kop van Noord")
    calls = view.calls
    assert len(calls) == 3 * (len(kop) - 1)  # three partners for each school
    assert {"School", "Vestigingscode", "Partner", "Afstand (km, hemelsbreed)",
            f"Activiteiten in {YEAR}"} <= set(calls.columns)
    assert "E-mail" not in calls.columns and "Contactpersoon" not in calls.columns
    assert set(calls.groupby("Vestigingscode")["Rang"].apply(list).map(tuple)) == {(1, 2, 3)}
    html = view.fmap.get_root().render()
    marked = layer(html, "points", NOT_REACHED_CLASS)
    names = store.schools().set_index("vestigingscode").loc[sorted(set(kop) - {kop[0]}),
                                                            "naam"]
    assert sorted(marked["cols"]["naam"]) == sorted(names)
    assert TEACHER not in html
    book = pd.read_excel(io.BytesIO(view.file_bytes(xlsx=True)), sheet_name=None)
    assert list(book) == ["Bellijst", "vmbo niet bereikt"]
    assert view.file_name(xlsx=True) == f"bellijst_Kop-van-Noord-Holland_{YEAR}.xlsx"


def test_contact_data_only_when_asked(store, reference, imported):
    staff = subregion_reach(store, reference=reference, division=reference.default_division,
                            subregion=SUBREGION, school_year=YEAR, include_personal=True)
    assert {"Contactpersoon", "E-mail", "Telefoon"} <= set(staff.calls.columns)
    assert staff.calls["E-mail"].str.endswith("@voorbeeld.invalid").all()


def test_a_subregion_with_every_vmbo_school_reached(store, reference, imported):
    kop = imported
    year = "2027-2028"
    records = [{"soort": "voorlichting", "datum": "2027-09-01", "status": "gegeven",
                "vestigingscode": code} for code in kop]
    store.activities.apply_import(records, user="anna", role="team")
    view = subregion_reach(store, reference=reference, division=reference.default_division,
                           subregion=SUBREGION, school_year=year)
    assert view.not_reached.empty and view.calls.empty
    assert view.caption.startswith(f"0 van de {len(kop)} vmbo-scholen")
    assert "Bellijst" in pd.read_excel(io.BytesIO(view.file_bytes(xlsx=True)), sheet_name=None)


def test_an_unknown_subregion_is_refused(store, reference):
    with pytest.raises(ValueError, match="geen subregio"):
        subregion_reach(store, reference=reference, division=reference.default_division,
                        subregion="Atlantis", school_year=YEAR)
