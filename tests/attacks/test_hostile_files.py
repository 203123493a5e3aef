"""Issue 9, reading untrusted files: bombs, XXE, malformed files, mixed encodings, divisions.

Every hostile file is built here, in the test; nothing hostile is stored in the repo.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.errors import ImportFileError
from geo.intake.geocoding import OfflineGeocoder
from geo.intake.reading import read_table
from geo.intake.records import to_records
from geo.intake.verdicts import check_rows
from geo.reference.gazetteer import Gazetteer
from geo.register.examples import load_example_data
from geo.register.store import Store
from tests.attacks.hostile_xlsx import (
    BILLION_LAUGHS,
    HEADER_ROW,
    budget_filling_workbook,
    entries_of,
    inline_row,
    lying_member_workbook,
    partner_rows,
    partner_workbook,
    raw_zip,
    shared_strings,
    sheet,
    workbook,
    worksheet_as_chartsheet_workbook,
    xxe_prolog,
    zip_bomb_workbook,
)
from tests.map_payloads import all_texts

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def refused(data: bytes, name: str = "partners.xlsx") -> str:
    """The Dutch message read_table gives for ``data``; fails when it reads the file."""
    with pytest.raises(ImportFileError) as err:
        read_table(data, name)
    message = str(err.value)
    assert message and "Traceback" not in message
    return message


def run_cli(argv, settings, capsys) -> tuple[int, str, str]:
    code = main(argv, settings=settings)
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- zip bomb


def test_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, settings, capsys):
    """Zip bomb. A 2 MB .xlsx that expands to 2 GB took the server from 0.5 to 4.6 GB."""
    data = zip_bomb_workbook(2.0)
    assert len(data) < 10 * MB  # within the upload limit: only the contents give it away
    message = refused(data)
    assert "partners.xlsx" in message and "zipbom" in message
    path = tmp_path / "bom.xlsx"
    path.write_bytes(data)
    code, out, err = run_cli(["import", str(path), "--database", str(tmp_path / "r.sqlite")],
                             settings, capsys)
    assert code == 2 and out == ""
    assert err.startswith("Fout: ") and "zipbom" in err and "Traceback" not in err
    assert not (tmp_path / "r.sqlite").exists()


def test_zip_member_that_inflates_beyond_its_declared_size_is_refused():
    """Zip bomb: a member that declares 1 KB (and the CRC of that 1 KB) but holds 64 MB."""
    assert "meer dan de 1.024 bytes" in refused(lying_member_workbook())


def test_row_limit_is_checked_while_streaming_not_after_reading_the_whole_sheet():
    """Zip bomb: "the whole sheet is read before the 5,000-row limit is checked"."""
    # Past row 5,010 the sheet refers to a shared string that does not exist: reading
    # that row fails. With 5,001 data rows the limit must stop reading before it.
    broken_tail = b'<row r="9000"><c r="A9000" t="s"><v>99</v></c></row>'
    too_many = sheet(HEADER_ROW + partner_rows(5001) + broken_tail)
    message = refused(workbook(too_many, shared_strings(b"ongebruikt")))
    assert "meer dan 5000 rijen met gegevens" in message
    # The tail really is broken: with 5,000 rows, reading reaches it.
    within = sheet(HEADER_ROW + partner_rows(5000) + broken_tail)
    assert "beschadigd" in refused(workbook(within, shared_strings(b"ongebruikt")))
    assert len(read_table(partner_workbook(5000), "vijfduizend.xlsx").rows) == 5000


# Measured in a child process that reports the peak resident memory of its own address
# space (VmHWM in /proc/self/status; new at exec). Not ru_maxrss: on Linux that carries
# over the RSS of the forking pytest process, and the parent's RUSAGE_CHILDREN is the
# largest of all children this test run ever started.
_CHILD = """
import json, sys
from geo.errors import ImportFileError
from geo.intake.reading import read_import_file, read_table

def peak_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

before = peak_mb()
try:
    table = read_table(read_import_file(sys.argv[1]), "bestand.xlsx")
    outcome = ["gelezen", len(table.rows)]
except ImportFileError as err:
    outcome = ["geweigerd", str(err)]
