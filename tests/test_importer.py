"""Importer: reading messy office spreadsheets, verdicts, duplicates, records, CLI."""

from __future__ import annotations

import csv
import dataclasses
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo.errors import ImportFileError
from geo.intake.geocoding import AddressQuery, GeocodeResult, OfflineGeocoder
from geo.intake.rawtable import RECODED_REMARK, header_field
from geo.intake.reading import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_RECORD_CHARS,
    read_import_file,
    read_table,
)
from geo.intake.records import RESULT_COLUMNS, preview_table, result_table, to_records
from geo.intake.verdicts import ImportRun, check_rows, count_statuses
from geo.intake.xlsx_guard import XlsxLimits
from geo.output import tables
from geo.reference.data import load_reference
from geo.reference.gazetteer import Gazetteer, Location
from geo.settings import Settings


@pytest.fixture(scope="module")
def reference():
    return load_reference(Settings().data_dir)


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


@pytest.fixture()
def offline(gazetteer):
    return OfflineGeocoder(gazetteer)


class CountingGeocoder:
    """Wraps a geocoder and records every query it is asked."""

    def __init__(self, inner):
        self.inner = inner
        self.queries: list[AddressQuery] = []

    def geocode(self, query):
        self.queries.append(query)
        return self.inner.geocode(query)


def check(table, geocoder, reference, existing=None, **kw):
    return check_rows(table, geocoder=geocoder, reference=reference,
                      existing=existing if existing is not None else pd.DataFrame(), **kw)


def by_row(verdicts):
    return {v.row: v for v in verdicts}


# A Windows-1252 file with ';', CRLF, a title row and an empty row before the header.
CP1252_LINES = [
    "Donateurslijst Infra Bindt 2024;;;;;",
    ";;;;;",
    "Bedrijfsnaam;Straat + huisnr;PC;Woonplaats;Donor;Kleur",
    "Wegenbouw Ærø & Zn;Dorpsstraat 1;1703 ab;Heerhugowaard;ja;rood",
    ";;;;;",
    "Grondwerk Café;Zeestraat 5;1941 AB;Beverwijk;x;",
    "",
    "Kabelbouw Noord;Hoofdweg 10;1764NA;Breezand;nee;blauw",
]


def cp1252_bytes() -> bytes:
    return "\r\n".join(CP1252_LINES).encode("cp1252") + b"\r\n"


# --------------------------------------------------------------------------- reading


def test_windows_1252_semicolon_crlf_with_title_row():
    table = read_table(cp1252_bytes(), "donateurs.csv")
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert table.header_row == 3
    assert table.columns == {
        "naam": "Bedrijfsnaam", "straat": "Straat + huisnr", "postcode": "PC",
        "plaats": "Woonplaats", "donateur": "Donor",
    }
    assert table.unknown_columns == ["Kleur"]
    # Empty lines are skipped, but the row numbers are those Excel shows.
    assert [r.number for r in table.rows] == [4, 6, 8]
    assert [r.values["naam"] for r in table.rows] == [
        "Wegenbouw Ærø & Zn", "Grondwerk Café", "Kabelbouw Noord",
    ]
    assert not any("\r" in v for r in table.rows for v in r.values.values())


def test_utf8_bom_comma_and_quoted_separator():
    text = ("\ufeffOrganisatie,Adres,Postcode,Plaats\n"
            "\"Bouw, Weg & Water\",Kade 3,1703AB,Heerhugowaard\n")
    table = read_table(text.encode("utf-8"), "lijst.csv")
    assert table.delimiter == ","
    assert table.encoding == "utf-8-sig"
    assert table.rows[0].values["naam"] == "Bouw, Weg & Water"
    assert table.rows[0].number == 2


def test_utf16_tab_separated_as_excel_unicode_text():
    text = "Naam\tPlaats\r\nÅbo Infra\tAlkmaar\r\n"
    table = read_table(text.encode("utf-16"), "export.txt")
    assert table.delimiter == "\t"
    assert table.rows[0].values == {"naam": "Åbo Infra", "plaats": "Alkmaar"}


def make_xlsx(path: Path) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Partners"
    ws.append(["Overzicht partners — vertrouwelijk"])
    ws.append([])
    ws.append(["Naam organisatie", "Straat", "Huisnummer", "Postcode", "Vestigingsplaats",
               "Type", "E-mail", "Tel.", "Opmerkingen", "Donateur"])
    ws.append(["Gemaal & Zn", "Dorpsstraat", 12, 1703, "Heerhugowaard", "Aannemer",
               "info@gemaal.example", "0721234567", "via beurs", True])
    ws.append([])
    ws.append([None, None, None, None, None])
    ws.append(["Ingenieurs Delta", "Kerkweg", "7a", "1811 AB", "Alkmaar", "Ingenieursbureau",
               None, None, None, "nee"])
    wb.save(path)
    return path.read_bytes()


def test_xlsx_with_title_row_other_headers_and_empty_rows(tmp_path):
    data = make_xlsx(tmp_path / "partners.xlsx")
    table = read_table(data, "partners.xlsx")
    assert table.sheet == "Partners"
    assert table.header_row == 3
    assert table.columns["naam"] == "Naam organisatie"
    assert table.columns["plaats"] == "Vestigingsplaats"
    assert table.columns["soort"] == "Type"
    assert table.columns["telefoon"] == "Tel."
    assert table.unknown_columns == []
    assert [r.number for r in table.rows] == [4, 7]
    first, second = (r.values for r in table.rows)
    # The separate house number column is merged into the street.
    assert first["straat"] == "Dorpsstraat 12"
    assert second["straat"] == "Kerkweg 7a"
    assert first["postcode"] == "1703"  # a number cell, not "1703.0"
    assert first["donateur"] == "ja"
    assert "huisnummer" not in first


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Organisatie", "naam"), ("Naam organisatie", "naam"), ("Bedrijfsnaam", "naam"),
        ("Straat en huisnummer", "straat"), ("Straat + huisnr", "straat"), ("PC", "postcode"),
        ("Woonplaats", "plaats"), ("Categorie", "soort"), ("Branche", "soort"),
        ("Donor", "donateur"), ("Internet", "website"), ("Contact", "contactpersoon"),
        ("Email", "email"), ("E-mail", "email"), ("Telefoonnummer", "telefoon"),
        ("Opmerkingen", "notities"), ("Ambassadeur", "ambassadeur_voor"), ("Kleur", None),
    ],
)
def test_header_synonyms(header, field):
    assert header_field(header) == field
    assert header_field(f"  {header.upper()}: ") == field


