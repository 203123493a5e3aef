"""Exports of the register: formats, Dutch columns, and no personal data in public files."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from geo.cli import main
from geo.errors import StoreError
from geo.output.export import (
    EXPORT_FORMATS,
    column_labels,
    export_bytes,
    export_filename,
    export_register,
    exported_fields,
    register_table,
)
from geo.register.examples import load_example_data
from geo.register.store import PERSONAL_FIELDS, Store

#: The Dutch column names of the exports, exactly as partners and staff know them.
PUBLIC_HEADER = [
    "Organisatie", "Soort", "Soort (zoals opgegeven)", "Donateur", "Actief", "Adres",
    "Postcode", "Plaats", "Land", "Website", "Ambassadeur voor", "Gemeentecode", "Gemeente",
    "Subregio", "Arbeidsmarktregio (code)", "Arbeidsmarktregio", "Breedtegraad",
    "Lengtegraad", "Nauwkeurigheid locatie", "Voorbeeldgegevens",
]
STAFF_HEADER = [
    "Nummer", "Organisatie", "Soort", "Soort (zoals opgegeven)", "Donateur", "Actief",
    "Adres", "Postcode", "Plaats", "Land", "Website", "Contactpersoon", "E-mail", "Telefoon",
    "Notities", "Ambassadeur voor", "Gemeentecode", "Gemeente", "Subregio",
    "Arbeidsmarktregio (code)", "Arbeidsmarktregio", "Breedtegraad", "Lengtegraad",
    "Nauwkeurigheid locatie", "Status import", "Melding", "Voorbeeldgegevens", "Versie",
    "Laatst gewijzigd",
]

FORMULA_NAME = '=HYPERLINK("http://kwaad.invalid","klik") Grondwerken'
UNPLACED_EMAIL = "geen.plek@partner.invalid"


@pytest.fixture
def store(tmp_path, reference):
    with Store(tmp_path / "register.sqlite", reference) as s:
        load_example_data(s, user="test")
        s.save_organisation(
            {"naam": FORMULA_NAME, "contactpersoon": "Henk Onvindbaar",
             "email": UNPLACED_EMAIL, "telefoon": "06-00000042", "notities": "Henk belt terug"},
            user="test",
        )
        yield s


def personal_strings(store: Store) -> list[str]:
    staff = store.organisations(include_personal=True)
    values = set()
    for column in PERSONAL_FIELDS:
        values |= {v for v in staff[column] if v}
    values.add("Henk belt terug")  # internal notes stay out of public files too
    return sorted(values)


def file_text(path) -> str:
    """All text inside an export file (xlsx is a zip of XML parts)."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                             if n.endswith(".xml"))
    return data.decode("utf-8", errors="replace")


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_public_export_contains_no_personal_data(store, tmp_path, fmt):
    secrets = personal_strings(store)
    assert len(secrets) > 30  # names, e-mails and phones of the examples and the extra row
    public = tmp_path / f"openbaar.{fmt}"
    staff = tmp_path / f"intern.{fmt}"
    export_register(store, public, fmt=fmt, public=True)
    export_register(store, staff, fmt=fmt, public=False)
    public_text, staff_text = file_text(public), file_text(staff)
    for secret in secrets:
        assert secret not in public_text, secret
    # The same check finds the data in the staff file, so it can fail.
    assert "@voorbeeld.invalid" in staff_text
    assert "0000001" in staff_text


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_bytes_match_the_format(store, fmt):
    data = export_bytes(store, fmt=fmt, public=True)
    assert data
    for secret in ("@voorbeeld.invalid", UNPLACED_EMAIL):
        assert secret.encode() not in data
    assert export_filename(fmt, public=True).endswith(f"openbaar-{pd.Timestamp.now():%Y-%m-%d}"
                                                      f".{fmt}")


def test_public_table_is_read_from_the_public_view(store, monkeypatch):
    seen = []
    original = Store.organisations

    def spy(self, *, include_personal=False):
        seen.append(include_personal)
        return original(self, include_personal=include_personal)

    monkeypatch.setattr(Store, "organisations", spy)
    table = register_table(store, public=True)
    assert seen == [False]
    assert list(table.columns) == list(exported_fields(public=True))
    register_table(store, public=False)
    assert seen == [False, True]


