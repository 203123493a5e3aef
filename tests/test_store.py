"""The register: schema, seeding, migrations, transactions, locking, history, examples."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import threading

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.cli import main
from geo.errors import ConflictError, StoreError
from geo.fields import kind_codes, normalise_kind
from geo.reference.data import REGIONS
from geo.register import history
from geo.register.examples import example_data_path, load_example_data
from geo.register.history import PERSONAL_PLACEHOLDER
from geo.register.schema import MIGRATIONS, apply_migrations
from geo.register.store import (
    ORGANISATION_COLUMNS,
    PERSONAL_FIELDS,
    SCHEMA_VERSION,
    STAFF_ONLY_FIELDS,
    Store,
)
from geo.register.writes import RowWriter
from geo.vocabulary import name_key

KINDS = kind_codes()

# Hoorn, PC4 1628 (inside GM0405).
HOORN = {"lat": 52.6476, "lon": 5.0681}


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "sub" / "map" / "register.sqlite"


@pytest.fixture
def store(db_path, reference):
    with Store(db_path, reference) as s:
        yield s


def dump(path) -> list[str]:
    """The full logical content of a database file, read over a fresh connection."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def beta(**extra):
    record = {
        "naam": "Beta Infra B.V.", "soort": "GWW-aannemer", "postcode": "1628ab",
        "plaats": "Hoorn", "contactpersoon": "Piet Proef", "email": "piet@beta.invalid",
        "telefoon": "0229-0000099", **HOORN,
    }
    record.update(extra)
    return record


# -- schema and seeding -------------------------------------------------------------------


def test_new_database_is_created_with_schema_and_seeded_places(db_path, store, reference):
    assert db_path.is_file()
    assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
    schools = store.schools()
    assert len(schools) == len(reference.scholen) == 270
    assert set(schools["bron"]) == {"duo"}
    assert set(schools["vestigingscode"]) == set(reference.scholen["vestigingscode"])
    assert schools["gemeentecode"].isin(reference.gemeentecodes).all()
    assert schools["subregio"].notna().all()
    assert schools[["lat", "lon"]].notna().all().all()
    mbo = store.mbo_locations()
    assert len(mbo) == 2
    assert set(mbo["nauwkeurigheid"]) == {"plaats"}
    assert set(mbo["gemeentecode"]) == {"GM1980", "GM0363"}
    assert store.organisations().empty
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with store._lock:
        assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_reopening_does_not_seed_twice(db_path, reference):
    Store(db_path, reference).close()
    with Store(db_path, reference) as again:
        assert len(again.schools()) == 270
        assert len(again.mbo_locations()) == 2


def test_upgrade_from_v1_keeps_rows(db_path, reference):
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=1)
    conn.execute(
        "INSERT INTO organisaties (naam, soort, donateur, email, postcode, lat, lon, "
        "nauwkeurigheid, gemeentecode, aangemaakt, gewijzigd) VALUES "
        "('Oude Grondwerken B.V.', 'aannemer', 1, 'oud@voorbeeld.invalid', '1628 AB', "
        "52.6476, 5.0681, 'postcode4', 'GM0405', '2024-01-01', '2024-01-01')"
    )
    conn.execute(
        "INSERT INTO scholen (naam, plaats, bron, aangemaakt, gewijzigd) VALUES "
        "('Basisschool De Proef', 'Hoorn', 'gebruiker', '2024-01-01', '2024-01-01')"
    )
    conn.execute(
        "INSERT INTO historie (wanneer, gebruiker, tabel, record_id, veld, oud, nieuw) "
        "VALUES ('2024-01-01', 'anna', 'organisaties', 1, 'naam', 'x', 'y')"
    )
    conn.execute("COMMIT")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()

    with Store(db_path, reference) as store:
        assert store.schema_version == SCHEMA_VERSION
        org = store.get_organisation(1, include_personal=True)
        assert org["naam"] == "Oude Grondwerken B.V."
        assert org["email"] == "oud@voorbeeld.invalid"
        assert org["donateur"] is True
        assert org["versie"] == 1
        assert org["voorbeeld"] is False
        assert org["importsleutel"] == name_key("Oude Grondwerken B.V.")
        assert "email" not in store.get_organisation(1)
        history = store.history(1)
        assert list(history["gebruiker"]) == ["anna"]
        schools = store.schools()
        assert (schools["bron"] == "gebruiker").sum() == 1
        assert (schools["bron"] == "duo").sum() == 270
        # The upgraded database can be written to as usual.
        store.save_organisation({"id": 1, "notities": "bijgewerkt"}, user="kees",
                                expected_version=1)
        assert store.get_organisation(1)["versie"] == 2


