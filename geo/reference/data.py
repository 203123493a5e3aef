"""Load and validate the bundled reference data in ``data/``.

The layers are read once per data folder (:func:`load_reference` is memoised) and
validated on load: coordinate reference system, required columns, unique codes and the
expected membership of the five labour-market regions. A missing or corrupt file gives
a :class:`~geo.errors.ReferenceDataError` that names the file.

Distances and areas are computed in RD New (:data:`RD_NEW`); maps are drawn in WGS84.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd

from geo.errors import DivisionError, ReferenceDataError
from geo.reference.sources import FILES

RD_NEW = "EPSG:28992"
WGS84 = "EPSG:4326"

#: Label used for points and rows outside the 46 municipalities of the five regions.
OUTSIDE = "buiten werkgebied"

#: The five labour-market regions, code → name (CBS 2026 classification).
REGIONS: dict[str, str] = {
    "AM15": "Noord-Holland Noord",
    "AM17": "Zaanstreek/Waterland",
    "AM37": "Zuid-Kennemerland en IJmond",
    "AM18": "Groot Amsterdam",
    "AM12": "Gooi en Vechtstreek",
}

_GEMEENTE_COLUMNS = {
    "gemeentecode", "gemeentenaam", "provincie", "arbeidsmarktregio_code",
    "arbeidsmarktregio", "in_5_nh_regios", "geometry",
}
_PC4_COLUMNS = {
    "pc4", "plaats_certegis", "gemeentecode", "gemeentenaam", "provincie",
    "arbeidsmarktregio_code", "lat_pos", "lon_pos", "inw_totaal_2021", "inw_10_19",
}
_SCHOOL_COLUMNS = {
    "vestigingscode", "vestigingsnaam", "straatnaam", "huisnummer_toevoeging", "postcode",
    "plaatsnaam", "gemeentecode_duo", "onderwijsstructuur", "lat", "lon",
    "heeft_vmbo_bk", "heeft_vmbo_tl_mavo", "heeft_havo", "heeft_vwo", "heeft_pro",
}
_MBO_COLUMNS = {"naam", "instelling", "straat_huisnummer", "postcode", "plaats"}


@dataclass(frozen=True)
class Division:
    """A division of the 46 municipalities into subregions.

    Attributes
    ----------
    name : str
        Shown to users, e.g. ``"voorstel (meegeleverd)"`` or the uploaded file name.
    table : pandas.DataFrame
        One row per municipality: ``gemeentecode``, ``subregio``.
    """

    name: str
    table: pd.DataFrame

    def subregion_of(self) -> dict[str, str]:
        """Return the mapping gemeentecode → subregio."""
        return dict(zip(self.table["gemeentecode"], self.table["subregio"], strict=True))

    @property
    def subregions(self) -> list[str]:
        """Subregion names in a stable order."""
        return sorted(self.table["subregio"].unique())


@dataclass(frozen=True)
class Reference:
    """The validated reference layers. Treat every frame as read-only.

    Attributes
    ----------
    data_dir : Path
        Folder the layers were read from.
    gemeenten : geopandas.GeoDataFrame
        The 46 municipalities of the five regions (WGS84), with region columns.
    gemeenten_rd : geopandas.GeoDataFrame
        All 342 Dutch municipalities in RD New, for point lookup.
    regios : geopandas.GeoDataFrame
        The five labour-market regions (WGS84).
    pc4 : pandas.DataFrame
        All Dutch PC4 areas as points (``lat_pos``/``lon_pos``) with population 2021.
    scholen : geopandas.GeoDataFrame
        The 270 DUO secondary-school locations (WGS84, PC4 precision).
    mbo : pandas.DataFrame
        The mbo infra places as listed (not yet geocoded).
    default_division : Division
        The proposed subregion division shipped in ``data/``.
    """

    data_dir: Path
    gemeenten: gpd.GeoDataFrame
    gemeenten_rd: gpd.GeoDataFrame
    regios: gpd.GeoDataFrame
    pc4: pd.DataFrame
    scholen: gpd.GeoDataFrame
    mbo: pd.DataFrame
    default_division: Division

    @property
    def gemeentecodes(self) -> list[str]:
        """The 46 GM codes of the five regions, sorted."""
        return sorted(self.gemeenten["gemeentecode"])


def _path(data_dir: Path, key: str) -> Path:
    path = Path(data_dir) / FILES[key]
    if not path.is_file():
        raise ReferenceDataError(f"Referentiebestand ontbreekt: {path}")
    return path


def _require_columns(frame: pd.DataFrame, required: set[str], path: Path) -> None:
    missing = sorted(required - set(frame.columns))
    if missing:
        raise ReferenceDataError(
            f"Referentiebestand {path.name} mist de kolom(men): {', '.join(missing)}"
        )


def _require_unique(frame: pd.DataFrame, column: str, path: Path) -> None:
    dup = frame.loc[frame[column].duplicated(), column]
    if len(dup):
        raise ReferenceDataError(
            f"Referentiebestand {path.name}: codes komen dubbel voor in '{column}': "
            + ", ".join(map(str, dup.unique()[:5]))
        )


def _read_geojson(path: Path, required: set[str]) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(path)
    except Exception as err:  # pyogrio raises several types for corrupt files
        raise ReferenceDataError(f"Referentiebestand {path.name} is onleesbaar: {err}") from err
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ReferenceDataError(
            f"Referentiebestand {path.name} heeft niet het verwachte coördinatenstelsel "
            f"WGS84 (EPSG:4326) maar {frame.crs}"
        )
    _require_columns(frame, required, path)
    if frame.geometry.isna().any() or (~frame.geometry.is_valid).any():
        raise ReferenceDataError(f"Referentiebestand {path.name} bevat ongeldige geometrie")
    return frame


def _read_csv(path: Path, required: set[str], **kwargs) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, **kwargs)
    except Exception as err:
        raise ReferenceDataError(f"Referentiebestand {path.name} is onleesbaar: {err}") from err
    _require_columns(frame, required, path)
    return frame


def _to_bool(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower().isin({"true", "1", "ja", "yes"})


def _load(data_dir: Path) -> Reference:
    gem_path = _path(data_dir, "gemeenten")
    all_gem = _read_geojson(gem_path, _GEMEENTE_COLUMNS)
    _require_unique(all_gem, "gemeentecode", gem_path)
    all_gem["in_5_nh_regios"] = _to_bool(all_gem["in_5_nh_regios"])

    table_path = _path(data_dir, "regio_tabel")
    table = _read_csv(
        table_path, {"gemeentecode", "arbeidsmarktregio_code", "arbeidsmarktregio"}, dtype=str
    )
    _require_unique(table, "gemeentecode", table_path)
    if set(table["arbeidsmarktregio_code"]) != set(REGIONS):
        raise ReferenceDataError(
            f"Referentiebestand {table_path.name} bevat niet precies de vijf "
            "arbeidsmarktregio's AM12, AM15, AM17, AM18 en AM37"
        )
    gemeenten = all_gem[all_gem["in_5_nh_regios"]].copy()
    if set(gemeenten["gemeentecode"]) != set(table["gemeentecode"]):
        raise ReferenceDataError(
            f"De gemeenten in {gem_path.name} en {table_path.name} komen niet overeen"
        )
    # The classification table is authoritative for region membership.
    gemeenten = gemeenten.drop(columns=["arbeidsmarktregio_code", "arbeidsmarktregio"]).merge(
        table[["gemeentecode", "arbeidsmarktregio_code", "arbeidsmarktregio"]],
        on="gemeentecode",
        how="left",
        validate="one_to_one",
    )
    gemeenten = gpd.GeoDataFrame(gemeenten, geometry="geometry", crs=all_gem.crs)
    gemeenten = gemeenten.sort_values("gemeentecode").reset_index(drop=True)

    all_rd = all_gem.to_crs(RD_NEW)[["gemeentecode", "gemeentenaam", "in_5_nh_regios",
                                     "geometry"]]

    reg_path = _path(data_dir, "regios")
    regios = _read_geojson(reg_path, {"arbeidsmarktregio_code", "arbeidsmarktregio", "geometry"})
    _require_unique(regios, "arbeidsmarktregio_code", reg_path)
    if set(regios["arbeidsmarktregio_code"]) != set(REGIONS):
        raise ReferenceDataError(f"Referentiebestand {reg_path.name} bevat niet de vijf regio's")
    regios = regios.sort_values("arbeidsmarktregio_code").reset_index(drop=True)

    pc4_path = _path(data_dir, "pc4")
    pc4 = _read_csv(pc4_path, _PC4_COLUMNS, dtype={"pc4": str})
    pc4["pc4"] = pc4["pc4"].str.zfill(4)
    _require_unique(pc4, "pc4", pc4_path)
    pc4["plaats_certegis"] = pc4["plaats_certegis"].fillna("")

    school_path = _path(data_dir, "scholen")
    scholen = _read_csv(
        school_path,
        _SCHOOL_COLUMNS,
        dtype={"vestigingscode": str, "postcode": str, "gemeentenummer": str, "pc4": str,
               "huisnummer_toevoeging": str, "bevoegd_gezag_nummer": str},
    )
    _require_unique(scholen, "vestigingscode", school_path)
    for flag in ("heeft_vmbo_bk", "heeft_vmbo_tl_mavo", "heeft_havo", "heeft_vwo", "heeft_pro"):
        scholen[flag] = _to_bool(scholen[flag])
    scholen["heeft_vmbo"] = scholen["heeft_vmbo_bk"] | scholen["heeft_vmbo_tl_mavo"]
    if not scholen["gemeentecode_duo"].isin(gemeenten["gemeentecode"]).all():
        raise ReferenceDataError(
            f"Referentiebestand {school_path.name} bevat scholen buiten de 46 gemeenten"
        )
    scholen = gpd.GeoDataFrame(
        scholen,
        geometry=gpd.points_from_xy(scholen["lon"], scholen["lat"]),
        crs=WGS84,
    )

    mbo_path = _path(data_dir, "mbo")
    mbo = _read_csv(mbo_path, _MBO_COLUMNS, dtype=str).fillna("")

    div_path = _path(data_dir, "subregios")
    try:
        from geo.reference.divisions import read_division  # reads Division from here

        division = read_division(
            div_path, list(gemeenten["gemeentecode"]), name="voorstel (meegeleverd)"
        )
    except DivisionError as err:
        raise ReferenceDataError(str(err)) from err

    return Reference(
        data_dir=Path(data_dir),
        gemeenten=gemeenten,
        gemeenten_rd=all_rd,
        regios=regios,
        pc4=pc4,
        scholen=scholen,
        mbo=mbo,
        default_division=division,
    )


#: How many loaded reference folders stay in memory.
_KEEP = 4
_LOADED: dict[str, Reference] = {}
_LOADED_LOCK = threading.Lock()

#: The code whose behaviour a loaded reference depends on (key of its copy on disk).
_CODE = (Path(__file__), Path(__file__).with_name("divisions.py"),
         Path(__file__).with_name("sources.py"))

#: The reference's file in the cache folder.
CACHE_FILE = "referentie.pickle"


def _load_from(folder: str, cache_dir: str | Path | None) -> Reference:
    if cache_dir is None:
        return _load(Path(folder))
    from geo.reference import disk_cache

    key = disk_cache.cache_key(folder, _CODE, "reference")
    return disk_cache.cached(Path(cache_dir) / CACHE_FILE, key, lambda: _load(Path(folder)),
                             expect=Reference)


def load_reference(data_dir: str | Path, *, cache_dir: str | Path | None = None) -> Reference:
    """Load (once per folder) and validate the reference layers.

    Parameters
    ----------
    data_dir : str or Path
        The folder holding the files listed in :data:`FILES`.
    cache_dir : str or Path, optional
        A folder where a checked copy is kept for the next process
        (:mod:`geo.reference.disk_cache`): read from there when the data files, this code
        and the libraries are unchanged, else read from ``data_dir`` and saved there.

    Returns
    -------
    Reference

    Raises
    ------
    ReferenceDataError
        When a file is missing, unreadable or inconsistent; the message names it.
    """
    folder = str(Path(data_dir).resolve())
    with _LOADED_LOCK:
        found = _LOADED.get(folder)
    if found is not None:
        return found
    loaded = _load_from(folder, cache_dir)
    with _LOADED_LOCK:
        found = _LOADED.setdefault(folder, loaded)
        while len(_LOADED) > _KEEP:
            del _LOADED[next(iter(_LOADED))]
    return found


_Built = TypeVar("_Built")
_SHARED: dict[tuple[Callable, int], tuple[Reference, object]] = {}
_SHARED_LOCK = threading.Lock()


def shared_per_reference(reference: Reference,
                         build: Callable[[Reference], _Built]) -> _Built:
    """``build(reference)``, made once per loaded reference and shared by every user.

    For read-only indexes that take long to build (the place index of the gazetteer, the
    spelling index of the importer). The entry is keyed by the builder and the
    reference's identity, and checked to still be that reference.
    """
    key = (build, id(reference))
    with _SHARED_LOCK:
        entry = _SHARED.get(key)
        if entry is None or entry[0] is not reference:
            entry = (reference, build(reference))
            _SHARED[key] = entry
        return entry[1]  # type: ignore[return-value]


def remember_per_reference(reference: Reference, build: Callable[[Reference], _Built],
                           value: _Built) -> None:
    """Let :func:`shared_per_reference` answer ``value`` for ``build`` and ``reference``.

    For a value that was built earlier and kept on disk (see :mod:`geo.output.map_cache`).
    """
    with _SHARED_LOCK:
        _SHARED[(build, id(reference))] = (reference, value)
