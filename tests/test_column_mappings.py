"""Column mappings: reading a file with chosen and remembered header → field pairs
(geo.intake), remembering them in the register (geo.register.column_mappings, schema 8)."""

from __future__ import annotations

import io
import sqlite3

import openpyxl
import pytest

from geo.cli import main as cli_main
from geo.errors import AuthError, StoreError
from geo.intake.rawtable import NoNameColumn, header_index, header_key
from geo.intake.reading import read_table
from geo.register import backup
from geo.register.column_mappings import remembered_at
from geo.register.schema import SCHEMA_VERSION, apply_migrations
from geo.register.store import Store

#: The name is under "Firma", the place under "Standplaats": neither is a synonym.
FIRMA_CSV = (
    b"Firma;Adres;PC;Standplaats;Kleur\r\n"
    b"Dijk Grondwerken;Dorpsstraat 1;1703 AB;Heerhugowaard;rood\r\n"
    b"Hoorn Infra;Kade 3;1621 AR;Hoorn;blauw\r\n"
)

MAPPING = {"firma": "naam", "standplaats": "plaats"}


def _xlsx(*sheets: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number, rows in enumerate(sheets, start=1):
        sheet = book.create_sheet(f"Blad{number}")
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- reading


def test_without_a_mapping_a_file_without_a_name_column_is_refused():
    with pytest.raises(NoNameColumn, match="geen kolom met de naam van de organisatie"):
        read_table(FIRMA_CSV, "firma.csv")


def test_a_file_without_a_name_column_can_be_read_to_choose_one():
    table = read_table(FIRMA_CSV, "firma.csv", require_name=False)
    assert "naam" not in table.columns
    assert table.columns == {"straat": "Adres", "postcode": "PC"}
    assert table.unknown_columns == ["Firma", "Standplaats", "Kleur"]
    assert [row.values for row in table.rows] == [
        {"straat": "Dorpsstraat 1", "postcode": "1703 AB"},
        {"straat": "Kade 3", "postcode": "1621 AR"}]


def test_a_mapping_reads_its_columns_as_their_fields():
    table = read_table(FIRMA_CSV, "firma.csv", mapping=MAPPING)
    assert table.columns["naam"] == "Firma" and table.columns["plaats"] == "Standplaats"
    assert table.mapped == {"naam": "Firma", "plaats": "Standplaats"}
    assert table.unknown_columns == ["Kleur"]
    assert table.rows[0].values == {"naam": "Dijk Grondwerken", "straat": "Dorpsstraat 1",
                                    "postcode": "1703 AB", "plaats": "Heerhugowaard"}


def test_mapping_keys_ignore_case_accents_and_punctuation():
    data = "FIRMA ;Adres;Stánd-plaats\nDijk;Dorpsstraat 1;Hoorn\n".encode()
    table = read_table(data, "f.csv", mapping=MAPPING)
    assert table.rows[0].values == {"naam": "Dijk", "straat": "Dorpsstraat 1",
                                    "plaats": "Hoorn"}
    assert header_key(" Stand-Pláats ") == "standplaats"


def test_the_registry_wins_over_a_mapping():
    # "Plaats" is the registry's; a pair that says otherwise is left out.
    index = header_index({"plaats": "gemeente", "firma": "naam"})
    assert index["plaats"][0] == "plaats" and index["firma"][0] == "naam"
    data = b"Bedrijfsnaam;Firma;Plaats\nEchte Naam;Andere Naam;Hoorn\n"
    table = read_table(data, "f.csv", mapping={"firma": "naam", "plaats": "gemeente"})
    assert table.columns == {"naam": "Bedrijfsnaam", "plaats": "Plaats"}
    assert table.unknown_columns == ["Firma"]  # the synonym's column has the name
    assert table.mapped == {}


def test_a_mapped_column_beats_a_bare_naam():
    data = b"Naam;Firma;Plaats\nJan Jansen;Dijk BV;Hoorn\n"
    table = read_table(data, "f.csv", mapping={"firma": "naam"})
    assert table.columns["naam"] == "Firma"
    assert table.rows[0].values["naam"] == "Dijk BV"


def test_pairs_of_unknown_fields_or_unnormalised_keys_are_left_out():
    index = header_index({"kleur": "favoriete_kleur", "Firma": "naam", "": "naam"})
    assert "kleur" not in index and "Firma" not in index and "" not in index


def test_a_mapping_helps_find_the_header_row():
    # A title row with one known word would otherwise beat a header of unknown words.
    data = b"Plaats;Hoorn\nFirma;Standplaats;Vak\nDijk;Alkmaar;x\n"
    assert read_table(data, "f.csv", require_name=False).header_row == 1
    table = read_table(data, "f.csv", mapping=MAPPING)
    assert table.header_row == 2
    assert table.rows[0].values == {"naam": "Dijk", "plaats": "Alkmaar"}


def test_xlsx_with_a_mapping_and_without_a_name_column():
    data = _xlsx([["Overzicht"], ["Firma", "Adres", "Standplaats"], ["Dijk", "Kade 1", "Hoorn"]])
    with pytest.raises(NoNameColumn):
        read_table(data, "lijst.xlsx")
    table = read_table(data, "lijst.xlsx", require_name=False)
    assert table.sheet == "Blad1" and "naam" not in table.columns
    assert table.unknown_columns == ["Firma", "Standplaats"]
    table = read_table(data, "lijst.xlsx", mapping=MAPPING)
    assert table.rows[0].values == {"naam": "Dijk", "straat": "Kade 1", "plaats": "Hoorn"}


def test_xlsx_prefers_a_later_sheet_with_a_name_column():
    data = _xlsx([["Adres", "Plaats"], ["Kade 1", "Hoorn"]],
                 [["Organisatie", "Plaats"], ["Dijk BV", "Alkmaar"]])
    table = read_table(data, "lijst.xlsx", require_name=False)
    assert table.sheet == "Blad2" and table.rows[0].values["naam"] == "Dijk BV"


# --------------------------------------------------------------------------- remembering


@pytest.fixture
def store(tmp_path, reference):
    with Store(tmp_path / "register.sqlite", reference) as opened:
        yield opened


def test_remembered_pairs_are_read_back_by_normalised_header(store):
    mappings = store.column_mappings
    assert mappings.all() == [] and mappings.mapping() == {}
    assert mappings.remember([("Firma", "naam"), (" Stand-plaats ", "plaats")],
                             user="jan", role="team") == 2
    assert mappings.mapping() == {"firma": "naam", "standplaats": "plaats"}
    [firma, place] = mappings.all()
    assert (firma.key, firma.header, firma.field, firma.user) == ("firma", "Firma", "naam",
                                                                   "jan")
    assert place.header == "Stand-plaats" and firma.changed
    # A header remembered again gets the new field.
    mappings.remember([("FIRMA", "contactpersoon")], user="piet", role="bestuur")
    assert mappings.mapping()["firma"] == "contactpersoon"
    assert [m.user for m in mappings.all() if m.key == "firma"] == ["piet"]
    table = read_table(FIRMA_CSV, "f.csv", mapping=mappings.mapping(), require_name=False)
    assert table.columns["contactpersoon"] == "Firma" and "naam" not in table.columns


def test_only_importers_remember_or_forget(store):
    with pytest.raises(AuthError):
        store.column_mappings.remember([("Firma", "naam")], user="x", role="publiek")
    with pytest.raises(AuthError):
        store.column_mappings.remember([("Firma", "naam")], user="x", role=None)
    assert store.column_mappings.mapping() == {}
    store.column_mappings.remember([("Firma", "naam")], user="x", role="team")
    with pytest.raises(AuthError):
        store.column_mappings.forget("firma", role="publiek")
    assert store.column_mappings.mapping() == {"firma": "naam"}


def test_forgetting_a_pair(store):
    store.column_mappings.remember([("Firma", "naam"), ("Standplaats", "plaats")],
                                   user="x", role="team")
    assert store.column_mappings.forget("firma", role="team") is True
    assert store.column_mappings.forget("firma", role="team") is False
    assert store.column_mappings.mapping() == {"standplaats": "plaats"}


@pytest.mark.parametrize(("pair", "message"), [
    (("Plaats", "plaats"), "is al bekend"),
    (("Naam", "contactpersoon"), "is al bekend"),  # a weak synonym is known too
    (("***", "naam"), "geen letters of cijfers"),
    (("Firma", "favoriete_kleur"), "geen veld"),
    (("Firma", "lat"), "geen veld"),  # not an import field
    (("F" * 201, "naam"), "langer dan 200 tekens"),
])
def test_bad_pairs_are_refused_in_dutch_and_nothing_is_written(store, pair, message):
    with pytest.raises(StoreError, match=message):
        store.column_mappings.remember([("Firma", "naam"), pair], user="x", role="team")
    assert store.column_mappings.mapping() == {}


def test_hostile_headers_are_kept_as_written(store):
    headers = ["{{7*7}}", "[x](http://e.invalid)", "=1+1", "<b>Vet</b>"]
    store.column_mappings.remember([(h, "notities") for h in headers], user="x", role="team")
    assert {m.header for m in store.column_mappings.all()} == set(headers)
    assert store.column_mappings.mapping()["11"] == "notities"  # "=1+1"


# --------------------------------------------------------------------------- schema 8


def test_a_register_of_schema_7_gets_the_table_and_keeps_its_rows(tmp_path, reference):
    path = tmp_path / "oud.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=7)
    conn.execute("INSERT INTO organisaties (naam, aangemaakt, gewijzigd) "
                 "VALUES ('Oud BV', '2024-01-01', '2024-01-01')")
    conn.execute("COMMIT")
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                        "'kolomkoppelingen'").fetchone()[0] == 0
    conn.close()
    assert remembered_at(path) == {}  # read only: a register from before has none
    with Store(path, reference, backup_dir=tmp_path / "kopie") as store:
        assert store.schema_version == SCHEMA_VERSION >= 8
        assert list(store.organisations()["naam"]) == ["Oud BV"]
        store.column_mappings.remember([("Firma", "naam")], user="x", role="team")
    assert remembered_at(path) == {"firma": "naam"}
    assert remembered_at(tmp_path / "bestaat-niet.sqlite") == {}
    assert not (tmp_path / "bestaat-niet.sqlite").exists()


