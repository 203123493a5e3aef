"""Importing the team's planning sheet: per-row verdicts, matching, and the CLI."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from geo.cli import main
from geo.errors import ImportFileError
from geo.intake.activities import (
    check_planning,
    planning_records,
    planning_result_table,
    read_planning,
)
from geo.output import tables
from geo.register.store import Store

TODAY = date(2025, 6, 1)
TEACHER = "Gerda Gastgeheim"
NOTE = "Vertrouwelijk: conciërge bellen"
HOORN = {"lat": 52.6476, "lon": 5.0681}
HEADER = ["Soort activiteit", "Datum", "Vestigingscode", "School", "Plaats", "Partner",
          "Aantal leerlingen", "Status", "Gastdocent", "Notities"]


def sheet(*rows: list[object], header=HEADER) -> bytes:
    return tables.csv_bytes(pd.DataFrame([list(r) for r in rows], columns=header))


@pytest.fixture
def store(tmp_path, reference):
    with Store(tmp_path / "register.sqlite", reference) as s:
        s.save_organisation({"naam": "Beta Infra B.V.", **HOORN}, user="anna")
        s.save_organisation({"naam": "Gamma Kabels", **HOORN}, user="anna")
        yield s


@pytest.fixture
def vonk(store):
    """A school whose name is unique in its place (Vonk Alkmaar)."""
    schools = store.schools()
    return schools[schools["vestigingscode"] == "25EF01"].iloc[0].to_dict()


def verdicts(store, data: bytes, reference):
    table = read_planning(data, "planning.csv")
    return check_planning(table, schools=store.schools(), organisations=store.organisations(),
                          reference=reference, today=TODAY)


def one(store, reference, row, **kw):
    return verdicts(store, sheet(row, **kw), reference)[0]


GOOD = ["Gastles VO", "03-10-2024", "25EF01", "", "", "Beta Infra BV", "25", "gegeven",
        TEACHER, NOTE]


def test_a_good_row_becomes_a_record(store, reference):
    verdict = one(store, reference, GOOD)
    assert verdict.status == "ok", verdict.message
    assert verdict.record == {
        "rij": 2, "soort": "gastles_vo", "datum": "2024-10-03", "status": "gegeven",
        "aantal_leerlingen": 25, "vestigingscode": "25EF01", "partners": [1],
        "notities": NOTE, "gastdocenten": TEACHER}
    assert verdict.name == "gastles VO · 03-10-2024 · Vonk Alkmaar"


@pytest.mark.parametrize(("change", "status", "fragment"), [
    ({0: "Excursie"}, "fout", "Soort activiteit: 'Excursie' is onbekend"),
    ({0: "Gastlesje VO"}, "fout", "bedoeld is waarschijnlijk gastles VO"),
    ({0: ""}, "fout", "niet ingevuld; kies uit gastles VO"),
    ({1: "31-02-2025"}, "fout", "Datum: '31-02-2025' bestaat niet"),
    ({1: "3-10-24"}, "fout", "jaartal van twee cijfers"),
    ({1: ""}, "fout", "geen datum ingevuld"),
    ({2: "99ZZ99"}, "fout", "Vestigingscode '99ZZ99' staat niet in het register"),
    ({5: "Bta Infra"}, "fout", "bedoeld is waarschijnlijk 'Beta Infra B.V.'"),
    ({5: "Onbekend Bedrijf"}, "fout", "Partner 'Onbekend Bedrijf' staat niet in het register"),
    ({6: "ca. 25"}, "fout", "Aantal leerlingen: 'ca. 25' is geen heel getal"),
    ({7: "misschien"}, "fout", "Status: 'misschien' is onbekend"),
    ({7: ""}, "ok", "Status niet ingevuld: als 'gegeven' gelezen"),
    ({7: "afgezegd"}, "ok", ""),
    ({3: "Heel Andere School"}, "waarschuwing", "past niet bij vestigingscode 25EF01"),
])
def test_each_rule_gives_a_verdict_naming_the_field(store, reference, change, status,
                                                     fragment):
    row = [change.get(i, value) for i, value in enumerate(GOOD)]
    verdict = one(store, reference, row)
    assert verdict.status == status, verdict.message
    assert fragment in verdict.message
    assert (verdict.record == {}) == (status == "fout")
    assert TEACHER not in verdict.message and NOTE not in verdict.message


def test_school_by_name_and_place_with_a_suggestion(store, reference, vonk):
    found = one(store, reference, ["Gastles VO", "03-10-2024", "", "vonk alkmaar", "Alkmaar",
                                   "", "", "", "", ""])
    assert found.status == "ok" and found.record["vestigingscode"] == "25EF01"
    assert "School gevonden op naam" in found.message
    typo = one(store, reference, ["Gastles VO", "03-10-2024", "", "Vonk Alkmr", "Alkmaar",
                                  "", "", "", "", ""])
    assert typo.status == "fout" and "vestigingscode 25EF01" in typo.message
    assert [(s.field, s.suggestion) for s in typo.suggestions] == [("vestigingscode", "25EF01")]
    several = one(store, reference, ["Gastles VO", "03-10-2024", "",
                                     "Scholengemeenschap ZAAM Zuid voor Vwo Havo Mavo Vbo",
                                     "Amsterdam", "", "", "", "", ""])
    assert several.status == "fout" and "meer dan één vestiging" in several.message


def test_an_activity_elsewhere_gets_its_municipality(store, reference):
    rows = [["PET-event", "12 maart 2025", "", "", "Heerhugowaard", "", "60", "", "", ""],
            ["Beurs", "2025-02-06", "", "", "Hoorn", "Gamma Kabels; Beta Infra", "", "", "", ""],
            ["Netwerkbijeenkomst", "10-10-2024", "", "", "", "", "", "", "", ""],
            ["Open dag", "05-03-2025", "", "", "Heerhugowaart", "", "", "", "", ""],
            ["Gastles VO", "05-03-2025", "", "", "Alkmaar", "", "", "", "", ""]]
    checked = verdicts(store, sheet(*rows), reference)
    assert [v.status for v in checked] == ["ok", "ok", "waarschuwing", "waarschuwing",
                                           "waarschuwing"]
    assert checked[0].record["gemeentecode"] == "GM1980"  # Heerhugowaard: Dijk en Waard
    assert checked[1].record["gemeentecode"] == "GM0405"  # Hoorn NH, not Terschelling
    assert checked[1].record["partners"] == [2, 1]
    assert "Geen school en geen plaats" in checked[2].message
    assert "lijkt op Heerhugowaard" in checked[3].message
    assert checked[3].record["gemeentecode"] is None
    assert "hoort bij een school" in checked[4].message


def test_a_municipality_column_by_name_or_code(store, reference):
    header = ["Soort", "Datum", "Gemeente", "Locatie"]
    checked = verdicts(store, sheet(["beurs", "2025-02-06", "Purmerend", "Hal 1"],
                                    ["beurs", "2025-02-07", "gm0439", ""],
                                    ["beurs", "2025-02-08", "Atlantis", ""], header=header),
                       reference)
    assert [v.record.get("gemeentecode") for v in checked] == ["GM0439", "GM0439", None]
    assert "Gemeente 'Atlantis' is onbekend" in checked[2].message


def test_a_school_year_column_that_disagrees_is_a_warning(store, reference):
    header = ["Soort", "Datum", "Schooljaar", "Plaats"]
    checked = verdicts(store, sheet(["beurs", "31-07-2025", "2024-2025", "Hoorn"],
                                    ["beurs", "01-08-2025", "2024-2025", "Hoorn"],
                                    header=header), reference)
    assert [v.status for v in checked] == ["ok", "waarschuwing"]
    assert "valt in schooljaar 2025-2026" in checked[1].message


def test_repeated_rows_are_noted_and_both_kept(store, reference):
    checked = verdicts(store, sheet(GOOD, GOOD), reference)
    assert "Zelfde soort, datum en school of plaats als rij 2" in checked[1].message
    assert len(planning_records(checked)) == 2


def test_bad_rows_never_block_good_rows(store, reference):
    rows = [GOOD, ["Excursie", *GOOD[1:]], [*GOOD[:2], "99ZZ99", *GOOD[3:]],
            ["Voorlichting", "01-11-2024", "25EF01", "", "", "", "", "", "", ""]]
    checked = verdicts(store, sheet(*rows), reference)
    assert [v.status for v in checked] == ["ok", "fout", "fout", "ok"]
    records = planning_records(checked)
    outcome = store.activities.apply_import(records, user="anna", role="team")
    assert outcome["nieuw"] == 2 and store.activities.count() == 2
    result = planning_result_table(checked)
    assert list(result.columns) == ["Rij", "Activiteit", "Oordeel", "Melding"]
    assert result["Oordeel"].tolist() == ["ok", "fout", "fout", "ok"]
    assert TEACHER not in result.to_csv() and NOTE not in result.to_csv()


def test_xlsx_with_date_cells_and_a_title_row(store, reference):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Planning Infra Bindt 2024-2025"])
    ws.append([])
    ws.append(["Activiteit", "Datum", "BRIN vestiging", "Bedrijf", "Leerlingen", "Status"])
    ws.append(["Tech Your Talent", datetime(2024, 11, 12), "25EF01", "Gamma Kabels", 16,
               "uitgevoerd"])
    ws.append(["PET", date(2025, 3, 12), None, None, None, "gepland"])
    out = io.BytesIO()
    book.save(out)
    table = read_planning(out.getvalue(), "planning.xlsx")
    checked = check_planning(table, schools=store.schools(),
                             organisations=store.organisations(), reference=reference,
                             today=TODAY)
    assert table.header_row == 3
    assert [v.record["datum"] for v in checked] == ["2024-11-12", "2025-03-12"]
    assert checked[0].record["aantal_leerlingen"] == 16
    assert checked[0].record["status"] == "gegeven" and checked[0].record["partners"] == [2]


@pytest.mark.parametrize(("data", "fragment"), [
    (b"Naam;Adres\nBeta;Dorpsstraat 1\n", "geen kopregel van een planning"),
    (b"Soort activiteit;School\nGastles VO;Vonk\n", "mist een kolom voor: Datum"),
    (b"", "leeg"),
])
def test_files_that_are_no_planning_are_refused_in_dutch(data, fragment):
    with pytest.raises(ImportFileError, match=fragment):
        read_planning(data, "planning.csv")


# -- the command line ---------------------------------------------------------------------


@pytest.fixture
def planning(tmp_path):
    path = tmp_path / "planning.csv"
    path.write_bytes(sheet(GOOD, ["Excursie", *GOOD[1:]],
                           ["PET-event", "12-03-2025", "", "", "Heerhugowaard", "", "60",
                            "gegeven", "", ""]))
    return path


def test_cli_import_dry_run_creates_nothing(planning, settings, capsys):
    assert main(["activiteiten", "import", str(planning), "--droog"], settings=settings) == 0
    out = capsys.readouterr().out
    assert "3 rijen gecontroleerd: 1 ok, 0 waarschuwing, 2 fout." in out
    assert "Droog: niets opgeslagen. Zou 1 nieuw" in out
    assert "rij 3 · Excursie · 03-10-2024 · Vonk Alkmaar · fout: Soort activiteit" in out
    assert "Partner 'Beta Infra BV' staat niet in het register" in out  # an empty register
    assert not settings.database_path.exists()
    assert TEACHER not in out and NOTE not in out


def test_cli_import_list_and_reimport(planning, settings, reference, tmp_path, capsys):
    with Store(settings.database_path, reference) as store:
        store.save_organisation({"naam": "Beta Infra B.V.", **HOORN}, user="anna")
    result = tmp_path / "resultaat.csv"
    assert main(["activiteiten", "import", str(planning), "--uitvoer", str(result)],
                settings=settings) == 0
    out = capsys.readouterr().out
    assert "2 nieuw, 0 bijgewerkt, 0 ongewijzigd." in out
    assert "1 rij met een fout niet opgenomen" in out
    assert result.exists() and TEACHER not in result.read_text(encoding="utf-8-sig")
    assert main(["activiteiten", "import", str(planning)], settings=settings) == 0
    assert "0 nieuw, 0 bijgewerkt, 2 ongewijzigd." in capsys.readouterr().out

    listing = tmp_path / "lijst.xlsx"
    assert main(["activiteiten", "lijst", "--schooljaar", "2024/2025", "--uitvoer",
                 str(listing)], settings=settings) == 0
    out = capsys.readouterr().out
    assert "03-10-2024 · gastles VO · gegeven · Vonk Alkmaar (25EF01) · partners: Beta " \
           "Infra B.V. · 25 leerlingen" in out
    assert "12-03-2025 · PET-event (primair onderwijs) · gegeven · Heerhugowaard" in out
    assert "2 activiteiten in schooljaar 2024-2025." in out
    assert TEACHER not in out and NOTE not in out
    cells = [c.value for row in openpyxl.load_workbook(listing).active.iter_rows()
             for c in row]
    assert "Vonk Alkmaar" in cells and TEACHER not in cells and NOTE not in cells
    assert main(["activiteiten", "lijst", "--schooljaar", "2023-2024"], settings=settings) == 0
    assert "0 activiteiten in schooljaar 2023-2024." in capsys.readouterr().out


def test_cli_refuses_an_unreadable_planning(tmp_path, settings, capsys):
    assert main(["activiteiten", "import", str(tmp_path / "weg.csv")], settings=settings) == 2
    assert "Fout:" in capsys.readouterr().err
    assert main(["activiteiten", "lijst", "--schooljaar", "volgend jaar"],
                settings=settings) == 1
    assert "geen schooljaar" in capsys.readouterr().err