def test_csv_is_excel_nl_friendly(store, tmp_path):
    path = tmp_path / "register.csv"
    summary = export_register(store, path, fmt="csv", public=False)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0].split(";")
    assert header[:3] == ["Nummer", "Organisatie", "Soort"]
    assert {"E-mail", "Telefoon", "Contactpersoon", "Gemeente", "Subregio"} <= set(header)
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(frame) == summary.rows == store.organisation_count()
    assert summary.unplaced == 0
    assert set(frame["Donateur"]) == {"ja", "nee"}
    placed = frame[frame["Breedtegraad"] != ""]
    assert placed["Breedtegraad"].str.match(r"^5\d,\d{6}$").all()  # decimal comma
    # A name Excel would run as a formula is defused, and otherwise kept as written.
    assert ("'" + FORMULA_NAME) in set(frame["Organisatie"])


def test_xlsx_keeps_text_as_text(store, tmp_path):
    path = tmp_path / "register.xlsx"
    export_register(store, path, fmt="xlsx", public=True)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Organisaties", "Toelichting"]
    sheet = book["Organisaties"]
    header = [c.value for c in sheet[1]]
    assert header == [column_labels()[f] for f in exported_fields(public=True)]
    names = {row[0].value: row[0].data_type for row in sheet.iter_rows(min_row=2)}
    # Text cell, never a formula, and inert if someone edits or re-saves it as CSV.
    assert names["'" + FORMULA_NAME] == "s"
    assert FORMULA_NAME not in names
    assert len(names) == store.organisation_count()


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_geo_formats_hold_placed_points_in_wgs84(store, tmp_path, fmt):
    path = tmp_path / f"register.{fmt}"
    summary = export_register(store, path, fmt=fmt, public=True)
    frame = gpd.read_file(path, layer="organisaties")
    placed = store.organisations()["lat"].notna().sum()
    assert summary.rows == len(frame) == placed
    assert summary.unplaced == store.organisation_count() - placed == 1
    assert "zonder locatie" in summary.message()
    assert frame.crs.to_epsg() == 4326
    assert set(frame.geom_type) == {"Point"}
    assert FORMULA_NAME not in set(frame["Organisatie"])
    assert frame.geometry.y.between(52.0, 53.2).all()
    assert not set(column_labels()[f] for f in PERSONAL_FIELDS) & set(frame.columns)


def test_unknown_format_is_refused(store, tmp_path):
    with pytest.raises(StoreError, match="exportformaat"):
        export_register(store, tmp_path / "x.pdf", fmt="pdf", public=True)
    assert not (tmp_path / "x.pdf").exists()


def test_cli_export_creates_a_missing_database(tmp_path, settings, capsys, reference):
    db = tmp_path / "nieuw" / "register.sqlite"
    out = tmp_path / "uit" / "register.csv"
    code = main(["export", "--formaat", "csv", "--uitvoer", str(out), "--publiek",
                 "--database", str(db)], settings=settings)
    assert code == 0
    assert "0 organisaties geëxporteerd" in capsys.readouterr().out
    assert out.read_bytes().decode("utf-8-sig").startswith("Organisatie;Soort")
    with Store(db, reference) as store:
        assert len(store.schools()) == 270
        assert store.organisation_count() == 0


def test_cli_export_staff_file_warns(store, tmp_path, settings, capsys):
    out = tmp_path / "intern.xlsx"
    code = main(["export", "--formaat", "xlsx", "--uitvoer", str(out),
                 "--database", str(store.path)], settings=settings)
    assert code == 0
    text = capsys.readouterr().out
    assert "persoonsgegevens" in text
    assert out.is_file()


@pytest.mark.parametrize(("public", "expected"), [(True, PUBLIC_HEADER), (False, STAFF_HEADER)])
def test_export_columns_keep_their_dutch_names_and_order(store, public, expected):
    """The headers come from geo.fields now; they must stay what people know."""
    data = export_bytes(store, fmt="csv", public=public)
    header = data.decode("utf-8-sig").splitlines()[0].split(";")
    assert header == expected