def test_backups_count_the_remembered_pairs(tmp_path, reference):
    path = tmp_path / "register.sqlite"
    with Store(path, reference) as store:
        store.column_mappings.remember([("Firma", "naam"), ("Standplaats", "plaats")],
                                       user="x", role="team")
    made, _ = backup.make_backup(path, tmp_path / "kopieen", keep=3)
    assert backup.inspect_register(made).counts["kolomkoppelingen"] == 2
    conn = sqlite3.connect(made)
    assert conn.execute("SELECT kolom, veld FROM kolomkoppelingen ORDER BY kop").fetchall() == [
        ("Firma", "naam"), ("Standplaats", "plaats")]
    conn.close()


def test_the_command_line_import_reads_the_remembered_pairs(tmp_path, settings, capsys,
                                                             reference):
    source = tmp_path / "firma.csv"
    source.write_bytes(FIRMA_CSV)
    database = tmp_path / "register.sqlite"
    argv = ["import", str(source), "--offline", "--database", str(database)]
    assert cli_main(argv, settings=settings) == 2
    assert "geen kolom met de naam" in capsys.readouterr().err
    with Store(database, reference) as store:
        store.column_mappings.remember(MAPPING.items(), user="x", role="team")
    assert cli_main(argv, settings=settings) == 0
    out = capsys.readouterr().out
    assert "2 nieuw" in out and "Kleur" in out
    with Store(database, reference) as store:
        stored = store.organisations().set_index("naam")
    assert stored.loc["Dijk Grondwerken", "plaats"] == "Heerhugowaard"