def test_specific_name_column_beats_bare_naam():
    text = "Naam;Bedrijfsnaam;Plaats\nJan Jansen;Asfalt Oost;Hoorn\n"
    table = read_table(text.encode(), "x.csv")
    assert table.columns["naam"] == "Bedrijfsnaam"
    assert table.unknown_columns == ["Naam"]
    assert table.rows[0].values["naam"] == "Asfalt Oost"


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "oud.xls", ".xls"),
        (b"%PDF-1.4 something", "lijst.pdf", "niet ondersteund"),
        (b"PK\x03\x04 not really a zip", "kapot.xlsx", "Excel"),
        (b"Dit is gewoon tekst\nzonder kolommen\n", "tekst.csv", "kopregel"),
        (b"Adres;Postcode\nKade 1;1703AB\n", "zondernaam.csv", "naam"),
        (b"   \n", "leeg.csv", "leeg"),
    ],
)
def test_unreadable_files_give_dutch_errors(data, name, fragment):
    with pytest.raises(ImportFileError) as err:
        read_table(data, name)
    assert fragment in str(err.value)


def test_size_and_row_limits_from_settings():
    settings = dataclasses.replace(Settings(), max_upload_mb=1, max_import_rows=2)
    big = b"Naam\n" + b"x" * (1024 * 1024 + 1)
    with pytest.raises(ImportFileError, match="1 MB"):
        read_table(big, "groot.csv", settings=settings)
    rows = b"Naam\nA\nB\nC\n"
    with pytest.raises(ImportFileError, match="meer dan 2 rijen"):
        read_table(rows, "lang.csv", settings=settings)
    assert len(read_table(b"Naam\nA\n\nB\n", "kort.csv", settings=settings).rows) == 2


def test_pure_windows_1252_file_is_read_without_remarks():
    table = read_table(cp1252_bytes(), "donateurs.csv")
    assert table.encoding == "cp1252"
    assert all(row.remarks == () for row in table.rows)


def test_mixed_encodings_are_decoded_per_line_and_flagged():
    data = (
        b"Organisatie;Plaats;Kleur\n"
        + "Café Noord;Hoorn;\n".encode()  # UTF-8
        + "Wegenbouw Ærø;Alkmaar;\n".encode("cp1252")  # Windows-1252, in a named column
        + "Kabelbouw;Edam;rød\n".encode("cp1252")  # Windows-1252, only in an ignored column
    )
    table = read_table(data, "gemengd.csv")
    assert table.encoding == "utf-8 en cp1252 (gemengd)"
    cafe, aero, kabel = table.rows
    assert (cafe.values["naam"], aero.values["naam"]) == ("Café Noord", "Wegenbouw Ærø")
    assert cafe.remarks == () and kabel.remarks == ()
    assert aero.remarks == (RECODED_REMARK,)


def test_utf8_bom_with_a_windows_1252_line_is_mixed():
    data = b"\xef\xbb\xbfOrganisatie;Plaats\n" + "Ærø Infra;Hoorn\n".encode("cp1252")
    (row,) = read_table(data, "bom.csv").rows
    assert row.values["naam"] == "Ærø Infra" and row.remarks == (RECODED_REMARK,)


def test_a_quoted_field_over_two_lines_flags_its_record():
    data = (b'Organisatie;Notities\n"Bouw BV";"regel 1\n' + "regel é\"\n".encode("cp1252")
            + "Zuid BV;é\n".encode())
    bouw, zuid = read_table(data, "notities.csv").rows
    assert bouw.values["notities"] == "regel 1\nregel é"
    assert bouw.remarks == (RECODED_REMARK,) and zuid.remarks == ()
    assert zuid.number == 3  # record numbers, as before


def test_replacement_character_is_reported_with_the_field():
    (row,) = read_table("Organisatie;Plaats\nBouw;H\ufffdorn\n".encode(), "x.csv").rows
    assert len(row.remarks) == 1 and row.remarks[0].startswith("Plaats: bevat onleesbare")


