"""The log: one configuration, a private rotating file, and no personal data in it."""

from __future__ import annotations

import dataclasses
import logging
import stat
from logging.handlers import RotatingFileHandler

import pandas as pd
import pytest

from geo.cli import main
from geo.logs import LOG_FILES_KEPT, MAX_LOG_BYTES, ROOT_LOGGER, configure_logging, redact
from geo.output import tables
from geo.register.store import Store

CONTACTS = [
    ("Grondwerk Noord B.V.", "Jolanda Vermeulen-Kaasjager", "jolanda.vk@grondwerk.invalid",
     "06 1234 5678"),
    ("Waterbouw Zuid", "Sjoerd Bakkenes", "s.bakkenes@waterbouw.invalid", "+31 20 765 4321"),
    ("Fout Adres B.V.", "Anneke Zwiers", "anneke@@kapot", "0229-123456"),
]


@pytest.fixture
def debug_settings(settings):
    """Settings that log everything to ``tmp_path/logs``; the handlers go afterwards."""
    chatty = dataclasses.replace(settings, log_level="DEBUG", log_file=True)
    yield chatty
    configure_logging(dataclasses.replace(chatty, log_file=False))


def ours(logger: logging.Logger) -> list[logging.Handler]:
    return [h for h in logger.handlers if getattr(h, "_infrakaart_handler", False)]


def test_log_file_is_private_and_rotated(debug_settings):
    logger = configure_logging(debug_settings)
    configure_logging(debug_settings)  # again: replaced, not doubled
    [handler] = ours(logger)
    assert isinstance(handler, RotatingFileHandler)
    assert handler.maxBytes == MAX_LOG_BYTES and handler.backupCount == LOG_FILES_KEPT
    logging.getLogger("geo.test").info("hallo")
    handler.flush()
    assert debug_settings.log_path.read_text(encoding="utf-8").endswith("geo.test: hallo\n")
    assert stat.S_IMODE(debug_settings.log_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(debug_settings.log_path.parent.stat().st_mode) == 0o700
    assert ours(configure_logging(dataclasses.replace(debug_settings, log_file=False))) == []


def test_redaction_of_e_mail_and_phone_numbers(debug_settings):
    configure_logging(debug_settings)
    logging.getLogger("geo.test").warning("Contact %s, bel %s, rij %d",
                                          "piet@beta.invalid", "0229-0000099", 12)
    text = debug_settings.log_path.read_text(encoding="utf-8")
    assert "Contact [e-mail], bel [telefoon], rij 12" in text
    assert redact("postcode 1628 AB, 270 scholen, versie 3") == \
        "postcode 1628 AB, 270 scholen, versie 3"


def test_import_edit_and_delete_leave_no_contacts_in_the_log(debug_settings, reference,
                                                              tmp_path, capsys):
    source = tmp_path / "partners.csv"
    source.write_bytes(tables.csv_bytes(pd.DataFrame({
        "Organisatie": [c[0] for c in CONTACTS],
        "Postcode": ["1628 AB", "1811 AB", "1012 JS"],
        "Plaats": ["Hoorn", "Alkmaar", "Amsterdam"],
        "Contactpersoon": [c[1] for c in CONTACTS],
        "E-mail": [c[2] for c in CONTACTS],
        "Telefoon": [c[3] for c in CONTACTS],
    })))
    assert main(["import", str(source), "--offline"], settings=debug_settings) == 0
    capsys.readouterr()
    with Store(debug_settings.database_path, reference) as store:
        organisations = store.organisations(include_personal=True)
        assert set(organisations["contactpersoon"]) >= {c[1] for c in CONTACTS[:2]}
        first = int(organisations["id"].iloc[0])
        store.save_organisation({"id": first, "contactpersoon": "Karel Nieuwenhuizen",
                                 "email": "karel@nieuw.invalid"}, user="anna")
        store.delete_organisation(first, user="anna")
    for handler in ours(logging.getLogger(ROOT_LOGGER)):
        handler.flush()
    text = debug_settings.log_path.read_text(encoding="utf-8")
    assert "Import" in text  # the log did record the work
    for _, person, email, phone in CONTACTS:
        for value in (person, email, phone, person.split()[-1]):
            assert value not in text, value
    assert "Karel" not in text and "karel@nieuw.invalid" not in text
