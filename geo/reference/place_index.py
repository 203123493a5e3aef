"""The offline postcode and place lookup as plain data, and its copy on disk for the CLI.

:class:`PlaceIndex` answers a postcode or a place name from two dictionaries; it imports
neither pandas nor geopandas. :class:`~geo.reference.gazetteer.Gazetteer` builds one from the
loaded reference data. :class:`WhereIndex` also knows the municipality, subregion and
labour-market region of every point it can answer with, which is all ``infrakaart waar``
needs: :func:`where_index` reads it from a small JSON file in the cache folder, keyed by a
fingerprint of the data files and of the code that computes the answers, and builds and
saves it (with geopandas, once) when that key differs. So ``waar`` starts without loading
the reference data and gives the same answers as the gazetteer and
:func:`geo.reference.regions.assign_areas`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from geo.addresses import looks_like_postcode, parse_postcode, place_key
from geo.errors import AddressError
from geo.private_files import ensure_private_dir
from geo.reference.sources import fingerprint

log = logging.getLogger(__name__)

#: Precision levels, best first. Stored in the database as these codes.
PRECISIONS = ("adres", "postcode6", "postcode4", "plaats", "handmatig", "geen")

#: Dutch explanation of each precision level, for people.
PRECISION_LABELS = {
    "adres": "adres (exact gebouw)",
    "postcode6": "postcode (straatdeel)",
    "postcode4": "postcodegebied (4 cijfers, vaak enkele honderden meters)",
    "plaats": "plaats (midden van de woonkern, kan kilometers afwijken)",
    "handmatig": "handmatig geplaatst",
    "geen": "niet geplaatst",
}


def precision_label(code: object) -> str:
    """The Dutch explanation of a precision code; an unknown code as it is."""
    return PRECISION_LABELS.get(str(code), str(code or "onbekend"))


@dataclass(frozen=True)
class Location:
    """A located point and how it was found.

    Attributes
    ----------
    lat, lon : float
        WGS84 coordinates.
    precision : str
        One of :data:`PRECISIONS`.
    label : str
        What was found, in Dutch, e.g. ``"1911 · Uitgeest"``.
    note : str
        A remark for the user (ambiguity, fallback), empty when none.
    """

    lat: float
    lon: float
    precision: str
    label: str
    note: str = ""


@dataclass(frozen=True)
class Place:
    """A place (woonplaats) or municipality that a name can stand for."""

    name: str
    gemeentecode: str
    gemeentenaam: str
    lat: float
    lon: float
    inhabitants: float
    in_region: bool


#: A PC4 area: its point (lat, lon) and the name in its label (place, else municipality).
Postcode4 = tuple[float, float, str]


class PlaceIndex:
    """Postcodes (PC4) and place names → :class:`Location`.

    Parameters
    ----------
    postcodes : mapping
        PC4 code (``"1911"``) → ``(lat, lon, name)``.
    places : mapping
        :func:`~geo.addresses.place_key` of a name → its places, best guess first.
    """

    def __init__(self, postcodes: Mapping[str, Postcode4],
                 places: Mapping[str, list[Place]]) -> None:
        self._postcodes = postcodes
        self._places = places

    def postcode(self, text: object) -> Location | None:
        """Locate a postcode at PC4 level; None when the PC4 is unknown."""
        parsed = parse_postcode(text)
        found = None if parsed is None else self._postcodes.get(parsed.pc4)
        if found is None:
            return None
        lat, lon, name = found
        note = ""
        if parsed.letters:
            note = "Alleen de vier cijfers van de postcode gebruikt (offline)."
        return Location(lat=lat, lon=lon, precision="postcode4",
                        label=f"{parsed.pc4} · {name}", note=note)

    def place_candidates(self, name: object) -> list[Place]:
        """All places called ``name`` (case-insensitive), best guess first."""
        return list(self._places.get(place_key(name), []))

    def place(self, name: object, *, gemeente: object = None) -> Location | None:
        """Locate a place (woonplaats) or municipality by name.

        Parameters
        ----------
        name : str
            ``"Heerhugowaard"``, ``"den hoorn"``, ``"Bergen (NH.)"``; exact names only,
            so ``"Hoorn"`` never matches ``"Den Hoorn"``.
        gemeente : str, optional
            Municipality name to choose between places with the same name.

        Returns
        -------
        Location or None
            At ``plaats`` precision; None when no place has that name. When several
            places share the name, the one in the five regions (then the largest) is
            chosen and the note says so.
        """
        candidates = self.place_candidates(name)
        if gemeente:
            wanted = place_key(gemeente)
            chosen = [c for c in candidates if place_key(c.gemeentenaam) == wanted]
            candidates = chosen or candidates
        if not candidates:
            return None
        best = candidates[0]
        note = ""
        if len(candidates) > 1:
            others = ", ".join(f"{c.name} ({c.gemeentenaam})" for c in candidates[1:4])
            note = (
                f"Meerdere plaatsen heten zo; gekozen is {best.name} ({best.gemeentenaam}). "
                f"Andere: {others}."
            )
        return Location(
            lat=best.lat,
            lon=best.lon,
            precision="plaats",
            label=f"{best.name} ({best.gemeentenaam})",
            note=note,
        )

    def locate(self, text: object) -> Location:
        """Locate free input: a postcode, or a place name with optional ``(gemeente)``.

        Raises
        ------
        AddressError
            With a Dutch message when the input cannot be placed.
        """
        raw = " ".join(str(text or "").split())
        if not raw:
            raise AddressError("Geef een postcode of plaatsnaam op.")
        if looks_like_postcode(raw):
            if parse_postcode(raw) is None:
                raise AddressError(f"'{raw}' is geen geldige Nederlandse postcode.")
            found = self.postcode(raw)
            if found is None:
                raise AddressError(f"Postcode '{raw}' bestaat niet in de postcodetabel (CBS).")
            return found
        hint = None
        match = re.match(r"^(.*?)\s*(?:\(([^()]+)\)|,\s*(.+))$", raw)
        if match and not self.place_candidates(raw):
            raw, hint = match.group(1), match.group(2) or match.group(3)
        found = self.place(raw, gemeente=hint)
        if found is None:
            raise AddressError(f"Plaats '{raw}' is onbekend; controleer de spelling.")
        return found


#: What ``infrakaart waar`` says about a point, in the order it prints them (the columns of
#: :func:`geo.reference.regions.assign_areas` with the bundled division).
AREA_FIELDS = ("gemeentecode", "gemeentenaam", "subregio", "arbeidsmarktregio_code",
               "arbeidsmarktregio")

#: The areas of a point outside every municipality (NaN coordinates included).
_OUTSIDE_AREAS = (None, None, "buiten werkgebied", None, "buiten werkgebied")

#: Bump when the file's layout changes.
FORMAT = 1

#: The index's file in the cache folder.
INDEX_FILE = "plaatsindex.json"

#: The code whose behaviour the answers depend on: a change to it makes a new index.
_CODE = (Path(__file__), Path(__file__).with_name("gazetteer.py"),
         Path(__file__).with_name("regions.py"), Path(__file__).with_name("data.py"),
         Path(__file__).with_name("divisions.py"),
         Path(__file__).parent.parent / "addresses.py")


class WhereIndex(PlaceIndex):
    """A :class:`PlaceIndex` that also knows the areas of each of its points.

    Parameters
    ----------
    postcodes, places
        As for :class:`PlaceIndex`.
    areas : mapping
        ``(lat, lon)`` → values of :data:`AREA_FIELDS`, for every point of ``postcodes``
        and ``places``.
    """

    def __init__(self, postcodes: Mapping[str, Postcode4], places: Mapping[str, list[Place]],
                 areas: Mapping[tuple[float, float], tuple]) -> None:
        super().__init__(postcodes, places)
        self._areas = areas

    def areas_of(self, location: Location) -> dict[str, str | None]:
        """Municipality, subregion and region (:data:`AREA_FIELDS`) of a found location."""
        if not (math.isfinite(location.lat) and math.isfinite(location.lon)):
            return dict(zip(AREA_FIELDS, _OUTSIDE_AREAS, strict=True))
        return dict(zip(AREA_FIELDS, self._areas[(location.lat, location.lon)], strict=True))

    def to_json(self, key: str) -> str:
        """The index as JSON, with ``key`` (see :func:`index_key`)."""
        rows = sorted(set(self._areas.values()), key=lambda row: [str(v) for v in row])
        number = {row: i for i, row in enumerate(rows)}

        def area(lat: float, lon: float) -> int | None:
            return number[self._areas[(lat, lon)]] if (lat, lon) in self._areas else None

        return json.dumps({
            "format": FORMAT, "key": key, "areas": rows,
            "postcodes": {code: [lat, lon, name, area(lat, lon)]
                          for code, (lat, lon, name) in self._postcodes.items()},
            "places": {name: [[p.name, p.gemeentecode, p.gemeentenaam, p.lat, p.lon,
                               p.inhabitants, p.in_region, area(p.lat, p.lon)] for p in found]
                       for name, found in self._places.items()},
        }, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, key: str) -> WhereIndex | None:
        """The index in ``text``; None when it was made for another key or format."""
        data = json.loads(text)
        if data.get("format") != FORMAT or data.get("key") != key:
            return None
        rows = [tuple(row) for row in data["areas"]]
        postcodes: dict[str, Postcode4] = {}
        places: dict[str, list[Place]] = {}
        areas: dict[tuple[float, float], tuple] = {}
        for code, (lat, lon, name, area) in data["postcodes"].items():
            postcodes[code] = (lat, lon, name)
            if area is not None:
                areas[(lat, lon)] = rows[area]
        for name, found in data["places"].items():
            places[name] = [Place(*row[:7]) for row in found]
            areas.update({(row[3], row[4]): rows[row[7]] for row in found
                          if row[7] is not None})
        return cls(postcodes, places, areas)


def build_where_index(reference) -> WhereIndex:
    """The index of ``reference`` (a loaded :class:`~geo.reference.data.Reference`).

    The places and postcodes of the gazetteer; every point's areas from
    :func:`~geo.reference.regions.assign_areas` with the bundled division.
    """
    from geo.reference.gazetteer import Gazetteer
    from geo.reference.regions import assign_areas

    gazetteer = Gazetteer(reference)
    points = sorted({(lat, lon) for lat, lon, _ in gazetteer._postcodes.values()}
                    | {(p.lat, p.lon) for found in gazetteer._places.values() for p in found})
    points = [point for point in points if math.isfinite(point[0]) and math.isfinite(point[1])]
    found = assign_areas([lon for _, lon in points], [lat for lat, _ in points], reference)
    areas = {point: tuple(None if value is None else str(value) for value in row)
             for point, row in zip(points, found[list(AREA_FIELDS)].itertuples(index=False),
                                   strict=True)}
    return WhereIndex(gazetteer._postcodes, gazetteer._places, areas)


def index_key(data_dir: str | Path) -> str:
    """The key of the index for ``data_dir``: format, data files and the code behind it."""
    return hashlib.sha256(f"{FORMAT}:{fingerprint(data_dir, extra=_CODE)}".encode()).hexdigest()


def where_index(data_dir: str | Path, cache_dir: str | Path | None) -> WhereIndex:
    """The index for ``data_dir``: from ``cache_dir`` when it is current, else built.

    A built index is saved in ``cache_dir`` (atomically, private) for the next call; when
    that is not possible (a read-only folder) it is only logged, the answer is the same.

    Raises
    ------
    ReferenceDataError
        When the index has to be built and the reference data is missing or corrupt.
    """
    key = index_key(data_dir)
    path = Path(cache_dir) / INDEX_FILE if cache_dir is not None else None
    if path is not None:
        try:
            index = WhereIndex.from_json(path.read_text(encoding="utf-8"), key)
        except FileNotFoundError:
            index = None
        except (OSError, ValueError, KeyError, TypeError, IndexError) as err:
            log.warning("Place index %s unreadable (%s); building it again", path,
                        type(err).__name__)
            index = None
        if index is not None:
            return index
    from geo.reference.data import load_reference

    index = build_where_index(load_reference(data_dir))
    if path is not None:
        try:
            _write_atomically(path, index.to_json(key))
        except OSError as err:
            log.warning("Place index not saved in %s: %s", path.parent, err)
    return index


def _write_atomically(path: Path, text: str) -> None:
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