def test_newer_schema_is_refused(db_path, reference):
    Store(db_path, reference).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="nieuwer"):
        Store(db_path, reference)


def test_a_file_that_is_no_database_gives_a_dutch_error(tmp_path, reference):
    path = tmp_path / "kapot.sqlite"
    path.write_bytes(b"dit is geen database" * 200)
    with pytest.raises(StoreError, match="database"):
        Store(path, reference)


# -- saving, derived areas, history ------------------------------------------------------


def test_insert_normalises_and_derives_areas(store, reference):
    org_id = store.save_organisation(beta(), user="anna")
    org = store.get_organisation(org_id, include_personal=True)
    assert org["soort"] == "aannemer"
    assert org["soort_origineel"] == "GWW-aannemer"
    assert org["postcode"] == "1628 AB"
    assert org["nauwkeurigheid"] == "handmatig"
    assert org["gemeentecode"] == "GM0405"
    assert org["subregio"] == reference.default_division.subregion_of()["GM0405"]
    assert org["arbeidsmarktregio_code"] == "AM15"
    assert org["arbeidsmarktregio"] == REGIONS["AM15"]
    assert org["versie"] == 1
    assert org["importsleutel"] == "beta infra"

    # Moving the point re-derives the areas; removing it clears them.
    store.save_organisation({"id": org_id, "lat": 52.3676, "lon": 4.9041,
                             "nauwkeurigheid": "adres"}, user="anna")
    moved = store.get_organisation(org_id)
    assert moved["gemeentecode"] == "GM0363"
    assert moved["nauwkeurigheid"] == "adres"
    store.save_organisation({"id": org_id, "lat": None, "lon": None}, user="anna")
    cleared = store.get_organisation(org_id)
    assert cleared["gemeentecode"] is None
    assert cleared["nauwkeurigheid"] == "geen"


def test_html_in_a_name_is_stored_verbatim(store):
    name = '<script>alert("x")</script> & <b>Infra</b>'
    org_id = store.save_organisation({"naam": name}, user="anna")
    assert store.get_organisation(org_id)["naam"] == name
    assert store.organisations()["naam"].tolist() == [name]


def test_history_records_user_old_and_new_but_no_personal_values(store, db_path):
    org_id = store.save_organisation(beta(), user="anna")
    store.save_organisation(
        {"id": org_id, "naam": "Beta Infra Noord", "donateur": "ja",
         "email": "nieuw@beta.invalid", "telefoon": ""},
        user="kees", expected_version=1,
    )
    history = store.history(org_id)
    assert list(history.columns) == ["wanneer", "gebruiker", "tabel", "record_id", "veld",
                                     "oud", "nieuw"]
    changes = history[history["gebruiker"] == "kees"].set_index("veld")
    assert changes.loc["naam", "oud"] == "Beta Infra B.V."
    assert changes.loc["naam", "nieuw"] == "Beta Infra Noord"
    assert changes.loc["donateur", "oud"] == "nee"
    assert changes.loc["donateur", "nieuw"] == "ja"
    assert changes.loc["email", "oud"] == PERSONAL_PLACEHOLDER
    assert changes.loc["email", "nieuw"] == PERSONAL_PLACEHOLDER
    assert changes.loc["telefoon", "oud"] == PERSONAL_PLACEHOLDER
    assert changes.loc["telefoon", "nieuw"] == ""
    assert (history["gebruiker"] == "anna").sum() == 1  # the creation
    text = "\n".join(line for line in dump(db_path) if "historie" in line)
    assert "kees" in text and PERSONAL_PLACEHOLDER in text
    for secret in ("piet@beta.invalid", "nieuw@beta.invalid", "0229-0000099", "Piet Proef"):
        assert secret not in text


def test_unchanged_save_keeps_version_and_history(store):
    org_id = store.save_organisation(beta(), user="anna")
    store.save_organisation({"id": org_id, "naam": "Beta Infra B.V.", "donateur": False},
                            user="kees", expected_version=1)
    assert store.get_organisation(org_id)["versie"] == 1
    assert len(store.history(org_id)) == 1


def test_invalid_records_are_refused_in_dutch(store):
    with pytest.raises(StoreError, match="naam"):
        store.save_organisation({"naam": "  "}, user="anna")
    with pytest.raises(StoreError, match="Onbekend"):
        store.save_organisation({"naam": "X", "e-mail": "a@b.invalid"}, user="anna")
    with pytest.raises(StoreError, match="lengtegraad"):
        store.save_organisation({"naam": "X", "lat": 52.0}, user="anna")
    with pytest.raises(StoreError, match="bestaat niet"):
        store.save_organisation({"id": 999, "naam": "X"}, user="anna")
    with pytest.raises(StoreError, match="gebruiker"):
        store.save_organisation({"naam": "X"}, user="")
    assert store.organisations().empty


