"""Export the register as CSV, Excel, GeoJSON or GeoPackage, with Dutch column names.

A public export (``public=True``) is built from :meth:`geo.register.store.Store.organisations`
without personal data, i.e. from the SQL view ``organisaties_publiek``, which has no
personal columns: nothing is dropped afterwards, so nothing can be forgotten. It also
leaves out the internal columns (notes, import verdicts), because free-text notes written
by staff may mention people.

Format choices
    * CSV and Excel (``.xlsx``) are written by :mod:`geo.output.tables`, the one table writer:
      the Dutch CSV dialect (UTF-8 with BOM, ``;``, decimal comma, CRLF; coordinates
      with six decimals), texts always as text and formula-like texts made inert.
    * GeoJSON / GeoPackage: points in WGS84 (EPSG:4326); organisations without a
      location are left out and counted in :attr:`ExportSummary.unplaced`. Yes/no
      columns are real booleans there, ``ja``/``nee`` in CSV and Excel.

Files are written atomically through :mod:`geo.output.files`: never half written, no temporary
file left behind, and a staff export (with personal data) readable by its owner only
(mode 0600).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyogrio.errors import DataLayerError, DataSourceError

from geo import fields as registry
from geo.errors import OutputError, StoreError
from geo.output import tables
from geo.output.files import atomic_output, write_file_atomically
from geo.reference.data import WGS84
from geo.register.store import Store
from geo.text import count_noun

#: Supported export formats.
EXPORT_FORMATS = ("csv", "xlsx", "geojson", "gpkg")

#: MIME type per format (for download buttons).
MIME_TYPES = {
    "csv": tables.CSV_MIME,
    "xlsx": tables.XLSX_MIME,
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}

def column_labels() -> dict[str, str]:
    """Field name → Dutch column name of every exported field (:mod:`geo.fields`)."""
    return registry.export_labels()


def exported_fields(*, public: bool) -> tuple[str, ...]:
    """The fields of a public export (no personal, no internal fields) or a staff export.

    In the order of :data:`geo.fields.ORGANISATION_FIELDS`.
    """
    return registry.names(registry.export_fields(public=public))


_COORDINATE_DECIMALS = 6


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote.

    Attributes
    ----------
    fmt : str
        One of :data:`EXPORT_FORMATS`.
    public : bool
        True when personal and internal fields were left out.
    rows : int
        Organisations written.
    unplaced : int
        Organisations left out of a geo format because they have no location
        (always 0 for CSV and Excel, which include them).
    """

    fmt: str
    public: bool
    rows: int
    unplaced: int

    def message(self) -> str:
        """A Dutch one-line summary for people."""
        kind = "openbaar, zonder persoonsgegevens" if self.public else "met contactgegevens"
        text = (f"{count_noun(self.rows, 'organisatie', 'organisaties')} geëxporteerd als "
                f"{self.fmt} ({kind}).")
        if self.unplaced:
            stays_out = ("organisatie zonder locatie staat", "organisaties zonder locatie staan")
            text += f" {count_noun(self.unplaced, *stays_out)} niet in dit kaartbestand."
        return text


def _check_format(fmt: str) -> str:
    fmt = str(fmt).strip().lower().lstrip(".")
    if fmt not in EXPORT_FORMATS:
        raise StoreError(f"Onbekend exportformaat '{fmt}'; kies uit {', '.join(EXPORT_FORMATS)}.")
    return fmt


def register_table(store: Store, *, public: bool) -> pd.DataFrame:
    """The organisations as exported, with internal field names (not yet Dutch labels).

    Parameters
    ----------
    store : Store
        The register.
    public : bool
        Read from the public view (no personal columns) and keep only the public
        fields; otherwise the staff fields with contact data (:func:`exported_fields`).

    Returns
    -------
    pandas.DataFrame
        One row per organisation, sorted by name.
    """
    frame = store.organisations(include_personal=not public)
    return frame.loc[:, list(exported_fields(public=public))].reset_index(drop=True)


