"""The prebuilt place index of ``infrakaart waar`` answers exactly as the gazetteer does.

The old way of ``waar`` (still what the pages use): :class:`Gazetteer` on the loaded
reference, then :func:`assign_areas` of the point found. The new way: :func:`where_index`,
read back from its JSON file in the cache folder. Both are asked every PC4 code and every
place and municipality name of the bundled data.
"""

from __future__ import annotations

import shutil

import pytest

from geo.errors import AddressError
from geo.reference import data as data_module
from geo.reference import place_index
from geo.reference.gazetteer import Gazetteer
from geo.reference.place_index import (
    AREA_FIELDS,
    INDEX_FILE,
    WhereIndex,
    index_key,
    where_index,
)
from geo.reference.regions import assign_areas
from geo.reference.sources import FILES


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


@pytest.fixture(scope="module")
def saved_index(reference, tmp_path_factory):
    """The index as ``waar`` gets it on its second run: read from the file, not built."""
    cache = tmp_path_factory.mktemp("cache")
    where_index(reference.data_dir, cache)
    assert (cache / INDEX_FILE).is_file()
    return WhereIndex.from_json((cache / INDEX_FILE).read_text(encoding="utf-8"),
                                index_key(reference.data_dir))


def _inputs(reference) -> list[str]:
    pc4 = reference.pc4
    names = set(pc4["plaats_certegis"]) | set(pc4["gemeentenaam"])
    names.discard("")
    return [*pc4["pc4"], *(f"{code} AB" for code in pc4["pc4"][::7]), *sorted(names),
            *(name.upper() for name in sorted(names)[::5]),
            "Bergen (NH.)", "Hoorn", "Den Hoorn", "Hoorn (Hoorn)", "Bergen, Bergen (NH.)",
            "Egmond aan Zee", "0123", "9999", "1000", "Atlantis", "", "   ", "12345",
            "1911 SA"]


def _answer(locate, text):
    try:
        return locate(text)
    except AddressError as err:
        return f"AddressError: {err}"


def test_same_locations_as_the_gazetteer_for_every_postcode_and_place(reference, gazetteer,
                                                                       saved_index):
    inputs = _inputs(reference)
    assert len(inputs) > 6000
    old = [_answer(gazetteer.locate, text) for text in inputs]
    new = [_answer(saved_index.locate, text) for text in inputs]
    differences = [(text, a, b) for text, a, b in zip(inputs, old, new, strict=True) if a != b]
    assert differences == []
    assert sum(isinstance(a, str) for a in old) == 7  # the unknown ones, with their messages


def test_same_areas_as_assign_areas_for_every_point_found(reference, gazetteer, saved_index):
    found = [loc for text in _inputs(reference)
             if not isinstance(loc := _answer(gazetteer.locate, text), str)]
    areas = assign_areas([loc.lon for loc in found], [loc.lat for loc in found], reference)
    expected = [{field: row[field] for field in AREA_FIELDS}
                for _, row in areas.iterrows()]
    got = [saved_index.areas_of(loc) for loc in found]
    assert got == expected
    assert {row["subregio"] for row in got} > {"buiten werkgebied", "Regio Alkmaar"}


def test_candidates_keep_their_order_and_fields(gazetteer, saved_index):
    for name in ("Bergen", "Hoorn", "Oosterend", "Schagen"):
        assert saved_index.place_candidates(name) == gazetteer.place_candidates(name)
        assert saved_index.place_candidates(name)


def test_second_call_reads_the_file_and_does_not_build(reference, tmp_path, monkeypatch):
    first = where_index(reference.data_dir, tmp_path)
    monkeypatch.setattr(place_index, "build_where_index",
                        lambda _: pytest.fail("built again although the file is current"))
    second = where_index(reference.data_dir, tmp_path)
    assert second.locate("1911") == first.locate("1911")
    assert (tmp_path / INDEX_FILE).stat().st_mode & 0o077 == 0  # private, like var/


def test_a_changed_data_file_builds_a_new_index(reference, tmp_path, monkeypatch):
    # load_reference is memoised per folder; read this folder afresh every time.
    monkeypatch.setattr(data_module, "load_reference", lambda folder: data_module._load(folder))
    data = tmp_path / "data"
    shutil.copytree(reference.data_dir, data)
    cache = tmp_path / "cache"
    assert where_index(data, cache).locate("1911").label == "1911 · Uitgeest"
    old_key = index_key(data)
    pc4 = data / FILES["pc4"]
    text = pc4.read_text(encoding="utf-8")
    assert text.count(",Uitgeest,") >= 1
    pc4.write_text(text.replace(",Uitgeest,", ",Uitgeest-Test,"), encoding="utf-8")
    assert index_key(data) != old_key
    assert where_index(data, cache).locate("1911").label == "1911 · Uitgeest-Test"
    assert WhereIndex.from_json((cache / INDEX_FILE).read_text(encoding="utf-8"),
                                old_key) is None


def test_a_corrupt_file_is_built_again(reference, tmp_path):
    (tmp_path / INDEX_FILE).write_text('{"format": 1, "key": "', encoding="utf-8")
    index = where_index(reference.data_dir, tmp_path)
    assert index.locate("Schagen").precision == "plaats"
    assert WhereIndex.from_json((tmp_path / INDEX_FILE).read_text(encoding="utf-8"),
                                index_key(reference.data_dir)) is not None


def test_a_cache_that_cannot_be_written_still_answers(reference, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    index = where_index(reference.data_dir, blocked / "cache")
    assert index.areas_of(index.locate("1703"))["gemeentenaam"] == "Dijk en Waard"