def test_delete_keeps_history(store):
    org_id = store.save_organisation(beta(), user="anna")
    store.delete_organisation(org_id, user="kees")
    assert store.organisations().empty
    history = store.history(org_id)
    assert history.iloc[0]["veld"] == "(verwijderd)"
    assert history.iloc[0]["gebruiker"] == "kees"
    assert history.iloc[0]["oud"] == "Beta Infra B.V."
    with pytest.raises(StoreError):
        store.get_organisation(org_id)


def test_set_ambassador(store):
    org_id = store.save_organisation(beta(), user="anna")
    store.set_ambassador(org_id, "West-Friesland", user="bestuur", role="bestuur")
    assert store.get_organisation(org_id)["ambassadeur_voor"] == "West-Friesland"
    store.set_ambassador(org_id, None, user="bestuur", role="bestuur")
    assert store.get_organisation(org_id)["ambassadeur_voor"] is None
    fields = store.history(org_id)["veld"].tolist()
    assert fields.count("ambassadeur_voor") == 2


def test_user_school_is_added_with_areas(store):
    school_id = store.save_school({"naam": "Basisschool De Proef", "plaats": "Hoorn",
                                   "postcode": "1628 AB", **HOORN}, user="anna")
    school = store.get_school(school_id)
    assert school["bron"] == "gebruiker"
    assert school["gemeentecode"] == "GM0405"
    assert len(store.schools()) == 271
    assert store.history(school_id, table="scholen").iloc[0]["veld"] == "(aangemaakt)"


def test_find_by_key_spots_likely_duplicates(store):
    org_id = store.save_organisation(beta(), user="anna")
    store.save_organisation({"naam": "Beta Infra", "postcode": "1012 AB"}, user="anna")
    found = store.find_by_key(name_key("beta infra bv"), "1628AB")
    assert [f["id"] for f in found] == [org_id]
    assert "email" not in found[0]
    assert len(store.find_by_key("Beta Infra BV")) == 2
    assert store.find_by_key("Beta Infra", "1628 XY") == []
    assert store.find_by_key("Gamma Infra") == []


# -- transactions and concurrency --------------------------------------------------------


def test_error_inside_a_transaction_leaves_the_database_unchanged(store, db_path):
    keep = store.save_organisation(beta(), user="anna")
    before = dump(db_path)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save_organisation({"naam": "Nieuw B.V."}, user="anna")
            store.save_organisation({"id": keep, "naam": "Hernoemd"}, user="anna")
            store.delete_organisation(keep, user="anna")
            raise RuntimeError("crash halverwege")
    assert dump(db_path) == before


def test_failing_import_writes_nothing(store, db_path):
    keep = store.save_organisation(beta(), user="anna")
    before = dump(db_path)
    records = [
        {"naam": "Eerste Grondwerken", **HOORN},
        {"id": keep, "naam": "Beta Infra Hernoemd"},
        {"naam": ""},  # invalid: no name
        {"naam": "Vierde Grondwerken"},
    ]
    with pytest.raises(StoreError, match="Record 3"):
        store.apply_import(records, user="import")
    assert dump(db_path) == before


