"""What a command imports: the parser and ``waar`` load no heavy library, only ``kaart`` draws.

Each command runs in a fresh interpreter (as the console script does) and reports the
modules it loaded; no timing here, the CPU figures are in ``bench/bench_cli.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

#: Runs the CLI and prints the names of the loaded modules as JSON on the last line.
PROBE = """
import json, sys
sys.argv = ["infrakaart", *sys.argv[1:]]
code = 0
try:
    from geo.cli import main
    code = main()
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

GEO_LIBRARIES = {"numpy", "pandas", "geopandas", "shapely", "pyproj", "pyogrio", "scipy"}
DRAWING_LIBRARIES = {"folium", "branca", "matplotlib", "mapclassify", "jinja2"}


def loaded(tmp_path, *args: str) -> set[str]:
    env = {**os.environ, "INFRAKAART_VAR_DIR": str(tmp_path), "INFRAKAART_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True,
                          text=True, check=True, timeout=120)
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["code"] == 0, done.stderr
    return {name.split(".")[0] for name in answer["modules"]}


@pytest.mark.parametrize("args", [["--help"], ["waar", "--help"], ["kaart", "--help"],
                                  ["witte-vlekken", "--help"]])
def test_the_parser_imports_no_heavy_library(tmp_path, args):
    assert loaded(tmp_path, *args) & (GEO_LIBRARIES | DRAWING_LIBRARIES) == set()


def test_waar_uses_its_index_without_pandas_or_geopandas(tmp_path):
    first = loaded(tmp_path, "waar", "1911ab")  # builds the index: reads the reference once
    assert "geopandas" in first
    assert (tmp_path / "cache" / "plaatsindex.json").is_file()
    for args in (["waar", "1911ab"], ["waar", "Schagen", "--json"], ["waar", "Bergen", "(NH.)"]):
        assert loaded(tmp_path, *args) & (GEO_LIBRARIES | DRAWING_LIBRARIES) == set()


@pytest.mark.parametrize("args", [["dichtbij", "--school", "13EE00"], ["witte-vlekken"],
                                  ["status"], ["keten"]])
def test_commands_that_do_not_draw_import_no_drawing_library(tmp_path, args):
    assert loaded(tmp_path, *args) & DRAWING_LIBRARIES == set()


def test_kaart_reads_its_cache_and_imports_neither_scipy_nor_pyogrio(tmp_path):
    loaded(tmp_path, "voorbeeld")
    out = tmp_path / "kaart.html"
    loaded(tmp_path, "kaart", "--uitvoer", str(out))  # the first run fills var/cache
    assert {p.name for p in (tmp_path / "cache").iterdir()} >= {"referentie.pickle",
                                                                "kaartdelen.pickle"}
    again = loaded(tmp_path, "kaart", "--uitvoer", str(out))
    assert "folium" in again and out.is_file()
    # The nearest partners and the station graph need no scipy; the reference no pyogrio.
    assert again & {"scipy", "pyogrio"} == set()