def test_csv_record_over_the_length_limit_names_the_row():
    data = b"Organisatie;Plaats\nBouw;Hoorn\n" + b"x;" * (MAX_RECORD_CHARS // 2 + 1) + b"\n"
    with pytest.raises(ImportFileError, match="rij 3: de rij heeft meer dan 1.048.576 tekens"):
        read_table(data, "lang.csv")


def test_csv_row_with_too_many_columns_names_the_row():
    wide = ";".join(["x"] * (MAX_COLUMNS + 1))
    data = f"Organisatie;Plaats\nBouw;Hoorn\n{wide}\n".encode()
    with pytest.raises(ImportFileError, match=f"rij 3: meer dan {MAX_COLUMNS} kolommen"):
        read_table(data, "breed.csv")
    # Trailing empty cells do not count.
    padded = "Organisatie;Plaats" + ";" * (MAX_COLUMNS * 2) + "\nBouw;Hoorn\n"
    assert read_table(padded.encode(), "leeg.csv").rows[0].values["naam"] == "Bouw"


def test_cell_longer_than_excel_allows_names_row_and_column():
    data = ("Organisatie;Notities\nBouw;" + "x" * (MAX_CELL_CHARS + 1) + "\n").encode()
    with pytest.raises(ImportFileError, match="rij 2, kolom 2: de cel heeft meer dan 32.767"):
        read_table(data, "lang.csv")


def test_header_on_a_later_sheet_is_found(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["Toelichting bij de lijst"])
    partners = wb.create_sheet("Partners")
    partners.append(["Organisatie", "Plaats"])
    partners.append(["Bouw BV", "Hoorn"])
    wb.save(tmp_path / "twee.xlsx")
    table = read_table((tmp_path / "twee.xlsx").read_bytes(), "twee.xlsx")
    assert table.sheet == "Partners" and table.rows[0].values["naam"] == "Bouw BV"


def test_archive_limits_follow_the_settings():
    small = dataclasses.replace(Settings(), max_upload_mb=1, max_import_rows=10)
    limits = XlsxLimits.from_settings(small)
    assert limits.max_total_bytes == 20 * 1024 * 1024
    assert limits.max_row_elements == 20 * (10 + 30)
    assert limits.max_data_rows == 10


def test_messages_never_carry_control_characters_of_a_file_name():
    with pytest.raises(ImportFileError) as err:
        read_table(b"%PDF", "lijst\x1b[31m\u202e.pdf")
    assert "\x1b" not in str(err.value) and "\u202e" not in str(err.value)


# --------------------------------------------------------------------------- files on disk


def test_read_import_file_refuses_what_is_not_a_small_regular_file(tmp_path):
    with pytest.raises(ImportFileError, match="het bestand bestaat niet"):
        read_import_file(tmp_path / "nergens.csv")
    with pytest.raises(ImportFileError, match="het is een map"):
        read_import_file(tmp_path)
    fifo = tmp_path / "pijp.csv"
    os.mkfifo(fifo)
    with pytest.raises(ImportFileError, match="geen gewoon bestand"):
        read_import_file(fifo)  # reading a FIFO would wait forever
    huge = tmp_path / "groot.csv"
    with huge.open("wb") as handle:  # sparse: 2 GB on paper, nothing on disk
        handle.truncate(2 * 1024**3)
    with pytest.raises(ImportFileError, match="is 2.048,0 MB; de grens is 10 MB"):
        read_import_file(huge)
    small = tmp_path / "klein.csv"
    small.write_bytes(b"Naam\nA\n")
    assert read_import_file(small) == b"Naam\nA\n"


def test_read_import_file_without_permission(tmp_path, monkeypatch):
    source = tmp_path / "geheim.csv"
    source.write_bytes(b"Naam\nA\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)  # root may read anything; simulate a user
    with pytest.raises(ImportFileError, match="geen leesrechten"):
        read_import_file(source)


# --------------------------------------------------------------------------- verdicts

PROBLEM_CSV = """Organisatie;Adres;Postcode;Plaats;Land
Asfalt Alkmaar;Kerkweg 7;1811 AB;Alkmaar;
Postbus Infra;Postbus 100;1811 AB;Alkmaar;
Belgische Wegen;Meir 1;2000;Antwerpen;België
Foute Postcode;Kade 1;12345;Hoorn;
;Kade 2;1621 AB;Hoorn;
<script>alert(1)</script> & Zn;Kade 3;1621 AB;Hoorn;
Nergenshuizen BV;;;Xyzdorp;
Alleen Plaats;;;Purmerend;
Groninger Grond;;9711 AA;Groningen;
Zonder Adres;;;;
"""


@pytest.fixture()
def problem_verdicts(offline, reference):
    table = read_table(PROBLEM_CSV.encode(), "problemen.csv")
    return table, by_row(check(table, offline, reference))


def test_every_non_empty_row_gets_a_verdict(problem_verdicts):
    table, verdicts = problem_verdicts
    assert sorted(verdicts) == [r.number for r in table.rows] == list(range(2, 12))
    for v in verdicts.values():
        assert v.status in {"ok", "waarschuwing", "fout"}
        if v.status != "ok":
            assert v.message


def test_clean_row_is_ok_and_in_region(problem_verdicts):
    v = problem_verdicts[1][2]
    assert v.status == "ok"
    assert v.precision == "postcode4"
    assert v.areas["gemeentenaam"] == "Alkmaar"
    assert v.areas["arbeidsmarktregio_code"] == "AM15"


def test_po_box_is_placed_with_a_warning(problem_verdicts):
    v = problem_verdicts[1][3]
    assert v.status == "waarschuwing"
    assert v.placed
    assert "Postbus" in v.message


@pytest.mark.parametrize(
    ("rij", "field"),
    [(4, "Land"), (5, "Postcode"), (6, "Naam"), (8, "Plaats"), (11, "Adres")],
)
def test_rows_that_cannot_be_placed_are_fout_naming_the_field(problem_verdicts, rij, field):
    v = problem_verdicts[1][rij]
    assert v.status == "fout"
    assert not v.placed
    assert field.casefold() in v.message.casefold()


def test_foreign_address_is_not_geocoded(offline, reference):
    counting = CountingGeocoder(offline)
    table = read_table(PROBLEM_CSV.encode(), "problemen.csv")
    check(table, counting, reference)
    assert all(q.is_dutch for q in counting.queries)
    assert not any(q.postcode == "12345" for q in counting.queries)


def test_place_only_and_outside_regions_are_warnings(problem_verdicts):
    verdicts = problem_verdicts[1]
    assert verdicts[9].status == "waarschuwing"
    assert verdicts[9].precision == "plaats"
    assert "plaatsnaam" in verdicts[9].message
    assert verdicts[10].status == "waarschuwing"
    assert verdicts[10].placed
    assert "buiten de vijf" in verdicts[10].message


def test_html_in_a_name_is_kept_verbatim(problem_verdicts):
    v = problem_verdicts[1][7]
    assert v.name == "<script>alert(1)</script> & Zn"
    records = to_records([v])
    assert records[0]["naam"] == "<script>alert(1)</script> & Zn"


def test_fout_rows_become_unplaced_records_and_nameless_rows_are_left_out(problem_verdicts):
    table, verdicts = problem_verdicts
    records = to_records(verdicts.values(), fields=table.fields)
    names = [r["naam"] for r in records]
    assert "" not in names and len(records) == len(verdicts) - 1
    foute = next(r for r in records if r["naam"] == "Foute Postcode")
    assert foute["status"] == "fout"
    assert foute["lat"] is None and foute["lon"] is None
    assert foute["nauwkeurigheid"] == "geen"
    assert "Postcode" in foute["melding"]
    ok = next(r for r in records if r["naam"] == "Asfalt Alkmaar")
    assert ok["gemeentecode"] and ok["lat"] is not None
    assert "id" not in ok


def test_pdok_unreachable_rows_are_judged_on_their_own_merits(gazetteer, reference):
    class Unreachable:
        went_offline = True
        offline_reason = "PDOK onbereikbaar (time-out)."

        def __init__(self):
            self.fallback = OfflineGeocoder(gazetteer)

        def geocode(self, query):
            result = self.fallback.geocode(query)
            message = f"PDOK onbereikbaar; offline geplaatst op postcode. {result.message}"
            return dataclasses.replace(result, message=message)

    table = read_table(b"Naam;Postcode;Plaats\nA;1811AB;Alkmaar\nB;1811AB;Hoorn\n"
                       b"C;1811AB;\n", "a.csv")
    agrees, disagrees, no_place = check(table, Unreachable(), reference)
    assert agrees.status == "ok" and agrees.precision == "postcode4"
    assert "PDOK" not in agrees.message  # said once by the page and the CLI, not per row
    assert disagrees.status == "waarschuwing"
    assert "1811 ligt in Alkmaar, niet in Hoorn" in disagrees.message
    assert no_place.status == "ok"
    chosen = check(table, OfflineGeocoder(gazetteer), reference)
    assert [v.status for v in chosen] == ["ok", "waarschuwing", "ok"]  # the toggle: same


def test_flags_and_soort_in_records(tmp_path, offline, reference):
    table = read_table(make_xlsx(tmp_path / "p.xlsx"), "p.xlsx")
    records = to_records(check(table, offline, reference), fields=table.fields)
    first, second = records
    assert first["donateur"] is True and second["donateur"] is False
    assert first["soort_origineel"] == "Aannemer"
    assert first["soort"] == "aannemer"
    assert first["email"] == "info@gemaal.example"
    assert "contactpersoon" not in first  # no such column: never erase stored values


# --------------------------------------------------------------------------- duplicates

DUPLICATES_CSV = """Organisatie;Postcode;Plaats
Beta Infra B.V.;1703 AB;Heerhugowaard
Beta Infra BV;1703ab;Heerhugowaard
Betta Infra BV;1703 AB;Heerhugowaard
Beta Infra;1811 AB;Alkmaar
Gamma Grondwerk;1621 AB;Hoorn
"""


def test_duplicates_within_the_file(offline, reference):
    table = read_table(DUPLICATES_CSV.encode(), "dubbel.csv")
    verdicts = by_row(check(table, offline, reference))
    assert verdicts[2].duplicate_of is None and verdicts[2].status == "ok"
    assert verdicts[3].duplicate_of == 2
    assert "rij 2" in verdicts[3].message
    assert verdicts[4].duplicate_of is None
    assert verdicts[4].status == "waarschuwing"
    assert "ogelijk dubbel met rij 2" in verdicts[4].message
    assert verdicts[5].status == "waarschuwing" and "andere postcode" in verdicts[5].message
    assert verdicts[6].status == "ok"
    records = to_records(verdicts.values())
    assert [r["naam"] for r in records] == [
        "Beta Infra B.V.", "Betta Infra BV", "Beta Infra", "Gamma Grondwerk",
    ]


def test_duplicates_against_the_register(offline, reference):
    existing = pd.DataFrame({
        "id": [7, 8, 9],
        "naam": ["Beta Infra BV", "Gamma Grondwerken", "Delta Damwand"],
        "postcode": ["1703AB", "1621 AB", "1000 AA"],
        "plaats": ["Heerhugowaard", "Hoorn", "Amsterdam"],
    })
    text = ("Organisatie;Postcode;Plaats\nBeta Infra B.V.;1703 AB;Heerhugowaard\n"
            "Gamma Grondwerk;1621AB;Hoorn\nDelta Damwand;1811 AB;Alkmaar\n"
            "Nieuw BV;1811AB;Alkmaar\n")
    table = read_table(text.encode(), "d.csv")
    verdicts = by_row(check(table, offline, reference, existing))
    assert verdicts[2].existing_id == 7 and verdicts[2].status == "ok"
    assert "bijgewerkt" in verdicts[2].message
    assert verdicts[3].existing_id is None and verdicts[3].status == "waarschuwing"
    assert "Gamma Grondwerken" in verdicts[3].message
    assert verdicts[4].existing_id is None and "nr. 9" in verdicts[4].message
    assert verdicts[5].existing_id is None and verdicts[5].status == "ok"
    records = {r["naam"]: r for r in to_records(verdicts.values())}
    assert records["Beta Infra B.V."]["id"] == 7
    assert "id" not in records["Nieuw BV"]
    preview = preview_table(verdicts.values())
    assert list(preview["actie"]) == ["bijwerken", "nieuw", "nieuw", "nieuw"]
    assert "email" not in preview.columns


# --------------------------------------------------------------------------- progress


def test_interruption_and_resume_checks_each_row_once(offline, reference):
    table = read_table(PROBLEM_CSV.encode(), "problemen.csv")
    full = check(table, offline, reference)

    counting = CountingGeocoder(offline)
    run = ImportRun(table)
    calls: list[tuple[int, int]] = []
    partial = check(table, counting, reference, run=run,
                    progress=lambda i, n: calls.append((i, n)),
                    should_stop=lambda: run.done >= 4)
    assert [v.row for v in partial] == [2, 3, 4, 5]
    assert run.done == 4 and not run.complete
    assert calls == [(1, 10), (2, 10), (3, 10), (4, 10)]
    asked_before = len(counting.queries)

    resumed = check(table, counting, reference, run=run,
                    progress=lambda i, n: calls.append((i, n)))
    assert run.complete
    assert calls[-1] == (10, 10)
    # Rows 2-5 were not geocoded again.
    again = [q for q in counting.queries[asked_before:] if q.street in {"Kerkweg 7", "Meir 1"}]
    assert again == []
    assert result_table(resumed).equals(result_table(full))


def test_run_must_match_table(offline, reference):
    a = read_table(b"Naam\nA\n", "a.csv")
    b = read_table(b"Naam\nB\n", "b.csv")
    with pytest.raises(ValueError):
        check(a, offline, reference, run=ImportRun(b))


# --------------------------------------------------------------------------- results


def test_result_table_columns_and_order(problem_verdicts):
    table, verdicts = problem_verdicts
    result = result_table(verdicts.values())
    assert list(result.columns) == RESULT_COLUMNS
    assert list(result["rij"]) == [r.number for r in table.rows]
    assert set(result["status"]) <= {"ok", "waarschuwing", "fout"}
    unplaced = result[result["status"] == "fout"]
    assert unplaced["lat"].isna().all() and (unplaced["nauwkeurigheid"] == "geen").all()
    counts = count_statuses(verdicts.values())
    assert counts == result["status"].value_counts().reindex(
        ["ok", "waarschuwing", "fout"], fill_value=0).to_dict()


def test_fake_geocoder_precision_and_candidates_pass_through(reference):
    class Exact:
        def geocode(self, query):
            loc = Location(52.6318, 4.7480, "adres", "Kerkweg 7, 1811AB Alkmaar")
            other = Location(52.64, 4.75, "adres", "Kerkweg 7A, 1811AB Alkmaar")
            return GeocodeResult(loc, "pdok", "", (loc, other))

    table = read_table(b"Naam;Adres;Postcode\nA;Kerkweg 7;1811AB\n", "a.csv")
    (v,) = check(table, Exact(), reference)
    assert v.status == "ok" and v.precision == "adres" and v.source == "pdok"
    assert len(v.candidates) == 2
    assert v.areas["gemeentenaam"] == "Alkmaar"


def _read_result(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def test_result_csv_is_readable_as_written():
    frame = result_table([])
    text = tables.csv_bytes(frame).decode("utf-8-sig")
    assert text == ";".join(RESULT_COLUMNS) + "\r\n"


# --------------------------------------------------------------------------- with the store

from geo.cli import main as cli_main  # noqa: E402
from geo.register.store import Store  # noqa: E402
from geo.register.writes import RowWriter  # noqa: E402


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory, reference):
    """A freshly created register (schema + seeded schools), made once and copied."""
    path = tmp_path_factory.mktemp("template") / "leeg.sqlite"
    Store(path, reference).close()
    return path


@pytest.fixture()
def db_path(tmp_path, empty_db):
    target = tmp_path / "register.sqlite"
    target.write_bytes(empty_db.read_bytes())
    return target


@pytest.fixture()
def settings(tmp_path):
    return dataclasses.replace(
        Settings(), var_dir=tmp_path, database_path=tmp_path / "standaard.sqlite",
        geocode_cache_path=tmp_path / "cache.sqlite", offline=True,
    )


def snapshot(path: Path, reference) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    with Store(path, reference) as store:
        return (store.organisations(include_personal=True), store.schools(),
                store.history())


def import_file(store, data, name, geocoder, reference, kind="partners"):
    table = read_table(data, name)
    existing = store.schools() if kind == "scholen" else store.organisations()
    verdicts = check(table, geocoder, reference, existing, kind=kind)
    records = to_records(verdicts, kind=kind, fields=table.fields, reference=reference)
    return verdicts, store.apply_import(records, user="test", kind=kind)


def test_import_then_reimport_updates_instead_of_duplicating(db_path, offline, reference):
    data = cp1252_bytes()
    with Store(db_path, reference) as store:
        _, first = import_file(store, data, "donateurs.csv", offline, reference)
        assert (first["nieuw"], first["bijgewerkt"]) == (3, 0)
        orgs = store.organisations()
        assert sorted(orgs["naam"]) == ["Grondwerk Café", "Kabelbouw Noord",
                                        "Wegenbouw Ærø & Zn"]
        assert orgs.set_index("naam").loc["Wegenbouw Ærø & Zn", "donateur"]
        # Same file again: matched on name + postcode, nothing new, nothing changed.
        verdicts, second = import_file(store, data, "donateurs.csv", offline, reference)
        assert second["nieuw"] == 0 and second["ongewijzigd"] == 3
        assert all(v.existing_id is not None for v in verdicts)
        # A changed row (donor flag, "B.V."-style spelling) updates the same record.
        changed = data.replace(b"Kabelbouw Noord;Hoofdweg 10;1764NA;Breezand;nee",
                               b"Kabelbouw Noord B.V.;Hoofdweg 10;1764 na;Breezand;ja")
        _, third = import_file(store, changed, "donateurs.csv", offline, reference)
        assert (third["nieuw"], third["bijgewerkt"]) == (0, 1)
        after = store.organisations()
        assert len(after) == 3
        kabel = after[after["naam"] == "Kabelbouw Noord B.V."]
        assert len(kabel) == 1 and bool(kabel["donateur"].iloc[0])
        assert not store.history(int(kabel["id"].iloc[0])).empty


def test_fout_rows_are_stored_for_review_without_location(db_path, offline, reference):
    with Store(db_path, reference) as store:
        import_file(store, PROBLEM_CSV.encode(), "problemen.csv", offline, reference)
        orgs = store.organisations().set_index("naam")
        assert "" not in orgs.index
        assert orgs.loc["Foute Postcode", "status"] == "fout"
        assert pd.isna(orgs.loc["Foute Postcode", "lat"])
        assert orgs.loc["Foute Postcode", "nauwkeurigheid"] == "geen"
        assert orgs.loc["Postbus Infra", "status"] == "waarschuwing"
        # HTML is stored verbatim; escaping is the display's job.
        assert "<script>alert(1)</script> & Zn" in orgs.index


def test_manual_location_survives_reimport(db_path, offline, reference):
    with Store(db_path, reference) as store:
        import_file(store, PROBLEM_CSV.encode(), "problemen.csv", offline, reference)
        org = store.organisations().set_index("naam").loc["Alleen Plaats"]
        store.save_organisation({"id": int(org["id"]), "lat": 52.5, "lon": 4.95,
                                 "nauwkeurigheid": "handmatig"}, user="team")
        verdicts, _ = import_file(store, PROBLEM_CSV.encode(), "problemen.csv", offline,
                                  reference)
        again = store.get_organisation(int(org["id"]))
        assert (again["lat"], again["lon"], again["nauwkeurigheid"]) == (52.5, 4.95,
                                                                           "handmatig")
        assert "handmatig" in by_row(verdicts)[9].message


def test_crash_mid_import_leaves_database_unchanged(db_path, offline, reference, monkeypatch):
    with Store(db_path, reference) as store:
        import_file(store, cp1252_bytes(), "donateurs.csv", offline, reference)
    before = snapshot(db_path, reference)

    original = RowWriter.save
    calls = {"n": 0}

    def crash_on_third(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("stroomstoring halverwege de import")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RowWriter, "save", crash_on_third)
    with Store(db_path, reference) as store:
        with pytest.raises(RuntimeError):
            import_file(store, PROBLEM_CSV.encode(), "problemen.csv", offline, reference)
    assert calls["n"] == 3  # two rows were written inside the transaction first
    monkeypatch.undo()
    after = snapshot(db_path, reference)
    for old, new in zip(before, after, strict=True):
        pd.testing.assert_frame_equal(old, new)


def test_school_import_adds_user_schools_and_skips_duo_schools(db_path, offline, reference):
    with Store(db_path, reference) as store:
        duo = store.schools().iloc[0]
    text = ("Schoolnaam;Adres;Postcode;Plaats;Vestigingscode;Onderwijsstructuur\n"
            "Basisschool De Kade;Kade 1;1621 AB;Hoorn;99ZZ00;PO\n"
            f"{duo['naam']};{duo['straat']};{duo['postcode']};{duo['plaats']};"
            f"{duo['vestigingscode']};\n")
    with Store(db_path, reference) as store:
        before = len(store.schools())
        verdicts, outcome = import_file(store, text.encode(), "scholen.csv", offline,
                                        reference, kind="scholen")
        assert outcome["nieuw"] == 1
        schools = store.schools()
        assert len(schools) == before + 1
        added = schools[schools["naam"] == "Basisschool De Kade"].iloc[0]
        assert added["bron"] == "gebruiker" and added["vestigingscode"] == "99ZZ00"
        assert added["gemeentenaam"] == "Hoorn"
        assert "DUO" in verdicts[1].message and verdicts[1].skip


# --------------------------------------------------------------------------- CLI


def run_cli(argv, settings, capsys):
    code = cli_main(argv, settings=settings)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_import_writes_result_in_input_order(tmp_path, settings, capsys):
    source = tmp_path / "problemen.csv"
    source.write_text(PROBLEM_CSV, encoding="utf-8")
    result = tmp_path / "resultaat.csv"
    db = tmp_path / "nieuw" / "register.sqlite"
    code, out, err = run_cli(["import", str(source), "--offline", "--database", str(db),
                              "--uitvoer", str(result)], settings, capsys)
    assert code == 0, err
    rows = _read_result(result)
    assert list(rows[0]) == RESULT_COLUMNS
    assert [int(r["rij"]) for r in rows] == list(range(2, 12))
    statuses = [r["status"] for r in rows]
    assert set(statuses) <= {"ok", "waarschuwing", "fout"}
    assert f"{statuses.count('ok')} ok, {statuses.count('waarschuwing')} waarschuwing, " \
           f"{statuses.count('fout')} fout" in out
    assert "offline" in out
    assert db.exists()
    assert "9 nieuw" in out
    code, out, _ = run_cli(["import", str(source), "--offline", "--database", str(db)],
                           settings, capsys)
    assert code == 0 and "0 nieuw" in out and "9 ongewijzigd" in out


def test_cli_import_reports_a_colleagues_edit_instead_of_overwriting_it(
        tmp_path, settings, capsys, reference, monkeypatch):
    from geo.register.store import Store

    source = tmp_path / "p.csv"
    source.write_text("Organisatie;Postcode;E-mail\nAlfa Grondwerk;1621 AB;bestand@alfa.invalid\n"
                      "Beta Wegenbouw;1811 AB;\n", encoding="utf-8")
    db = tmp_path / "register.sqlite"
    with Store(db, reference) as store:
        alfa = store.save_organisation({"naam": "Alfa Grondwerk", "postcode": "1621 AB"},
                                       user="anna")
    original = Store.apply_import

    def colleague_first(self, records, **kwargs):
        # While the CLI was checking the file, a colleague saved a new e-mail address.
        with Store(db, reference) as other:
            other.save_organisation({"id": alfa, "email": "collega@alfa.invalid"},
                                    user="kees")
        return original(self, records, **kwargs)

    monkeypatch.setattr(Store, "apply_import", colleague_first)
    code, out, err = run_cli(["import", str(source), "--offline", "--database", str(db)],
                             settings, capsys)
    assert code == 1
    assert "1 nieuw" in out and "1 niet opgeslagen (conflict)" in out
    assert "Rij 2 ('Alfa Grondwerk'" in err and "door kees (E-mail)" in err
    assert "Traceback" not in err and "alfa.invalid" not in out + err
    with Store(db, reference) as store:
        assert store.get_organisation(alfa, include_personal=True)["email"] == (
            "collega@alfa.invalid")


def test_cli_dry_run_writes_nothing(tmp_path, settings, capsys, db_path, reference):
    source = tmp_path / "d.csv"
    source.write_bytes(cp1252_bytes())
    missing = tmp_path / "bestaat-niet.sqlite"
    code, out, _ = run_cli(["import", str(source), "--droog", "--offline",
                            "--database", str(missing)], settings, capsys)
    assert code == 0 and "niets opgeslagen" in out
    assert not missing.exists()
    before = snapshot(db_path, reference)
    code, out, _ = run_cli(["import", str(source), "--droog", "--offline", "--database",
                            str(db_path), "--uitvoer", str(tmp_path / "r.csv")],
                           settings, capsys)
    assert code == 0
    assert len(_read_result(tmp_path / "r.csv")) == 3
    for old, new in zip(before, snapshot(db_path, reference), strict=True):
        pd.testing.assert_frame_equal(old, new)


@pytest.mark.parametrize(
    ("name", "content"),
    [("kapot.xlsx", b"PK\x03\x04 garbage"), ("geen-kop.csv", b"a;b\n1;2\n"),
     ("plaatje.png", b"\x89PNG\r\n\x1a\n")],
)
def test_cli_exit_code_2_for_unreadable_file(tmp_path, settings, capsys, name, content):
    source = tmp_path / name
    source.write_bytes(content)
    db = tmp_path / "r.sqlite"
    code, out, err = run_cli(["import", str(source), "--database", str(db)], settings, capsys)
    assert code == 2
    assert err.startswith("Fout: ") and out == ""
    assert not db.exists()


def test_cli_exit_code_2_for_missing_file(tmp_path, settings, capsys):
    code, _, err = run_cli(["import", str(tmp_path / "nergens.xlsx")], settings, capsys)
    assert code == 2 and "kan niet worden gelezen: het bestand bestaat niet" in err


def test_the_command_line_has_its_own_row_limit(tmp_path, settings, capsys):
    path = tmp_path / "vijf.csv"
    path.write_text("Naam;Postcode\n" + "".join(f"Bedrijf {i};1811 AB\n" for i in range(5)),
                    encoding="utf-8")
    argv = ["import", str(path), "--offline", "--droog", "--database",
            str(tmp_path / "geen.sqlite")]
    page_limit = dataclasses.replace(settings, max_import_rows=2, max_cli_import_rows=5)
    code, out, _ = run_cli(argv, page_limit, capsys)
    assert code == 0 and "5 rijen gecontroleerd" in out
    code, _, err = run_cli(argv, dataclasses.replace(page_limit, max_cli_import_rows=4), capsys)
    assert code == 2 and "meer dan 4 rijen" in err
    assert Settings().max_cli_import_rows == 20000  # the bench's big list fits
    assert Settings.from_env({"INFRAKAART_MAX_CLI_IMPORT_ROWS": "30000"}).max_cli_import_rows \
        == 30000


def test_cli_checks_the_size_on_disk_before_reading(tmp_path, settings, capsys, monkeypatch):
    huge = tmp_path / "groot.xlsx"
    with huge.open("wb") as handle:  # sparse: 3 GB on paper
        handle.truncate(3 * 1024**3)

    def never(self, *args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "read_bytes", never)
    monkeypatch.setattr(Path, "open", never)
    code, out, err = run_cli(["import", str(huge)], settings, capsys)
    assert code == 2 and out == ""
    assert "'groot.xlsx' is 3.072,0 MB; de grens is 10 MB." in err


@pytest.mark.parametrize("kind", ["map", "pijp"])
def test_cli_exit_code_2_for_a_folder_or_a_pipe(tmp_path, settings, capsys, kind):
    target = tmp_path / "invoer.csv"
    if kind == "map":
        target.mkdir()
    else:
        os.mkfifo(target)
    code, out, err = run_cli(["import", str(target)], settings, capsys)
    assert code == 2 and out == ""
    assert "kan niet worden gelezen: het " in err and "Traceback" not in err


def test_cli_falls_back_to_offline_when_pdok_is_unreachable(tmp_path, settings, capsys):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    online = dataclasses.replace(settings, offline=False, pdok_url=f"http://127.0.0.1:{port}/",
                                 pdok_retries=0, pdok_timeout_s=2.0)
    source = tmp_path / "d.csv"
    source.write_bytes(cp1252_bytes())
    result = tmp_path / "r.csv"
    code, out, _ = run_cli(["import", str(source), "--droog", "--uitvoer", str(result),
                            "--database", str(tmp_path / "x.sqlite")], online, capsys)
    assert code == 0
    assert "Geocodering: offline — PDOK is niet bereikbaar (geen verbinding)." in out
    rows = _read_result(result)
    assert [r["status"] for r in rows] == ["ok"] * 3  # sound rows, judged on their merits
    assert not any("PDOK" in r["melding"] for r in rows)  # said once, above
    assert all(r["lat"] for r in rows)


def test_postcode_and_place_in_one_cell_and_row_number_column(offline, reference):
    text = ("Nr;Organisatie;Adres;Postcode;Telefoon\n"
            "1;Samen BV;Kerkweg 7;1811 AB Alkmaar;721234567\n"
            "2;Adresregel BV;Kerkweg 7, 1811AB Alkmaar;;\n")
    table = read_table(text.encode(), "samen.csv")
    assert table.unknown_columns == ["Nr"]  # a running number, not a house number
    first, second = check(table, offline, reference)
    assert first.values["straat"] == "Kerkweg 7"
    assert first.values["postcode"] == "1811 AB" and first.values["plaats"] == "Alkmaar"
    assert first.values["telefoon"] == "0721234567"
    assert first.status == "ok" and first.areas["gemeentenaam"] == "Alkmaar"
    assert second.values["straat"] == "Kerkweg 7"
    assert second.values["postcode"] == "1811 AB"
    assert second.areas["gemeentenaam"] == "Alkmaar"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("52.6318, 4.7480", (52.6318, 4.748)), ("52,6318 4,748", (52.6318, 4.748)),
     ("52.6318;4.748", (52.6318, 4.748)), ("POINT(4.748 52.6318)", (52.6318, 4.748)),
     ("4.748, 52.6318", (52.6318, 4.748))],
)
def test_parse_coordinates(typed, expected):
    from geo.intake.records import parse_coordinates

    assert parse_coordinates(typed) == pytest.approx(expected)