@pytest.mark.parametrize("where", ["_insert", "history"])
def test_crash_injected_mid_import_rolls_back(store, db_path, monkeypatch, where):
    """A crash at the third row, or while the held new rows and their history are written."""
    store.apply_import([{"naam": "Al Bekend"}], user="import")
    before = dump(db_path)
    calls = {"n": 0}
    if where == "history":
        def flaky_entries(*args, **kwargs):
            raise OSError("schijf vol")

        monkeypatch.setattr(history, "write_entries", flaky_entries)
    else:
        original = RowWriter._insert

        def flaky(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError("schijf vol")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(RowWriter, "_insert", flaky)
    records = [{"naam": f"Org {i}"} for i in range(5)]
    records.insert(3, {"naam": "Al Bekend", "donateur": "ja"})  # an update between new rows
    with pytest.raises(OSError):
        store.apply_import(records, user="import")
    assert dump(db_path) == before


def test_apply_import_counts_and_updates(store):
    first = store.apply_import(
        [{"naam": "Alfa Wegenbouw", "soort": "wegenbouwer", **HOORN},
         {"naam": "Gamma Advies", "soort": "adviesbureau"}],
        user="import",
    )
    assert (first["nieuw"], first["bijgewerkt"], first["ongewijzigd"]) == (2, 0, 0)
    alfa, gamma = first["ids"]
    second = store.apply_import(
        [{"id": alfa, "naam": "Alfa Wegenbouw", "soort": "wegenbouwer"},
         {"id": gamma, "naam": "Gamma Advies", "donateur": "ja"}],
        user="import",
    )
    assert (second["nieuw"], second["bijgewerkt"], second["ongewijzigd"]) == (0, 1, 1)
    assert second["ids"] == [alfa, gamma]
    assert len(store.organisations()) == 2
    assert store.get_organisation(gamma)["donateur"] is True
    assert store.get_organisation(alfa)["gemeentecode"] == "GM0405"


def test_second_save_of_the_same_version_is_refused(db_path, reference):
    with Store(db_path, reference) as anna, Store(db_path, reference) as kees:
        org_id = anna.save_organisation(beta(), user="anna")
        seen_by_anna = anna.get_organisation(org_id)
        seen_by_kees = kees.get_organisation(org_id)
        assert seen_by_anna["versie"] == seen_by_kees["versie"] == 1

        kees.save_organisation({"id": org_id, "notities": "Kees belde"}, user="kees",
                               expected_version=seen_by_kees["versie"])
        with pytest.raises(ConflictError) as caught:
            anna.save_organisation({"id": org_id, "notities": "Anna mailde"}, user="anna",
                                   expected_version=seen_by_anna["versie"])
        err = caught.value
        assert err.current["versie"] == 2
        assert err.current["notities"] == "Kees belde"
        assert "versie 2" in str(err)
        assert anna.get_organisation(org_id, include_personal=True)["notities"] == "Kees belde"
        # With the newer version in hand Anna can save.
        anna.save_organisation({"id": org_id, "notities": "Anna mailde"}, user="anna",
                               expected_version=err.current["versie"])
        assert kees.get_organisation(org_id)["versie"] == 3


def test_two_transactions_on_two_connections_are_serialised(db_path, reference):
    Store(db_path, reference).close()
    first_in = threading.Event()
    second_waiting = threading.Event()
    events: list[str] = []
    errors: list[BaseException] = []

    def importer_a():
        try:
            with Store(db_path, reference) as a, a.transaction():
                a.save_organisation({"naam": "Import A"}, user="a")
                first_in.set()
                second_waiting.wait(10)
                # Give B the chance to run if it were not blocked.
                threading.Event().wait(0.3)
                events.append("A klaar")
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    def importer_b():
        try:
            first_in.wait(10)
            with Store(db_path, reference) as b:
                second_waiting.set()
                with b.transaction():
                    events.append("B begint")
                    names = set(b.organisations()["naam"])
                    events.append("B ziet A" if "Import A" in names else "B ziet A niet")
                    b.save_organisation({"naam": "Import B"}, user="b")
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=importer_a), threading.Thread(target=importer_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert events == ["A klaar", "B begint", "B ziet A"]
    with Store(db_path, reference) as check:
        assert set(check.organisations()["naam"]) == {"Import A", "Import B"}


def test_waiting_too_long_gives_a_dutch_error(db_path, reference):
    with Store(db_path, reference) as a, Store(db_path, reference,
                                               busy_timeout_s=0.05) as b:
        with a.transaction():
            a.save_organisation({"naam": "Lange import"}, user="a")
            with pytest.raises(StoreError, match="bezet"):
                with b.transaction():
                    pass  # pragma: no cover
        assert len(b.organisations()) == 1


# -- privacy -----------------------------------------------------------------------------


def test_public_view_has_no_personal_columns(store, db_path):
    conn = sqlite3.connect(db_path)
    view_columns = [r[1] for r in conn.execute("PRAGMA table_info(organisaties_publiek)")]
    table_columns = [r[1] for r in conn.execute("PRAGMA table_info(organisaties)")]
    conn.close()
    assert set(PERSONAL_FIELDS) <= set(table_columns)
    assert not set(STAFF_ONLY_FIELDS) & set(view_columns)
    assert set(ORGANISATION_COLUMNS) <= set(view_columns)

    store.save_organisation(beta(), user="anna")
    public = store.organisations()
    assert list(public.columns[: len(ORGANISATION_COLUMNS)]) == list(ORGANISATION_COLUMNS)
    assert not set(PERSONAL_FIELDS) & set(public.columns)
    assert "piet@beta.invalid" not in public.to_csv()
    staff = store.organisations(include_personal=True)
    assert staff.loc[0, "email"] == "piet@beta.invalid"
    assert "email" not in store.get_organisation(int(staff.loc[0, "id"]))


def test_upgrade_from_v2_takes_the_notes_out_of_the_public_view(db_path, reference):
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=2)
    conn.execute(
        "INSERT INTO organisaties (naam, soort, notities, aangemaakt, gewijzigd) VALUES "
        "('Notitie B.V.', 'aannemer', 'Jan de Vries belt terug', '2024-01-01', '2024-01-01')"
    )
    conn.execute("COMMIT")
    assert "notities" in [r[1] for r in conn.execute("PRAGMA table_info(organisaties_publiek)")]
    conn.close()

    with Store(db_path, reference) as store:
        assert store.schema_version == SCHEMA_VERSION
        public = store.organisations()
        assert "notities" not in public.columns
        assert "Jan de Vries" not in public.to_csv()
        assert store.get_organisation(1, include_personal=True)["notities"] == (
            "Jan de Vries belt terug")


