"""Start-up of the command line: CPU of ``infrakaart`` commands in a fresh process.

Every command runs in a subprocess (``python -m geo.cli …``, as the console script does)
against a temporary register holding the example data (``infrakaart voorbeeld``, offline,
``INFRAKAART_VAR_DIR`` pointing at a temporary folder). Its CPU time (user + system, from
``resource.getrusage(RUSAGE_CHILDREN)`` before and after) is set against two baselines run
in the same way in the same run, ``python -c pass`` and ``python -c "import pandas"``, and
against the same command called in this process after a warm-up (``geo.cli.main``: modules
imported, reference loaded, caches filled), i.e. the work itself. The difference between the
two is the command's start-up overhead. Each figure is the least of :data:`REPEATS` runs
(the machine is shared; the least is the one least disturbed).

Also reported per command: which heavy libraries it imports (``sys.modules`` at exit in a
separate run), how many modules in all, and the floor those imports set: the CPU of a fresh
``python -c`` that imports exactly the third-party modules the command loaded, nothing else.
``start_up_overhead_s - library_import_floor_cpu_s`` is the part of the start-up that is
Infrakaart's own (its modules, reading the reference, caches built on first use).

Goals (issue 13): ``waar`` ≤ 0.5 s CPU; ``kaart`` ≤ 1 s beyond the work in a warm process;
commands that do not draw import no folium, branca, matplotlib or mapclassify.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 5

#: Libraries whose import costs a noticeable part of a second (or that draw).
HEAVY = ("numpy", "pandas", "pyarrow", "geopandas", "shapely", "pyproj", "pyogrio", "scipy",
         "folium", "branca", "jinja2", "matplotlib", "mapclassify", "openpyxl", "xlsxwriter",
         "pulp", "rapidfuzz", "requests", "streamlit")

#: Libraries a command that does not draw must never import.
DRAWING = ("folium", "branca", "matplotlib", "mapclassify")

#: Runs the CLI like the console script and writes the names of the loaded modules to argv[1].
_MODULES_PROBE = """
import json, sys
out = sys.argv[1]
sys.argv = ["infrakaart", *sys.argv[2:]]
try:
    from geo.cli import main
    main()
except SystemExit:
    pass
finally:
    with open(out, "w", encoding="utf-8") as f:
        json.dump(sorted(sys.modules), f)
"""


def commands(tmp: Path) -> dict[str, list[str]]:
    """The measured commands: name → arguments (the register is the example data)."""
    return {
        "help": ["--help"],
        "waar_postcode": ["waar", "1911ab"],
        "waar_plaats": ["waar", "Schagen"],
        "witte_vlekken": ["witte-vlekken"],
        "dichtbij": ["dichtbij", "--school", "13EE00"],
        "kaart": ["kaart", "--uitvoer", str(tmp / "kaart.html")],
    }


def _child_cpu(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """CPU seconds (user + system) of one subprocess, and its exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, done.returncode


def _least_child_cpu(argv: list[str], env: dict[str, str]) -> dict:
    runs = [_child_cpu(argv, env) for _ in range(REPEATS)]
    codes = {code for _, code in runs}
    return {"cpu_s": round(min(cpu for cpu, _ in runs), 3),
            "exit_code": codes.pop() if len(codes) == 1 else sorted(codes)}


def _in_process_cpu(args: list[str], settings) -> float:
    """Least CPU seconds of ``geo.cli.main(args)`` in this process, after one warm-up."""
    from geo.cli import main

    def once() -> float:
        started = time.process_time()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                main(args, settings=settings)
            except SystemExit:  # --help
                pass
        return time.process_time() - started

    once()
    return round(min(once() for _ in range(REPEATS)), 3)


