"""Activities: the vocabulary and school years, the register (schema 9), the partner links,
history and privacy, importing records, and the example activities."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from geo import activities
from geo.errors import AuthError, ConflictError, StoreError
from geo.register.activity_tables import PUBLIC_ACTIVITY_VIEW
from geo.register.examples import load_example_data
from geo.register.history import PERSONAL_PLACEHOLDER
from geo.register.schema import apply_migrations
from geo.register.store import SCHEMA_VERSION, Store

HOORN = {"lat": 52.6476, "lon": 5.0681}
SECRET_TEACHER = "Gerrit Gastgeheim"
SECRET_NOTE = "Belt liever niet op vrijdag"


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "register.sqlite"


@pytest.fixture
def store(db_path, reference):
    with Store(db_path, reference) as s:
        yield s


@pytest.fixture
def school(store):
    """A vmbo school of the register (DUO)."""
    schools = store.schools()
    return schools[schools["heeft_vmbo"]].iloc[0].to_dict()


@pytest.fixture
def partner(store):
    return store.save_organisation({"naam": "Beta Infra B.V.", "soort": "aannemer", **HOORN},
                                   user="anna")


def lesson(school, **extra):
    record = {"soort": "gastles_vo", "datum": "03-10-2024",
              "vestigingscode": school["vestigingscode"], "aantal_leerlingen": 25,
              "status": "gegeven", "gastdocenten": SECRET_TEACHER, "notities": SECRET_NOTE}
    record.update(extra)
    return record


def activity_history(store):
    history = store.history()
    return history[history["tabel"] == "activiteiten"]


# -- vocabulary ---------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "year"), [
    (date(2024, 7, 31), "2023-2024"), (date(2024, 8, 1), "2024-2025"),
    (date(2025, 1, 1), "2024-2025"), (date(2025, 7, 31), "2024-2025"),
    (date(2025, 8, 1), "2025-2026"), (date(2000, 12, 31), "2000-2001"),
])
def test_school_year_runs_from_1_august_to_31_july(day, year):
    assert activities.school_year(day) == year
    assert activities.school_year(day.isoformat()) == year
    first, last = activities.school_year_bounds(year)
    assert first <= day <= last
    assert (first.month, first.day, last.month, last.day) == (8, 1, 7, 31)


@pytest.mark.parametrize(("text", "year"), [
    ("2024-2025", "2024-2025"), ("2024/2025", "2024-2025"), ("2024-25", "2024-2025"),
    (" 2024 / 2025 ", "2024-2025"), ("1999-00", "1999-2000"),
])
def test_parse_school_year(text, year):
    assert activities.parse_school_year(text) == year


@pytest.mark.parametrize("text", ["2024", "2024-2026", "2025-2024", "24-25", "", "twee"])
def test_a_text_that_is_no_school_year_is_refused_in_dutch(text):
    with pytest.raises(ValueError, match="geen schooljaar"):
        activities.parse_school_year(text)


def test_previous_school_year():
    assert activities.previous_school_year("2024-2025") == "2023-2024"


@pytest.mark.parametrize("text", [
    "03-10-2024", "3-10-2024", "3/10/2024", "03.10.2024", "2024-10-03", "2024-10-03 00:00:00",
    "3 oktober 2024", "do 3 okt 2024", "3 Okt. 2024", date(2024, 10, 3),
])
def test_parse_date_reads_dutch_and_iso_dates(text):
    assert activities.parse_date(text) == date(2024, 10, 3)


@pytest.mark.parametrize(("text", "reason"), [
    ("", "geen datum"), ("03-10-24", "twee cijfers"), ("31-02-2025", "bestaat niet"),
    ("volgende week", "geen datum"), ("10/3/2024 of zo", "geen datum"),
    ("3 brumaire 2024", "geen datum"),
])
def test_parse_date_refuses_with_a_dutch_reason(text, reason):
    with pytest.raises(ValueError, match=reason):
        activities.parse_date(text)


@pytest.mark.parametrize(("text", "code"), [
    ("Gastles VO", "gastles_vo"), ("gastles", "gastles_vo"), ("Tech Your Talent", "gastles_vmbo"),
    ("TYT", "gastles_vmbo"), ("gastles vmbo (Tech Your Talent)", "gastles_vmbo"),
    ("Voorlichtingsavond", "voorlichting"), ("PET-event", "pet_event"),
    ("PET-event (primair onderwijs)", "pet_event"), ("Open dag", "open_dag"),
    ("opendag", "open_dag"), ("Banenbeurs", "beurs"),
    ("Netwerkbijeenkomst", "netwerkbijeenkomst"), ("Snuffelstage", "snuffelstage"),
    ("Overig", "anders"), ("netwerkbijeenkomsten", "netwerkbijeenkomst"),
])
def test_kinds_as_planning_sheets_write_them(text, code):
    assert activities.kind_from_text(text) == code


def test_every_kind_word_belongs_to_one_kind_and_kinds_are_the_issue_s():
    codes = activities.activity_kind_codes()
    assert codes == ("gastles_vo", "gastles_vmbo", "voorlichting", "pet_event", "snuffelstage",
                     "open_dag", "beurs", "netwerkbijeenkomst", "anders")
    for kind in activities.ACTIVITY_KINDS:
        for word in (kind.code, kind.label, kind.plural, *kind.synonyms):
            assert activities.kind_from_text(word) == kind.code, word
    assert activities.kind_from_text("Excursie") is None


@pytest.mark.parametrize(("text", "status"), [
    ("gegeven", "gegeven"), ("Uitgevoerd", "gegeven"), ("afgezegd", "geannuleerd"),
    ("Gepland", "gepland"), ("nog te doen", "gepland"), ("misschien", None),
])
def test_statuses(text, status):
    assert activities.status_from_text(text) == status


def test_status_for_a_date_without_one():
    today = date(2025, 3, 1)
    assert activities.status_for_date(date(2025, 2, 28), today) == "gegeven"
    assert activities.status_for_date(date(2025, 3, 1), today) == "gepland"


def test_activity_fields_and_headers_are_unique():
    from geo import fields

    names = fields.names(fields.fields_of(fields.ACTIVITIES))
    assert len(names) == len(set(names)) and "gastdocenten" in names
    seen: dict[str, str] = {}
    for item in activities.activity_import_fields():
        for header in item.synonyms:
            key = "".join(ch for ch in header.casefold() if ch.isalnum())
            assert seen.setdefault(key, item.name) == item.name, header
    # A planning sheet's columns never become columns of a partner list.
    assert not {"gastdocenten", "datum", "partners"} & {
        f.name for f in fields.import_fields()}


def test_staff_only_fields_of_an_activity():
    staff = {f.name: f.access for f in activities.ACTIVITY_FIELDS if f.staff_only}
    assert staff == {"notities": "staff_note", "gastdocenten": "personal"}


# -- the register ----------------------------------------------------------------------------


def test_schema_9_has_the_tables_the_view_and_the_kind_check(store, db_path):
    assert store.schema_version == SCHEMA_VERSION >= 9
    conn = sqlite3.connect(db_path)
    view = [r[1] for r in conn.execute(f"PRAGMA table_info({PUBLIC_ACTIVITY_VIEW})")]
    table = [r[1] for r in conn.execute("PRAGMA table_info(activiteiten)")]
    conn.close()
    assert {"notities", "gastdocenten"} <= set(table)
    assert not {"notities", "gastdocenten"} & set(view)
    assert set(view) == set(table) - {"notities", "gastdocenten"}
    with pytest.raises(StoreError, match="onbekende soort activiteit"), store.transaction():
        store._db.execute(
            "INSERT INTO activiteiten (soort, datum, schooljaar, aangemaakt, gewijzigd) "
            "VALUES ('excursie', '2024-10-03', '2024-2025', 'x', 'x')")


def test_upgrade_from_v8_adds_activities_and_keeps_rows(db_path, reference):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=8)
    conn.execute("INSERT INTO organisaties (naam, aangemaakt, gewijzigd) VALUES "
                 "('Oude Partner', '2024-01-01', '2024-01-01')")
    conn.execute("COMMIT")
    conn.close()
    with Store(db_path, reference) as store:
        assert store.schema_version == SCHEMA_VERSION >= 9
        assert store.organisations()["naam"].tolist() == ["Oude Partner"]
        assert store.activities.count() == 0
        school = store.schools().iloc[0]
        new = store.activities.save(lesson(school, partners=[1]), user="anna", role="team")
        assert store.activities.get(new)["partner_ids"] == [1]


def test_save_cleans_and_derives_the_school_year_municipality_and_place(store, school,
                                                                       partner):
    new = store.activities.save(lesson(school, vestigingscode=school["vestigingscode"].lower(),
                                       aantal_leerlingen="25", gemeentecode="GM0363",
                                       plaats="ergens", partners=[partner]),
                                user="anna", role="team")
    got = store.activities.get(new, include_staff=True)
    assert (got["datum"], got["schooljaar"], got["aantal_leerlingen"]) == (
        "2024-10-03", "2024-2025", 25)
    assert got["vestigingscode"] == school["vestigingscode"]
    assert (got["gemeentecode"], got["plaats"]) == (school["gemeentecode"], school["plaats"])
    assert got["partner_ids"] == [partner] and got["versie"] == 1
    assert got["gastdocenten"] == SECRET_TEACHER


def test_an_activity_elsewhere_takes_a_dutch_municipality(store):
    new = store.activities.save({"soort": "beurs", "datum": "2025-02-06", "plaats": "Purmerend",
                                 "gemeentecode": "gm0439"}, user="anna", role="team")
    assert store.activities.get(new)["gemeentecode"] == "GM0439"
    outside = store.activities.save({"soort": "beurs", "datum": "2025-02-06",
                                     "gemeentecode": "GM0344"}, user="anna", role="team")
    assert store.activities.get(outside)["gemeentecode"] == "GM0344"  # Utrecht counts too


@pytest.mark.parametrize(("change", "message"), [
    ({"soort": "excursie"}, "onbekend"),
    ({"datum": "31-02-2025"}, "bestaat niet"),
    ({"datum": ""}, "datum"),
    ({"status": "misschien"}, "onbekend"),
    ({"aantal_leerlingen": "ongeveer 20"}, "geen heel getal"),
    ({"aantal_leerlingen": -3}, "geen heel getal"),
    ({"vestigingscode": "99ZZ99"}, "staat niet in het register"),
    ({"vestigingscode": "", "gemeentecode": "GM9999"}, "geen Nederlandse gemeente"),
    ({"vestigingscode": "", "gemeentecode": "Hoorn"}, "CBS-gemeentecode"),
    ({"partners": [424242]}, "Organisatie 424242 bestaat niet"),
    ({"partners": ["Beta"]}, "nummers van organisaties"),
    ({"kleur": "rood"}, "Onbekende velden"),
])
def test_invalid_activities_are_refused_in_dutch_and_nothing_is_saved(store, school, change,
                                                                       message):
    with pytest.raises(StoreError, match=message):
        store.activities.save(lesson(school, **change), user="anna", role="team")
    assert store.activities.count() == 0
    assert activity_history(store).empty


def test_only_staff_roles_write_activities(store, school):
    for role in ("publiek", None, "beheerder"):
        with pytest.raises(AuthError):
            store.activities.save(lesson(school), user="anna", role=role)
        with pytest.raises(AuthError):
            store.activities.apply_import([lesson(school)], user="anna", role=role)
    assert store.activities.count() == 0
    new = store.activities.save(lesson(school), user="anna", role="team")
    with pytest.raises(AuthError):
        store.activities.delete(new, user="anna", role="publiek")
    assert store.activities.count() == 1


def test_a_stale_version_is_refused(store, school):
    new = store.activities.save(lesson(school), user="anna", role="team")
    store.activities.save({"id": new, "status": "geannuleerd"}, user="anna", role="team",
                          expected_version=1)
    with pytest.raises(ConflictError, match="intussen door iemand anders"):
        store.activities.save({"id": new, "aantal_leerlingen": 30}, user="kees", role="team",
                              expected_version=1)
    got = store.activities.get(new)
    assert (got["versie"], got["aantal_leerlingen"], got["status"]) == (2, 25, "geannuleerd")


def test_history_keeps_changes_but_never_the_guest_teachers(store, school, partner):
    new = store.activities.save(lesson(school), user="anna", role="team")
    store.activities.save({"id": new, "gastdocenten": "Henk Anders", "aantal_leerlingen": 27},
                          user="kees", role="team", expected_version=1)
    store.activities.save({"id": new, "partners": [partner]}, user="kees", role="team",
                          expected_version=2)
    history = store.history(new, table="activiteiten")
    assert history["veld"].iloc[0] == "partners"
    assert set(history["veld"].iloc[1:3]) == {"aantal_leerlingen", "gastdocenten"}
    teachers = history[history["veld"] == "gastdocenten"].iloc[0]
    assert (teachers["oud"], teachers["nieuw"]) == (PERSONAL_PLACEHOLDER, PERSONAL_PLACEHOLDER)
    partners = history[history["veld"] == "partners"].iloc[0]
    assert (partners["oud"], partners["nieuw"]) == ("", "Beta Infra B.V.")
    assert store.activities.get(new)["versie"] == 3
    text = history.to_csv()
    assert SECRET_TEACHER not in text and "Henk Anders" not in text
    # Unchanged partners: no new version, no history.
    store.activities.save({"id": new, "partners": [partner]}, user="kees", role="team")
    assert store.activities.get(new)["versie"] == 3


def test_public_reads_never_have_notes_or_guest_teachers(store, school, partner):
    new = store.activities.save(lesson(school, partners=[partner]), user="anna", role="team")
    public = store.activities.all()
    assert not {"notities", "gastdocenten"} & set(public.columns)
    assert SECRET_TEACHER not in public.to_csv() and SECRET_NOTE not in public.to_csv()
    assert "gastdocenten" not in store.activities.get(new)
    listing = store.activities.listing()
    assert SECRET_TEACHER not in listing.to_csv() and SECRET_NOTE not in listing.to_csv()
    assert listing.loc[0, "Partners"] == "Beta Infra B.V."
    staff = store.activities.listing(include_staff=True)
    assert staff.loc[0, "Gastdocenten"] == SECRET_TEACHER


def test_filter_by_school_year(store, school):
    for day in ("31-07-2025", "01-08-2025", "15-09-2024"):
        store.activities.save(lesson(school, datum=day), user="anna", role="team")
    assert store.activities.all(school_year="2024/2025")["datum"].tolist() == [
        "2024-09-15", "2025-07-31"]
    assert store.activities.all(school_year="2025-2026")["datum"].tolist() == ["2025-08-01"]
    assert store.activities.school_years() == ["2024-2025", "2025-2026"]
    with pytest.raises(StoreError, match="geen schooljaar"):
        store.activities.all(school_year="2025")


def test_delete_erases_staff_values_from_the_history(store, school):
    new = store.activities.save(lesson(school), user="anna", role="team")
    store.activities.save({"id": new, "notities": "Nieuwe notitie over Gerrit"}, user="kees",
                          role="team")
    store.activities.delete(new, user="kees", role="team")
    assert store.activities.count() == 0
    history = store.history(new, table="activiteiten")
    assert "Gerrit" not in history.to_csv()
    assert {"(verwijderd)", "(persoonsgegevens gewist)"} <= set(history["veld"])
    with pytest.raises(StoreError, match="bestaat niet"):
        store.activities.delete(new, user="kees", role="team")


def test_deleting_an_organisation_takes_it_out_of_its_activities(store, school, partner):
    other = store.save_organisation({"naam": "Gamma Kabels", **HOORN}, user="anna")
    new = store.activities.save(lesson(school, partners=[partner, other]), user="anna",
                                role="team")
    store.delete_organisation(partner, user="kees")
    got = store.activities.get(new)
    assert got["partner_ids"] == [other] and got["versie"] == 2
    entry = store.history(new, table="activiteiten").iloc[0]
    assert (entry["veld"], entry["oud"], entry["nieuw"], entry["gebruiker"]) == (
        "partners", "Beta Infra B.V.; Gamma Kabels", "Gamma Kabels", "kees")
    with store._lock:
        links = store._conn.execute("SELECT count(*) FROM activiteit_partners").fetchone()[0]
    assert links == 1


# -- importing records ----------------------------------------------------------------------


def test_apply_import_matches_so_a_second_import_doubles_nothing(store, school, partner):
    records = [lesson(school, partners=[partner], rij=2),
               lesson(school, rij=3),  # a second lesson that day: two activities
               {"soort": "beurs", "datum": "2025-02-06", "plaats": "Purmerend",
                "gemeentecode": "GM0439", "rij": 4}]
    first = store.activities.apply_import(records, user="anna", role="team")
    assert (first["nieuw"], first["bijgewerkt"], first["ongewijzigd"]) == (3, 0, 0)
    again = store.activities.apply_import(records, user="anna", role="team")
    assert (again["nieuw"], again["ongewijzigd"]) == (0, 3) and again["ids"] == first["ids"]
    changed = [dict(records[0], status="geannuleerd"), *records[1:]]
    third = store.activities.apply_import(changed, user="anna", role="team")
    assert (third["bijgewerkt"], third["ongewijzigd"]) == (1, 2)
    assert store.activities.count() == 3


def test_apply_import_gives_new_activities_without_status_one_by_date(store, school):
    records = [lesson(school, datum="01-03-2025"), lesson(school, datum="01-04-2025")]
    for record in records:
        del record["status"]
    store.activities.apply_import(records, user="anna", role="team", today=date(2025, 3, 15))
    assert store.activities.all()["status"].tolist() == ["gegeven", "gepland"]
    # A stored activity keeps its status when the sheet has none.
    first = int(store.activities.all()["id"].iloc[0])
    store.activities.save({"id": first, "status": "geannuleerd"}, user="anna", role="team")
    store.activities.apply_import(records, user="anna", role="team", today=date(2025, 3, 15))
    assert store.activities.get(first)["status"] == "geannuleerd"


def test_an_invalid_record_writes_nothing_and_names_its_row(store, school, db_path):
    before = len(store.history())
    records = [lesson(school, rij=2), lesson(school, vestigingscode="99ZZ99", rij=7)]
    with pytest.raises(StoreError, match="Rij 7: .*Er is niets geïmporteerd"):
        store.activities.apply_import(records, user="anna", role="team")
    assert store.activities.count() == 0
    assert len(store.history()) == before and activity_history(store).empty


def test_real_rows_never_match_example_rows(store, school):
    store.activities.apply_import([lesson(school, voorbeeld=True)], user="x", role="bestuur")
    outcome = store.activities.apply_import([lesson(school)], user="anna", role="team")
    assert outcome["nieuw"] == 1
    assert store.activities.count(examples=True) == store.activities.count(examples=False) == 1


# -- examples --------------------------------------------------------------------------------


def test_example_activities_load_with_the_partners_and_go_with_them(store, school):
    real = store.activities.save(lesson(school), user="anna", role="team")
    outcome = load_example_data(store)
    loaded = outcome["activiteiten"]
    assert loaded["nieuw"] >= 100 and loaded["bijgewerkt"] == 0
    examples = store.activities.all(examples=True, include_staff=True)
    assert set(examples["schooljaar"]) == {"2024-2025", "2025-2026"}
    assert set(examples["soort"]) == set(activities.activity_kind_codes()) - {"anders"}
    assert examples["notities"].str.startswith("Fictief voorbeeld").all()
    partners = store.organisations()
    fictional = set(partners.loc[partners["voorbeeld"], "id"])
    linked = {p for ids in examples["partner_ids"] for p in ids}
    assert linked and linked <= fictional
    codes = set(store.schools()["vestigingscode"])
    at_school = examples[examples["vestigingscode"] != ""]
    assert len(at_school) > 80 and set(at_school["vestigingscode"]) <= codes
    again = load_example_data(store)["activiteiten"]
    assert again["nieuw"] == 0 and again["ongewijzigd"] == loaded["nieuw"]
    store.delete_example_data(user="anna")
    assert store.activities.count(examples=True) == 0
    assert store.activities.all()["id"].tolist() == [real]
