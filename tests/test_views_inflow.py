"""The inflow overview (geo.views.inflow) and ``infrakaart instroom overzicht``.

Beside partners and travel time, with the caveat; never a count below five in what
people see: the table, the CSV and Excel files, the terminal.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from geo.analysis.indicators import indicators
from geo.analysis.suppression import SUPPRESSED, parse_count_text
from geo.cli import main
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.views.inflow import TABLE_COLUMNS, inflow_overview


@pytest.fixture(scope="module")
def example_register(tmp_path_factory, reference):
    path = tmp_path_factory.mktemp("instroom") / "r.sqlite"
    with Store(path, reference) as store:
        load_example_data(store)
    return path


def _assert_no_small_count(texts) -> None:
    """Every count text is "<5", a range, or an exact number of five or more."""
    for text in texts:
        low, high = parse_count_text(text)
        assert low == high >= 5 or text == SUPPRESSED or low < high, text
        if low < high:
            assert low == 0 or low >= 5, text


@pytest.mark.parametrize("level", ["gemeente", "subregio", "arbeidsmarktregio"])
def test_the_overview_puts_inflow_beside_partners_and_travel_time(example_register,
                                                                  reference, level):
    with Store(example_register, reference) as store:
        view = inflow_overview(store, reference=reference, level=level,
                               school_year="2024-2025")
        figures = indicators(level, reference=reference, partners=store.organisations(),
                             schools=store.schools(), mbo=store.mbo_locations())
    assert view.school_year == "2024-2025"
    assert view.school_years == ("2024-2025", "2025-2026")
    assert list(view.table.columns) == list(TABLE_COLUMNS)
    assert len(view.table) == len(figures) + 1
    assert view.table.iloc[-1]["Gebied"] == "Vijf regio's samen"
    body = view.table.iloc[:-1].set_index("Code")
    figures = figures.set_index("code")
    assert (body["Partners"] == figures.loc[body.index, "partners"]).all()
    minutes = figures.loc[body.index, "reistijd_mbo_infra_min_gemiddeld"].round()
    assert (body["Reistijd mbo infra (min, gemiddeld)"] == minutes).all()
    assert view.table.iloc[-1]["Partners"] == figures["partners"].sum()
    _assert_no_small_count(view.table["Instroom mbo infra"])
    hidden = view.table["Instroom mbo infra"] == SUPPRESSED
    assert (view.table.loc[hidden, "Per 1.000 jongeren"] == "").all()
    assert "samenhang zien, geen oorzaak" in view.caveat and "kleine aantallen" in view.caveat
    assert any("voorbeeldgegevens" in note for note in view.notes)
    assert any(note.startswith("Bron: Voorbeeld") for note in view.notes)
    assert view.units.attrs["schooljaar"] == "2024-2025"  # to join activities later
    assert {"code", "laag", "hoog", "per_1000", "partners"} <= set(view.units.columns)
    assert set(view.units["schooljaar"]) == {"2024-2025"}


def test_the_gemeente_table_hides_small_municipalities(example_register, reference):
    with Store(example_register, reference) as store:
        view = inflow_overview(store, reference=reference, level="gemeente")
    assert view.school_year == "2025-2026"  # the latest by default
    assert (view.table["Instroom mbo infra"] == SUPPRESSED).sum() > 0
    assert (view.table["Instroom mbo infra"] != SUPPRESSED).sum() > 0


def test_files_for_people_never_show_a_count_below_five(example_register, reference):
    with Store(example_register, reference) as store:
        view = inflow_overview(store, reference=reference, level="gemeente")
    rows = list(csv.reader(io.StringIO(view.csv.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Instroom mbo infra")
    _assert_no_small_count(r[column] for r in rows[1:])
    book = openpyxl.load_workbook(io.BytesIO(view.xlsx))
    assert book.sheetnames == ["Instroom", "Uitleg"]
    sheet = book["Instroom"]
    header = [c.value for c in sheet[1]]
    cells = [r[header.index("Instroom mbo infra")] for r in sheet.iter_rows(min_row=2,
                                                                            values_only=True)]
    assert all(isinstance(c, str) for c in cells)  # never a number cell to sum up
    _assert_no_small_count(cells)


def test_an_unknown_school_year_and_an_empty_register(tmp_path, reference):
    with Store(tmp_path / "leeg.sqlite", reference) as store:
        view = inflow_overview(store, reference=reference, level="subregio")
        assert view.school_year is None and view.message and "instroom import" in view.message
        assert (view.table["Instroom mbo infra"] == "").all()
        assert (view.table["Per 1.000 jongeren"] == "").all()
        with pytest.raises(ValueError, match="Voor schooljaar '2030-2031' zijn geen"):
            inflow_overview(store, reference=reference, school_year="2030-2031")


def test_cli_overview_in_dutch_and_its_file(example_register, settings, tmp_path, capsys):
    out = tmp_path / "instroom.csv"
    code = main(["instroom", "overzicht", "--niveau", "subregio", "--schooljaar", "2024/25",
                 "--database", str(example_register), "--uitvoer", str(out)],
                settings=settings)
    printed = capsys.readouterr().out
    assert code == 0
    assert "Instroom mbo infra per subregio, schooljaar 2024-2025 (10 gebieden)." in printed
    assert "Gebied" in printed and "Per 1.000 jongeren" in printed
    assert "Let op: Instroom naast partners en reistijd laat een samenhang zien" in printed
    assert f"10 gebieden geschreven naar {out}" in printed
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0] == list(TABLE_COLUMNS)
    _assert_no_small_count(r[3] for r in rows[1:])

    assert main(["instroom", "overzicht", "--schooljaar", "2024", "--database",
                 str(example_register)], settings=settings) == 1
    assert "--schooljaar: '2024' is één jaartal" in capsys.readouterr().err
