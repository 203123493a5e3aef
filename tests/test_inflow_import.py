"""Importing inflow: verdicts per row, sets replaced atomically, history, examples, CLI.

geo.intake.inflow (reading and checking), geo.register.inflow (the tables, the
replacement of a school year and source in one transaction) and ``infrakaart instroom``.
"""

from __future__ import annotations

import io
import sqlite3

import openpyxl
import pytest

from geo.cli import main
from geo.errors import AuthError, ImportFileError, StoreError
from geo.intake.inflow import (
    check_inflow,
    inflow_records,
    inflow_result_table,
    parse_count,
    parse_school_year,
    read_inflow,
)
from geo.register import inflow as inflow_register
from geo.register.examples import load_example_data, load_example_inflow
from geo.register.schema import MIGRATIONS, SCHEMA_VERSION, apply_migrations
from geo.register.store import Store

HEADER = "Schooljaar;Postcode;Gemeente;Gemeentecode;Aantal;Opleiding;Bron\r\n"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\r\n" for line in lines)).encode("utf-8")


def _check(reference, *lines: str, source: str = "", header: str = HEADER):
    table = read_inflow(_csv(*lines, header=header), "instroom.csv")
    return {v.row: v for v in check_inflow(table, reference=reference, source=source)}


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(("text", "year"), [
    ("2024-2025", "2024-2025"), ("2024/2025", "2024-2025"), ("2024-25", "2024-2025"),
    (" 2024 – 2025 ", "2024-2025"), ("1999-00", "1999-2000")])
def test_school_years_as_people_write_them(text, year):
    assert parse_school_year(text) == year


@pytest.mark.parametrize(("text", "reason"), [
    ("2024", "één jaartal"), ("2024-2026", "geen schooljaar"), ("volgend jaar", "geen schooljaar"),
    ("1980-1981", "niet tussen 1990"), ("", "geen schooljaar")])
def test_bad_school_years_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_school_year(text)


@pytest.mark.parametrize(("text", "count"), [("12", 12), ("0", 0), ("12,0", 12),
                                             ("12.0", 12), ("1.250", 1250), (" 7 ", 7)])
def test_counts_as_spreadsheets_write_them(text, count):
    assert parse_count(text) == count


@pytest.mark.parametrize(("text", "reason"), [
    ("-2", "negatief"), ("2,5", "geen heel getal"), ("<5", "al afgeschermd"),
    ("< 5", "al afgeschermd"), ("veel", "geen getal"), ("", "ontbreekt"),
    ("99999", "groter dan")])
def test_bad_counts_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_count(text)


# --------------------------------------------------------------------------- verdicts


def test_every_row_gets_a_verdict_with_a_dutch_reason(reference):
    verdicts = _check(
        reference,
        "2024-2025;1811;;;12;Infra;ROC Test",          # 2 ok
        "2024/2025;1812 AB;;;3;Infra;ROC Test",        # 3 ok: a full postcode → PC4
        "2024-2025;;Den Helder;;7;;ROC Test",          # 4 ok: exact name → GM0400, noted
        "2024-2025;;Den Heldr;;7;;ROC Test",           # 5 fout, with a suggestion
        "2024-2025;;Heerhugowaard;;9;;ROC Test",       # 6 waarschuwing: a place, not a gemeente
        "2024-2025;3511;;;6;;ROC Test",                # 7 waarschuwing: outside, kept
        "2024-2025;1099;;;4;;ROC Test",                # 8 fout: unknown PC4
        "2024-2025;1011;;;-2;;ROC Test",               # 9 fout
        "2024;1013;;;5;;ROC Test",                     # 10 fout
        "2024-2025;1811;;;4;Infra;ROC Test",           # 11 fout: repeats row 2
        "2024-2025;1015;;;5;;",                        # 12 fout: no source
        "2024-2025;;;GM0361;8;;ROC Test",              # 13 ok by code
        "2024-2025;;;0441;8;;ROC Test",                # 14 ok: CBS number
        "2024-2025;;;GM9999;8;;ROC Test",              # 15 fout: no such code
        "2024-2025;1741;;GM0361;5;;ROC Test",          # 16 waarschuwing: PC4 elsewhere
        "2024-2025;;;;5;;ROC Test",                    # 17 fout: no area
    )
    status = {row: v.status for row, v in verdicts.items()}
    assert status == {2: "ok", 3: "ok", 4: "ok", 5: "fout", 6: "waarschuwing",
                      7: "waarschuwing", 8: "fout", 9: "fout", 10: "fout", 11: "fout",
                      12: "fout", 13: "ok", 14: "ok", 15: "fout", 16: "waarschuwing",
                      17: "fout"}
    assert verdicts[3].record["pc4"] == "1812"
    assert verdicts[4].record["gemeentecode"] == "GM0400"
    assert "op naam herkend als Den Helder (GM0400)" in verdicts[4].message
    assert "bedoeld is waarschijnlijk Den Helder (GM0400)" in verdicts[5].message
    assert verdicts[6].record["gemeentecode"] == "GM1980"
    assert "buiten de vijf regio's" in verdicts[7].message
    assert verdicts[7].record["gemeentecode"] == "GM0344"
    assert "Postcode 1099 staat niet in de CBS-postcodetabel" in verdicts[8].message
    assert "negatief" in verdicts[9].message
    assert "één jaartal" in verdicts[10].message
    assert "Rij 11 herhaalt rij 2" in verdicts[11].message
    assert "Bron ontbreekt" in verdicts[12].message
    assert verdicts[14].record["gemeentecode"] == "GM0441"
    assert "geen CBS-gemeentecode" in verdicts[15].message
    assert verdicts[16].record["gemeentecode"] == "GM0441"
    assert "de postcode telt" in verdicts[16].message
    assert "ontbreken" in verdicts[17].message
    records = inflow_records(verdicts.values())
    assert sorted(r["rij"] for r in records) == [2, 3, 4, 6, 7, 13, 14, 16]


