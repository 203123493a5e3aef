"""Column mappings: reading a file with chosen and remembered header → field pairs
(geo.intake)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from geo.intake.rawtable import NoNameColumn, header_index, header_key
from geo.intake.reading import read_table

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
