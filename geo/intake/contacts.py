"""Checks on the contact fields of an import row, as offices type them.

The notes name the field and what is wrong but never the value: contact data are
personal, and the notes end up in the public ``melding`` of an organisation.
"""

from __future__ import annotations

import re

#: What the importer says about an invalid e-mail address (no value: ``melding`` is public).
INVALID_EMAIL_NOTE = "E-mail: ongeldig e-mailadres; controleer de e-mailkolom van deze rij."

#: What the importer says about an invalid phone number.
INVALID_PHONE_NOTE = ("Telefoon: ongeldig telefoonnummer; controleer de telefoonkolom van "
                      "deze rij.")

#: What the importer says about an e-mail address in the contact person column.
EMAIL_AS_CONTACT_NOTE = ("Contactpersoon: lijkt een e-mailadres in plaats van een naam; "
                         "controleer de kolom contactpersoon van deze rij.")

_PHONE_CHARACTERS = re.compile(r"[0-9+()\-\s./]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LOST_ZERO = re.compile(r"[1-9]\d{8}")


def contact_notes(values: dict[str, str]) -> list[str]:
    """Notes on the contact fields; fixes a phone number that lost its leading zero.

    Parameters
    ----------
    values : dict
        Field → text of one row; ``telefoon`` is corrected in place when a number cell
        lost its leading zero.

    Returns
    -------
    list of str
        Dutch notes (:data:`INVALID_PHONE_NOTE`, :data:`INVALID_EMAIL_NOTE`,
        :data:`EMAIL_AS_CONTACT_NOTE`), never quoting a value.
    """
    notes = []
    phone = values.get("telefoon", "").strip()
    if _LOST_ZERO.fullmatch(phone):  # a number cell lost its leading zero
        values["telefoon"] = phone = "0" + phone
    if phone:
        digits = sum(ch.isdigit() for ch in phone)
        if not _PHONE_CHARACTERS.fullmatch(phone) or not 8 <= digits <= 15:
            notes.append(INVALID_PHONE_NOTE)
    email = values.get("email", "").strip()
    if email and not _EMAIL.fullmatch(email):
        notes.append(INVALID_EMAIL_NOTE)
    if "@" in values.get("contactpersoon", ""):
        notes.append(EMAIL_AS_CONTACT_NOTE)
    return notes
