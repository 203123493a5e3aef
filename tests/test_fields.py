"""The field and kind registry: one place, and every consumer follows it."""

from __future__ import annotations

import sqlite3

import pytest

from geo import fields
from geo.addresses import format_postcode, postcode_key
from geo.errors import StoreError
from geo.intake.geocoding import OfflineGeocoder
from geo.intake.rawtable import header_field
from geo.intake.reading import read_table
from geo.intake.records import to_records
from geo.intake.verdicts import check_rows
from geo.output import export, maps
from geo.reference.gazetteer import Gazetteer
from geo.register import schema
from geo.register.store import Store
from geo.views import beheer as view
from geo.vocabulary import parse_yes_no


@pytest.fixture(scope="module")
def offline(reference):
    return OfflineGeocoder(Gazetteer(reference))


# -- the registry ---------------------------------------------------------------------------


def test_names_are_unique_per_table_and_kinds_are_unique():
    for table in (fields.ORGANISATIONS, fields.SCHOOLS):
        names = fields.names(fields.fields_of(table))
        assert len(names) == len(set(names))
    codes = fields.kind_codes()
    assert len(codes) == len(set(codes)) and fields.FALLBACK_KIND in codes


def test_staff_only_data_can_never_be_in_a_public_export():
    with pytest.raises(ValueError, match="public export"):
        fields.Field("geheim", "Geheim", access=fields.PERSONAL, export=fields.EXPORT_PUBLIC)
    public = fields.export_fields(public=True)
    assert public and not any(f.staff_only for f in public)
    assert set(schema.PERSONAL_FIELDS) == {"contactpersoon", "email", "telefoon"}
    assert set(schema.STAFF_ONLY_FIELDS) == {"contactpersoon", "email", "telefoon", "notities"}


def test_every_header_synonym_belongs_to_one_field():
    seen: dict[str, str] = {}
    for item in fields.import_fields():
        for header in item.synonyms:
            key = "".join(ch for ch in header.casefold() if ch.isalnum())
            assert seen.setdefault(key, item.name) == item.name, header


def test_kinds_that_count_as_partners():
    assert fields.partner_kind_codes() == ("aannemer", "ingenieursbureau", "netbeheerder",
                                           "overig")


# -- the one yes/no parser and the one postcode formatter -------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("ja", True), ("Ja.", True), ("X", True), ("1", True), ("true", True), ("wel", True),
    ("✓", True), ("donateur", True), (1, True), (True, True),
    ("nee", False), ("N", False), ("0", False), ("-", False), ("niet", False),
    ("inactief", False), ("geen", False), (0, False), (False, False),
    ("", None), ("  ", None), (None, None), (float("nan"), None),
])
def test_parse_yes_no(text, expected):
    assert parse_yes_no(text) is expected


def test_unclear_yes_no_is_refused_by_the_store_and_remarked_by_the_importer(tmp_path,
                                                                             reference,
                                                                             offline):
    with pytest.raises(ValueError):
        parse_yes_no("misschien")
    with Store(tmp_path / "r.sqlite", reference) as store:
        with pytest.raises(StoreError, match="ja/nee"):
            store.save_organisation({"naam": "Twijfel BV", "donateur": "misschien"},
                                    user="test")
        # Importer and store read the same words: "✓" and "wel" are yes in both.
        org_id = store.save_organisation({"naam": "Vink BV", "donateur": "✓", "actief": "wel"},
                                         user="test")
        org = store.get_organisation(org_id)
        assert org["donateur"] is True and org["actief"] is True
    table = read_table(b"Organisatie;Donateur\nTwijfel BV;misschien\nVink BV;wel\n", "x.csv")
    twijfel, vink = check_rows(table, geocoder=offline, reference=reference, existing=None)
    assert "niet begrepen" in twijfel.message and vink.status != "waarschuwing"


@pytest.mark.parametrize(("text", "expected"), [
    ("1703ab", "1703 AB"), (" 1703  AB ", "1703 AB"), ("1703", "1703"),
    ("B-2000  Antwerpen", "B-2000 Antwerpen"), ("", ""), (None, ""),
])
def test_format_postcode(text, expected):
    assert format_postcode(text) == expected


def test_postcode_key_is_shared_by_importer_and_store():
    assert postcode_key("1703ab", "Hoorn") == postcode_key("1703 AB") == "1703AB"
    assert postcode_key(None, "Bergen (NH.)") == postcode_key("", "BERGEN NH") == "plaats:bergen"
    assert postcode_key(float("nan"), None) == ""


# -- a new kind and a new field flow everywhere ---------------------------------------------