def test_messages_never_quote_a_stored_count(reference):
    verdicts = _check(reference, "2024-2025;1811;;;3;;ROC Test",
                      "2024-2025;3511;;;2;;ROC Test", "2024-2025;;Den Helder;;1;;ROC Test")
    for verdict in verdicts.values():
        assert not any(ch.isdigit() for ch in verdict.message.replace("GM0400", "")
                       .replace("3511", "").replace("GM0344", "")), verdict.message
    table = inflow_result_table(verdicts.values())
    assert list(table.columns) == ["Rij", "Rij als gelezen", "Oordeel", "Melding"]


def test_a_source_for_rows_without_one(reference):
    header = "Schooljaar;PC4;Instroom\r\n"
    verdicts = _check(reference, "2024-2025;1811;12", header=header, source="DUO 2025")
    assert verdicts[2].status == "ok" and verdicts[2].record["bron"] == "DUO 2025"


def test_a_file_without_the_needed_columns_is_refused_in_dutch():
    with pytest.raises(ImportFileError, match="mist een kolom voor: Aantal"):
        read_inflow(b"Schooljaar;Postcode\r\n2024-2025;1811\r\n", "x.csv")
    with pytest.raises(ImportFileError, match="Postcode of Gemeentecode"):
        read_inflow(b"Schooljaar;Aantal\r\n2024-2025;4\r\n", "x.csv")
    with pytest.raises(ImportFileError, match="geen kopregel van instroomcijfers"):
        read_inflow(b"Naam;Adres\r\nA;B\r\n", "x.csv")


def test_an_xlsx_with_a_title_row_and_number_cells(reference):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Instroom mbo infra (voorbeeld)"])
    sheet.append(["Schooljaar", "Postcode", "Aantal instromers", "Bron"])
    sheet.append(["2025-2026", 1811, 12.0, "ROC Test"])
    data = io.BytesIO()
    book.save(data)
    table = read_inflow(data.getvalue(), "instroom.xlsx")
    (verdict,) = check_inflow(table, reference=reference)
    assert verdict.status == "ok" and verdict.row == 3
    assert verdict.record["aantal"] == 12 and verdict.record["pc4"] == "1811"


# --------------------------------------------------------------------------- register


def _records(reference, *lines: str) -> list[dict]:
    return inflow_records(_check(reference, *lines).values())


@pytest.fixture
def store(tmp_path, reference):
    with Store(tmp_path / "r.sqlite", reference) as opened:
        yield opened


