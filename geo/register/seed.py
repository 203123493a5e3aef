"""What every new register starts with: the DUO school locations and the mbo infra places.

Both come from the bundled reference data (:class:`~geo.reference.data.Reference`) and
are seeded into empty tables when a register is opened.
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
from collections.abc import Callable

import pandas as pd

from geo import education_places, vocabulary
from geo.addresses import format_postcode
from geo.reference.data import Reference
from geo.reference.gazetteer import Gazetteer
from geo.register._records import derive_areas, is_missing
from geo.register.history import CREATED_FIELD, now, write_entry

log = logging.getLogger(__name__)


def seed(conn: sqlite3.Connection, reference: Reference,
         gazetteer: Callable[[], Gazetteer]) -> None:
    """Fill empty tables: the DUO schools and the mbo places (inside a transaction).

    The places are seeded once, into an empty table; from then on the register's places
    are what counts (the team corrects them), never the file. ``gazetteer`` gives the
    place index only when the places are seeded (opening a filled register builds none).
    """
    if conn.execute("SELECT count(*) FROM scholen WHERE bron = 'duo'").fetchone()[0] == 0:
        _seed_schools(conn, reference)
    if conn.execute("SELECT count(*) FROM opleidingslocaties").fetchone()[0] == 0:
        _seed_places(conn, reference, gazetteer())


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


def bundled_places(reference: Reference, gazetteer: Gazetteer) -> pd.DataFrame:
    """The bundled mbo infra places as the register is seeded with them (pure).

    The register's one reader of ``data/mbo_infra_locaties.csv`` (``reference.mbo``; the
    analysis reads the register's places). The file knows only the place of each; it is placed with
    the offline gazetteer (by place name, else by postcode), marked as the bundled source
    and says so in its note, until someone sets the exact address.

    Returns
    -------
    pandas.DataFrame
        ``naam``, ``instelling``, ``soort``, ``straat``, ``postcode``, ``plaats``, ``lat``,
        ``lon`` (NaN when not found), ``nauwkeurigheid``, ``bron``, ``melding``,
        ``gemeentecode``, ``gemeentenaam``.
    """
    rows = []
    for m in reference.mbo.itertuples(index=False):
        found = gazetteer.place(m.plaats) if m.plaats else None
        if found is None and m.postcode:
            found = gazetteer.postcode(m.postcode)
        precision = found.precision if found else "geen"
        provenance = str(getattr(m, "bron", "") or "").strip()
        note = ("Meegeleverd bestand" + (f" ({provenance})" if provenance else "") + ": "
                + ("alleen de plaats is bekend. " if precision == education_places.PLACE_LEVEL
                   else "") + "Vul het exacte adres in (Beheer → Opleidingslocaties of "
                "'infrakaart mbo zet').")
        rows.append({
            "naam": m.naam, "instelling": m.instelling,
            "soort": education_places.DEFAULT_PLACE_KIND, "straat": m.straat_huisnummer,
            "postcode": format_postcode(m.postcode), "plaats": m.plaats,
            "lat": found.lat if found else math.nan, "lon": found.lon if found else math.nan,
            "nauwkeurigheid": precision, "bron": education_places.BUNDLED_SOURCE,
            "melding": note,
        })
    frame = pd.DataFrame(rows, columns=[
        "naam", "instelling", "soort", "straat", "postcode", "plaats", "lat", "lon",
        "nauwkeurigheid", "bron", "melding"])
    areas = derive_areas(reference, frame["lon"].astype(float).tolist(),
                         frame["lat"].astype(float).tolist())
    frame["gemeentecode"] = [a["gemeentecode"] for a in areas]
    frame["gemeentenaam"] = [a["gemeentenaam"] for a in areas]
    return frame


#: Who the history names as the maker of the seeded places.
SEED_USER = "(meegeleverd bestand)"


def _seed_places(conn: sqlite3.Connection, reference: Reference,
                 gazetteer: Gazetteer) -> None:
    stamp = now()
    places = bundled_places(reference, gazetteer)
    columns = [*places.columns, "importsleutel", "aangemaakt", "gewijzigd"]
    for place in places.to_dict("records"):
        values = [None if is_missing(place[c]) else place[c] for c in places.columns]
        values += [vocabulary.name_key(place["naam"]), stamp, stamp]
        cursor = conn.execute(
            f"INSERT INTO opleidingslocaties ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})", values)
        write_entry(conn, SEED_USER, "opleidingslocaties", int(cursor.lastrowid),
                    CREATED_FIELD, "", str(place["naam"]), version=1)
    log.info("Seeded %d mbo infra places (place level)", len(places))
