"""Load and validate the bundled reference data in ``data/``.

The layers are read once per data folder (:func:`load_reference` is memoised) and
validated on load: coordinate reference system, required columns, unique codes and the
expected membership of the five labour-market regions. A missing or corrupt file gives
a :class:`~geo.errors.ReferenceDataError` that names the file.

Distances and areas are computed in RD New (:data:`RD_NEW`); maps are drawn in WGS84.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import INVISIBLE_CATEGORIES, DivisionError, ReferenceDataError, shown

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

FILES = {
    "gemeenten": "gemeenten_2024_nl.geojson",
    "regios": "arbeidsmarktregios_nh_2024.geojson",
    "regio_tabel": "gemeente_arbeidsmarktregio_nh.csv",
    "subregios": "subregio_indeling_voorstel.csv",
    "pc4": "pc4_nl.csv",
    "scholen": "vo_vestigingen_5regios_duo.csv",
    "mbo": "mbo_infra_locaties.csv",
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
_DIVISION_COLUMNS = {"gemeentecode", "subregio"}


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
            f"Referentiebestand {path.name}: code(s) komen dubbel voor in '{column}': "
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


#: Largest division file accepted, in bytes (46 rows take a few kilobytes).
MAX_DIVISION_BYTES = 256 * 1024

#: Longest subregion name, in characters (the longest real one has 27).
MAX_SUBREGION_CHARS = 60

#: Longest display name of a division (an uploaded file name), in characters.
MAX_DIVISION_NAME_CHARS = 80

#: First characters a subregion name may not have: a spreadsheet reads the name as a
#: formula (the division can be downloaded again as CSV).
_FORMULA_STARTS = frozenset("=+-@")


def _clean_text(text: str) -> str:
    """NFC, every space separator (also no-break spaces) as one space, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)
    return re.sub(" {2,}", " ", text).strip()


def division_label(name: str) -> str:
    """The display name of a division read from a file called ``name``.

    Invisible characters (:data:`geo.errors.INVISIBLE_CATEGORIES`) are dropped, spaces
    normalised and the result cut to :data:`MAX_DIVISION_NAME_CHARS`; ``"upload"`` when
    nothing is left. Pages compare an upload's name with ``division.name`` through this.
    """
    text = "".join(
        ch for ch in str(name) if unicodedata.category(ch) not in INVISIBLE_CATEGORIES
    )
    text = _clean_text(text)
    if len(text) > MAX_DIVISION_NAME_CHARS:
        text = text[: MAX_DIVISION_NAME_CHARS - 1] + "…"
    return text or "upload"


def _division_bytes(source: str | Path | bytes | io.IOBase, label: str) -> bytes:
    """The raw bytes of a division file, refusing anything over the size limit unread."""
    limit = MAX_DIVISION_BYTES
    too_large = DivisionError(
        f"Indelingsbestand {label} is groter dan {limit // 1024} kB; een indeling van 46 "
        "gemeenten is maar een paar kilobyte."
    )
    if isinstance(source, bytes):
        raw = source
    elif isinstance(source, (str, Path)):
        path = Path(source)
        try:
            info = path.stat()
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError(str(path))
            if not stat.S_ISREG(info.st_mode):
                raise DivisionError(
                    f"Indelingsbestand {label} kan niet worden gelezen: het is geen gewoon "
                    "bestand."
                )
            if info.st_size > limit:
                raise too_large
            with path.open("rb") as handle:
                raw = handle.read(limit + 1)
        except OSError as err:
            reason = (
                "het bestand bestaat niet" if isinstance(err, FileNotFoundError)
                else "het is een map" if isinstance(err, IsADirectoryError)
                else "geen leesrechten" if isinstance(err, PermissionError)
                else f"leesfout ({err.strerror or type(err).__name__})"
            )
            raise DivisionError(
                f"Indelingsbestand {label} kan niet worden gelezen: {reason}."
            ) from err
    else:
        raw = source.read(limit + 1)
        raw = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    if len(raw) > limit:
        raise too_large
    return raw


