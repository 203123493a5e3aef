"""The offline import (``infrakaart import BESTAND --offline``) against a lean baseline.

The benchmark writes its own partner list from the bundled reference (real PC4 postcodes
with two letters, the CBS place names; mostly in the five regions), at 2,000 and 20,000
rows, with a few percent of messy rows as offices keep them: misspelt places, letters
typed for digits, invalid postcodes, postcode and place in one cell, rows without a
name or postcode, duplicate rows and foreign addresses. Nothing is committed.

Measured in this process, one after the other (each the fastest of a few runs):

* **real**: the ``import`` command itself (:func:`geo.cli.main`, ``--offline``) into a
  fresh temporary register that exists already (opening and seeding it is not counted),
  then the same file again (every row known: updates); and the same path split into its
  stages (read → verdicts → records → register), CPU seconds each;
* **lean**: what a first vectorised script would do: ``pandas.read_csv``, postcode →
  PC4 point by a merge, a duplicate key, one ``executemany`` into SQLite in one
  transaction (no verdicts, no history, no checks, no areas);
* **lean_same_work**: the lean script plus what the register adds to every row, in
  bulk: the areas of each point (the app's own ``assign_areas``), every column, one
  history row per organisation;
* **cold**: the real command in a fresh child process at 20,000 rows (csv and xlsx): its
  own peak resident set (``VmHWM``; ``ru_maxrss`` is shown too, but on Linux it keeps
  the resident set of this process at the fork, so it measures the benchmark more than
  the command) and the wall and CPU time including start-up and loading the reference
  data.

Ratios are lean / real time (1.0: as fast as the baseline), in the same run. Goals
(issue 13) at 20,000 rows: ≥ 5,000 rows/s, ≥ 0.5 × lean, peak ≤ 500 MB.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from geo.reference.data import load_reference
from geo.settings import Settings

SIZES = (2_000, 20_000)

#: Runs of each measurement; the fastest counts (the machine is shared: noise only adds).
REAL_REPEATS, LEAN_REPEATS = 2, 3

#: Share of rows of each kind of mess (the rest is clean).
MESS = {"misspelt": 0.015, "lookalike": 0.004, "invalid": 0.004, "together": 0.003,
        "no_postcode": 0.004, "no_name": 0.002, "foreign": 0.001, "duplicate": 0.01}

HEADER = ["Organisatie", "Soort", "Adres", "Postcode", "Plaats", "Land", "Donateur",
          "Contactpersoon", "E-mail", "Telefoon"]

KINDS = ["Aannemer", "Ingenieursbureau", "Netbeheerder", "Riolering", "Asfalt",
         "Landmeetkunde", "Overheid", "Onderwijs", "Wegenbouw", ""]

WORDS = ["Infra", "Grondwerk", "Wegenbouw", "Kabels", "Waterbouw", "Civiel", "Bestrating",
         "Leidingbouw", "Techniek", "Advies", "Bagger", "Sloop", "Netwerken", "Groen"]

STREETS = ["Dorpsstraat", "Kerkweg", "Havenweg", "Industrieweg", "Stationsplein",
           "Middenweg", "Zeeweg", "Kanaalkade", "Molenweg", "Schoolstraat"]


# --------------------------------------------------------------------------- the file


def _misspell(rng: np.random.Generator, place: str) -> str:
    """One letter dropped or doubled, or two swapped (as people type)."""
    if len(place) < 5:
        return place + place[-1]
    i = int(rng.integers(1, len(place) - 2))
    how = int(rng.integers(3))
    if how == 0:
        return place[:i] + place[i + 1:]
    if how == 1:
        return place[:i] + place[i] + place[i:]
    return place[:i] + place[i + 1] + place[i] + place[i + 2:]


def partner_rows(reference, n: int, *, seed: int = 13) -> list[list[str]]:
    """``n`` data rows (cells as text) in :data:`HEADER` order, messy as :data:`MESS` says."""
    rng = np.random.default_rng(seed)
    pc4 = reference.pc4[reference.pc4["plaats_certegis"].fillna("") != ""]
    region = set(reference.gemeenten["gemeentecode"])
    inside = pc4[pc4["gemeentecode"].isin(region)]
    outside = pc4[~pc4["gemeentecode"].isin(region)]
    chosen = pd.concat([inside.sample(int(n * 0.85), replace=True, random_state=seed),
                        outside.sample(n - int(n * 0.85), replace=True, random_state=seed)])
    chosen = chosen.sample(frac=1.0, random_state=seed)
    letters = np.array(list("ABCDEFGHJKLMNPRSTVWXZ"))
    rows = []
    for i, (code, place) in enumerate(zip(chosen["pc4"].astype(str),
                                          chosen["plaats_certegis"], strict=True)):
        pair = "".join(rng.choice(letters, 2))
        name = f"{WORDS[i % len(WORDS)]} {place} {i + 1}"
        contact = f"J. de Vries {i}" if i % 3 == 0 else ""
        rows.append([
            name, KINDS[i % len(KINDS)], f"{STREETS[i % len(STREETS)]} {i % 97 + 1}",
            f"{code} {pair}" if i % 4 else f"{code}{pair.lower()}", place, "",
            "ja" if i % 5 == 0 else "nee", contact,
            f"info{i}@voorbeeld.nl" if i % 3 == 0 else "",
            f"072-{5550000 + i}" if i % 6 == 0 else "",
        ])
    picks = rng.permutation(n)
    start = 0
    for kind, share in MESS.items():
        count = max(1, int(round(n * share)))
        for index in picks[start:start + count]:
            row = rows[index]
            if kind == "misspelt":
                row[4] = _misspell(rng, row[4])
            elif kind == "lookalike":
                row[3] = row[3].replace("0", "O", 1).replace("1", "l", 1)
            elif kind == "invalid":
                row[3] = ["12345", "ABCD", "0123 AB", "9999 ZZZ"][int(index) % 4]
            elif kind == "together":
                row[3], row[4] = f"{row[3]} {row[4]}", ""
            elif kind == "no_postcode":
                row[3] = ""
            elif kind == "no_name":
                row[0] = ""
            elif kind == "foreign":
                row[5] = "België"
            elif kind == "duplicate":
                other = rows[int(rng.integers(n))]
                rows[index] = [*other[:3], other[3].upper(), *other[4:]]
        start += count
    return rows


def partner_csv(rows: list[list[str]]) -> bytes:
    """The rows as a Dutch Excel CSV (semicolons, UTF-8 with BOM)."""
    out = io.StringIO()
    pd.DataFrame(rows, columns=HEADER).to_csv(out, sep=";", index=False)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def partner_xlsx(rows: list[list[str]]) -> bytes:
    """The rows as an .xlsx workbook (one sheet, the header on row 1).

    Written as Excel writes it, with the sheet's dimension (openpyxl's write-only mode
    leaves it out, and a reader then has to scan the sheet once more to size it).
    """
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Partners"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- measuring


def _settings(tmp: Path) -> Settings:
    """The environment's settings, writing logs nowhere and var files into ``tmp``.

    The stages read with the command line's row limit, as ``infrakaart import`` does.
    """
    base = Settings.from_env()
    rows = getattr(base, "max_cli_import_rows", base.max_import_rows)
    return dataclasses.replace(base, var_dir=tmp, log_file=False, max_import_rows=rows,
                               database_path=tmp / "register.sqlite",
                               geocode_cache_path=tmp / "cache.sqlite")


def _timed(work) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _fresh_register(reference, path: Path) -> None:
    from geo.register.store import Store

    with Store(path, reference):
        pass


def real_import(path: Path, database: Path, settings: Settings) -> dict:
    """``infrakaart import PATH --offline`` in this process; wall and CPU seconds."""
    from geo.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        wall, cpu, code = _timed(lambda: main(
            ["import", str(path), "--offline", "--database", str(database)],
            settings=settings))
    if code != 0:
        raise RuntimeError(f"import failed ({code}): {err.getvalue()[-500:]}")
    return {"wall_s": wall, "cpu_s": cpu, "summary": next(
        (line for line in out.getvalue().splitlines() if "gecontroleerd:" in line), "")}


def real_stages(data: bytes, filename: str, database: Path, settings: Settings,
                reference) -> dict:
    """The same path as the command, stage by stage (CPU seconds)."""
    from geo.auth import LOCAL_ADMIN_ROLE
    from geo.intake.geocoding import make_geocoder
    from geo.intake.reading import read_table
    from geo.intake.records import to_records
    from geo.intake.verdicts import check_rows
    from geo.register.store import Store

    stages: dict[str, float] = {}
    _, stages["read"], table = _timed(lambda: read_table(data, filename, settings=settings))
    with Store(database, reference) as store:
        _, stages["register_read"], existing = _timed(store.organisations)
        _, stages["geocoder"], geocoder = _timed(
            lambda: make_geocoder(settings, store.gazetteer, offline=True))
        _, stages["verdicts"], verdicts = _timed(lambda: check_rows(
            table, geocoder=geocoder, reference=reference, existing=existing))
        _, stages["records"], records = _timed(lambda: to_records(
            verdicts, fields=table.fields, reference=reference))
        _, stages["register_write"], outcome = _timed(lambda: store.apply_import(
            records, user="bench", role=LOCAL_ADMIN_ROLE))
    return {"cpu_s": {k: round(v, 3) for k, v in stages.items()},
            "written": outcome["nieuw"] + outcome["bijgewerkt"]}


def lean_import(data: bytes, pc4: pd.DataFrame, database: Path, *, reference=None
                ) -> int:
    """Baseline: read, postcode → PC4 point by a merge, duplicate key, one executemany.

    With ``reference`` the same work as the register's, done in bulk: also the areas of
    every point (:func:`geo.reference.regions.assign_areas`), every column and one
    history row per organisation.
    """
    frame = pd.read_csv(io.BytesIO(data), sep=";", dtype=str, keep_default_na=False,
                        encoding="utf-8-sig")
    postcode = frame["Postcode"].str.replace(r"\s+", "", regex=True).str.upper()
    frame["pc4"] = postcode.str.extract(r"^([1-9][0-9]{3})(?:[A-Z]{2})?$")[0]
    frame = frame.merge(pc4, on="pc4", how="left")
    frame["key"] = (frame["Organisatie"].str.casefold().str.strip() + "|" + postcode)
    frame = frame[frame["Organisatie"] != ""].drop_duplicates("key")
    columns = ["Organisatie", "Soort", "Adres", "Postcode", "Plaats", "lat_pos", "lon_pos",
               "key"]
    if reference is not None:
        from geo.reference.regions import assign_areas

        areas = assign_areas(frame["lon_pos"].to_numpy(float), frame["lat_pos"].to_numpy(float),
                             reference)
        for name in areas.columns:
            frame[name] = areas[name].to_numpy()
        columns = [c for c in frame.columns if c != "pc4"]
    frame = frame[columns].astype(object).where(frame[columns].notna(), None)
    conn = sqlite3.connect(database)
    try:
        conn.execute(f"CREATE TABLE partners (id INTEGER PRIMARY KEY, "
                     f"{', '.join(f'c{i}' for i in range(len(columns)))})")
        conn.execute("CREATE TABLE historie (id INTEGER PRIMARY KEY, wanneer, gebruiker, "
                     "record_id, veld, nieuw)")
        with conn:
            conn.executemany(
                f"INSERT INTO partners VALUES (?, {', '.join('?' * len(columns))})",
                ((i, *row) for i, row in enumerate(frame.itertuples(index=False, name=None),
                                                   start=1)))
            if reference is not None:
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
                conn.executemany(
                    "INSERT INTO historie (wanneer, gebruiker, record_id, veld, nieuw) "
                    "VALUES (?, ?, ?, ?, ?)",
                    ((stamp, "bench", i, "(aangemaakt)", name)
                     for i, name in enumerate(frame["Organisatie"], start=1)))
    finally:
        conn.close()
    return len(frame)


_CHILD = """
import contextlib, io, json, resource, sys
from geo.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["import", sys.argv[1], "--offline", "--database", sys.argv[2]])
usage = resource.getrusage(resource.RUSAGE_SELF)
hwm = None  # this process's own peak: Linux keeps ru_maxrss of the parent across exec
try:
    with open("/proc/self/status", encoding="ascii") as status:
        hwm = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")),
                   None)
