"""Backups and restores of the register, and the copy made before a schema upgrade."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta

import pytest

from geo.cli import main
from geo.errors import StoreError
from geo.register import backup
from geo.register.schema import SCHEMA_VERSION, apply_migrations
from geo.register.store import Store

HOORN = {"postcode": "1628ab", "plaats": "Hoorn", "lat": 52.6476, "lon": 5.0681}


def partner(n: int) -> dict:
    return {"naam": f"Partner {n} B.V.", "soort": "aannemer", **HOORN}


@pytest.fixture
def register(settings, reference):
    """A register with three partners, at ``settings.database_path``."""
    with Store(settings.database_path, reference) as store:
        for n in range(3):
            store.save_organisation(partner(n), user="anna")
    return settings.database_path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def unmatched_rows(path) -> tuple[int, int]:
    """Organisations without their creation in the history, and history without its row.

    Every save writes the organisation and its history in one transaction, so a
    consistent copy has neither.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        orphans = conn.execute(
            "SELECT count(*) FROM organisaties o WHERE NOT EXISTS (SELECT 1 FROM historie h "
            "WHERE h.tabel = 'organisaties' AND h.record_id = o.id)").fetchone()[0]
        ghosts = conn.execute(
            "SELECT count(DISTINCT record_id) FROM historie WHERE tabel = 'organisaties' "
            "AND record_id NOT IN (SELECT id FROM organisaties)").fetchone()[0]
    finally:
        conn.close()
    return orphans, ghosts


# -- making backups ---------------------------------------------------------------------


def test_backup_is_a_private_checked_copy(register, settings):
    made, removed = backup.make_backup(register, settings.backup_dir, keep=3)
    assert removed == []
    assert made.parent == settings.backup_dir
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.backup_dir.stat().st_mode) == 0o700
    info = backup.inspect_register(made)
    assert info.schema_version == SCHEMA_VERSION
    assert info.counts["organisaties"] == 3
    # one self-contained file: no WAL beside it, nothing temporary left
    assert sorted(p.name for p in settings.backup_dir.iterdir()) == [made.name]
    conn = sqlite3.connect(made)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_backup_while_another_connection_writes(settings, reference, tmp_path):
    """Backups taken during a stream of saves are consistent and restore to a register."""
    Store(settings.database_path, reference).close()
    written = 0
    progress = threading.Condition()
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        nonlocal written
        try:
            with Store(settings.database_path, reference) as store:  # its own connection
                while not stop.is_set():
                    store.save_organisation(partner(written), user="schrijver")
                    with progress:
                        written += 1
                        progress.notify_all()
        except BaseException as err:  # reported by the main thread
            failures.append(err)
            with progress:
                progress.notify_all()

    thread = threading.Thread(target=writer)
    thread.start()
    made = []
    try:
        for round_ in range(1, 5):
            with progress:  # each backup starts after more saves, while saves go on
                progress.wait_for(lambda r=round_: written >= 5 * r or failures, timeout=120)
            made.append(backup.make_backup(settings.database_path, settings.backup_dir,
                                           keep=10)[0])
    finally:
        stop.set()
        thread.join()
    assert failures == []
    counts = [backup.inspect_register(path).counts["organisaties"] for path in made]
    assert counts == sorted(counts) and counts[0] >= 5 and counts[-1] > counts[0]
    assert written > counts[0]
    for path in made:
        assert unmatched_rows(path) == (0, 0)
    target = tmp_path / "hersteld" / "infrakaart.sqlite"
    result = backup.restore_backup(made[-1], target, tmp_path / "hersteld" / "backups")
    assert result.safety_copy is None  # there was no register there yet
    with Store(target, reference) as restored:
        assert restored.organisation_count() == counts[-1]
    assert unmatched_rows(target) == (0, 0)


def test_prune_keeps_the_newest_and_every_copy_with_a_reason(register, settings):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for day in range(5):
        backup.make_backup(register, settings.backup_dir, keep=3,
                           now=lambda d=day: start + timedelta(days=d))
    conn = sqlite3.connect(register)
    upgrade = backup.copy_database(conn, settings.backup_dir, reason="voor-upgrade-v4",
                                   now=lambda: start - timedelta(days=30))
    conn.close()
    backup.make_backup(register, settings.backup_dir, keep=3,
                       now=lambda: start + timedelta(days=9))
    kept = backup.list_backups(settings.backup_dir)
    assert [b.made.day for b in kept if not b.reason] == [4, 5, 10]
    assert upgrade in [b.path for b in kept]
    assert backup.latest_backup(settings.backup_dir).made == start + timedelta(days=9)


def test_backup_command(register, settings, capsys):
    assert main(["backup", "--bewaar", "1"], settings=settings) == 0
    assert main(["backup", "--bewaar", "1"], settings=settings) == 0
    out = capsys.readouterr().out
    assert "Reservekopie gemaakt" in out and "3 organisaties" in out
    assert "1 oudere reservekopie verwijderd" in out
    assert len(backup.list_backups(settings.backup_dir)) == 1


def test_backup_of_a_missing_register_is_refused_in_dutch(settings, tmp_path, capsys):
    code = main(["backup", "--database", str(tmp_path / "geen.sqlite")], settings=settings)
    assert code == 1
    assert "bestaat niet" in capsys.readouterr().err
    assert not (tmp_path / "geen.sqlite").exists()