def _division_text(raw: bytes, label: str) -> str:
    """Decode strictly: UTF-8 (BOM or not), else Windows-1252 if every line fits it."""
    if b"\x00" in raw:
        raise DivisionError(
            f"Indelingsbestand {label} is geen tekstbestand (CSV). Sla het op als CSV "
            "(UTF-8)."
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = raw.splitlines()
    utf8 = [n for n, line in enumerate(lines, 1) if not line.isascii() and _is_utf8(line)]
    if utf8:
        other = next(n for n, line in enumerate(lines, 1) if not _is_utf8(line))
        raise DivisionError(
            f"Indelingsbestand {label} mengt twee tekstcoderingen: rij {utf8[0]} is UTF-8, "
            f"rij {other} niet. Sla het bestand opnieuw op als CSV (UTF-8)."
        )
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as err:
        row = raw[: err.start].count(b"\n") + 1
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row}: bevat tekens die niet te lezen zijn (geen "
            "UTF-8 en geen Windows-1252). Sla het bestand opnieuw op als CSV (UTF-8)."
        ) from err


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _division_header(text: str, label: str) -> tuple[str, int, int]:
    """The separator and the columns of ``gemeentecode`` and ``subregio``."""
    best: list[str] = []
    for sep in (",", ";", "\t"):
        records = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        try:
            cells = next((r for r in records if any(c.strip() for c in r)), [])
        except csv.Error:
            continue
        names = [_clean_text(c).casefold() for c in cells]
        if len(names) > len(best):
            best = names
        if not _DIVISION_COLUMNS <= set(names):
            continue
        for column in sorted(_DIVISION_COLUMNS):
            if names.count(column) > 1:
                raise DivisionError(
                    f"Indelingsbestand {label}: de kolom '{column}' staat meer dan eens in de "
                    "kopregel; laat er één over."
                )
        return sep, names.index("gemeentecode"), names.index("subregio")
    missing = sorted(_DIVISION_COLUMNS - set(best))
    found = ", ".join(shown(c, 30) for c in best if c) or "geen"
    raise DivisionError(
        f"Indelingsbestand {label} mist de kolom(men) {', '.join(missing)}; nodig zijn "
        f"'gemeentecode' (GMxxxx) en 'subregio'. Gevonden kolommen: {found}."
    )


def _subregion_name(text: str, *, label: str, row: int, code: str) -> str:
    """A subregion name, cleaned, or a :class:`DivisionError` naming the row."""
    text = text.strip()
    for ch in text:
        if unicodedata.category(ch) in INVISIBLE_CATEGORIES:
            raise DivisionError(
                f"Indelingsbestand {label}, rij {row}: de subregionaam bevat een onzichtbaar "
                f"teken of stuurteken (U+{ord(ch):04X}); typ de naam opnieuw."
            )
    name = _clean_text(text)
    if not name:
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row}: gemeente {code} heeft geen subregio."
        )
    if len(name) > MAX_SUBREGION_CHARS:
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row}: de subregionaam is langer dan "
            f"{MAX_SUBREGION_CHARS} tekens."
        )
    if name[0] in _FORMULA_STARTS:
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row}: een subregionaam mag niet beginnen met "
            f"'{name[0]}' (een spreadsheet leest dat als formule)."
        )
    return name