def test_frame_types(store):
    store.save_organisation(beta(donateur="ja"), user="anna")
    store.save_organisation({"naam": "Zonder plek"}, user="anna")
    frame = store.organisations()
    assert frame["donateur"].dtype == bool and frame["actief"].dtype == bool
    assert frame["voorbeeld"].dtype == bool
    assert frame["versie"].dtype == "int64"
    assert frame["lat"].dtype == float
    unplaced = frame[frame["naam"] == "Zonder plek"].iloc[0]
    assert pd.isna(unplaced["lat"]) and unplaced["ambassadeur_voor"] is None


# -- names and kinds ---------------------------------------------------------------------


@pytest.mark.parametrize("variant", [
    "Beta Infra B.V.", "Beta Infra BV", "beta infra", "BETA INFRA b.v.", "Bèta-Infra",
    "Beta Infra B. V.", "  Beta   Infra  ", "Beta Infra Holding B.V.", "Beta Infra N.V.",
    "Beta Infra V.O.F.",
])
def test_name_key_ignores_legal_form_case_and_punctuation(variant):
    assert name_key(variant) == "beta infra"


def test_name_key_keeps_different_names_apart():
    assert name_key("Beta Infra") != name_key("Beta Groen")
    assert name_key("Jansen & Zn") == name_key("Jansen en Zn")
    assert name_key("B.V.") == "bv"


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8).filter(
    lambda w: w not in {"bv", "nv", "vof", "cv", "holding", "ltd", "gmbh", "bvba", "sarl",
                        "inc", "llc", "eenmanszaak", "stichting", "vereniging"})


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORD, min_size=1, max_size=4), st.sampled_from(
    ["", " B.V.", " BV", " bv", " b.v", " N.V.", " V.O.F.", " Holding BV", ", B.V."]))
def test_name_key_property(words, suffix):
    name = " ".join(words)
    key = name_key(name)
    assert key == name
    assert name_key(name.upper() + suffix) == key
    assert name_key(name.title().replace(" ", "-") + suffix) == key


@pytest.mark.parametrize(("text", "expected"), [
    ("GWW-aannemer", "aannemer"), ("wegenbouwer", "aannemer"), ("Grondverzet", "aannemer"),
    ("Aannemingsbedrijf", "aannemer"), ("adviesbureau", "ingenieursbureau"),
    ("Ingenieurs", "ingenieursbureau"), ("Gemeente", "overheid"), ("provincie", "overheid"),
    ("Waterschap", "overheid"), ("Rijkswaterstaat", "overheid"),
    ("Gemeentelijk ingenieursbureau", "overheid"), ("school", "onderwijs"),
    ("ROC", "onderwijs"), ("mbo", "onderwijs"), ("Liander", "netbeheerder"),
    ("PWN", "netbeheerder"), ("netbeheer", "netbeheerder"), ("drinkwater", "netbeheerder"),
    ("Landmeetbureau", "overig"), ("", "overig"), (None, "overig"), ("rock band", "overig"),
])
def test_normalise_kind(text, expected):
    assert normalise_kind(text) == expected


@given(st.text(max_size=40))
def test_normalise_kind_always_gives_a_known_kind(text):
    assert normalise_kind(text) in KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_normalise_kind_keeps_canonical_kinds(kind):
    assert normalise_kind(kind) == kind
    assert normalise_kind(kind.upper()) == kind


# -- example data ------------------------------------------------------------------------


