"""The area levels of Infrakaart: plain names, cheap to import (no geopandas).

The command line builds its ``--niveau`` choices and the pages their selects from
:data:`LEVELS`; :mod:`geo.reference.regions` draws and assigns the units of each level.
"""

from __future__ import annotations

#: The levels, from small to large: 46 municipalities, the subregions of a division, and
#: the five labour-market regions.
LEVELS: tuple[str, ...] = ("gemeente", "subregio", "arbeidsmarktregio")

#: Dutch label of every level, for selects and headings.
LEVEL_LABELS: dict[str, str] = {
    "gemeente": "Gemeente",
    "subregio": "Subregio",
    "arbeidsmarktregio": "Arbeidsmarktregio",
}