@pytest.mark.parametrize("typed", ["", "hallo", "48.85, 2.35", "52.6"])
def test_parse_coordinates_rejects(typed):
    from geo.errors import AddressError
    from geo.intake.records import parse_coordinates

    with pytest.raises(AddressError):
        parse_coordinates(typed)


def test_review_queue_orders_errors_first():
    from geo.intake.records import REVIEW_COLUMNS, review_queue

    orgs = pd.DataFrame({
        "id": [1, 2, 3, 4, 5], "naam": ["b", "a", "c", "d", "e"],
        "status": ["ok", "waarschuwing", "fout", "ok", "ok"],
        "nauwkeurigheid": ["adres", "postcode4", "geen", "plaats", "handmatig"],
        "straat": "", "postcode": "", "plaats": "", "melding": "", "lat": 1.0, "lon": 1.0,
        "versie": 1,
    })
    queue = review_queue(orgs)
    assert list(queue.columns) == REVIEW_COLUMNS
    assert list(queue["id"]) == [3, 2, 4]
    assert review_queue(orgs.iloc[0:0]).empty


def test_check_values_for_a_form(offline, reference):
    from geo.intake.records import check_values, location_fields

    verdict = check_values({"naam": "Formulier BV", "postcode": "1811ab"},
                           geocoder=offline, reference=reference)
    assert verdict.status == "ok" and verdict.values["postcode"] == "1811 AB"
    fields = location_fields(verdict)
    assert fields["nauwkeurigheid"] == "postcode4" and fields["lat"] is not None
    bad = location_fields(check_values({"naam": "X", "postcode": "0000"},
                                       geocoder=offline, reference=reference))
    assert bad["lat"] is None and bad["status"] == "fout"


