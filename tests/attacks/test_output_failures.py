"""Attacks on file output: unwritable paths, full disks, size limits, readable staff files.

Findings: "Tracebacks instead of Dutch messages: ... output folder not writable, disk
full ..., file-size limit during export (and `kaart` leaves a temp file behind)" and
"the database, its WAL and staff GeoJSON/GPKG exports are world-readable (0644)" (the
staff exports are covered here; the database elsewhere).
"""

from __future__ import annotations

import errno
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main
from geo.output.export import EXPORT_FORMATS, export_register
from geo.register.examples import load_example_data
from geo.register.store import Store

ROOT = Path(__file__).resolve().parents[2]
IMPORT_CSV = "Organisatie;Postcode;Plaats\nAsfalt Alkmaar;1811 AB;Alkmaar\n"
INFLOW_CSV = "Schooljaar;Postcode;Aantal;Bron\n2024-2025;1811;7;ROC Test\n"


@pytest.fixture
def register(tmp_path, reference) -> tuple[Path, str]:
    """A register with the example partners; returns its path and a school code."""
    path = tmp_path / "db" / "register.sqlite"
    path.parent.mkdir()
    with Store(path, reference) as store:
        load_example_data(store, user="test")
        school = store.schools().dropna(subset=["lat"]).iloc[0]["vestigingscode"]
    return path, school


@pytest.fixture
def writers(register, tmp_path) -> dict[str, list[str]]:
    """Every CLI command that writes a file, with ``{out}`` for the output path."""
    db, school = register
    source = tmp_path / "partners.csv"
    source.write_text(IMPORT_CSV, encoding="utf-8")
    inflow = tmp_path / "instroom.csv"
    inflow.write_text(INFLOW_CSV, encoding="utf-8")
    common = ["--database", str(db)]
    return {
        **{f"export-{fmt}": ["export", "--formaat", fmt, "--uitvoer", "{out}", *common]
           for fmt in EXPORT_FORMATS},
        "witte-vlekken": ["witte-vlekken", "--uitvoer", "{out}", *common],
        "witte-vlekken-xlsx": ["witte-vlekken", "--uitvoer", "{out}.xlsx", *common],
        "dichtbij": ["dichtbij", "--school", school, "--uitvoer", "{out}", *common],
        "ambassadeurs": ["ambassadeurs", "-k", "2", "--uitvoer", "{out}", *common],
        "import": ["import", str(source), "--offline", "--droog", "--uitvoer", "{out}",
                   *common],
        "kaart": ["kaart", "--publiek", "--uitvoer", "{out}", *common],
        "instroom-import": ["instroom", "import", str(inflow), "--droog", "--uitvoer", "{out}",
                            *common],
        "instroom-overzicht": ["instroom", "overzicht", "--uitvoer", "{out}", *common],
    }


COMMANDS = ["export-csv", "export-xlsx", "export-geojson", "export-gpkg", "witte-vlekken",
            "witte-vlekken-xlsx", "dichtbij", "ambassadeurs", "import", "kaart",
            "instroom-import", "instroom-overzicht"]


def run(argv: list[str], out: Path, settings, capsys) -> tuple[int, str, str]:
    code = main([a.replace("{out}", str(out)) for a in argv], settings=settings)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_dutch_failure(code: int, out: str, err: str, reason: str) -> None:
    assert code == 2
    assert err.startswith("Fout: Kan ") and "niet schrijven" in err
    assert reason in err
    assert "Traceback" not in err and "Errno" not in err
    assert "geschreven naar" not in out.lower()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("command", COMMANDS)
def test_output_folder_that_is_a_file_gives_a_dutch_message(writers, tmp_path, settings,
                                                            capsys, command):
    """Finding: "Tracebacks instead of Dutch messages: ... output folder not writable"."""
    blocker = tmp_path / "geen-map.txt"
    blocker.write_text("blijft staan", encoding="utf-8")
    out = blocker / "uit" / "bestand.csv"
    code, printed, err = run(writers[command], out, settings, capsys)
    assert_dutch_failure(code, printed, err, "een deel van het pad is een bestand, geen map")
    assert str(blocker) in err
    assert blocker.read_text(encoding="utf-8") == "blijft staan"


@pytest.mark.parametrize("command", COMMANDS)
def test_output_path_that_is_a_folder_gives_a_dutch_message(writers, tmp_path, settings,
                                                            capsys, command):
    """Finding: "Tracebacks instead of Dutch messages" (the output names a folder)."""
    folder = tmp_path / "uitvoer"
    folder.mkdir()
    argv = [a.replace("{out}.xlsx", "{out}") for a in writers[command]]
    code, printed, err = run(argv, folder, settings, capsys)
    assert_dutch_failure(code, printed, err, "dat is een map")
    assert leftovers(folder) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
@pytest.mark.parametrize("command", ["export-csv", "export-gpkg", "kaart"])
def test_read_only_output_folder_gives_a_dutch_message(writers, tmp_path, settings, capsys,
                                                       command):
    """Finding: "Tracebacks instead of Dutch messages: ... output folder not writable"."""
    folder = tmp_path / "alleen-lezen"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, printed, err = run(writers[command], folder / "x.out", settings, capsys)
    finally:
        folder.chmod(0o755)
    assert_dutch_failure(code, printed, err, "geen schrijfrechten")
    assert leftovers(folder) == []