def test_example_file_is_fictional_and_spread_over_the_regions(reference):
    frame = pd.read_csv(example_data_path(reference), sep=";", dtype=str,
                        keep_default_na=False, encoding="utf-8")
    assert 25 <= len(frame) <= 40
    assert frame["Organisatie"].str.match(r"^(Voorbeeld|Fictie[fv]|Proefbedrijf)").all()
    assert frame["E-mail"].str.endswith("@voorbeeld.invalid").all()
    assert frame["Telefoon"].str.match(r"^0\d{1,3}-0{5}\d{2}$").all()
    pc4 = frame["Postcode"].str[:4]
    regions = reference.pc4.set_index("pc4").loc[pc4, "arbeidsmarktregio_code"]
    assert set(regions) == set(REGIONS)
    assert (frame["Donateur"] == "ja").any() and (frame["Actief"] == "nee").any()


def test_example_data_loads_marked_and_can_be_removed(store, reference):
    real = store.save_organisation({"naam": "Echte Partner", **HOORN}, user="anna")
    outcome = load_example_data(store, user="voorbeeld")
    expected = len(pd.read_csv(example_data_path(reference), sep=";"))
    assert outcome["nieuw"] == expected
    frame = store.organisations(include_personal=True)
    examples = frame[frame["voorbeeld"]]
    assert len(examples) == expected
    assert set(examples["nauwkeurigheid"]) == {"postcode4"}
    assert examples["gemeentecode"].isin(reference.gemeentecodes).all()
    assert set(examples["arbeidsmarktregio_code"]) == set(REGIONS)
    assert examples["donateur"].any() and not examples["actief"].all()
    assert {"overheid", "aannemer", "ingenieursbureau"} <= set(examples["soort"])
    assert store.organisation_count(examples=True) > 0

    again = load_example_data(store, user="voorbeeld")
    assert again["nieuw"] == 0 and again["ongewijzigd"] == expected
    assert store.organisation_count() == expected + 1

    assert store.delete_example_data(user="anna") == expected
    remaining = store.organisations()
    assert remaining["id"].tolist() == [real]
    assert store.organisation_count(examples=False) > 0
    assert store.organisation_count(examples=True) == 0


def test_cli_voorbeeld_only_when_empty_is_idempotent(tmp_path, settings, capsys):
    db = tmp_path / "nieuw" / "register.sqlite"
    assert main(["voorbeeld", "--alleen-als-leeg", "--database", str(db)],
                settings=settings) == 0
    first = capsys.readouterr().out
    assert "nieuw" in first and "verzonnen" in first
    from geo.reference.data import load_reference

    reference = load_reference(settings.data_dir)
    with Store(db, reference) as store:
        count = store.organisation_count()
        assert count == store.organisation_count(examples=True) > 0
    assert main(["voorbeeld", "--alleen-als-leeg", "--database", str(db)],
                settings=settings) == 0
    assert "al organisaties" in capsys.readouterr().out
    with Store(db, reference) as store:
        assert store.organisation_count() == count
    with Store(db, reference) as store:
        activities = store.activities.count(examples=True)
    assert activities > 100
    assert main(["voorbeeld", "--verwijderen", "--database", str(db)], settings=settings) == 0
    assert (f"{count} voorbeeldorganisaties en {activities} voorbeeldactiviteiten verwijderd"
            in capsys.readouterr().out)
    with Store(db, reference) as store:
        assert store.organisation_count() == 0 and store.activities.count() == 0
        store.save_organisation({"naam": "Echte Partner"}, user="anna")
    # A register with real data never gets examples from --alleen-als-leeg.
    assert main(["voorbeeld", "--alleen-als-leeg", "--database", str(db)],
                settings=settings) == 0
    with Store(db, reference) as store:
        assert store.organisation_count() == 1


# -- imports after a preview, erasure, files, errors ---------------------------------------


def test_history_records_the_version_each_change_made(store, db_path):
    org_id = store.save_organisation(beta(), user="anna")
    store.save_organisation({"id": org_id, "plaats": "Zwaag"}, user="kees")
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT veld, versie FROM historie WHERE tabel = 'organisaties' "
                        "AND record_id = ? ORDER BY id",
                        (org_id,)).fetchall()
    conn.close()
    assert rows == [("(aangemaakt)", 1), ("plaats", 2)]


