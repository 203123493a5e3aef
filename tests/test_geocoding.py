"""PDOK geocoding: the pure transform on fixture JSON, and the real client on a fake PDOK."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.errors import GeocoderBadAnswer, GeocoderError
from geo.intake._http import JsonClient, ResponseCache, cache_key
from geo.intake.geocoding import AddressQuery, FallbackGeocoder, OfflineGeocoder, make_geocoder
from geo.intake.pdok import PDOK_FIELDS, PdokGeocoder
from geo.intake.pdok_answers import (
    MAX_CANDIDATES,
    judge_doc,
    parse_wkt_point,
    prepare_result,
    validate_pdok_answer,
)
from geo.reference.gazetteer import Gazetteer
from geo.reference.regions import assign_areas
from geo.settings import Settings
from tests.fake_pdok import (  # noqa: F401  (fixture "fake_pdok")
    BAD_SHAPES,
    OVERSIZED,
    fake_pdok_fixture,
)


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


def pdok_settings(tmp_path, url, **changes):
    base = Settings(pdok_url=url, geocode_cache_path=tmp_path / "cache.sqlite",
                    pdok_timeout_s=2.0, pdok_retries=1, pdok_rate_per_s=0)
    return dataclasses.replace(base, **changes)


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/bzk/locatieserver/search/v3_1/"


# --- fixture JSON in PDOK's v3_1 shape --------------------------------------------------

def adres_doc(straat="Bouwkade", nummer=12, letter="", toevoeging="", postcode="1703AB",
              plaats="Heerhugowaard", gemeente="Dijk en Waard", code="1980",
              point="POINT(4.82501 52.65965)", score=9.5):
    huis_nlt = f"{nummer}{letter}" + (f"-{toevoeging}" if toevoeging else "")
    doc = {
        "type": "adres", "id": f"adr-{postcode}-{huis_nlt}",
        "weergavenaam": f"{straat} {huis_nlt}, {postcode} {plaats}",
        "straatnaam": straat, "huisnummer": nummer, "huis_nlt": huis_nlt,
        "postcode": postcode, "woonplaatsnaam": plaats, "gemeentenaam": gemeente,
        "gemeentecode": code, "provincienaam": "Noord-Holland", "provinciecode": "PV27",
        "centroide_ll": point, "centroide_rd": "POINT(113000.0 518000.0)", "score": score,
    }
    if letter:
        doc["huisletter"] = letter
    if toevoeging:
        doc["huisnummertoevoeging"] = toevoeging
    return doc


def answer(*docs):
    return {"response": {"numFound": len(docs), "start": 0,
                         "maxScore": max((d.get("score", 0) for d in docs), default=0),
                         "docs": list(docs)}}


SCHIPHOL_POSTCODE = {
    "type": "postcode", "id": "pcd-1118CP", "weergavenaam": "Evert van de Beekstraat, "
    "1118CP Schiphol", "straatnaam": "Evert van de Beekstraat", "postcode": "1118CP",
    "woonplaatsnaam": "Schiphol", "gemeentenaam": "Haarlemmermeer", "gemeentecode": "0394",
    "provincienaam": "Noord-Holland", "provinciecode": "PV27",
    "centroide_ll": "POINT(4.7479077 52.3038972)",
    "centroide_rd": "POINT(111396.536 479739.602)", "score": 7.1,
}


# --- WKT --------------------------------------------------------------------------------

def test_wkt_point_is_read_in_written_order():
    assert parse_wkt_point("POINT(4.7479077 52.3038972)") == (4.7479077, 52.3038972)
    assert parse_wkt_point(" point ( -1.5e-3  +52 ) ") == (-0.0015, 52.0)


@pytest.mark.parametrize("text", [None, "", "POINT(4.7)", "POINT(4.7, 52.3)",
                                  "LINESTRING(1 2, 3 4)", "POINT(nan 52)", "POINT(a b)"])
def test_wkt_point_rejects_garbage(text):
    with pytest.raises(GeocoderError):
        parse_wkt_point(text)


@given(st.floats(-180, 180), st.floats(-90, 90))
def test_wkt_point_roundtrip(lon, lat):
    assert parse_wkt_point(f"POINT({lon!r} {lat!r})") == (lon, lat)
    assert parse_wkt_point(f"POINT({lon:.8f} {lat:.8f})") == pytest.approx((lon, lat),
                                                                           abs=1e-8)


# --- the pure transform -----------------------------------------------------------------

def test_longitude_comes_first_in_centroide_ll():
    result = prepare_result(answer(SCHIPHOL_POSTCODE), AddressQuery(postcode="1118 cp"))
    assert result.precision == "postcode6"
    assert (result.location.lat, result.location.lon) == (52.3038972, 4.7479077)
    assert result.source == "pdok"


def test_exact_postcode_and_number_is_adres():
    query = AddressQuery(street="Bouwkade 12", postcode="1703 ab", place="Heerhugowaard")
    result = prepare_result(answer(adres_doc()), query)
    assert result.precision == "adres"
    assert result.location.label == "Bouwkade 12, 1703AB Heerhugowaard"
    assert result.message == ""


def test_precision_ignores_pdok_score():
    query = AddressQuery(street="Bouwkade 12a", postcode="1703AB")
    wrong_but_high = adres_doc(letter="B", score=50.0, point="POINT(4.9 52.7)")
    right_but_low = adres_doc(letter="A", score=0.1, point="POINT(4.82506 52.65967)")
    result = prepare_result(answer(wrong_but_high, right_but_low), query)
    assert result.precision == "adres"
    assert result.location.label.startswith("Bouwkade 12A,")
    assert [c.label for c in result.candidates] == ["Bouwkade 12B, 1703AB Heerhugowaard"]


def test_letter_mismatch_is_postcode6_with_dutch_message():
    query = AddressQuery(street="Bouwkade 12 c", postcode="1703AB")
    result = prepare_result(answer(adres_doc(), adres_doc(letter="A")), query)
    assert result.precision == "postcode6"
    assert "Toevoeging 'C' niet gevonden" in result.message
    assert result.location.note == result.message


def test_addition_written_differently_still_matches():
    doc = adres_doc(toevoeging="2")
    for typed in ("Bouwkade 12-2", "Bouwkade 12 - 2", "bouwkade 12 -2"):
        assert judge_doc(doc, AddressQuery(street=typed, postcode="1703AB"))[0] == "adres"


def test_other_number_in_same_postcode_is_postcode6():
    query = AddressQuery(street="Bouwkade 13", postcode="1703AB", place="Heerhugowaard")
    result = prepare_result(answer(adres_doc(nummer=14)), query)
    assert result.precision == "postcode6"
    assert "Huisnummer 13 niet gevonden" in result.message


def test_other_number_same_street_other_postcode_is_only_plaats():
    query = AddressQuery(street="Bouwkade 99", place="Heerhugowaard")
    precision, note = judge_doc(adres_doc(nummer=40, postcode="1703AC"), query)
    assert precision == "plaats" and "zelfde straat" in note


def test_same_address_other_postcode_is_adres_with_remark():
    query = AddressQuery(street="Bouwkade 40", postcode="1703AB", place="heerhugowaard")
    precision, note = judge_doc(adres_doc(nummer=40, postcode="1703AC"), query)
    assert precision == "adres"
    assert "Postcode wijkt af: opgegeven 1703 AB, volgens PDOK 1703 AC." in note


def test_unrelated_address_does_not_fit():
    query = AddressQuery(street="Bouwkade 12", postcode="1911AB", place="Uitgeest")
    assert judge_doc(adres_doc(), query) is None
    result = prepare_result(answer(adres_doc()), query)
    assert result.location is None and result.precision == "geen"
    assert result.message == "PDOK vond niets dat bij de invoer past."
    assert [c.label for c in result.candidates] == ["Bouwkade 12, 1703AB Heerhugowaard"]
    assert result.candidates[0].precision == "adres"


def test_street_abbreviation_matches():
    doc = adres_doc(straat="Evert van de Beekstraat", nummer=202, postcode="1118CP",
                    plaats="Schiphol", gemeente="Haarlemmermeer", code="0394")
    query = AddressQuery(street="Evert van de Beekstr. 202", place="Schiphol")
    assert judge_doc(doc, query) == ("adres", "")


def test_postcode_and_woonplaats_docs():
    assert judge_doc(SCHIPHOL_POSTCODE, AddressQuery(postcode="1118CP")) == ("postcode6", "")
    assert judge_doc(SCHIPHOL_POSTCODE, AddressQuery(postcode="1118CQ")) is None
    place = {"type": "woonplaats", "woonplaatsnaam": "Schiphol",
             "gemeentenaam": "Haarlemmermeer", "centroide_ll": "POINT(4.76 52.30)"}
    assert judge_doc(place, AddressQuery(place="SCHIPHOL")) == ("plaats", "")
    assert judge_doc(place, AddressQuery(place="Schiphol-Rijk")) is None


def test_po_box_never_matches_an_address():
    query = AddressQuery(street="Postbus 12", postcode="1703AB")
    assert judge_doc(adres_doc(), query) is None


def test_candidates_are_capped_and_exclude_the_choice():
    docs = [adres_doc(letter=letter, point=f"POINT(4.82{i} 52.65)")
            for i, letter in enumerate(["", "A", "B", "C", "D", "E", "F", "G"])]
    result = prepare_result(answer(*docs), AddressQuery(street="Bouwkade 12",
                                                        postcode="1703AB"))
    assert result.location.label == "Bouwkade 12, 1703AB Heerhugowaard"
    assert len(result.candidates) == MAX_CANDIDATES
    assert result.location not in result.candidates
    assert len({c.label for c in result.candidates}) == MAX_CANDIDATES


def test_doc_with_broken_point_is_skipped():
    broken = adres_doc(point="POINT(4.8)")
    good = adres_doc(letter="A", point="POINT(4.82506 52.65967)")
    result = prepare_result(answer(broken, good), AddressQuery(street="Bouwkade 12",
                                                               postcode="1703AB"))
    assert result.location.label.startswith("Bouwkade 12A")
    assert result.precision == "adres"  # 12A is a house at number 12; no letter was asked


@pytest.mark.parametrize("bad", [{}, {"response": {}}, {"response": {"docs": "x"}}, []])
def test_answer_without_pdok_shape_is_an_error(bad):
    with pytest.raises(GeocoderBadAnswer):
        prepare_result(bad, AddressQuery(postcode="1703AB"))


def test_pdok_shape_is_accepted_with_extra_members():
    good = answer(adres_doc())
    good["response"]["numFoundExact"] = True
    good["responseHeader"] = {"status": 0}
    validate_pdok_answer(good)
    validate_pdok_answer(answer())  # nothing found is a good answer too


def _with_response(**changes):
    good = answer(adres_doc())
    good["response"].update(changes)
    return good


@pytest.mark.parametrize(("bad", "why"), [
    ([answer(adres_doc())], "geen JSON-object"),
    ("<html></html>", "geen JSON-object"),
    ({"error": {"msg": "undefined field", "code": 400}}, "foutmelding"),
    ({**answer(adres_doc()), "error": "Solr down"}, "foutmelding"),
    ({"response": [adres_doc()]}, "'response' ontbreekt"),
    (_with_response(numFound="1"), "'numFound'"),
    (_with_response(numFound=True), "'numFound'"),
    (_with_response(numFound=-1), "'numFound'"),
    (_with_response(numFound=1.0), "'numFound'"),
    (_with_response(start=None), "'start'"),
    ({"response": {"numFound": 1, "docs": [adres_doc()]}}, "'start'"),
    (_with_response(docs={"0": adres_doc()}), "'docs'"),
    (_with_response(docs=[adres_doc(), "Bouwkade 12"]), "'docs' bevat"),
])
def test_answer_not_in_pdoks_documented_shape_is_refused(bad, why):
    with pytest.raises(GeocoderBadAnswer, match=why) as info:
        validate_pdok_answer(bad)
    assert str(info.value).startswith("PDOK gaf een onbruikbaar antwoord: ")


# --- PdokGeocoder against the fake server -----------------------------------------------

def test_exact_address_with_one_structured_request(tmp_path, fake_pdok, gazetteer, reference):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Bouwkade 12", postcode="1703 AB",
                                           place="Heerhugowaard"))
    assert result.precision == "adres" and result.source == "pdok"
    assert result.location.label == "Bouwkade 12, 1703AB Heerhugowaard"
    assert {c.label for c in result.candidates} == {"Bouwkade 12A, 1703AB Heerhugowaard",
                                                    "Bouwkade 12-2, 1703AB Heerhugowaard"}
    [request] = fake_pdok.requests
    assert request.path.endswith("/v3_1/free")
    assert sorted(request.values("fq")) == ["huisnummer:12", "postcode:1703AB", "type:adres"]
    assert request.values("fl") == [",".join(PDOK_FIELDS)]
    assert request.values("q") == []
    areas = assign_areas([result.location.lon], [result.location.lat], reference).iloc[0]
    assert areas["gemeentecode"] == "GM1980"  # Dijk en Waard: lon/lat were not swapped


def test_free_text_when_postcode_is_missing(tmp_path, fake_pdok, gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Waterlandkade 21b", place="Purmerend"))
    assert result.precision == "adres"
    assert result.location.label == "Waterlandkade 21B, 1441AA Purmerend"
    [request] = fake_pdok.requests
    assert request.values("fq") == ["type:adres"]
    assert request.values("q") == ["Waterlandkade 21B Purmerend"]


def test_free_text_finds_address_with_wrong_postcode(tmp_path, fake_pdok, gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Bouwkade 40", postcode="1703AB",
                                           place="Heerhugowaard"))
    assert result.precision == "adres"
    assert result.location.label == "Bouwkade 40, 1703AC Heerhugowaard"
    assert "Postcode wijkt af" in result.message
    assert fake_pdok.request_count == 2  # structured found nothing, free text did


def test_postcode_only(tmp_path, fake_pdok, gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(postcode="1118cp"))
    assert result.precision == "postcode6"
    assert result.location.label == "Evert van de Beekstraat, 1118CP Schiphol"
    assert result.location.lon == pytest.approx(4.7479077)
    assert result.location.lat == pytest.approx(52.3038972)
    [request] = fake_pdok.requests
    assert sorted(request.values("fq")) == ["postcode:1118CP", "type:postcode"]


def test_unknown_number_falls_back_to_postcode(tmp_path, fake_pdok, gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Marinehaven 99", postcode="1781AA"))
    assert result.precision == "postcode6"
    assert "Huisnummer 99 niet gevonden bij PDOK" in result.message
    assert result.location.label == "Marinehaven 1, 1781AA Den Helder"
    assert fake_pdok.request_count == 2  # structured (nothing), free text (neighbour)


def test_no_result_anywhere_uses_offline_pc4(tmp_path, fake_pdok, gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Nergensweg 1", postcode="1911 ZZ"))
    assert result.precision == "postcode4" and result.source == "offline"
    assert result.location.label.startswith("1911")
    assert "niet gevonden bij PDOK" in result.message
    assert fake_pdok.request_count == 3  # structured, free text, postcode


def test_nothing_usable_is_geen(tmp_path, fake_pdok, gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Nergensweg 1", place="Xyzzyvoort"))
    assert result.location is None and result.precision == "geen"
    assert "Xyzzyvoort" in result.message


def test_po_box_is_placed_on_postcode_without_asking_for_the_street(tmp_path, fake_pdok,
                                                                     gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Postbus 123", postcode="1703 AB",
                                           place="Heerhugowaard"))
    assert result.precision == "postcode4"
    assert "Postbus" in result.message
    assert fake_pdok.request_count == 0


def test_foreign_address_is_not_placed(tmp_path, fake_pdok, gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Rue de la Loi 16", postcode="1000",
                                           place="Brussel", country="België"))
    assert result.location is None and "Buitenlands" in result.message
    assert fake_pdok.request_count == 0


def test_regeocoding_an_unchanged_list_makes_zero_requests(tmp_path, fake_pdok, gazetteer):
    rows = [AddressQuery(street="Bouwkade 12", postcode="1703AB"),
            AddressQuery(street="Molenwerf 3", place="Uitgeest"),
            AddressQuery(street="Sluispad 8", postcode="1501CD", place="Zaandam"),
            AddressQuery(postcode="2011EF")]
    settings = pdok_settings(tmp_path, fake_pdok.url)
    first = [PdokGeocoder(settings, gazetteer).geocode(q) for q in rows]
    sent = fake_pdok.request_count
    assert sent >= len(rows)
    second = [PdokGeocoder(settings, gazetteer).geocode(q) for q in rows]
    assert second == first
    assert fake_pdok.request_count == sent


# --- make_geocoder and the automatic offline fallback -----------------------------------

def test_make_geocoder_offline_choices(tmp_path, gazetteer):
    settings = pdok_settings(tmp_path, closed_port_url())
    assert isinstance(make_geocoder(settings, gazetteer, offline=True), OfflineGeocoder)
    forced = dataclasses.replace(settings, offline=True)
    assert isinstance(make_geocoder(forced, gazetteer), OfflineGeocoder)


def test_make_geocoder_is_cheap(tmp_path, fake_pdok, gazetteer):
    geocoder = make_geocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    assert isinstance(geocoder, FallbackGeocoder) and not geocoder.went_offline
    assert fake_pdok.request_count == 0
    assert not (tmp_path / "cache.sqlite").exists()


def test_falls_back_offline_when_pdok_is_down_and_stays_offline(tmp_path, gazetteer):
    settings = pdok_settings(tmp_path, closed_port_url(), pdok_retries=0)
    geocoder = make_geocoder(settings, gazetteer)
    result = geocoder.geocode(AddressQuery(street="Bouwkade 12", postcode="1703AB"))
    assert geocoder.went_offline and geocoder.source == "offline"
    assert "geen verbinding" in geocoder.offline_reason
    assert result.precision == "postcode4" and result.source == "offline"
    assert result.message.startswith("PDOK onbereikbaar; offline geplaatst op postcode")
    http = geocoder.primary.http
    attempts = http.requests_sent
    by_place = geocoder.geocode(AddressQuery(place="Uitgeest"))
    assert http.requests_sent == attempts  # no new attempt after the first failure
    assert by_place.precision == "plaats"
    assert by_place.message.startswith("PDOK onbereikbaar; offline geplaatst op plaatsnaam")


def test_server_errors_switch_to_offline(tmp_path, fake_pdok, gazetteer):
    fake_pdok.fail("500")
    settings = pdok_settings(tmp_path, fake_pdok.url)
    http = JsonClient(settings, sleep=lambda seconds: None)  # no real back-off waits
    geocoder = FallbackGeocoder(PdokGeocoder(settings, gazetteer, http=http),
                                OfflineGeocoder(gazetteer))
    result = geocoder.geocode(AddressQuery(street="Bouwkade 12", postcode="1703AB"))
    assert geocoder.went_offline and result.precision == "postcode4"
    assert fake_pdok.request_count == 2  # one retry, then offline
    fake_pdok.reset()
    geocoder.geocode(AddressQuery(postcode="1118CP"))
    assert fake_pdok.request_count == 0  # stays offline for the rest of the run


def fallback_for(settings, gazetteer):
    http = JsonClient(settings, sleep=lambda seconds: None)  # no real back-off waits
    return FallbackGeocoder(PdokGeocoder(settings, gazetteer, http=http),
                            OfflineGeocoder(gazetteer))


def test_one_malformed_answer_is_retried_and_pdok_places_the_row(tmp_path, fake_pdok,
                                                                 gazetteer):
    fake_pdok.fail("malformed", times=1)
    geocoder = fallback_for(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    good = geocoder.geocode(AddressQuery(street="Bouwkade 12", postcode="1703AB"))
    assert good.precision == "adres" and good.source == "pdok"
    assert not geocoder.went_offline and fake_pdok.request_count == 2


@pytest.mark.parametrize("mode", [*BAD_SHAPES, *OVERSIZED])
def test_unusable_answers_switch_to_offline_with_an_honest_message(tmp_path, fake_pdok,
                                                                   gazetteer, mode):
    fake_pdok.huge_bytes = 8 * 1024 * 1024
    fake_pdok.fail(mode)
    settings = pdok_settings(tmp_path, fake_pdok.url, pdok_max_response_mb=1.0)
    geocoder = fallback_for(settings, gazetteer)
    result = geocoder.geocode(AddressQuery(street="Bouwkade 12", postcode="1703AB"))
    assert result.source == "offline" and result.precision == "postcode4"
    assert result.message.startswith(
        "PDOK gaf een onbruikbaar antwoord; offline geplaatst op postcode.")
    assert geocoder.went_offline and geocoder.source == "offline"
    assert geocoder.offline_reason.startswith("PDOK gaf een onbruikbaar antwoord: ")
    assert fake_pdok.request_count == 2  # one query, retried once, then given up
    fake_pdok.reset()
    by_place = geocoder.geocode(AddressQuery(place="Uitgeest"))
    assert fake_pdok.request_count == 0  # offline for the rest of the run
    assert by_place.message.startswith(
        "PDOK gaf een onbruikbaar antwoord; offline geplaatst op plaatsnaam.")
    assert len(ResponseCache(settings.geocode_cache_path)) == 0


def test_refused_query_is_placed_offline_but_stays_online(tmp_path, fake_pdok, gazetteer):
    fake_pdok.fail("400", times=1)
    geocoder = fallback_for(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    refused = geocoder.geocode(AddressQuery(street="Bouwkade 12", postcode="1703AB"))
    assert refused.source == "offline"
    assert refused.message.startswith("PDOK weigerde deze zoekvraag; offline geplaatst")
    assert not geocoder.went_offline and fake_pdok.request_count == 1  # 4xx: no retry
    good = geocoder.geocode(AddressQuery(street="Bouwkade 12", postcode="1703AB"))
    assert good.precision == "adres" and good.source == "pdok"


def test_bad_answer_cached_by_an_older_version_is_asked_again(tmp_path, fake_pdok, gazetteer):
    settings = pdok_settings(tmp_path, fake_pdok.url)
    geocoder = PdokGeocoder(settings, gazetteer)
    params = [("fq", "type:adres"), ("fq", "postcode:1703AB"), ("fq", "huisnummer:12"),
              ("rows", 10), ("fl", ",".join(PDOK_FIELDS))]
    key = cache_key(geocoder.endpoint, params)
    old = ResponseCache(settings.geocode_cache_path)
    old.put(key, {"response": {"numFound": "0", "start": 0, "docs": []}})  # wrong types
    old.close()
    result = geocoder.geocode(AddressQuery(street="Bouwkade 12", postcode="1703AB"))
    assert result.precision == "adres" and result.source == "pdok"
    assert fake_pdok.request_count == 1
    assert geocoder.http.cache.get(key)["response"]["numFound"] == 3


def test_street_without_postcode_or_place_asks_nothing(tmp_path, fake_pdok, gazetteer):
    geocoder = PdokGeocoder(pdok_settings(tmp_path, fake_pdok.url), gazetteer)
    result = geocoder.geocode(AddressQuery(street="Bouwkade 12"))
    assert result.location is None
    assert result.message == "Geen postcode of plaats opgegeven; niet geplaatst."
    assert fake_pdok.request_count == 0
