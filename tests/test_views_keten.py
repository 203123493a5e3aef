"""The chain view (geo.views.keten), its map and ``infrakaart keten``.

The register holds the example partners and activities and one inflow set in which
every municipality has a multiple of ten new students, except Texel with 3. So any
exact count that ends in 3, a rate for Texel, or a "3" in Texel's figures would give
the hidden count away; none may appear in the table, the files, the map or the terminal.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest

from geo.analysis.chain import CAVEATS_NL, CLASSES, TOO_FEW
from geo.analysis.indicators import indicators
from geo.analysis.suppression import SUPPRESSED, parse_count_text
from geo.cli import main
from geo.output.chain_maps import CLASS_COLORS
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.views.jaaroverzicht import year_overview_view
from geo.views.keten import COLUMNS, chain_view
from tests.map_payloads import all_texts, layer

TEXEL = "GM0448"
YEAR = "2024-2025"
TODAY = date(2025, 3, 1)


def _counts(reference) -> dict[str, int]:
    youth = reference.pc4.groupby("gemeentecode")["inw_10_19"].sum()
    counts = {c: max(10, int(round(youth.get(c, 0) * 2 / 1000, -1)))
              for c in reference.gemeentecodes}
    return counts | {TEXEL: 3}


@pytest.fixture(scope="module")
def register(tmp_path_factory, reference):
    path = tmp_path_factory.mktemp("keten") / "r.sqlite"
    with Store(path, reference) as store:
        load_example_data(store)
        store.inflow.delete_examples()
        records = [{"schooljaar": YEAR, "bron": "ROC Test", "pc4": None, "gemeentecode": code,
                    "aantal": n, "rij": i + 2}
                   for i, (code, n) in enumerate(_counts(reference).items())]
        store.inflow.apply_import(records, filename="instroom.csv", user="test", role="team")
    return path


def _assert_nothing_gives_three_away(texts) -> None:
    """Every count text is "<5" or built from multiples of ten (a range: S tot S + 4k)."""
    for text in texts:
        low, high = parse_count_text(text)
        assert text == SUPPRESSED or (low % 10 == 0 and low >= 10), text
        if low == high:
            assert low % 10 == 0, text


def test_the_chain_per_municipality(register, reference):
    with Store(register, reference) as store:
        view = chain_view(store, reference=reference, level="gemeente", today=TODAY)
        figures = indicators("gemeente", reference=reference, partners=store.organisations(),
                             schools=store.schools(), mbo=store.mbo_locations())
        overview = year_overview_view(store, school_year=YEAR)
    assert view.school_year == YEAR and view.has_inflow
    assert {YEAR, "2025-2026"} <= set(view.school_years)
    assert view.title == f"De keten per gemeente, schooljaar {YEAR}"
    assert list(view.table.columns) == list(COLUMNS) == list(view.shown.columns)
    assert len(view.table) == 46 + 1
    body, total = view.table.iloc[:-1].set_index("Code"), view.table.iloc[-1]
    assert total["Gebied"] == "Vijf regio's samen" and total["Waar stopt de instroom?"] == ""
    # The same partners and travel times as the Kaart's indicators.
    figures = figures.set_index("code")
    assert (body["Partners"] == figures.loc[body.index, "partners"]).all()
    minutes = figures.loc[body.index, "reistijd_mbo_infra_min_gemiddeld"].round()
    assert (body["Reistijd mbo infra (min)"] == minutes).all()
    # The same vmbo schools and PET events as the Jaaroverzicht of the year.
    current = overview.overview.current
    assert total["vmbo-scholen"] == current.vmbo_schools
    assert total["vmbo-scholen bereikt"] == current.vmbo_schools - len(current.vmbo_not_reached)
    assert total["PET-events (po)"] == current.given["pet_event"]
    assert body["VO-activiteiten"].sum() == total["VO-activiteiten"] > 0
    # Texel: 3 new students, shown as "<5", without a rate, and nothing concluded.
    texel = view.shown.set_index("Code").loc[TEXEL]
    assert texel["Instroom mbo infra"] == SUPPRESSED and texel["Per 1.000 jongeren"] == ""
    assert texel["Waar stopt de instroom?"] == CLASSES[TOO_FEW]
    assert "2,2" not in texel.tolist()  # 3 of 1,355 young people
    low, high = parse_count_text(total["Instroom mbo infra"])
    assert high == low + 4 and low % 10 == 0  # the total hides Texel in a range
    _assert_nothing_gives_three_away(view.table["Instroom mbo infra"])
    assert view.caveats == CAVEATS_NL
    assert any(note == "Bron instroom: ROC Test." for note in view.notes)
    assert any("voorbeeldgegevens" in note for note in view.notes)  # the example activities
    assert sum(n for _, _, n in view.classes) == 46


@pytest.mark.parametrize("level", ["subregio", "arbeidsmarktregio"])
def test_larger_units_show_ranges_never_the_hidden_count(register, reference, level):
    with Store(register, reference) as store:
        view = chain_view(store, reference=reference, level=level, school_year="2024/25")
    _assert_nothing_gives_three_away(view.table["Instroom mbo infra"])
    ranges = [t for t in view.table["Instroom mbo infra"] if " tot " in t]
    assert len(ranges) == 2  # Texel's unit and the total
    assert view.shown["Gebied"].iloc[-1] == "Vijf regio's samen"
    lines = "\n".join(view.lines())
    assert ("Code" in lines.splitlines()[2]) == (level != "subregio")


def test_files_and_map_hide_the_small_count(register, reference):
    with Store(register, reference) as store:
        view = chain_view(store, reference=reference, level="gemeente", today=TODAY)
        mbo = store.places.all(active_only=True)
    rows = list(csv.reader(io.StringIO(view.file_bytes(xlsx=False).decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0] == list(COLUMNS)
    column = rows[0].index("Instroom mbo infra")
    _assert_nothing_gives_three_away(r[column] for r in rows[1:])
    texel = next(r for r in rows if r[1] == TEXEL)
    assert texel[column] == SUPPRESSED and texel[column + 1] == ""
    book = openpyxl.load_workbook(io.BytesIO(view.file_bytes(xlsx=True)))
    assert book.sheetnames == ["Keten", "Uitleg"]
    header = [c.value for c in book["Keten"][1]]
    cells = [r[header.index("Instroom mbo infra")]
             for r in book["Keten"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(c, str) for c in cells)  # a text, never a number to add up
    _assert_nothing_gives_three_away(cells)
    explained = [r[0] for r in book["Uitleg"].iter_rows(values_only=True)]
    assert {"Waar stopt de instroom?", "Let op"} <= set(explained)
    assert view.file_name(xlsx=True) == f"keten-gemeente-{YEAR}.xlsx"

    html = view.map(reference=reference, mbo=mbo).get_root().render()
    areas = layer(html, "areas", "ik-keten")
    features = {f["properties"]["naam"]: f["properties"] for f in areas["geojson"]["features"]}
    assert len(features) == 46
    texel = features["Texel"]
    assert texel["instroom_tekst"] == SUPPRESSED and texel["per_1000_tekst"] == ""
    assert texel["ik_style"]["fillColor"] == CLASS_COLORS[TOO_FEW] == "#cccccc"
    _assert_nothing_gives_three_away(p["instroom_tekst"] for p in features.values())
    legend = [item["label"] for _, payload in [("legend", layer(html, "legend"))]
              for item in payload["items"]]
    assert CLASSES[TOO_FEW] in legend and "mbo-infra-opleiding" in legend
    assert "Waar stopt de instroom?" in " ".join(all_texts(html))


def test_a_school_year_without_inflow(register, reference):
    with Store(register, reference) as store:
        view = chain_view(store, reference=reference, school_year="2025-2026")
    assert not view.has_inflow
    assert [code for code, _, _ in view.classes] == ["geen_cijfers"]
    assert set(view.table["Instroom mbo infra"]) == {""}
    assert any("Voor schooljaar 2025-2026 zijn geen instroomcijfers" in n for n in view.notes)
    assert view.table["VO-activiteiten"].iloc[-1] > 0  # the activities are still there


def test_an_empty_register_and_bad_input(tmp_path, reference):
    with Store(tmp_path / "leeg.sqlite", reference) as store:
        view = chain_view(store, reference=reference, today=TODAY)
        assert view.school_year == YEAR and view.school_years == (YEAR,)
        assert view.table.iloc[-1]["VO-activiteiten"] == 0
        with pytest.raises(ValueError, match="geen schooljaar"):
            chain_view(store, reference=reference, school_year="2024")
        with pytest.raises(ValueError, match="Onbekend niveau"):
            chain_view(store, reference=reference, level="provincie")


# --------------------------------------------------------------------------- the CLI


def test_cli_prints_the_chain_in_dutch_and_writes_its_files(register, settings, tmp_path,
                                                            capsys):
    db = ["--database", str(register)]
    out = tmp_path / "keten.csv"
    assert main(["keten", "--niveau", "gemeente", "--schooljaar", YEAR, *db, "--uitvoer",
                 str(out)], settings=settings) == 0
    printed = capsys.readouterr().out
    assert f"De keten per gemeente, schooljaar {YEAR} (46 gebieden)." in printed
    assert "Waar stopt de instroom?" in printed and "Per 1.000 jongeren" in printed
    assert "Let op: Samenhang, geen oorzaak" in printed
    assert f"Keten geschreven naar {out} (de uitleg staat in .xlsx)." in printed
    texel = next(line for line in printed.splitlines() if line.startswith("Texel "))
    assert f" {SUPPRESSED} " in texel and "2,2" not in texel
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    _assert_nothing_gives_three_away(r[COLUMNS.index("Instroom mbo infra")] for r in rows[1:])

    for suffix in (".xlsx", ".html"):
        path = tmp_path / f"keten{suffix}"
        assert main(["keten", *db, "--uitvoer", str(path)], settings=settings) == 0
        assert path.stat().st_size > 1000
    printed = capsys.readouterr().out
    assert "Kaart geschreven naar" in printed and "(10 gebieden)" in printed
    html = (tmp_path / "keten.html").read_text(encoding="utf-8")
    assert "ikmap.areas" in html and "<script src=\"http" not in html

    assert main(["keten", *db, "--uitvoer", str(tmp_path / "keten.pdf")],
                settings=settings) == 1
    assert "--uitvoer moet eindigen op .csv, .xlsx of .html" in capsys.readouterr().err
    assert main(["keten", *db, "--schooljaar", "2024"], settings=settings) == 1
    assert "--schooljaar: '2024'" in capsys.readouterr().err
    assert not (tmp_path / "keten.pdf").exists()