def test_apply_import_checks_the_previewed_version(store):
    org_id = store.save_organisation(beta(), user="anna")
    store.save_organisation({"id": org_id, "plaats": "Zwaag", "telefoon": "0229-0000100"},
                            user="kees", expected_version=1)
    # The same values as now: nothing to overwrite, so no conflict.
    same = store.apply_import([{"id": org_id, "versie": 1, "naam": "Beta Infra B.V.",
                                "plaats": "Zwaag"}], user="import")
    assert (same["ongewijzigd"], same["conflicten"]) == (1, [])
    # Different values from an older preview: refused and reported.
    outcome = store.apply_import([{"rij": 9, "id": org_id, "versie": 1,
                                   "naam": "Beta Infra B.V.", "plaats": "Hoorn"}],
                                 user="import")
    (conflict,) = outcome["conflicten"]
    assert (conflict.row, conflict.reason, conflict.users) == (9, "gewijzigd", ("kees",))
    assert conflict.fields == ("plaats", "telefoon")
    assert conflict.message.startswith("Rij 9 ('Beta Infra B.V.', nr. ")
    assert "Plaats, Telefoon" in conflict.message and "0229" not in conflict.message
    assert outcome["ids"] == [org_id] and outcome["bijgewerkt"] == 0
    assert store.get_organisation(org_id)["plaats"] == "Zwaag"
    # With the current version the import goes through.
    again = store.apply_import([{"id": org_id, "versie": 2, "naam": "Beta Infra B.V.",
                                 "plaats": "Hoorn"}], user="import")
    assert again["bijgewerkt"] == 1 and store.get_organisation(org_id)["plaats"] == "Hoorn"


def test_apply_import_reports_rows_deleted_since_the_preview(store):
    org_id = store.save_organisation(beta(), user="anna")
    store.delete_organisation(org_id, user="kees")
    outcome = store.apply_import([{"id": org_id, "versie": 1, "naam": "Beta Infra B.V.",
                                   "plaats": "Hoorn"}, {"naam": "Nieuw B.V."}],
                                 user="import")
    (conflict,) = outcome["conflicten"]
    assert (conflict.reason, conflict.users, conflict.position) == ("verwijderd", ("kees",), 1)
    assert "Record 1" in conflict.message and "verwijderd door kees" in conflict.message
    assert outcome["nieuw"] == 1
    assert store.organisations()["naam"].tolist() == ["Nieuw B.V."]
    # Without a previewed version an unknown id is still an error (nothing written).
    with pytest.raises(StoreError, match="bestaat niet"):
        store.apply_import([{"id": org_id, "naam": "X"}, {"naam": "Ander B.V."}],
                           user="import")
    assert store.organisation_count() == 1


def test_apply_import_finds_rows_added_since_the_preview(store):
    added = store.save_organisation(beta(), user="kees")
    # Same name key and postcode, same values: the same organisation, unchanged.
    same = store.apply_import([{"naam": "Beta Infra B.V.", "postcode": "1628AB"}],
                              user="import")
    assert (same["nieuw"], same["ongewijzigd"], same["ids"]) == (0, 1, [added])
    # Different values: refused, with the differing fields (not their values).
    outcome = store.apply_import([{"naam": "beta infra", "postcode": "1628 AB",
                                   "email": "ander@beta.invalid"}], user="import")
    (conflict,) = outcome["conflicten"]
    assert (conflict.reason, conflict.record_id, conflict.fields) == (
        "bestaat_al", added, ("naam", "email"))
    assert "toegevoegd door kees" in conflict.message
    assert "ander@beta.invalid" not in conflict.message
    assert store.get_organisation(added, include_personal=True)["email"] == (
        "piet@beta.invalid")
    # Another postcode is another organisation.
    other = store.apply_import([{"naam": "Beta Infra", "postcode": "1012 AB"}], user="import")
    assert other["nieuw"] == 1 and store.organisation_count() == 2


def test_example_records_only_match_example_rows(store):
    real = store.save_organisation({"naam": "Voorbeeld Grondwerk", "plaats": "Hoorn"},
                                   user="anna")
    outcome = store.apply_import([{"naam": "Voorbeeld Grondwerk", "plaats": "Hoorn",
                                   "voorbeeld": True}], user="voorbeeld")
    assert outcome["nieuw"] == 1 and real not in outcome["ids"]