@pytest.mark.parametrize(("number", "reason"), [
    (errno.EACCES, "geen schrijfrechten"),
    (errno.EROFS, "alleen-lezen"),
    (errno.ENOENT, "de map bestaat niet"),
])
def test_unwritable_folder_as_the_system_reports_it(writers, tmp_path, settings, capsys,
                                                    monkeypatch, number, reason):
    """Finding: "output folder not writable" — also where root would bypass permissions."""
    def refuse(*args, **kwargs):
        raise OSError(number, os.strerror(number), kwargs.get("dir"))

    monkeypatch.setattr("geo.output.files.tempfile.mkdtemp", refuse)
    folder = tmp_path / "uit"
    code, printed, err = run(writers["export-csv"], folder / "r.csv", settings, capsys)
    assert_dutch_failure(code, printed, err, reason)
    assert not (folder / "r.csv").exists()


@pytest.mark.parametrize("command", ["export-csv", "export-xlsx", "import", "kaart",
                                     "ambassadeurs"])
def test_disk_full_keeps_the_old_file_and_leaves_no_temp_file(writers, tmp_path, settings,
                                                              capsys, monkeypatch, command):
    """Finding: "Tracebacks instead of Dutch messages: ... disk full"."""
    folder = tmp_path / "uit"
    folder.mkdir()
    out = folder / "bestand.csv"
    out.write_text("oude versie", encoding="utf-8")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("geo.output.files.os.fsync", disk_full)
    argv = [a.replace("{out}.xlsx", "{out}") for a in writers[command]]
    code, printed, err = run(argv, out, settings, capsys)
    assert_dutch_failure(code, printed, err, "de schijf is vol")
    assert out.read_text(encoding="utf-8") == "oude versie"
    assert leftovers(folder) == ["bestand.csv"]


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize(("command", "limit"), [
    (["kaart", "--publiek"], 256 * 1024),  # the map is ~800 kB
    (["export", "--formaat", "gpkg"], 64 * 1024),  # GeoPackage ~110 kB, via GDAL
])  # (below ~40 kB SQLite itself cannot open the register: its shared memory file)
def test_file_size_limit_gives_a_dutch_message_and_no_temp_file(register, tmp_path, command,
                                                               limit):
    """Finding: "file-size limit during export (and `kaart` leaves a temp file behind)"."""
    db, _ = register
    folder = tmp_path / "uit"
    folder.mkdir()
    out = folder / "bestand.out"
    out.write_text("oude versie", encoding="utf-8")
    env = {**os.environ, "INFRAKAART_VAR_DIR": str(tmp_path), "INFRAKAART_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "geo.cli", *command, "--uitvoer", str(out), "--database",
         str(db)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
        preexec_fn=_limit_file_size(limit),
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"Fout: Kan {out} niet schrijven")
    assert "groter dan" in done.stderr
    assert "Traceback" not in done.stderr
    assert out.read_text(encoding="utf-8") == "oude versie"
    assert leftovers(folder) == ["bestand.out"]


def test_missing_output_folders_are_created(writers, tmp_path, settings, capsys):
    """Decision: a missing output folder is made (as before for export and kaart)."""
    out = tmp_path / "nieuw" / "diep" / "lijst.csv"
    code, printed, err = run(writers["dichtbij"], out, settings, capsys)
    assert code == 0, err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_staff_export_is_private_and_public_export_is_not_writable_by_others(
    register, reference, tmp_path, fmt
):
    """Finding: "staff GeoJSON/GPKG exports are world-readable (0644)"."""
    db, _ = register
    staff, public = tmp_path / f"intern.{fmt}", tmp_path / f"openbaar.{fmt}"
    staff.write_text("oud", encoding="utf-8")
    staff.chmod(0o644)  # an older, readable staff export is replaced by a private one
    old_umask = os.umask(0)  # even a permissive umask gives no more than 0644
    try:
        with Store(db, reference) as store:
            export_register(store, staff, fmt=fmt, public=False)
            export_register(store, public, fmt=fmt, public=True)
    finally:
        os.umask(old_umask)
    assert _mode(staff) == 0o600
    assert _mode(public) == 0o644


def test_staff_map_and_import_result_are_private(writers, register, tmp_path, settings,
                                                 capsys):
    """Finding: files with personal data are world-readable (the staff map, import results)."""
    db, _ = register
    staff_map = tmp_path / "team.html"
    assert main(["kaart", "--uitvoer", str(staff_map), "--database", str(db)],
                settings=settings) == 0
    result = tmp_path / "resultaat.csv"
    code, _, err = run(writers["import"], result, settings, capsys)
    assert code == 0, err
    public_map = tmp_path / "publiek.html"
    code, _, err = run(writers["kaart"], public_map, settings, capsys)
    assert code == 0, err
    inflow_result = tmp_path / "instroom-resultaat.csv"
    code, _, err = run(writers["instroom-import"], inflow_result, settings, capsys)
    assert code == 0, err
    assert _mode(staff_map) == 0o600
    assert _mode(result) == 0o600
    assert _mode(inflow_result) == 0o600  # row messages quote the file
    assert _mode(public_map) & 0o022 == 0
