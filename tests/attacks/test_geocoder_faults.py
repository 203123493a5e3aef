"""Attacks on the geocoder's network seam (issue 9, finding 7).

A hostile or broken server behind ``INFRAKAART_PDOK_URL`` (or a proxy or captive portal
in between) must not hang an import, exhaust memory, or get its answer trusted, cached
and shown as "placed by PDOK". Every import here goes through
:func:`geo.intake.verdicts.check_rows` with the application's :class:`FallbackGeocoder`,
pointed at the local fake PDOK server in a fault mode.
"""

from __future__ import annotations

import dataclasses
import tracemalloc

import pytest

from geo.intake._http import JsonClient, ResponseCache
from geo.intake.geocoding import FallbackGeocoder, OfflineGeocoder
from geo.intake.pdok import PdokGeocoder
from geo.intake.reading import read_table
from geo.intake.verdicts import check_rows
from geo.reference.gazetteer import Gazetteer
from geo.settings import Settings
from tests.fake_pdok import (  # noqa: F401  (fixture "fake_pdok")
    BAD_SHAPES,
    OVERSIZED,
    fake_pdok_fixture,
)

ROWS = (b"Naam;Straat;Postcode;Plaats\n"
        b"Bouwbedrijf Kade;Bouwkade 12;1703 AB;Heerhugowaard\n"
        b"Grondwerk Molen;Molenwerf 3;1911AB;Uitgeest\n"
        b"Kabel en Leiding;Sluispad 7;1501CD;Zaandam\n")

#: Honest Dutch reason PDOK was given up on, per fault mode.
UNREACHABLE = {
    "timeout": "PDOK gaf geen volledig antwoord binnen 1 seconde.",
    "drip": "PDOK gaf geen volledig antwoord binnen 1 seconde.",
    "drip_headers": "PDOK gaf geen volledig antwoord binnen 1 seconde.",
    "429": "PDOK weigert tijdelijk verzoeken (te veel verzoeken, HTTP 429).",
    "500": "PDOK is tijdelijk niet beschikbaar (HTTP 500).",
}
UNUSABLE = {mode: "PDOK gaf een onbruikbaar antwoord: " for mode in (*OVERSIZED, *BAD_SHAPES)}


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


def settings_for(tmp_path, url, **changes):
    base = Settings(pdok_url=url, geocode_cache_path=tmp_path / "cache.sqlite",
                    pdok_timeout_s=1.0, pdok_retries=1, pdok_rate_per_s=0,
                    pdok_max_response_mb=1.0)
    return dataclasses.replace(base, **changes)


def fallback(settings, gazetteer):
    http = JsonClient(settings, sleep=lambda seconds: None)  # no real back-off waits
    return FallbackGeocoder(PdokGeocoder(settings, gazetteer, http=http),
                            OfflineGeocoder(gazetteer))


def import_rows(geocoder, reference):
    table = read_table(ROWS, "partners.csv")
    return check_rows(table, geocoder=geocoder, reference=reference, existing=None)


def assert_placed_offline_honestly(verdicts, geocoder):
    assert len(verdicts) == 3
    for verdict in verdicts:
        assert verdict.source == "offline"  # never "placed by PDOK"
        # Judged on its own merits (issue 12): the postcode lies in the place named, so
        # ok at postcode precision; the row says it was placed offline.
        assert verdict.status == "ok"
        assert verdict.placed and verdict.precision == "postcode4"
        assert "offline geplaatst" in verdict.message.casefold()
    assert geocoder.went_offline  # the page and the CLI say why, once


def test_healthy_pdok_places_the_rows(tmp_path, fake_pdok, gazetteer, reference):
    """Control: the import below does reach PDOK, so 'never ok via PDOK' can fail."""
    geocoder = fallback(settings_for(tmp_path, fake_pdok.url), gazetteer)
    verdicts = import_rows(geocoder, reference)
    assert [(v.source, v.status, v.precision) for v in verdicts] == [
        ("pdok", "ok", "adres")] * 3


def test_drip_feeding_server_cannot_hang_an_import(tmp_path, fake_pdok, gazetteer, reference):
    """Finding 7: "a server that drips one byte every 2 s hangs an import for 15 minutes"."""
    fake_pdok.drip_interval_s = 0.3
    fake_pdok.fail("drip")
    geocoder = fallback(settings_for(tmp_path, fake_pdok.url), gazetteer)
    verdicts = import_rows(geocoder, reference)
    assert_placed_offline_honestly(verdicts, geocoder)
    assert geocoder.offline_reason == "PDOK gaf geen volledig antwoord binnen 1 seconde."
    assert fake_pdok.request_count == 2  # the first row and its retry; then offline


@pytest.mark.parametrize("mode", OVERSIZED)
def test_300_mb_answer_is_not_read_whole(tmp_path, fake_pdok, gazetteer, reference, mode):
    """Finding 7: "a 300 MB answer is read whole"."""
    fake_pdok.huge_bytes = 300 * 1024 * 1024
    fake_pdok.fail(mode)
    geocoder = fallback(settings_for(tmp_path, fake_pdok.url), gazetteer)
    tracemalloc.start()
    try:
        verdicts = import_rows(geocoder, reference)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024
    assert fake_pdok.body_bytes_sent < 30 * 1024 * 1024  # the client hung up early
    assert_placed_offline_honestly(verdicts, geocoder)
    assert geocoder.offline_reason == (
        "PDOK gaf een onbruikbaar antwoord: groter dan 1 MB (niet verder gelezen).")


@pytest.mark.parametrize("mode", BAD_SHAPES)
def test_answer_not_in_pdoks_shape_is_never_cached_or_ok_via_pdok(tmp_path, fake_pdok,
                                                                  gazetteer, reference, mode):
    """Finding 7: "a 200 answer that is not PDOK's shape … is cached forever … "ok" via PDOK"."""
    fake_pdok.fail(mode)
    settings = settings_for(tmp_path, fake_pdok.url)
    geocoder = fallback(settings, gazetteer)
    verdicts = import_rows(geocoder, reference)
    assert_placed_offline_honestly(verdicts, geocoder)
    assert geocoder.offline_reason.startswith("PDOK gaf een onbruikbaar antwoord")
    assert len(ResponseCache(settings.geocode_cache_path)) == 0
    # the next run, PDOK healthy again, asks PDOK instead of replaying the bad answer
    fake_pdok.reset()
    again = import_rows(fallback(settings, gazetteer), reference)
    assert [(v.source, v.status) for v in again] == [("pdok", "ok")] * 3
    assert fake_pdok.request_count == 3


@pytest.mark.parametrize("mode", [*UNREACHABLE, *UNUSABLE])
def test_no_fault_of_pdok_makes_an_imported_row_ok_via_pdok(tmp_path, fake_pdok, gazetteer,
                                                            reference, mode):
    """Issue 9: a geocoder fault is retried, then offline (said once), never ok via PDOK."""
    fake_pdok.huge_bytes = 4 * 1024 * 1024
    fake_pdok.retry_after_s = 0
    fake_pdok.fail(mode)
    settings = settings_for(tmp_path, fake_pdok.url)
    geocoder = fallback(settings, gazetteer)
    verdicts = import_rows(geocoder, reference)
    assert not [v.row for v in verdicts if v.source == "pdok"]
    assert_placed_offline_honestly(verdicts, geocoder)
    reason = {**UNREACHABLE, **UNUSABLE}[mode]
    assert geocoder.offline_reason.startswith(reason)
    assert fake_pdok.request_count == 2  # one query and its retry, never one per row
    assert len(ResponseCache(settings.geocode_cache_path)) == 0