def test_reimporting_a_school_year_and_source_replaces_that_set(store, reference):
    first = _records(reference, "2024-2025;1811;;;12;;ROC A", "2024-2025;1741;;;5;;ROC A",
                     "2024-2025;1781;;;9;;ROC B", "2023-2024;1811;;;7;;ROC A")
    outcome = store.inflow.apply_import(first, filename="eerste.csv", user="t", role="team")
    assert [s["vervangen"] for s in outcome["sets"]] == [0, 0, 0]
    second = _records(reference, "2024-2025;1811;;;20;;roc a")  # the same source, other case
    outcome = store.inflow.apply_import(second, filename="tweede.csv", user="t", role="team")
    (replaced,) = outcome["sets"]
    assert replaced["vervangen"] == 2 and replaced["eerder"]["bestand"] == "eerste.csv"
    rows = store.inflow.rows("2024-2025")
    assert sorted(zip(rows["bron"], rows["aantal"], strict=True)) == [("ROC B", 9),
                                                                      ("roc a", 20)]
    assert len(store.inflow.rows("2023-2024")) == 1  # another school year stays
    history = store.inflow.imports()
    assert list(history["bestand"]) == ["tweede.csv", "eerste.csv", "eerste.csv",
                                        "eerste.csv"]
    old = history[(history["bestand"] == "eerste.csv") & (history["bron"] == "ROC A")
                  & (history["schooljaar"] == "2024-2025")].iloc[0]
    assert old["vervangen_door"] == history.iloc[0]["id"]
    assert store.inflow.school_years() == ["2023-2024", "2024-2025"]


def test_a_failure_halfway_leaves_every_set_as_it_was(store, reference, monkeypatch):
    store.inflow.apply_import(_records(reference, "2024-2025;1811;;;12;;ROC A"),
                              filename="eerste.csv", user="t", role="team")
    before = (store.inflow.rows().drop(columns="id"), store.inflow.imports())
    records = _records(reference, "2024-2025;1811;;;30;;ROC A", "2024-2025;1781;;;9;;ROC B",
                       "2024-2025;1741;;;6;;ROC B")
    db = store.inflow._db
    real = db.execute
    inserted = []

    def failing(sql, params=()):
        if sql.startswith("INSERT INTO instroom ("):
            inserted.append(params)
            if len(inserted) == 3:  # the last row of the second set: the disk is full
                raise StoreError("De schijf met de database is vol; er is niets opgeslagen.")
        return real(sql, params)

    monkeypatch.setattr(db, "execute", failing)
    with pytest.raises(StoreError, match="vol"):
        store.inflow.apply_import(records, filename="tweede.csv", user="t", role="team")
    monkeypatch.setattr(db, "execute", real)
    assert len(inserted) == 3  # the replacement and the first set had been written
    assert store.inflow.rows().drop(columns="id").equals(before[0])
    assert store.inflow.imports().equals(before[1])


def test_only_a_role_that_may_import_writes(store, reference):
    records = _records(reference, "2024-2025;1811;;;12;;ROC A")
    with pytest.raises(AuthError):
        store.inflow.apply_import(records, filename="x.csv", user="t", role="publiek")
    assert store.inflow.count() == 0


@pytest.mark.parametrize(("change", "reason"), [
    ({"aantal": -1}, "geen heel getal"), ({"aantal": 2.5}, "geen heel getal"),
    ({"schooljaar": "2024-2026"}, "geen schooljaar"), ({"gemeentecode": "Alkmaar"},
                                                       "geen gemeentecode"),
    ({"pc4": "0123"}, "geen postcode"), ({"bron": " "}, "bron ontbreekt")])
def test_the_register_checks_records_again(store, change, reason):
    record = {"schooljaar": "2024-2025", "bron": "X", "pc4": "1811", "gemeentecode": "GM0361",
              "aantal": 3, "opleiding": "", "locatie": "", "opmerking": "", "rij": 7}
    with pytest.raises(StoreError, match=f"rij 7: .*{reason}"):
        store.inflow.apply_import([record | change], filename="x.csv", user="t", role="team")
    assert store.inflow.count() == 0


def test_a_register_from_before_gets_the_inflow_tables(tmp_path, reference):
    path = tmp_path / "oud.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=MIGRATIONS.index(inflow_register.create_table))
    conn.execute("INSERT INTO organisaties (naam, aangemaakt, gewijzigd) "
                 "VALUES ('Oud BV', '2024-01-01', '2024-01-01')")
    conn.execute("COMMIT")
    conn.close()
    with Store(path, reference, backup_dir=tmp_path / "kopie") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert list(store.organisations()["naam"]) == ["Oud BV"]
        assert store.inflow.count() == 0 and store.inflow.imports().empty


# --------------------------------------------------------------------------- examples