except OSError:
    pass
print(json.dumps({"code": code, "peak_kb": hwm or usage.ru_maxrss,
                  "ru_maxrss_kb": usage.ru_maxrss, "cpu_s": usage.ru_utime + usage.ru_stime}))
"""


def child_run(path: Path, database: Path, tmp: Path) -> dict:
    """The real command in a fresh process: peak resident memory (MB), wall and CPU.

    Start-up (imports, loading the reference data) is included: this is what a person
    typing ``infrakaart import`` waits for.
    """
    env = {**os.environ, "INFRAKAART_VAR_DIR": str(tmp), "INFRAKAART_LOG_FILE": "0"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(database)],
                          capture_output=True, text=True, env=env, check=False,
                          cwd=Path(__file__).resolve().parent.parent)
    wall = time.perf_counter() - started
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": done.stderr[-500:]}
    return {"exit_code": result["code"], "peak_mb": round(result["peak_kb"] / 1024, 1),
            "ru_maxrss_mb": round(result["ru_maxrss_kb"] / 1024, 1),
            "wall_s": round(wall, 3), "cpu_s": round(result["cpu_s"], 3)}


def _rate(rows: int, seconds: float) -> float | None:
    return round(rows / seconds, 1) if seconds > 0 else None


def _best(times: list[tuple[float, float]]) -> tuple[float, float]:
    """The fastest of repeated runs (wall, CPU): the machine is shared, noise only adds."""
    return min(t[0] for t in times), min(t[1] for t in times)


def _measure(reference, pc4, settings, tmp: Path, n: int) -> dict:
    """Real import (fresh and again), its stages and both baselines, for ``n`` rows."""
    data = partner_csv(partner_rows(reference, n))
    path = tmp / f"partners_{n}.csv"
    path.write_bytes(data)
    lean, same_work = [], []
    for i in range(LEAN_REPEATS):
        wall, cpu, written = _timed(lambda i=i: lean_import(data, pc4, tmp / f"l{n}_{i}.db"))
        lean.append((wall, cpu))
        wall, cpu, _ = _timed(lambda i=i: lean_import(data, pc4, tmp / f"s{n}_{i}.db",
                                                      reference=reference))
        same_work.append((wall, cpu))
    real, again = [], []
    for i in range(REAL_REPEATS):
        database = tmp / f"real_{n}_{i}.sqlite"
        _fresh_register(reference, database)
        first = real_import(path, database, settings)
        real.append((first["wall_s"], first["cpu_s"]))
        second = real_import(path, database, settings)  # every row known: updates
        again.append((second["wall_s"], second["cpu_s"]))
    staged = tmp / f"staged_{n}.sqlite"
    _fresh_register(reference, staged)
    stages = real_stages(data, path.name, staged, settings, reference)
    (real_wall, real_cpu), (lean_wall, lean_cpu) = _best(real), _best(lean)
    same_wall, same_cpu = _best(same_work)
    return {
        "rows": n, "csv_bytes": len(data), "summary": first["summary"],
        "real": {"wall_s": round(real_wall, 3), "cpu_s": round(real_cpu, 3),
                 "rows_per_s": _rate(n, real_wall), "rows_per_cpu_s": _rate(n, real_cpu)},
        "reimport": {"wall_s": round(_best(again)[0], 3),
                     "rows_per_s": _rate(n, _best(again)[0])},
        "stages": stages,
        "lean": {"wall_s": round(lean_wall, 3), "cpu_s": round(lean_cpu, 3),
                 "rows_written": written, "rows_per_s": _rate(n, lean_wall)},
        "lean_same_work": {"wall_s": round(same_wall, 3), "cpu_s": round(same_cpu, 3),
                           "rows_per_s": _rate(n, same_wall)},
        "ratio_real_to_lean": round(lean_wall / real_wall, 3),
        "ratio_cpu_real_to_lean": round(lean_cpu / real_cpu, 3),
        "ratio_real_to_lean_same_work": round(same_wall / real_wall, 3),
        "ratio_cpu_real_to_lean_same_work": round(same_cpu / real_cpu, 3),
    }


def run() -> dict:
    """Real import vs lean baselines at 2,000 and 20,000 rows; memory at 20,000."""
    reference = load_reference(Settings().data_dir)
    pc4 = reference.pc4[["pc4", "lat_pos", "lon_pos"]].assign(
        pc4=lambda f: f["pc4"].astype(str))
    out: dict = {"mess": MESS, "repeats": {"real": REAL_REPEATS, "lean": LEAN_REPEATS},
                 "load_average_before": os.getloadavg(), "sizes": []}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        settings = _settings(tmp)
        out["max_cli_import_rows"] = settings.max_import_rows
        for n in SIZES:
            out["sizes"].append(_measure(reference, pc4, settings, tmp, n))
        big = max(SIZES)
        database = tmp / "memory.sqlite"
        _fresh_register(reference, database)
        out["cold_cli_csv"] = {"rows": big,
                               **child_run(tmp / f"partners_{big}.csv", database, tmp)}
        xlsx = tmp / f"partners_{big}.xlsx"
        xlsx.write_bytes(partner_xlsx(partner_rows(reference, big)))
        database = tmp / "xlsx.sqlite"
        _fresh_register(reference, database)
        real = real_import(xlsx, database, settings)
        out["xlsx"] = {"rows": big, "bytes": xlsx.stat().st_size,
                       "real_wall_s": round(real["wall_s"], 3),
                       "real_cpu_s": round(real["cpu_s"], 3),
                       "real_rows_per_s": _rate(big, real["wall_s"]),
                       "real_rows_per_cpu_s": _rate(big, real["cpu_s"])}
        database = tmp / "memory_xlsx.sqlite"
        _fresh_register(reference, database)
        out["cold_cli_xlsx"] = {"rows": big, **child_run(xlsx, database, tmp)}
    last = out["sizes"][-1]
    # The machine may be shared: a load above its cores stretches wall time (CPU less).
    out["load_average_after"] = os.getloadavg()
    out["goals"] = {
        "rows_per_s_at_20000": last["real"]["rows_per_s"],
        "rows_per_cpu_s_at_20000": last["real"]["rows_per_cpu_s"], "goal_rows_per_s": 5000,
        "ratio_to_lean_at_20000": last["ratio_real_to_lean"],
        "ratio_cpu_to_lean_at_20000": last["ratio_cpu_real_to_lean"],
        "ratio_to_lean_same_work_at_20000": last["ratio_real_to_lean_same_work"],
        "goal_ratio": 0.5,
        "peak_mb_at_20000": out["cold_cli_csv"].get("peak_mb"), "goal_peak_mb": 500,
    }
    return out