def read_division(
    source: str | Path | bytes | io.IOBase,
    gemeentecodes: list[str],
    *,
    name: str | None = None,
) -> Division:
    """Read and strictly validate a subregion division table (CSV).

    Anyone may upload a division on the public map page, so everything is checked and
    every problem is a :class:`DivisionError` with a Dutch message naming the row:

    * at most :data:`MAX_DIVISION_BYTES` (a path is checked on disk before reading);
      reading stops at the first bad row, so at most 46 rows are ever kept;
    * text in UTF-8 (with or without BOM), else in Windows-1252 when every byte fits
      it; a file that mixes the two is refused rather than read garbled;
    * separator ``,``, ``;`` or tab; the columns ``gemeentecode`` (GMxxxx) and
      ``subregio`` exactly once each (other columns are ignored: names are never used
      for joins);
    * each of ``gemeentecodes`` exactly once, nothing else;
    * subregion names: no invisible or control characters
      (:data:`geo.errors.INVISIBLE_CATEGORIES`), not empty, at most
      :data:`MAX_SUBREGION_CHARS` characters, not starting with ``=``, ``+``, ``-`` or
      ``@`` (a formula in a spreadsheet); stored in NFC with spaces normalised and
      surrounding whitespace stripped. Braces, ``<``, ``&`` and the like are allowed:
      they are escaped where names are shown, not refused here.

    Parameters
    ----------
    source : path, bytes or file-like
        The CSV to read.
    gemeentecodes : list of str
        The GM codes that must each appear exactly once.
    name : str, optional
        Display name; defaults to the file name. Cleaned by :func:`division_label`.

    Returns
    -------
    Division

    Raises
    ------
    DivisionError
        With a Dutch message naming the row or the codes at fault.
    """
    label = division_label(
        name or (Path(source).name if isinstance(source, (str, Path)) else "upload")
    )
    text = _division_text(_division_bytes(source, label), label)
    sep, code_col, sub_col = _division_header(text, label)
    wanted = set(gemeentecodes)
    seen: dict[str, int] = {}
    records: list[tuple[str, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header_done = False
    row = 0
    try:
        for row, cells in enumerate(reader, start=1):
            if not any(c.strip() for c in cells):
                continue
            if not header_done:
                header_done = True
                continue
            code = _clean_text(cells[code_col] if code_col < len(cells) else "").upper()
            if not code:
                raise DivisionError(
                    f"Indelingsbestand {label}, rij {row}: de gemeentecode ontbreekt."
                )
            if code not in wanted:
                raise DivisionError(
                    f"Indelingsbestand {label}, rij {row}: '{shown(code, 20)}' is geen "
                    "gemeentecode van de vijf arbeidsmarktregio's."
                )
            if code in seen:
                raise DivisionError(
                    f"Indelingsbestand {label}, rij {row}: gemeente {code} staat ook al op rij "
                    f"{seen[code]}; elke gemeente hoort er precies één keer in."
                )
            seen[code] = row
            raw_name = cells[sub_col] if sub_col < len(cells) else ""
            records.append(
                (code, _subregion_name(raw_name, label=label, row=row, code=code))
            )
    except csv.Error as err:
        raise DivisionError(
            f"Indelingsbestand {label}, rij {row + 1}: onleesbare CSV (bijvoorbeeld een "
            "aanhalingsteken dat niet wordt gesloten)."
        ) from err
    absent = sorted(wanted - set(seen))
    if absent:
        raise DivisionError(
            f"Indelingsbestand {label}: deze gemeente(n) ontbreken: " + ", ".join(absent)
        )
    frame = pd.DataFrame(records, columns=["gemeentecode", "subregio"])
    frame = frame.sort_values("gemeentecode").reset_index(drop=True)
    return Division(name=label, table=frame)


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


@lru_cache(maxsize=4)
def _load_cached(data_dir: str) -> Reference:
    return _load(Path(data_dir))


def load_reference(data_dir: str | Path) -> Reference:
    """Load (once per folder) and validate the reference layers.

    Parameters
    ----------
    data_dir : str or Path
        The folder holding the files listed in :data:`FILES`.

    Returns
    -------
    Reference

    Raises
    ------
    ReferenceDataError
        When a file is missing, unreadable or inconsistent; the message names it.
    """
    return _load_cached(str(Path(data_dir).resolve()))