CABLE = fields.Kind("kabellegger", "Kabellegger", "#123456", partner=True,
                    pattern=r"\bkabellegger", match_rank=0)
LINKEDIN = fields.Field("linkedin", "LinkedIn", fields.URL, export=fields.EXPORT_PUBLIC,
                        export_label="LinkedIn-pagina", widget=fields.TEXT_INPUT,
                        synonyms=("LinkedIn", "LinkedIn pagina"))
PAGER = fields.Field("pieper", "Pieper", fields.PHONE, access=fields.PERSONAL,
                     export=fields.EXPORT_STAFF, widget=fields.TEXT_INPUT,
                     form_row="contact", synonyms=("Pieper",))


@pytest.fixture
def extended(monkeypatch):
    """The registry with one more kind and two more fields, and a migration for them."""
    monkeypatch.setattr(fields, "KINDS", (*fields.KINDS, CABLE))
    monkeypatch.setattr(fields, "ORGANISATION_FIELDS",
                        (*fields.ORGANISATION_FIELDS, LINKEDIN, PAGER))

    def add_columns(conn):
        schema.add_column(conn, "organisaties", "linkedin")
        schema.add_column(conn, "organisaties", "pieper")

    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, add_columns))


def test_a_new_kind_reaches_the_map_legend_the_kind_check_and_the_analysis(
        extended, tmp_path, reference):
    assert ("punt", "#123456", "Kabellegger") in maps.partner_legend()
    styles, index = maps.partner_styles()
    assert styles[index[("kabellegger", True, False)]]["fillColor"] == "#123456"
    assert fields.normalise_kind("Kabellegger Noord") == "kabellegger"
    assert "kabellegger" in fields.partner_kind_codes()
    with Store(tmp_path / "r.sqlite", reference) as store:
        org_id = store.save_organisation({"naam": "Kabel BV", "soort": "kabellegger"},
                                         user="test")
        assert store.get_organisation(org_id)["soort"] == "kabellegger"


def test_a_register_made_before_a_new_kind_accepts_it_without_a_migration(
        tmp_path, reference, monkeypatch):
    path = tmp_path / "r.sqlite"
    Store(path, reference).close()
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="soort"):
        conn.execute("INSERT INTO organisaties (naam, soort, aangemaakt, gewijzigd) "
                     "VALUES ('Kabel BV', 'kabellegger', '', '')")
    conn.close()
    monkeypatch.setattr(fields, "KINDS", (*fields.KINDS, CABLE))
    with Store(path, reference) as store:  # the kind check follows the registry
        org_id = store.save_organisation({"naam": "Kabel BV", "soort": "kabellegger"},
                                         user="test")
        assert store.get_organisation(org_id)["soort"] == "kabellegger"


def test_a_new_field_reaches_importer_store_exports_and_form(extended, tmp_path, reference,
                                                              offline):
    # The importer recognises its headers and puts it in the records.
    assert header_field("LinkedIn-pagina") == "linkedin"
    table = read_table(b"Organisatie;Plaats;LinkedIn;Pieper\n"
                       b"Link BV;Hoorn;https://linkedin.invalid/link;06-12345678\n", "l.csv")
    assert {"linkedin", "pieper"} <= table.fields
    verdicts = check_rows(table, geocoder=offline, reference=reference, existing=None)
    (record,) = to_records(verdicts, fields=table.fields)
    assert record["linkedin"] == "https://linkedin.invalid/link"
    assert record["pieper"] == "06-12345678"

    # The store takes it (after its migration); the public view has the public one only.
    with Store(tmp_path / "r.sqlite", reference) as store:
        assert store.schema_version == len(schema.MIGRATIONS)
        store.apply_import([record], user="test")
        assert "linkedin" in store.organisations().columns
        assert "pieper" not in store.organisations().columns
        assert store.organisations(include_personal=True).loc[0, "pieper"] == "06-12345678"

        # The exports: its Dutch column name, public or staff-only as the registry says.
        public = export.export_bytes(store, fmt="csv", public=True).decode("utf-8-sig")
        staff = export.export_bytes(store, fmt="csv", public=False).decode("utf-8-sig")
    assert "LinkedIn-pagina" in public.splitlines()[0]
    assert "https://linkedin.invalid/link" in public
    assert "Pieper" not in public and "06-12345678" not in public
    assert "Pieper" in staff.splitlines()[0] and "06-12345678" in staff

    # The Beheer form shows it; the personal one next to the other contact fields.
    rows = [[f.name for f in row] for row in view.form_rows()]
    assert ["linkedin"] in rows
    assert ["contactpersoon", "email", "telefoon"] in rows and ["pieper"] in rows