# --------------------------------------------------------------------------- contact data


@pytest.mark.parametrize(("column", "value", "note"), [
    ("E-mail", "jan.jansen@@bedrijf", "E-mail: ongeldig e-mailadres"),
    ("E-mail", "jan.jansen bij bedrijf.nl", "E-mail: ongeldig e-mailadres"),
    ("Telefoon", "bel Jan op 0229", "Telefoon: ongeldig telefoonnummer"),
    ("Telefoon", "12345", "Telefoon: ongeldig telefoonnummer"),
    ("Contactpersoon", "jan.jansen@bedrijf.nl", "Contactpersoon: lijkt een e-mailadres"),
])
def test_contact_notes_name_the_field_never_the_value(offline, reference, column, value,
                                                      note):
    table = read_table(f"Organisatie;Postcode;{column}\nA;1811 AB;{value}\n".encode(), "c.csv")
    (v,) = check(table, offline, reference)
    assert note in v.message and note in v.stored_message
    assert v.status == "ok"  # a note, not a warning: the location is fine
    assert value not in v.message and "jan" not in v.message.casefold()
    (record,) = to_records([v], fields=table.fields)
    assert value not in record["melding"]
    field = {"E-mail": "email", "Telefoon": "telefoon", "Contactpersoon": "contactpersoon"}
    assert record[field[column]] == value  # kept for staff as given


