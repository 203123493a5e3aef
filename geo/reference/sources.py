"""The bundled reference files and a fingerprint of their contents (cheap to import).

:mod:`geo.reference.data` reads these files with geopandas; indexes built from them and kept
on disk (:mod:`geo.reference.place_index`) are keyed by :func:`fingerprint`, so they are made
again as soon as a file changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

#: key → file name in the data folder.
FILES = {
    "gemeenten": "gemeenten_2024_nl.geojson",
    "regios": "arbeidsmarktregios_nh_2024.geojson",
    "regio_tabel": "gemeente_arbeidsmarktregio_nh.csv",
    "subregios": "subregio_indeling_voorstel.csv",
    "pc4": "pc4_nl.csv",
    "scholen": "vo_vestigingen_5regios_duo.csv",
    "mbo": "mbo_infra_locaties.csv",
}


def fingerprint(data_dir: str | Path, extra: tuple[Path, ...] = ()) -> str:
    """SHA-256 (hex) over the name and contents of every file in :data:`FILES` and ``extra``.

    A missing file counts as its name with a mark, so the fingerprint still changes when a
    file appears or disappears (reading the data then reports what is wrong).
    """
    digest = hashlib.sha256()
    for path in [*(Path(data_dir) / name for name in FILES.values()), *extra]:
        digest.update(path.name.encode("utf-8") + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()
