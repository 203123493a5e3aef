"""A small register for the view tests: partners at real places, with contact data."""

from __future__ import annotations

from pathlib import Path

from geo.register.store import Store

#: Contact data every partner carries; no public view may show any of it.
CONTACT = {"contactpersoon": "Mevrouw Geheim", "email": "geheim@bedrijf.nl",
           "telefoon": "020-7654321"}

#: (name, kind, donor, active, lat, lon): Alkmaar, Heerhugowaard, Amsterdam, Hilversum, Den
#: Helder; one partner without a location and one inactive.
PARTNERS = [
    ("Grondwerk <b>Noord</b>", "aannemer", True, True, 52.632, 4.748),
    ("Ingenieurs Heerhugowaard", "ingenieursbureau", False, True, 52.669, 4.823),
    ("Netbeheer Amsterdam", "netbeheerder", True, True, 52.372, 4.894),
    ("Wegenbouw Gooi", "aannemer", False, True, 52.226, 5.176),
    ("Havenbedrijf Den Helder", "overig", False, True, 52.955, 4.761),
    ("Nog niet geplaatst", "aannemer", False, True, None, None),
    ("Gestopt Bouw", "aannemer", False, False, 52.64, 4.75),
]


def small_register(path: Path, reference) -> Path:
    """Write the register of :data:`PARTNERS` at ``path`` (schools: the bundled DUO list)."""
    with Store(path, reference) as store:
        for name, kind, donor, active, lat, lon in PARTNERS:
            record = {"naam": name, "soort": kind, "donateur": donor, "actief": active,
                      "plaats": "Noord-Holland", **CONTACT}
            if lat is not None:
                record.update(lat=lat, lon=lon, nauwkeurigheid="adres")
            store.save_organisation(record, user="test", role="bestuur")
    return path
