"""What every new register starts with: the DUO school locations and the mbo infra places.

Both come from the bundled reference data (:class:`~geo.reference.data.Reference`) and
are seeded into empty tables when a register is opened.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3

from geo import vocabulary
from geo.addresses import format_postcode
from geo.reference.data import Reference
from geo.reference.gazetteer import Gazetteer
from geo.register._records import derive_areas, is_missing
from geo.register.history import now

log = logging.getLogger(__name__)


def seed(conn: sqlite3.Connection, reference: Reference, gazetteer: Gazetteer) -> None:
    """Fill empty tables: the DUO schools and the mbo places (inside a transaction)."""
    if conn.execute("SELECT count(*) FROM scholen WHERE bron = 'duo'").fetchone()[0] == 0:
        _seed_schools(conn, reference)
    if conn.execute("SELECT count(*) FROM mbo_locaties").fetchone()[0] == 0:
        _seed_mbo(conn, reference, gazetteer)


def duo_place(name: object) -> str:
    """``"HOORN NH"`` → ``"Hoorn"``, ``"IJMUIDEN"`` → ``"IJmuiden"``."""
    text = re.sub(r"\s+NH$", "", str(name or "").strip(), flags=re.IGNORECASE)
    text = text.title().replace("'S-", "'s-")
    return re.sub(r"\bIj", "IJ", text)


def _seed_schools(conn: sqlite3.Connection, reference: Reference) -> None:
    regions = reference.gemeenten.set_index("gemeentecode")
    sub = reference.default_division.subregion_of()
    stamp = now()
    rows = []
    for s in reference.scholen.itertuples(index=False):
        code = s.gemeentecode_duo
        parts = [s.straatnaam, s.huisnummer_toevoeging]
        street = " ".join(" ".join(str(p) for p in parts if not is_missing(p)).split())
        rows.append((
            s.vestigingscode, s.vestigingsnaam, street, format_postcode(s.postcode),
            duo_place(s.plaatsnaam), code, regions.at[code, "gemeentenaam"],
            sub.get(code), regions.at[code, "arbeidsmarktregio_code"],
            regions.at[code, "arbeidsmarktregio"],
            "" if is_missing(s.onderwijsstructuur) else str(s.onderwijsstructuur),
            int(s.heeft_vmbo), int(s.heeft_vmbo_bk), int(s.heeft_vmbo_tl_mavo),
            int(s.heeft_havo), int(s.heeft_vwo), int(s.heeft_pro),
            float(s.lat), float(s.lon), "postcode4", "duo", stamp, stamp,
            vocabulary.name_key(s.vestigingsnaam),
        ))
    conn.executemany(
        "INSERT INTO scholen (vestigingscode, naam, straat, postcode, plaats, "
        "gemeentecode, gemeentenaam, subregio, arbeidsmarktregio_code, arbeidsmarktregio,"
        " onderwijsstructuur, heeft_vmbo, heeft_vmbo_bk, heeft_vmbo_tl_mavo, heeft_havo,"
        " heeft_vwo, heeft_pro, lat, lon, nauwkeurigheid, bron, aangemaakt, gewijzigd,"
        " importsleutel) VALUES (" + ", ".join("?" * 24) + ")",
        rows,
    )
    log.info("Seeded %d DUO school locations", len(rows))


def _seed_mbo(conn: sqlite3.Connection, reference: Reference, gazetteer: Gazetteer) -> None:
    rows = []
    for m in reference.mbo.itertuples(index=False):
        found = gazetteer.place(m.plaats) if m.plaats else None
        if found is None and m.postcode:
            found = gazetteer.postcode(m.postcode)
        lat = found.lat if found else None
        lon = found.lon if found else None
        areas = derive_areas(reference, [lon if lon is not None else math.nan],
                             [lat if lat is not None else math.nan])[0]
        rows.append((m.naam, m.instelling, m.straat_huisnummer, format_postcode(m.postcode),
                     m.plaats, lat, lon, found.precision if found else "geen",
                     areas["gemeentecode"], areas["gemeentenaam"]))
    conn.executemany(
        "INSERT INTO mbo_locaties (naam, instelling, straat, postcode, plaats, lat, lon, "
        "nauwkeurigheid, gemeentecode, gemeentenaam) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