#: Imports the modules listed in the JSON file argv[1], in order; nothing else.
_IMPORT_ONLY = """
import importlib, json, sys
for name in json.load(open(sys.argv[1], encoding="utf-8")):
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


def _modules(args: list[str], env: dict[str, str], tmp: Path) -> tuple[dict, list[str]]:
    """What the command imports, and the third-party modules among them (import order)."""
    out = tmp / "modules.json"
    subprocess.run([sys.executable, "-c", _MODULES_PROBE, str(out), *args], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    loaded = json.loads(out.read_text(encoding="utf-8"))
    heavy = [name for name in HEAVY if name in loaded]
    third_party = [name for name in loaded
                   if name.split(".")[0] not in sys.stdlib_module_names
                   and name.split(".")[0] not in {"geo", "__main__"}
                   and not name.startswith("__editable__")]
    return ({"heavy": heavy, "heavy_count": len(heavy), "modules": len(loaded),
             "third_party_modules": len(third_party),
             "draws": [name for name in DRAWING if name in loaded]}, third_party)


def _import_floor(modules: list[str], env: dict[str, str], tmp: Path) -> float:
    """Least CPU of a fresh interpreter importing just ``modules``."""
    listing = tmp / "floor.json"
    listing.write_text(json.dumps(modules), encoding="utf-8")
    return _least_child_cpu([sys.executable, "-c", _IMPORT_ONLY, str(listing)], env)["cpu_s"]


def run() -> dict:
    """Measure every command of :func:`commands` against the baselines."""
    from geo.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = {**os.environ, "INFRAKAART_VAR_DIR": str(tmp / "var"), "INFRAKAART_OFFLINE": "1"}
        settings = Settings.from_env(env)
        subprocess.run([sys.executable, "-m", "geo.cli", "voorbeeld"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        python = [sys.executable]
        baseline = {
            "python_pass": _least_child_cpu([*python, "-c", "pass"], env)["cpu_s"],
            "python_import_pandas": _least_child_cpu([*python, "-c", "import pandas"],
                                                     env)["cpu_s"],
        }
        pandas_s = baseline["python_import_pandas"]
        out: dict = {"repeats": REPEATS, "baseline_cpu_s": baseline, "commands": {}}
        for name, args in commands(tmp).items():
            if name == "kaart":
                from geo.output.assets import missing_assets

                if missing_assets(settings.static_dir):
                    out["commands"][name] = {"skipped": "Leaflet assets missing: make setup"}
                    continue
            fresh = _least_child_cpu([*python, "-m", "geo.cli", *args], env)
            work = _in_process_cpu(args, settings)
            imports, third_party = _modules(args, env, tmp)
            floor = _import_floor(third_party, env, tmp)
            overhead = fresh["cpu_s"] - work
            out["commands"][name] = {
                "args": args,
                "fresh_process": fresh,
                "in_process_cpu_s": work,
                "start_up_overhead_s": round(overhead, 3),
                "library_import_floor_cpu_s": floor,
                "own_start_up_s": round(overhead - floor, 3),
                "ratio_to_import_pandas": round(fresh["cpu_s"] / pandas_s, 2),
                "ratio_to_in_process": round(fresh["cpu_s"] / work, 1) if work > 0 else None,
                "imports": imports,
            }
    measured = out["commands"]
    waar = max(measured[n]["fresh_process"]["cpu_s"] for n in ("waar_postcode", "waar_plaats"))
    out["goals"] = {
        "waar_cpu_s": {"value": waar, "goal": 0.5, "met": waar <= 0.5},
        "no_drawing_libraries": {
            "value": sorted(n for n, m in measured.items()
                            if n != "kaart" and m.get("imports", {}).get("draws")),
            "goal": [], "met": not any(m.get("imports", {}).get("draws")
                                       for n, m in measured.items() if n != "kaart")},
    }
    if "start_up_overhead_s" in measured["kaart"]:
        overhead = measured["kaart"]["start_up_overhead_s"]
        out["goals"]["kaart_start_up_overhead_s"] = {"value": overhead, "goal": 1.0,
                                                     "met": overhead <= 1.0}
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