def test_backup_into_a_file_instead_of_a_folder_fails_cleanly(register, settings, tmp_path):
    blocker = tmp_path / "blokkade"
    blocker.write_text("geen map", encoding="utf-8")
    with pytest.raises(StoreError, match="reservekopieën"):
        backup.make_backup(register, blocker, keep=3)
    assert blocker.read_text(encoding="utf-8") == "geen map"


# -- restoring --------------------------------------------------------------------------


def test_restore_brings_back_the_backup_and_keeps_the_current_register(
        register, settings, reference, capsys):
    made, _ = backup.make_backup(register, settings.backup_dir, keep=5)
    with Store(register, reference) as store:
        store.save_organisation(partner(99), user="anna")
        assert store.organisation_count() == 4
    assert main(["herstel", str(made)], settings=settings) == 0
    out = capsys.readouterr().out
    assert "Teruggezet" in out and "voor-herstel" in out
    with Store(register, reference) as store:
        assert store.organisation_count() == 3
    [safety] = [b for b in backup.list_backups(settings.backup_dir) if b.reason]
    assert safety.reason == backup.RESTORE_REASON
    assert backup.inspect_register(safety.path).counts["organisaties"] == 4


def _corrupt(path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(data), page):  # every page after the header page
        data[start + 8:start + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))


def _newer(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


def _not_a_register(path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE boodschappen (wat TEXT)")
    conn.commit()
    conn.close()


def _not_sqlite(path) -> None:
    path.write_text("naam;email\nJan;jan@voorbeeld.invalid\n", encoding="utf-8")


@pytest.mark.parametrize(("spoil", "message"), [
    (_corrupt, "beschadigd"),
    (_not_sqlite, "beschadigd of geen Infrakaart-register"),
    (_newer, f"schemaversie {SCHEMA_VERSION + 1}, nieuwer dan"),
    (_not_a_register, "geen Infrakaart-register"),
])
def test_restore_refuses_a_bad_file_and_leaves_the_register(register, settings, capsys,
                                                            spoil, message):
    made, _ = backup.make_backup(register, settings.backup_dir, keep=5)
    spoil(made)
    before = digest(register)
    assert main(["herstel", str(made)], settings=settings) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert digest(register) == before
    assert [b for b in backup.list_backups(settings.backup_dir) if b.reason] == []


def test_restore_of_the_register_onto_itself_is_refused(register, settings):
    with pytest.raises(StoreError, match="het register zelf"):
        backup.restore_backup(register, register, settings.backup_dir)


# -- the copy before a schema upgrade -----------------------------------------------------


def _old_register(path, version: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=version)
    conn.execute(
        "INSERT INTO organisaties (naam, soort, postcode, aangemaakt, gewijzigd) "
        "VALUES ('Oude Grondwerken B.V.', 'aannemer', '1628 AB', '2024-01-01', '2024-01-01')")
    conn.execute("COMMIT")
    conn.close()


def test_opening_an_old_register_backs_it_up_first(settings, reference):
    path = settings.database_path
    _old_register(path, 3)
    with Store(path, reference, backup_dir=settings.backup_dir) as store:
        assert store.schema_version == SCHEMA_VERSION
    [copy] = backup.list_backups(settings.backup_dir)
    assert copy.reason == "voor-upgrade-v3"
    conn = sqlite3.connect(copy.path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    assert conn.execute("SELECT naam FROM organisaties").fetchall() == [
        ("Oude Grondwerken B.V.",)]
    conn.close()
    Store(path, reference, backup_dir=settings.backup_dir).close()  # now current: no copy
    assert len(backup.list_backups(settings.backup_dir)) == 1


def test_no_upgrade_without_its_backup(settings, reference, tmp_path):
    path = settings.database_path
    _old_register(path, 2)
    blocker = tmp_path / "geen-map"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(StoreError, match="niet gewijzigd"):
        Store(path, reference, backup_dir=blocker)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()


def test_a_new_register_needs_no_upgrade_backup(settings, reference):
    Store(settings.database_path, reference, backup_dir=settings.backup_dir).close()
    assert backup.list_backups(settings.backup_dir) == []


def test_restoring_an_old_backup_upgrades_it_after_a_copy(settings, reference, capsys):
    old = settings.var_dir / "oud.sqlite"
    _old_register(old, 4)
    Store(settings.database_path, reference).close()
    assert main(["herstel", str(old)], settings=settings) == 0
    assert f"bijgewerkt naar schemaversie {SCHEMA_VERSION}" in capsys.readouterr().out
    reasons = sorted(b.reason for b in backup.list_backups(settings.backup_dir))
    assert reasons == ["voor-herstel", "voor-upgrade-v4"]
    with Store(settings.database_path, reference) as store:
        assert store.organisations()["naam"].tolist() == ["Oude Grondwerken B.V."]


def test_keeping_fewer_than_one_backup_is_refused(register, settings, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["backup", "--bewaar", "0"], settings=settings)
    assert stop.value.code == 2
    assert "van 1 of meer" in capsys.readouterr().err
    assert backup.list_backups(settings.backup_dir) == []