@pytest.mark.parametrize("phone", ["0229-000099", "+31 6 12345678", "(072) 123 45 67",
                                   "229000099"])
def test_valid_phone_numbers_get_no_note(offline, reference, phone):
    table = read_table(f"Organisatie;Postcode;Telefoon\nA;1811 AB;{phone}\n".encode(), "t.csv")
    (v,) = check(table, offline, reference)
    assert "Telefoon" not in v.message
    assert v.values["telefoon"] == ("0229000099" if phone == "229000099" else phone)


def test_records_carry_the_row_and_the_previewed_version(offline, reference):
    existing = pd.DataFrame({"id": [7], "naam": ["Beta Infra BV"], "postcode": ["1703AB"],
                             "plaats": ["Heerhugowaard"], "versie": [4]})
    table = read_table(b"Organisatie;Postcode\nBeta Infra;1703 AB\nNieuw BV;1811 AB\n",
                       "v.csv")
    verdicts = check(table, offline, reference, existing)
    assert [v.existing_version for v in verdicts] == [4, None]
    update, new = to_records(verdicts)
    assert (update["rij"], update["id"], update["versie"]) == (2, 7, 4)
    assert new["rij"] == 3 and "id" not in new and "versie" not in new
    # A register frame without versions (older callers) gives no version check.
    without = existing.drop(columns="versie")
    (update, _) = to_records(check(table, offline, reference, without))
    assert update["id"] == 7 and "versie" not in update
