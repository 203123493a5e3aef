"""The parts of every map that depend on the reference data only, kept on disk for the CLI.

Each map drawn from the bundled data needs the land of the offline base
(:func:`geo.output.maps.offline_base`), the simplified boundaries of the three levels
(:func:`geo.output.maps.boundary_layers`) and the unit polygons of the colour map
(:func:`geo.reference.regions.unit_polygons`), all for the bundled division. Building them
takes a few tenths of a second of geometry work (a union of 300 municipalities,
simplifying, projecting). :func:`map_parts` builds them once and keeps them in the cache
folder (:mod:`geo.reference.disk_cache`: keyed by the data files, the code below and the
libraries), so ``infrakaart kaart`` reads them instead. It returns the same values as the
functions themselves; a user's own division is never cached, it is computed as before.

With the parts it keeps what every map then asks for again by content: the GeoJSON of the
borders (:data:`geo.output.map_json.FEATURES`) and the simplified units under the colour
map (:data:`geo.output.maps.SIMPLIFIED`). Reading the cache seeds those memos
(:class:`geo.kept.Kept`); their keys are content hashes, so a seeded entry only answers
the very question it was made for.
"""

from __future__ import annotations

import threading
from pathlib import Path

import folium
import geopandas as gpd

from geo.output import map_json, maps
from geo.reference.data import Division, Reference, remember_per_reference
from geo.reference.levels import LEVELS
from geo.reference.regions import unit_polygons

#: The file in the cache folder.
CACHE_FILE = "kaartdelen.pickle"

#: The code whose behaviour the parts depend on.
_HERE = Path(__file__).parent
_CODE = (Path(__file__), _HERE / "maps.py", _HERE / "map_json.py", _HERE / "map_layers.py",
         _HERE.parent / "kept.py",
         _HERE.parent / "reference" / "regions.py", _HERE.parent / "reference" / "data.py",
         _HERE.parent / "reference" / "divisions.py")


class MapParts:
    """The cached parts for one reference: answers for the bundled division, else builds.

    Every call returns a fresh copy, so a caller may change what it gets.
    """

    def __init__(self, reference: Reference, parts: dict) -> None:
        self._reference = reference
        self._parts = parts

    def _bundled(self, division: Division | None) -> bool:
        return division is None or division is self._reference.default_division

    def boundary_layers(self, division: Division | None = None) -> dict[str, gpd.GeoDataFrame]:
        """As :func:`geo.output.maps.boundary_layers` for this reference and ``division``."""
        if not self._bundled(division):
            return maps.boundary_layers(self._reference, division)
        return {level: frame.copy() for level, frame in self._parts["boundaries"].items()}

    def unit_polygons(self, level: str, division: Division | None = None) -> gpd.GeoDataFrame:
        """As :func:`geo.reference.regions.unit_polygons` for this reference and ``division``."""
        if not self._bundled(division) or level not in self._parts["units"]:
            return unit_polygons(level, self._reference, division)
        return self._parts["units"][level].copy()


def _build(reference: Reference) -> dict:
    parts = {
        "offline_base": maps.offline_base(reference),
        "boundaries": maps.boundary_layers(reference),
        "units": {level: unit_polygons(level, reference) for level in LEVELS},
    }
    # What every map then asks for again, by content: the borders' GeoJSON and the
    # simplified units under the colour map. Kept with the parts, seeded in a new process.
    with maps.SIMPLIFIED.recording() as shapes, map_json.FEATURES.recording() as features:
        maps.add_boundaries(folium.Map(tiles=None), parts["boundaries"])
        for units in parts["units"].values():
            maps.simplified(units)
    parts["kept"] = {"simplified": shapes, "features": features}
    return parts


#: How many references' parts stay in memory.
_KEEP = 4
_MEMO: dict[tuple[int, str], tuple[Reference, MapParts]] = {}
_MEMO_LOCK = threading.Lock()


def map_parts(reference: Reference, cache_dir: str | Path | None) -> MapParts:
    """The map parts of ``reference``: from ``cache_dir`` when current, else built and kept.

    Also makes :func:`geo.output.maps.offline_base` answer from the kept copy. Without a
    cache folder the parts are simply built.
    """
    memo_key = (id(reference), str(cache_dir))
    with _MEMO_LOCK:
        entry = _MEMO.get(memo_key)
    if entry is not None and entry[0] is reference:
        return entry[1]
    if cache_dir is None:
        parts = _build(reference)
    else:
        from geo.reference import disk_cache

        key = disk_cache.cache_key(reference.data_dir, _CODE, "map parts")
        parts = disk_cache.cached(Path(cache_dir) / CACHE_FILE, key,
                                  lambda: _build(reference), expect=dict)
        # The offline base is shared by every map of this reference; a copy stays on disk.
        remember_per_reference(reference, maps._offline_base, parts["offline_base"])
        maps.SIMPLIFIED.seed(parts["kept"]["simplified"])
        map_json.FEATURES.seed(parts["kept"]["features"])
    found = MapParts(reference, parts)
    with _MEMO_LOCK:
        _MEMO[memo_key] = (reference, found)
        while len(_MEMO) > _KEEP:
            del _MEMO[next(iter(_MEMO))]
    return found
