"""Attacks on the register (issue 9, finding 6 and the database part of finding 8).

Finding 6: "Lost or leaked data: two imports of the same file at once give duplicates
(1,033 rows instead of 533); 'Importeren' after a preview silently overwrites a
colleague's edit made in between (no version check); an invalid e-mail address is copied
into `melding` (which the public view shows) and into the history, where it stays after
the organisation is deleted; the database, its WAL and staff GeoJSON/GPKG exports are
world-readable (0644)."

Finding 8 (database part): "Tracebacks instead of Dutch messages: var dir is a file or
not creatable, ..., disk full during commit, ..."
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.errors import StoreError
from geo.intake.geocoding import OfflineGeocoder
from geo.intake.reading import read_table
from geo.intake.records import check_values, preview_table, result_table, to_records
from geo.intake.verdicts import check_rows
from geo.reference.gazetteer import Gazetteer
from geo.register.store import STAFF_ONLY_FIELDS, Store

ROOT = Path(__file__).resolve().parents[2]

#: Distinct organisations in the concurrent-import file, and exact repeats after them.
DISTINCT, REPEATS = 60, 7


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


def partner_file(reference) -> bytes:
    """A partner list with DISTINCT organisations and REPEATS exact repeated rows."""
    pc4 = reference.pc4["pc4"].astype(str).tolist()[:DISTINCT]
    lines = ["Organisatie;Adres;Postcode;Plaats;Contactpersoon;E-mail;Telefoon"]
    rows = [f"Gelijktijdig Infra {i:03d} B.V.;Werkweg {i};{code} AB;;Contact {i};"
            f"c{i}@voorbeeld.invalid;0229-00000{i:02d}" for i, code in enumerate(pc4)]
    lines += rows + rows[:REPEATS]
    return ("\n".join(lines) + "\n").encode("utf-8")


def dump(path: Path) -> str:
    """The logical content of a database file, over a fresh connection."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- finding 6


def test_two_imports_of_the_same_file_at_once_give_no_duplicates(tmp_path, reference,
                                                                gazetteer):
    """'two imports of the same file at once give duplicates (1,033 rows instead of 533)'"""
    db = tmp_path / "register.sqlite"
    Store(db, reference).close()
    data = partner_file(reference)
    both_previewed = threading.Barrier(2, timeout=60)
    outcomes: list[dict] = []
    errors: list[BaseException] = []

    def colleague(name: str) -> None:
        try:
            with Store(db, reference) as store:
                table = read_table(data, "partners.csv")
                verdicts = check_rows(table, geocoder=OfflineGeocoder(gazetteer),
                                      reference=reference, existing=store.organisations())
                records = to_records(verdicts, fields=table.fields, reference=reference)
                assert not any("id" in r for r in records)  # both previews: all new
                both_previewed.wait()  # now both press 'Importeren' together
                outcomes.append(store.apply_import(records, user=name))
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=colleague, args=(n,)) for n in ("anna", "kees")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    with Store(db, reference) as store:
        names = store.organisations()["naam"]
    assert len(names) == DISTINCT
    assert names.is_unique
    assert sorted(o["nieuw"] for o in outcomes) == [0, DISTINCT]
    assert sorted(o["ongewijzigd"] for o in outcomes) == [0, DISTINCT]
    assert all(o["conflicten"] == [] for o in outcomes)