def test_example_inflow_is_loaded_with_the_partners_and_removed_with_them(store):
    outcome = load_example_data(store)
    inflow = outcome["instroom"]
    assert {s["schooljaar"] for s in inflow["sets"]} == {"2024-2025", "2025-2026"}
    assert store.inflow.count(examples=True) == inflow["rijen"] > 100
    assert set(store.inflow.rows()["bron"]) == {"Voorbeeld (verzonnen cijfers)"}
    real = _records(store.reference, "2024-2025;1811;;;12;;Voorbeeld (verzonnen cijfers)")
    store.inflow.apply_import(real, filename="echt.csv", user="t", role="team")
    again = load_example_inflow(store)  # loading again replaces the example sets only
    assert [s["vervangen"] for s in again["sets"]] == [s["rijen"] for s in inflow["sets"]]
    assert store.inflow.count(examples=False) == 1
    store.delete_example_data(user="t")
    assert store.inflow.count(examples=True) == 0
    assert store.inflow.count() == 1  # real figures stay
    assert not store.inflow.imports()["voorbeeld"].any()


# --------------------------------------------------------------------------- command line


def test_cli_import_dry_run_then_import_then_replace(tmp_path, settings, capsys):
    source = tmp_path / "instroom.csv"
    source.write_bytes(_csv("2024-2025;1811;;;12;;ROC A", "2024-2025;1811;;;-1;;ROC A",
                            "2024-2025;3511;;;6;;ROC A"))
    db = ["--database", str(tmp_path / "r.sqlite")]
    assert main(["instroom", "import", str(source), "--droog", *db], settings=settings) == 0
    out = capsys.readouterr().out
    assert "3 rijen gecontroleerd: 1 ok, 1 waarschuwing, 1 fout." in out
    assert "rij 3 · 2024-2025 · postcode 1811 · fout: Aantal '-1' is negatief." in out
    assert "Droog: niets opgeslagen. Zou 2 rijen opslaan in 1 set." in out
    assert not (tmp_path / "r.sqlite").exists()

    assert main(["instroom", "import", str(source), *db, "--uitvoer",
                 str(tmp_path / "uit.csv")], settings=settings) == 0
    out = capsys.readouterr().out
    assert "2 rijen opgeslagen." in out
    assert "schooljaar 2024-2025 · bron 'ROC A': 2 rijen." in out
    result = (tmp_path / "uit.csv").read_text(encoding="utf-8-sig")
    assert result.splitlines()[0] == "Rij;Rij als gelezen;Oordeel;Melding"

    assert main(["instroom", "import", str(source), "--droog", *db], settings=settings) == 0
    assert "zou de eerdere set vervangen (2 rijen uit instroom.csv" in capsys.readouterr().out
    assert main(["instroom", "import", str(source), *db], settings=settings) == 0
    assert "vervangt de eerdere set (2 rijen uit instroom.csv" in capsys.readouterr().out
    assert main(["instroom", "historie", *db], settings=settings) == 0
    out = capsys.readouterr().out
    assert "2 imports van instroomcijfers" in out
    assert "verving 2 rijen · actueel" in out and "vervangen door import 2" in out


def test_cli_import_of_only_bad_rows_exits_1_and_stores_nothing(tmp_path, settings, capsys):
    source = tmp_path / "fout.csv"
    source.write_bytes(_csv("2024;1811;;;12;;ROC A"))
    db = ["--database", str(tmp_path / "r.sqlite")]
    assert main(["instroom", "import", str(source), *db], settings=settings) == 1
    assert "Geen rijen om op te slaan" in capsys.readouterr().out


def test_cli_import_of_an_unreadable_file_exits_2(tmp_path, settings, capsys):
    source = tmp_path / "leeg.csv"
    source.write_bytes(b"Naam;Adres\r\nA;B\r\n")
    assert main(["instroom", "import", str(source)], settings=settings) == 2
    assert "geen kopregel van instroomcijfers" in capsys.readouterr().err


def test_cli_voorbeeld_loads_and_removes_the_example_inflow(tmp_path, settings, capsys):
    db = ["--database", str(tmp_path / "r.sqlite")]
    assert main(["voorbeeld", *db], settings=settings) == 0
    out = capsys.readouterr().out
    assert "instroom: 306 rijen (schooljaren 2024-2025, 2025-2026)" in out
    assert main(["status", "--zonder-geocoder", *db], settings=settings) == 0
    assert "306 rijen instroom" in capsys.readouterr().out
    assert main(["voorbeeld", "--verwijderen", *db], settings=settings) == 0
    assert "met 306 rijen voorbeeldinstroom." in capsys.readouterr().out
    assert main(["instroom", "historie", *db], settings=settings) == 0
    assert "nog geen instroomcijfers" in capsys.readouterr().out