print(json.dumps({"outcome": outcome, "before_mb": before, "peak_mb": peak_mb()}))
"""


@pytest.mark.parametrize(
    ("builder", "accepted", "bound_mb"),
    [
        (zip_bomb_workbook, False, 700),
        (lying_member_workbook, False, 700),
        (worksheet_as_chartsheet_workbook, False, 700),
        (lambda: partner_workbook(5000), True, 500),
        (budget_filling_workbook, True, 500),
    ],
    ids=["zip-bomb-2GB", "lying-member", "largest-tree-part", "5000-rows",
         "5000-rows-filling-the-budgets"],
)
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_peak_memory_of_reading_an_xlsx_stays_bounded(tmp_path, builder, accepted, bound_mb):
    """Zip bomb: peak memory below 700 MB for a rejected file, 500 MB for an accepted one."""
    path = tmp_path / "bestand.xlsx"
    path.write_bytes(builder())
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=240, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{path.name}: {report}")  # shown with -s: the numbers in the report
    assert (report["outcome"][0] == "gelezen") is accepted, report["outcome"]
    if accepted:
        assert report["outcome"][1] == 5000
    assert report["peak_mb"] < bound_mb


# --------------------------------------------------------------------------- XML, malformed

_CELL_S0 = b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'


@pytest.mark.parametrize(
    "data",
    [
        workbook(sheet(HEADER_ROW + inline_row(2, "&lol9;"), prolog=BILLION_LAUGHS)),
        workbook(sheet(HEADER_ROW + _CELL_S0),
                 shared_strings(b"&lol9;", prolog=BILLION_LAUGHS)),
        workbook(sheet(HEADER_ROW + partner_rows(1)),
                 extra={"xl/styles.xml": BILLION_LAUGHS + b"<styleSheet>&lol9;</styleSheet>"}),
    ],
    ids=["in-worksheet", "in-shared-strings", "in-styles"],
)
def test_xml_bomb_gives_a_message_not_a_traceback(data, tmp_path, settings, capsys):
    """XML bombs, XXE and malformed xlsx files end in a Python traceback instead of a message."""
    assert "DTD" in refused(data)
    path = tmp_path / "lol.xlsx"
    path.write_bytes(data)
    code, _, err = run_cli(["import", str(path)], settings, capsys)
    assert code == 2 and "DTD" in err and "Traceback" not in err


def test_xxe_never_reads_a_local_file(tmp_path, settings, capsys):
    """XML bombs, XXE and malformed xlsx files end in a Python traceback instead of a message."""
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-7f3a9c", encoding="utf-8")
    for target in (str(secret), "/etc/passwd"):
        data = workbook(sheet(HEADER_ROW + inline_row(2, "&xxe;"), prolog=xxe_prolog(target)))
        message = refused(data)
        assert "GEHEIM-7f3a9c" not in message and "root:" not in message
        path = tmp_path / "xxe.xlsx"
        path.write_bytes(data)
        code, out, err = run_cli(["import", str(path), "--uitvoer", str(tmp_path / "r.csv")],
                                 settings, capsys)
        assert code == 2 and "GEHEIM-7f3a9c" not in out + err and "root:" not in out + err
        assert not (tmp_path / "r.csv").exists()


def test_openpyxl_itself_parses_with_defusedxml(tmp_path):
    """XML bombs, XXE: the second line of defence, behind the archive check."""
    import defusedxml.ElementTree
    import openpyxl.xml.functions

    assert openpyxl.DEFUSEDXML
    assert openpyxl.xml.functions.iterparse is defusedxml.ElementTree.iterparse
    assert openpyxl.xml.functions.fromstring is defusedxml.ElementTree.fromstring
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-7f3a9c", encoding="utf-8")
    data = workbook(sheet(HEADER_ROW + inline_row(2, "&xxe;"), prolog=xxe_prolog(str(secret))))
    with pytest.raises(ValueError) as err:  # defusedxml's DTDForbidden / EntitiesForbidden
        workbook_ = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        list(workbook_.worksheets[0].iter_rows(values_only=True))
    assert type(err.value.__cause__ or err.value).__module__.startswith("defusedxml")


def _good() -> bytes:
    return workbook(sheet(HEADER_ROW + partner_rows(3)))


def _with_bad_crc() -> bytes:
    entries = entries_of(_good())
    name, method, data, crc, size = entries[-1]
    entries[-1] = (name, method, data, crc ^ 1, size)
    return raw_zip(entries)


def _stored_as(method: int) -> bytes:
    return raw_zip([(name, method, data, crc, size)
                    for name, _, data, crc, size in entries_of(_good())])


def _encrypted() -> bytes:
    return raw_zip(entries_of(_good()), flags=0x1)


def _junk_zip() -> bytes:
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("leesmij.txt", "geen spreadsheet")
    return buffer.getvalue()


def _missing_parts() -> bytes:
    return raw_zip([e for e in entries_of(_good()) if e[0] != "xl/workbook.xml"])


def _garbage_deflate() -> bytes:
    entries = entries_of(_good())
    name, method, data, crc, size = entries[-1]
    entries[-1] = (name, method, b"\xff" * len(data), crc, size)
    return raw_zip(entries)


MALFORMED = {
    "truncated": lambda: _good()[: len(_good()) // 2],
    "random-bytes": lambda: bytes(range(256)) * 40,
    "zip-without-workbook": _missing_parts,
    "zip-of-a-text-file": _junk_zip,
    "bad-crc": _with_bad_crc,
    "garbage-deflate-data": _garbage_deflate,
    "bzip2-member": lambda: _stored_as(12),
    "encrypted-member": _encrypted,
    "shared-string-out-of-range": lambda: workbook(sheet(HEADER_ROW + _CELL_S0),
                                                   shared_strings()),
    "row-number-not-a-number": lambda: workbook(sheet(
        HEADER_ROW + b'<row r="twee"><c t="inlineStr"><is><t>x</t></is></c></row>')),
    "row-number-beyond-excel": lambda: workbook(sheet(
        HEADER_ROW + b'<row r="1e12"><c t="inlineStr"><is><t>x</t></is></c></row>')),
    "not-well-formed-xml": lambda: workbook(sheet(HEADER_ROW + b"<row><c></row>")),
    "xml-in-utf-16": lambda: workbook(sheet(HEADER_ROW).decode().replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")),
    "million-attributes-on-one-tag": lambda: workbook(sheet(
        HEADER_ROW + b"<row " + b" ".join(b'a%d=""' % i for i in range(1_000_000))
        + b"/>")),
    "deeply-nested": lambda: workbook(sheet(
        HEADER_ROW + b"<x>" * 1000 + b"</x>" * 1000)),
    "worksheet-in-the-styles-part": lambda: workbook(sheet(HEADER_ROW), extra={
        "xl/styles.xml": sheet(partner_rows(3))}),
    "old-xls": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_xlsx_gives_a_dutch_message_not_a_traceback(case, tmp_path, settings,
                                                               capsys):
    """XML bombs, XXE and malformed xlsx files end in a Python traceback instead of a message."""
    data = MALFORMED[case]()
    message = refused(data)
    assert "partners.xlsx" in message
    path = tmp_path / "partners.xlsx"
    path.write_bytes(data)
    code, out, err = run_cli(["import", str(path)], settings, capsys)
    assert code == 2 and out == ""
    assert err.startswith("Fout: ") and "Traceback" not in err


def test_rows_wider_than_excel_allows_are_refused():
    """Malformed xlsx: a row of 20,000 cells (Excel has 16,384 columns)."""
    cells = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(20_000))
    message = refused(workbook(sheet(HEADER_ROW + b'<row r="2">' + cells + b"</row>")))
    assert "16.384 cellen" in message


# --------------------------------------------------------------------------- mixed encodings

MIXED_CSV = (
    b"Organisatie;Adres;Postcode;Plaats\n"
    + "Grondwerk Café;Zeestraat 5;1941 AB;Beverwijk\n".encode()
    + "Wegenbouw Ærø;Dorpsstraat 1;1703 AB;Heerhugowaard\n".encode("cp1252")
    + b"Kabelbouw Noord;Hoofdweg 10;1764NA;Breezand\n"
    + "Café Beton;Kade 3;1621 AB;Hoorn\n".encode("cp1252")
)


def test_mixed_encoding_csv_is_never_stored_garbled_as_ok(tmp_path, reference):
    """Mixed-encoding CSVs are refused or flagged per row, never stored garbled as 'ok'."""
    table = read_table(MIXED_CSV, "gemengd.csv")
    assert "gemengd" in table.encoding
    names = [row.values["naam"] for row in table.rows]
    assert names == ["Grondwerk Café", "Wegenbouw Ærø", "Kabelbouw Noord", "Café Beton"]
    assert not any("\ufffd" in n or "Ã" in n for n in names)  # nothing garbled
    verdicts = check_rows(table, geocoder=OfflineGeocoder(Gazetteer(reference)),
                          reference=reference, existing=pd.DataFrame())
    with Store(tmp_path / "r.sqlite", reference) as store:
        store.apply_import(to_records(verdicts, fields=table.fields, reference=reference),
                           user="test")
        stored = store.organisations().set_index("naam")
    for name in ("Wegenbouw Ærø", "Café Beton"):  # the rows read as Windows-1252
        assert stored.loc[name, "status"] != "ok"
        assert "Tekstcodering" in stored.loc[name, "melding"]
    # Plain ASCII rows and UTF-8 rows are not flagged.
    assert "Tekstcodering" not in stored.loc["Kabelbouw Noord", "melding"]
    assert "Tekstcodering" not in stored.loc["Grondwerk Café", "melding"]


@pytest.mark.parametrize(
    "data",
    [
        "Organisatie;Plaats\nBouw \ufffd Zn;Hoorn\n".encode(),  # already garbled text
        b"Organisatie;Plaats\nBouw \x81 Zn;Hoorn\n",  # byte Windows-1252 does not define
    ],
    ids=["replacement-character-in-utf8", "undefined-cp1252-byte"],
)
def test_replacement_characters_are_never_stored_as_ok(data, reference):
    """Mixed-encoding CSVs: U+FFFD replacement characters in the stored text count as garbled."""
    table = read_table(data, "kapot.csv")
    (verdict,) = check_rows(table, geocoder=OfflineGeocoder(Gazetteer(reference)),
                            reference=reference, existing=pd.DataFrame())
    assert verdict.status != "ok"
    assert "onleesbare tekens" in verdict.message and "Naam" in verdict.message


# --------------------------------------------------------------------------- divisions


@pytest.fixture
def kaart_page(app_env, reference):
    """The public Kaart page (not signed in) over a register with the example data."""
    from streamlit.testing.v1 import AppTest

    with Store(app_env / "infrakaart.sqlite", reference) as store:
        load_example_data(store)
    at = AppTest.from_file(str(ROOT / "pages" / "kaart.py"), default_timeout=90)
    at.run()
    assert not at.exception
    return at


def _division_csv(reference, *, header="gemeentecode,subregio", encoding="utf-8",
                  **names) -> bytes:
    table = reference.default_division.table.copy()
    for code, name in names.items():
        table.loc[table["gemeentecode"] == code, "subregio"] = name
    body = "".join(f"{c},{s}\n" for c, s in zip(table["gemeentecode"], table["subregio"],
                                               strict=True))
    return (header + "\n" + body).encode(encoding)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("dubbel.csv", lambda ref: _division_csv(ref, header="gemeentecode,subregio,Subregio"),
         "meer dan eens"),
        ("bytes.csv", lambda ref: _division_csv(ref).replace(b"Amsterdam", b"A\x81\x8dm"),
         "niet te lezen"),
        ("gemengd.csv", lambda ref: _division_csv(ref).replace(
            b"Amsterdam", "Amsterdåm".encode()).replace(
            b"Zaanstreek", "Zaanstreek é".encode("cp1252")), "tekstcoderingen"),
        ("**vet** [klik](https://voorbeeld.invalid).csv",
         lambda ref: _division_csv(ref, GM0363="Noord\u202eZuid"), "stuurteken"),
        ("utf16.csv", lambda ref: _division_csv(ref, encoding="utf-16"), "geen tekstbestand"),
        ("plaatje.csv", lambda ref: b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
         "geen tekstbestand"),
    ],
    ids=["duplicate-column", "undecodable-bytes", "mixed-encodings", "bidi-override",
         "utf-16", "binary"],
)
def test_anonymous_division_upload_gives_a_dutch_error_not_a_traceback(
        kaart_page, reference, name, content, fragment):
    """An anonymous division upload with a duplicate column or undecodable bytes: traceback."""
    at = kaart_page
    at.file_uploader(key="indeling_upload_0").set_value((name, content(reference), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert any(fragment in e for e in errors), errors
    assert "indeling" not in at.session_state  # the proposal stays in use
    for error in errors:  # the file name is shown literally, never as Markdown
        assert "**vet**" not in error and "](" not in error


def test_division_names_reach_the_map_as_text_not_template_code(tmp_path, settings, reference,
                                                                capsys):
    """The map that shows an uploaded division goes through the same text boundary."""
    db = tmp_path / "r.sqlite"
    with Store(db, reference) as store:
        load_example_data(store)
    name = "Zuid {{ 98765*4321 }}"
    division = tmp_path / "eigen.csv"
    division.write_bytes(_division_csv(reference, GM0363=name, GM0384=name))
    out = tmp_path / "kaart.html"
    code, stdout, err = run_cli(["kaart", "--uitvoer", str(out), "--publiek", "--database",
                                 str(db), "--indeling", str(division)], settings, capsys)
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "426763565" not in html  # 98765 * 4321: the template never ran
    assert name in all_texts(html)  # shown literally, as text


def test_kaart_with_a_broken_division_stops_with_a_message(tmp_path, settings, capsys):
    """An anonymous division can be tested from the command line too: same errors."""
    division = tmp_path / "kapot.csv"
    division.write_bytes(b"gemeentecode,subregio,subregio\nGM0363,A\n")
    code, out, err = run_cli(["kaart", "--uitvoer", str(tmp_path / "k.html"), "--database",
                              str(tmp_path / "r.sqlite"), "--indeling", str(division)],
                             settings, capsys)
    assert code == 1 and out == ""
    assert err.startswith("Fout: Indelingsbestand kapot.csv") and "meer dan eens" in err
    assert "Traceback" not in err and not (tmp_path / "k.html").exists()