# Runs in two processes: the real CLI, held at a file barrier just before it writes, so
# both have checked the file against the empty register before either imports.
_CLI_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from geo.register import store as store_module
    from geo.cli import main

    gate, me, csv_path, db = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    original = store_module.Store.apply_import

    def gated(self, records, **kwargs):
        (gate / me).touch()
        deadline = time.monotonic() + 120
        while len(list(gate.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        return original(self, records, **kwargs)

    store_module.Store.apply_import = gated
    sys.exit(main(["import", csv_path, "--offline", "--database", db]))
""")


def test_two_cli_imports_in_two_processes_give_no_duplicates(tmp_path, reference):
    """'two imports of the same file at once give duplicates (1,033 rows instead of 533)'"""
    csv_path = tmp_path / "partners.csv"
    csv_path.write_bytes(partner_file(reference))
    db = tmp_path / "var" / "infrakaart.sqlite"
    Store(db, reference).close()
    gate = tmp_path / "gate"
    gate.mkdir()
    env = {**os.environ, "INFRAKAART_VAR_DIR": str(tmp_path / "var"),
           "INFRAKAART_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", _CLI_CHILD, str(gate), name, str(csv_path),
                          str(db)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
    assert sorted(p.name for p in gate.iterdir()) == ["a", "b"]  # both reached the write
    with Store(db, reference) as store:
        names = store.organisations()["naam"]
    assert len(names) == DISTINCT and names.is_unique
    outputs = "\n".join(out for out, _ in results)
    assert f"{DISTINCT} nieuw" in outputs and f"{DISTINCT} ongewijzigd" in outputs


def test_import_after_a_preview_does_not_overwrite_a_colleagues_edit(tmp_path, reference,
                                                                     gazetteer):
    """''Importeren' after a preview silently overwrites a colleague's edit made in between'"""
    with Store(tmp_path / "register.sqlite", reference) as store:
        first = read_table(b"Organisatie;Postcode;Plaats;E-mail;Notities\n"
                           b"Alfa Grondwerk;1621 AB;Hoorn;oud@alfa.invalid;\n"
                           b"Beta Wegenbouw;1811 AB;Alkmaar;oud@beta.invalid;\n", "a.csv")
        geocoder = OfflineGeocoder(gazetteer)
        store.apply_import(to_records(check_rows(first, geocoder=geocoder,
                                                 reference=reference, existing=None)),
                           user="import")
        alfa, beta = store.organisations().sort_values("naam")["id"].tolist()

        update = read_table(b"Organisatie;Postcode;Plaats;E-mail;Notities\n"
                            b"Alfa Grondwerk;1621 AB;Hoorn;bestand@alfa.invalid;uit bestand\n"
                            b"Beta Wegenbouw;1811 AB;Alkmaar;bestand@beta.invalid;\n"
                            b"Gamma Nieuw;1703 AB;Heerhugowaard;;\n", "b.csv")
        verdicts = check_rows(update, geocoder=geocoder, reference=reference,
                              existing=store.organisations())
        previewed = to_records(verdicts, fields=update.fields)  # what the preview showed
        # A colleague edits Alfa between the preview and 'Importeren'.
        store.save_organisation({"id": alfa, "email": "collega@alfa.invalid",
                                 "notities": "gebeld"}, user="kees", expected_version=1)

        outcome = store.apply_import(previewed, user="anna")

        staff = store.organisations(include_personal=True).set_index("id")
        assert staff.loc[alfa, "email"] == "collega@alfa.invalid"  # not overwritten
        assert staff.loc[alfa, "notities"] == "gebeld"
        assert staff.loc[beta, "email"] == "bestand@beta.invalid"  # the rest is applied
        assert (outcome["nieuw"], outcome["bijgewerkt"]) == (1, 1)
        (conflict,) = outcome["conflicten"]
        assert (conflict.row, conflict.record_id, conflict.reason) == (2, alfa, "gewijzigd")
        assert conflict.fields == ("email", "notities")  # in the order of the form
        assert conflict.users == ("kees",)
        assert "Rij 2" in conflict.message and "kees" in conflict.message
        assert "E-mail" in conflict.message and "Notities" in conflict.message
        for value in ("collega@alfa.invalid", "bestand@alfa.invalid", "gebeld"):
            assert value not in conflict.message


CANARIES = {
    "email": "kanarie.mail@@nergens",
    "telefoon": "bel kanarie-telefoon",
    "contactpersoon": "Kanarie Persoon <kanarie@thuis.invalid>",
    "notities": "kanarie-notitie over Kanarie Persoon",
}


def _canary_seen(text: object) -> bool:
    return "kanarie" in str(text).casefold()


def test_invalid_contact_data_are_never_echoed_in_messages_or_public_data(
        tmp_path, reference, gazetteer, settings, capsys, caplog):
    """'an invalid e-mail address is copied into `melding` (which the public view shows)'"""
    caplog.set_level(logging.DEBUG)
    geocoder = OfflineGeocoder(gazetteer)
    header = "Organisatie;Postcode;Plaats;E-mail;Telefoon;Contactpersoon;Notities\n"
    row = ";".join(["Vogelvrij Grondwerk", "1621 AB", "Hoorn", *(
        CANARIES[f] for f in ("email", "telefoon", "contactpersoon", "notities"))])
    data = (header + row + "\n").encode()
    messages: list[str] = []

    table = read_table(data, "contacten.csv")
    (verdict,) = check_rows(table, geocoder=geocoder, reference=reference, existing=None)
    assert "E-mail" in verdict.message and "Telefoon" in verdict.message
    assert "Contactpersoon" in verdict.message
    messages += [verdict.message, verdict.stored_message, *verdict.problems,
                 *verdict.remarks, *verdict.notes]
    messages += [result_table([verdict]).to_csv(), preview_table([verdict]).to_csv()]
    form = check_values({"naam": "Formulier BV", "postcode": "1621 AB", **CANARIES},
                        geocoder=geocoder, reference=reference)
    messages += [form.message, form.stored_message]
    (record,) = to_records([verdict], fields=table.fields)
    assert record["email"] == CANARIES["email"]  # kept for staff: nothing is lost
    messages.append(record["melding"])

    db = tmp_path / "register.sqlite"
    with Store(db, reference) as store:
        org_id = store.apply_import([record], user="import")["ids"][0]
        # Failure paths of saving: each refusal names the problem, never a contact value.
        for bad in ({"donateur": "misschien"}, {"lat": 95.0}, {"naam": " "},
                    {"status": "onbekend"}, {"e-mail": CANARIES["email"]}):
            with pytest.raises(StoreError) as caught:
                store.save_organisation({"id": org_id, **CANARIES, **bad}, user="kees")
            messages.append(str(caught.value))
        with pytest.raises(StoreError) as caught:
            store.apply_import([{**record, "id": org_id, "donateur": "misschien"}],
                               user="import")
        messages.append(str(caught.value))
        # A colleague's edit of the contact data, then an import from an older preview.
        store.save_organisation({"id": org_id, "email": "kanarie.nieuw@voorbeeld.invalid"},
                                user="kees")
        outcome = store.apply_import([{**record, "id": org_id, "versie": 1,
                                       "email": "kanarie.ander@voorbeeld.invalid"}],
                                     user="anna")
        messages += [c.message for c in outcome["conflicten"]]
        assert outcome["conflicten"]
        public = store.organisations()
        history = store.history()
        public_history = history[~history["veld"].isin(STAFF_ONLY_FIELDS)]
        assert not _canary_seen(public.to_csv())
        assert not _canary_seen(store.get_organisation(org_id))
        assert not _canary_seen(public_history.to_csv())
        assert "ongeldig e-mailadres" in public.loc[0, "melding"]

    conn = sqlite3.connect(db)
    view = pd.read_sql("SELECT * FROM organisaties_publiek", conn)
    conn.close()
    assert not _canary_seen(view.to_csv())

    csv_path = tmp_path / "contacten.csv"
    csv_path.write_bytes(data)
    code = main(["import", str(csv_path), "--offline", "--database", str(db),
                 "--uitvoer", str(tmp_path / "resultaat.csv")], settings=settings)
    out, err = capsys.readouterr()
    assert code == 0, err
    messages += [out, err, (tmp_path / "resultaat.csv").read_text(encoding="utf-8")]

    leaked = [m for m in messages if _canary_seen(m)]
    assert leaked == []
    assert not any(_canary_seen(r.getMessage()) for r in caplog.records)


def test_deleting_an_organisation_erases_its_personal_data_from_the_history(
        tmp_path, reference):
    """'and into the history, where it stays after the organisation is deleted'"""
    db = tmp_path / "register.sqlite"
    values = ["Piet Kanarie", "piet@kanarie.invalid", "0229-0000011", "Piet Kanarie belde",
              "pietje@kanarie.invalid", "06-00000012", "Marie Kanarie", "Marie Kanarie mailt",
              "Ongeldig adres piet@kanarie.invalid"]
    with Store(db, reference) as store:
        org_id = store.save_organisation(
            {"naam": "Wis Mij B.V.", "contactpersoon": values[0], "email": values[1],
             "telefoon": values[2], "notities": values[3]}, user="anna")
        store.save_organisation({"id": org_id, "email": values[4], "telefoon": values[5],
                                 "notities": "Piet Kanarie belde terug"}, user="kees")
        store.save_organisation({"id": org_id, "contactpersoon": values[6],
                                 "notities": values[7], "melding": values[8]}, user="kees")
        other = store.save_organisation({"naam": "Blijft B.V."}, user="anna")
        store.save_organisation({"id": other, "notities": "blijft staan"}, user="anna")
        assert "Piet Kanarie belde" in dump(db)  # staff history while the record exists

        store.delete_organisation(org_id, user="bestuur")

        history = store.history(org_id)
        assert list(history["veld"][:2]) == ["(verwijderd)", "(persoonsgegevens gewist)"]
        assert "persoonsgegevens gewist" in history.iloc[1]["nieuw"]
        assert history.iloc[1]["gebruiker"] == "bestuur"
        assert "(gewist)" in set(history["oud"]) | set(history["nieuw"])
        # Who changed which field when is kept.
        assert {"email", "telefoon", "contactpersoon", "notities"} <= set(history["veld"])
        assert store.get_organisation(other, include_personal=True)["notities"] == (
            "blijft staan")
        assert "blijft staan" in store.history(other).to_csv()
        # delete_organisation checkpoints itself: nothing lingers in the WAL either,
        # even while the connection is still open.
        wal = Path(f"{db}-wal")
        leftovers = wal.read_bytes() if wal.exists() else b""
        assert all(value.encode() not in leftovers for value in values)
    text = dump(db)
    raw = db.read_bytes()
    for value in values:
        assert value not in text
        assert value.encode() not in raw  # not even in free pages of the file


def test_geocoder_cache_is_not_readable_by_others(tmp_path):
    """The geocoder cache (addresses of organisations) is created 0600 in a 0700 folder."""
    from geo.intake._http import ResponseCache

    old = os.umask(0o022)
    try:
        cache = ResponseCache(tmp_path / "cache" / "geocode-cache.sqlite")
        cache.put("GET http://x/free?q=1", {"response": {"docs": []}})
        assert mode(cache.path) == 0o600 and mode(cache.path.parent) == 0o700
        cache.close()
    finally:
        os.umask(old)


def test_database_and_its_wal_are_not_readable_by_others(tmp_path, reference):
    """'the database, its WAL ... are world-readable (0644)'"""
    old = os.umask(0o022)  # the usual umask, which made SQLite create 0644 files
    try:
        var = tmp_path / "var"
        db = var / "infrakaart.sqlite"
        with Store(db, reference) as store:
            store.save_organisation({"naam": "Prive B.V.", "email": "p@prive.invalid"},
                                    user="anna")
            wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
            assert wal.exists() and shm.exists()
            assert (mode(db), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
        assert mode(var) == 0o700
        # An existing register that others could read is made private on opening.
        db.chmod(0o644)
        Store(db, reference).close()
        assert mode(db) == 0o600
    finally:
        os.umask(old)


# --------------------------------------------------------------------------- finding 8


@pytest.mark.parametrize("where", ["var dir is a file", "parent of var dir is a file",
                                   "database is a folder"])
def test_var_dir_that_is_a_file_or_not_creatable_gives_a_dutch_message(
        tmp_path, settings, capsys, reference, where):
    """'Tracebacks instead of Dutch messages: var dir is a file or not creatable'"""
    blocker = tmp_path / "var"
    if where == "database is a folder":
        database = tmp_path / "db.sqlite"
        database.mkdir()
    else:
        blocker.write_text("ik ben een bestand")
        database = (blocker / "infrakaart.sqlite" if where == "var dir is a file"
                    else blocker / "sub" / "infrakaart.sqlite")
    with pytest.raises(StoreError) as caught:
        Store(database, reference)
    message = str(caught.value)
    assert "map" in message and ("bestand" in message)
    assert main(["export", "--formaat", "csv", "--uitvoer", str(tmp_path / "uit.csv"),
                 "--database", str(database)], settings=settings) == 1
    err = capsys.readouterr().err
    assert err.startswith("Fout: ") and "Traceback" not in err


def test_disk_full_during_an_import_gives_a_dutch_message_and_changes_nothing(
        tmp_path, reference):
    """'Tracebacks instead of Dutch messages: ..., disk full during commit, ...'"""
    db = tmp_path / "register.sqlite"
    with Store(db, reference) as store:
        store.save_organisation({"naam": "Bestaand B.V."}, user="anna")
        before = dump(db)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        # A real SQLITE_FULL: the file may not grow beyond its current size.
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        records = [{"naam": f"Groot {i} B.V.", "notities": "x" * 3000} for i in range(50)]
        with pytest.raises(StoreError, match="vol") as caught:
            store.apply_import(records, user="import")
        assert "niets opgeslagen" in str(caught.value)
        assert dump(db) == before
        # Once there is room again, the same import goes through.
        store._conn.execute("PRAGMA max_page_count = 1073741823")
        assert store.apply_import(records, user="import")["nieuw"] == 50


def test_a_file_that_is_no_database_gives_a_dutch_message_in_the_cli(tmp_path, settings,
                                                                     capsys):
    """'Tracebacks instead of Dutch messages' (the database file is garbage)"""
    db = tmp_path / "kapot.sqlite"
    db.write_bytes(b"dit is geen database " * 500)
    csv_path = tmp_path / "p.csv"
    csv_path.write_text("Organisatie;Postcode\nA;1621 AB\n", encoding="utf-8")
    assert main(["import", str(csv_path), "--offline", "--database", str(db)],
                settings=settings) == 1
    err = capsys.readouterr().err
    assert "beschadigd of geen Infrakaart-database" in err
    assert "Traceback" not in err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root may write any file")
def test_an_unwritable_database_gives_a_dutch_message(tmp_path, reference):
    """'Tracebacks instead of Dutch messages' (no write permission on the database)"""
    db = tmp_path / "register.sqlite"
    Store(db, reference).close()
    db.chmod(0o400)
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="alleen-lezen|geopend|rechten"):
            with Store(db, reference) as store:
                store.save_organisation({"naam": "X"}, user="anna")
    finally:
        tmp_path.chmod(0o700)
        db.chmod(0o600)