def _tabular(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for item in registry.ORGANISATION_FIELDS:
        if item.type == registry.YES_NO and item.name in out:
            out[item.name] = out[item.name].map({True: "ja", False: "nee"}).astype(object)
    return out.rename(columns=column_labels())


def _about(public: bool) -> pd.DataFrame:
    return pd.DataFrame({
        "Over deze export": [
            f"Infrakaart — register van Infra Bindt, geëxporteerd op {date.today():%d-%m-%Y}.",
            "Openbare versie: zonder contactpersonen, e-mailadressen, telefoonnummers "
            "en interne notities." if public else
            "Interne versie MET persoonsgegevens (contactpersonen): alleen voor het "
            "team van Infra Bindt; niet delen.",
            "Locaties in WGS84 (breedtegraad/lengtegraad); 'Nauwkeurigheid locatie' zegt "
            "hoe precies de plek is (adres, postcode6, postcode4, plaats, handmatig, geen).",
        ]
    })


def _table_bytes(frame: pd.DataFrame, fmt: str, *, public: bool) -> bytes:
    """The CSV or XLSX export of ``frame`` (internal field names) as bytes."""
    table = _tabular(frame)
    if fmt == "csv":
        return tables.csv_bytes(table, decimals=_COORDINATE_DECIMALS)
    return tables.xlsx_bytes({"Organisaties": table, "Toelichting": _about(public)})


def _geo_frame(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, int]:
    placed = frame["lat"].notna() & frame["lon"].notna()
    labels = column_labels()
    kept = frame.loc[placed].rename(columns=labels).reset_index(drop=True)
    geo = gpd.GeoDataFrame(
        kept, geometry=gpd.points_from_xy(kept[labels["lon"]], kept[labels["lat"]]), crs=WGS84,
    )
    return geo, int((~placed).sum())


def export_register(
    store: Store, path: str | Path, *, fmt: str, public: bool
) -> ExportSummary:
    """Write the organisations of the register to a file.

    Parameters
    ----------
    store : Store
        The register.
    path : str or Path
        The file to write (folders are created; an existing file is replaced only
        when the export succeeded). A staff export gets mode 0600 (owner only).
    fmt : {"csv", "xlsx", "geojson", "gpkg"}
        The format.
    public : bool
        Leave out every personal field (and internal notes): for partners and the
        public. False gives the staff export with contact data.

    Returns
    -------
    ExportSummary

    Raises
    ------
    StoreError
        For an unknown format.
    OutputError
        When the file cannot be written (Dutch message naming the path); nothing is
        left behind and an existing file is unchanged.
    """
    fmt = _check_format(fmt)
    frame = register_table(store, public=public)
    if fmt in ("csv", "xlsx"):
        write_file_atomically(path, _table_bytes(frame, fmt, public=public), private=not public)
        return ExportSummary(fmt=fmt, public=public, rows=len(frame), unplaced=0)
    geo, unplaced = _geo_frame(frame)
    driver = "GeoJSON" if fmt == "geojson" else "GPKG"
    with atomic_output(path, private=not public, suffix=f".{fmt}") as tmp:
        try:
            geo.to_file(tmp, driver=driver, engine="pyogrio", layer="organisaties",
                        geometry_type="Point")
        except (DataSourceError, DataLayerError) as err:
            # GDAL words a failed write (disk full, size limit) its own way, and its text
            # may quote a row (personal data): not shown.
            raise OutputError(
                f"Kan {path} niet schrijven: het {fmt}-bestand kon niet worden gemaakt "
                "(is de schijf vol of het bestand groter dan toegestaan?). Er is niets "
                "geschreven; een bestaand bestand met die naam is niet veranderd.",
                path=Path(path)) from err
    return ExportSummary(fmt=fmt, public=public, rows=len(geo), unplaced=unplaced)


def export_bytes(store: Store, *, fmt: str, public: bool) -> bytes:
    """The export as bytes, e.g. for ``st.download_button`` (see :data:`MIME_TYPES`).

    Parameters
    ----------
    store : Store
        The register.
    fmt : {"csv", "xlsx", "geojson", "gpkg"}
        The format.
    public : bool
        As in :func:`export_register`.

    Returns
    -------
    bytes
        The file content.
    """
    fmt = _check_format(fmt)
    if fmt in ("csv", "xlsx"):
        return _table_bytes(register_table(store, public=public), fmt, public=public)
    with tempfile.TemporaryDirectory(prefix="infrakaart-export-") as folder:
        path = Path(folder) / f"export.{fmt}"
        export_register(store, path, fmt=fmt, public=public)
        return path.read_bytes()


def export_filename(fmt: str, *, public: bool, day: date | None = None) -> str:
    """A file name for a download: ``infrakaart-register-openbaar-2025-03-01.csv``."""
    fmt = _check_format(fmt)
    kind = "openbaar" if public else "intern"
    return f"infrakaart-register-{kind}-{(day or date.today()).isoformat()}.{fmt}"
