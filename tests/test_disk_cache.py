"""The reference and the map parts kept in var/cache: same answers, rebuilt when stale."""

from __future__ import annotations

import dataclasses
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.cli import main
from geo.kept import Kept
from geo.output import map_cache, map_json, maps
from geo.reference import data, disk_cache
from geo.reference.data import Reference, load_reference
from geo.reference.levels import LEVELS
from geo.reference.regions import unit_polygons
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.settings import Settings

DATA_DIR = Settings().data_dir


@pytest.fixture
def fresh(monkeypatch):
    """No reference or map parts in memory: every load goes to the cache folder or data/."""
    _forget(monkeypatch)


def _forget(monkeypatch):
    """Forget what a new process would not know: the reference, map parts, kept shapes."""
    monkeypatch.setattr(data, "_LOADED", {})
    monkeypatch.setattr(data, "_SHARED", {})
    monkeypatch.setattr(map_cache, "_MEMO", {})
    monkeypatch.setattr(maps, "SIMPLIFIED", Kept(maps.SIMPLIFIED.size))
    monkeypatch.setattr(map_json, "FEATURES", Kept(map_json.FEATURES.size))


def _count_loads(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = data._load

    def counting(folder):
        calls.append(1)
        return real(folder)

    monkeypatch.setattr(data, "_load", counting)
    return calls


def _assert_same_reference(got: Reference, want: Reference) -> None:
    for field in ("gemeenten", "gemeenten_rd", "regios", "scholen"):
        assert_geodataframe_equal(getattr(got, field), getattr(want, field))
    pd.testing.assert_frame_equal(got.pc4, want.pc4)
    pd.testing.assert_frame_equal(got.mbo, want.mbo)
    pd.testing.assert_frame_equal(got.default_division.table, want.default_division.table)
    assert got.data_dir == want.data_dir


def test_the_reference_is_kept_and_read_back_the_same(fresh, tmp_path, monkeypatch, reference):
    loads = _count_loads(monkeypatch)
    first = load_reference(DATA_DIR, cache_dir=tmp_path)
    assert loads == [1] and (tmp_path / data.CACHE_FILE).is_file()
    assert (tmp_path / data.CACHE_FILE).stat().st_mode & 0o077 == 0  # private
    _forget(monkeypatch)
    again = load_reference(DATA_DIR, cache_dir=tmp_path)
    assert loads == [1]  # read from the cache folder, data/ not read
    assert again is not first
    _assert_same_reference(again, reference)
    assert load_reference(DATA_DIR) is again  # later callers share it


def test_a_stale_cache_is_built_again(fresh, tmp_path, monkeypatch):
    loads = _count_loads(monkeypatch)
    load_reference(DATA_DIR, cache_dir=tmp_path)
    before = (tmp_path / data.CACHE_FILE).read_bytes().split(b"\n", 1)[0]
    _forget(monkeypatch)
    # A changed data file, code file or library changes the key; so does the format.
    monkeypatch.setattr(disk_cache, "FORMAT", disk_cache.FORMAT + 1)
    load_reference(DATA_DIR, cache_dir=tmp_path)
    assert loads == [1, 1]
    assert (tmp_path / data.CACHE_FILE).read_bytes().split(b"\n", 1)[0] != before


def test_the_key_follows_data_code_and_folder(tmp_path):
    code = (tmp_path / "code.py",)
    code[0].write_text("x = 1", encoding="utf-8")
    key = disk_cache.cache_key(DATA_DIR, code, "reference")
    assert disk_cache.cache_key(DATA_DIR, code, "reference") == key
    assert disk_cache.cache_key(DATA_DIR, code, "map parts") != key
    code[0].write_text("x = 2", encoding="utf-8")
    assert disk_cache.cache_key(DATA_DIR, code, "reference") != key
    copy = tmp_path / "data"
    copy.mkdir()
    for item in DATA_DIR.iterdir():
        if item.is_file():
            (copy / item.name).write_bytes(item.read_bytes())
    changed = disk_cache.cache_key(copy, code, "reference")
    assert changed != disk_cache.cache_key(DATA_DIR, code, "reference")  # another folder
    (copy / "mbo_infra_locaties.csv").write_text("naam\n", encoding="utf-8")
    assert disk_cache.cache_key(copy, code, "reference") != changed  # another data file


@pytest.mark.parametrize("spoil", ["garbage", "not private", "other key"])
def test_a_bad_cache_file_is_never_used(fresh, tmp_path, monkeypatch, spoil):
    path = tmp_path / "value.pickle"
    key = "k" * 64
    disk_cache.write(path, key, {"answer": 1})
    assert disk_cache.read(path, key) == {"answer": 1}
    if spoil == "garbage":
        header = path.read_bytes().split(b"\n", 1)[0]
        path.write_bytes(header + b"\nnot a pickle")
    elif spoil == "not private":
        path.chmod(0o666)
    else:
        key = "j" * 64
    assert disk_cache.read(path, key) is None
    assert disk_cache.cached(path, key, lambda: {"answer": 2}) == {"answer": 2}
    path.chmod(0o600)
    assert disk_cache.read(path, key) == {"answer": 2}  # and kept for the next time


def test_an_unwritable_cache_folder_costs_only_time(fresh, tmp_path, monkeypatch, reference):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    got = load_reference(DATA_DIR, cache_dir=blocked / "cache")
    _assert_same_reference(got, reference)
    parts = map_cache.map_parts(got, blocked / "cache")
    assert_geodataframe_equal(parts.unit_polygons("gemeente"), unit_polygons("gemeente", got))


def test_map_parts_from_disk_equal_the_built_ones(fresh, tmp_path, monkeypatch, reference):
    built = map_cache.map_parts(reference, tmp_path)
    assert (tmp_path / map_cache.CACHE_FILE).is_file()
    _forget(monkeypatch)
    monkeypatch.setattr(map_cache, "_build", lambda ref: pytest.fail("built again"))
    read = map_cache.map_parts(reference, tmp_path)
    assert read is not built
    want = maps.boundary_layers(reference)
    for level in LEVELS:
        assert_geodataframe_equal(read.boundary_layers()[level], want[level])
        assert_geodataframe_equal(read.unit_polygons(level), unit_polygons(level, reference))
    # offline_base answers from the kept copy, equal to building it.
    assert maps.offline_base(reference) == maps._offline_base(reference)
    # A caller may change what it gets; the next caller gets the original.
    mine = read.boundary_layers()
    mine["gemeente"].loc[0, "naam"] = "veranderd"
    assert read.boundary_layers()["gemeente"].loc[0, "naam"] != "veranderd"


def test_the_cache_answers_what_every_map_asks_for_again(fresh, tmp_path, monkeypatch,
                                                        reference):
    """Borders' GeoJSON and the simplified units come back with the parts, equal."""
    map_cache.map_parts(reference, tmp_path)
    _forget(monkeypatch)
    monkeypatch.setattr(map_cache, "_build", lambda ref: pytest.fail("built again"))
    parts = map_cache.map_parts(reference, tmp_path)
    assert len(maps.SIMPLIFIED) == len(LEVELS) and len(map_json.FEATURES) == 3

    def nothing_computed(*args, **kwargs):
        pytest.fail("computed again although the cache holds it")

    with monkeypatch.context() as computing:
        computing.setattr(gpd.GeoSeries, "to_crs", nothing_computed)
        computing.setattr(gpd.GeoDataFrame, "to_json", nothing_computed)
        seeded_map = folium.Map(tiles=None)
        maps.add_boundaries(seeded_map, parts.boundary_layers())
        seeded = {level: maps.simplified(parts.unit_polygons(level)) for level in LEVELS}
    # The same as computing them afresh.
    _forget(monkeypatch)
    built_map = folium.Map(tiles=None)
    maps.add_boundaries(built_map, maps.boundary_layers(reference))
    assert len(map_json.FEATURES) == 3
    for level in LEVELS:
        assert_geodataframe_equal(seeded[level], maps.simplified(unit_polygons(level, reference)))
    assert _normalised(seeded_map.get_root().render()) == _normalised(
        built_map.get_root().render())


def test_an_own_division_is_not_taken_from_the_cache(fresh, tmp_path, reference):
    table = reference.default_division.table.copy()
    table.loc[table["subregio"].isin(["Zaanstreek", "Waterland"]), "subregio"] = "Samen"
    own = dataclasses.replace(reference.default_division, name="eigen", table=table)
    parts = map_cache.map_parts(reference, tmp_path)
    assert "Samen" in set(parts.unit_polygons("subregio", own)["naam"])
    assert "Samen" in set(parts.boundary_layers(own)["subregio"]["naam"])
    assert "Samen" not in set(parts.unit_polygons("subregio")["naam"])


def _normalised(html: str) -> str:
    return re.sub(r"_[0-9a-f]{32}", "_ID", html)  # folium's random element ids


def test_kaart_writes_the_same_map_with_and_without_its_cache(fresh, tmp_path, monkeypatch,
                                                              settings):
    with Store(settings.database_path, load_reference(DATA_DIR)) as store:
        load_example_data(store)
    _forget(monkeypatch)
    pages = []
    for run in ("no cache yet", "from the cache", "cache unwritable"):
        if run == "cache unwritable":
            settings = dataclasses.replace(settings, var_dir=tmp_path / "blocked")
            (tmp_path / "blocked").write_text("not a folder", encoding="utf-8")
        out = tmp_path / f"{len(pages)}.html"
        assert main(["kaart", "--uitvoer", str(out)], settings=settings) == 0
        pages.append(_normalised(out.read_text(encoding="utf-8")))
        if run == "no cache yet":
            assert {p.name for p in settings.cache_dir.iterdir()} >= {
                data.CACHE_FILE, map_cache.CACHE_FILE}
        _forget(monkeypatch)
    assert pages[0] == pages[1] == pages[2]