def test_upgrade_to_v4_erases_leftovers_of_deleted_organisations(db_path, reference):
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=3)
    echo = "Postcode ok. E-mail: 'jan@@oud' lijkt geen geldig e-mailadres. Let op."
    conn.execute(
        "INSERT INTO organisaties (id, naam, melding, aangemaakt, gewijzigd) VALUES "
        "(1, 'Blijft B.V.', ?, '2024-01-01', '2024-01-01')", (echo,))
    history = [
        (1, "melding", "", echo),
        (2, "(aangemaakt)", "", "Weg B.V."),
        (2, "notities", "", "Jan de Vries belt"),
        (2, "email", "", PERSONAL_PLACEHOLDER),
        (2, "melding", "", "E-mail: 'jan@@weg' lijkt geen geldig e-mailadres."),
        (2, "(verwijderd)", "Weg B.V.", ""),
    ]
    conn.executemany(
        "INSERT INTO historie (wanneer, gebruiker, tabel, record_id, veld, oud, nieuw) "
        "VALUES ('2024-01-01', 'anna', 'organisaties', ?, ?, ?, ?)", history)
    conn.execute("COMMIT")
    conn.close()

    with Store(db_path, reference) as store:
        assert store.schema_version == SCHEMA_VERSION
        melding = store.get_organisation(1)["melding"]
        assert "jan@@oud" not in melding
        assert melding.startswith("Postcode ok. E-mail: ongeldig e-mailadres")
        assert melding.endswith("Let op.")
        gone = store.history(2)
        assert gone.iloc[0]["veld"] == "(persoonsgegevens gewist)"
        assert gone.iloc[0]["gebruiker"] == "(schema-upgrade)"
        assert "2 waarden" in gone.iloc[0]["nieuw"]
        assert store.history(1).iloc[0]["veld"] == "melding"  # a live record keeps its own
    text = "\n".join(dump(db_path))
    for secret in ("jan@@oud", "jan@@weg", "Jan de Vries"):
        assert secret not in text
    assert "Weg B.V." in text  # who existed and when stays


def test_upgrade_to_v5_keeps_rows_ids_and_the_id_sequence(db_path, reference):
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=4)
    for number in (1, 2, 3):
        conn.execute(
            "INSERT INTO organisaties (naam, soort, email, importsleutel, aangemaakt, "
            "gewijzigd) VALUES (?, 'netbeheerder', ?, ?, '2024-01-01', '2024-01-01')",
            (f"Net {number}", f"net{number}@voorbeeld.invalid", f"net {number}"))
    conn.execute("DELETE FROM organisaties WHERE id = 3")
    conn.execute("COMMIT")
    conn.close()

    with Store(db_path, reference) as store:
        assert store.schema_version == SCHEMA_VERSION
        staff = store.organisations(include_personal=True)
        assert staff["id"].tolist() == [1, 2]
        assert staff["email"].tolist() == ["net1@voorbeeld.invalid", "net2@voorbeeld.invalid"]
        assert set(staff["soort"]) == {"netbeheerder"}
        # A deleted id is never given again: its history belongs to the deleted one.
        assert store.save_organisation({"naam": "Nieuw"}, user="anna") == 4
    before = dump(db_path)
    Store(db_path, reference).close()  # the registry did not change: nothing is rebuilt
    assert dump(db_path) == before
    conn = sqlite3.connect(db_path)
    table = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'organisaties'").fetchone()
    assert "aannemer" not in table[0]  # the kinds are checked by triggers from geo.fields
    with pytest.raises(sqlite3.IntegrityError, match="soort"):
        conn.execute("UPDATE organisaties SET soort = 'bakker' WHERE id = 1")
    conn.close()


def test_commit_failure_rolls_back_and_is_reported_in_dutch(store, db_path):
    store.save_organisation(beta(), user="anna")
    before = dump(db_path)
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="vol"):
        with store.transaction():
            with store.transaction():  # a savepoint inside, as a save inside an import
                for i in range(40):
                    store.save_organisation({"naam": f"Vol {i}", "notities": "x" * 4000},
                                            user="anna")
    assert not store._conn.in_transaction
    assert dump(db_path) == before


def test_new_folders_and_files_are_private(tmp_path):
    from geo.private_files import create_private_file, ensure_private_dir

    folder = ensure_private_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    cache = create_private_file(tmp_path / "c" / "cache.sqlite")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "c").stat().st_mode) == 0o700
    cache.write_bytes(b"inhoud")
    cache.chmod(0o644)
    assert create_private_file(cache) == cache  # an existing file is kept, made private
    assert cache.read_bytes() == b"inhoud"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    existing = tmp_path / "open"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    ensure_private_dir(existing)  # an existing folder is left as it is
    assert stat.S_IMODE(existing.stat().st_mode) == 0o755
    (tmp_path / "bestand").write_text("x")
    with pytest.raises(FileExistsError):
        ensure_private_dir(tmp_path / "bestand")
    with pytest.raises(IsADirectoryError):
        create_private_file(existing)


def test_a_read_only_database_is_reported_in_dutch(store, db_path):
    store.save_organisation(beta(), user="anna")
    before = dump(db_path)
    store._conn.execute("PRAGMA query_only = ON")  # SQLite refuses every write
    with pytest.raises(StoreError, match="alleen-lezen"):
        store.save_organisation({"naam": "Nieuw B.V."}, user="anna")
    assert dump(db_path) == before


def test_the_register_does_not_import_the_geocoder():
    """Example data go through the intake (geo.register.examples); the store never geocodes."""
    code = "import sys, geo.register.store; print('geo.intake.geocoding' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
