"""The HTTP seam (geo/intake/_http.py, _deadline.py) against a real local fake PDOK server."""

from __future__ import annotations

import dataclasses
import logging
import socket
import threading
import tracemalloc

import pytest
import requests

from geo.errors import (
    GeocoderBadAnswer,
    GeocoderError,
    GeocoderRateLimited,
    GeocoderTimeout,
    GeocoderUnavailable,
)
from geo.intake._http import JsonClient, RateLimiter, ResponseCache, cache_key
from geo.intake.pdok_answers import validate_pdok_answer
from geo.settings import Settings
from tests.fake_pdok import (  # noqa: F401  (fixture "fake_pdok")
    BAD_SHAPES,
    OVERSIZED,
    FakePdok,
    fake_pdok_fixture,
)

STRUCTURED = [("fq", "type:adres"), ("fq", "postcode:1703AB"), ("fq", "huisnummer:12"),
              ("fl", "id,type,weergavenaam,postcode,huisnummer,centroide_ll"), ("rows", 10)]


class FakeClock:
    """A clock that only moves when slept on; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


def make_settings(tmp_path, url, **changes):
    base = Settings(pdok_url=url, geocode_cache_path=tmp_path / "cache.sqlite",
                    pdok_timeout_s=2.0, pdok_retries=2, pdok_rate_per_s=0)
    return dataclasses.replace(base, **changes)


def client_for(tmp_path, url, clock, **changes):
    return JsonClient(make_settings(tmp_path, url, **changes), clock=clock, sleep=clock.sleep)


def free_url(server):
    return server.url + "free"


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/bzk/locatieserver/search/v3_1/"


# --- good answers, headers, cache -------------------------------------------------------

def test_answer_is_pdok_shaped_and_headers_are_sent(tmp_path, fake_pdok, clock):
    settings = make_settings(tmp_path, fake_pdok.url)
    client = JsonClient(settings, clock=clock, sleep=clock.sleep)
    answer = client.get_json(free_url(fake_pdok), STRUCTURED)
    docs = answer["response"]["docs"]
    # 12, 12A and 12-2 share postcode and number
    assert answer["response"]["numFound"] == len(docs) == 3
    assert {(d["postcode"], d["huisnummer"]) for d in docs} == {("1703AB", 12)}
    # fl was honoured: only the asked fields came back
    assert set(docs[0]) <= {"id", "type", "weergavenaam", "postcode", "huisnummer",
                            "centroide_ll"}
    [received] = fake_pdok.requests
    assert received.headers["User-Agent"] == settings.user_agent
    assert received.headers["Referer"] == settings.referer
    assert sorted(received.values("fq")) == ["huisnummer:12", "postcode:1703AB", "type:adres"]
    assert client.requests_sent == 1 and clock.sleeps == []


def test_cache_key_ignores_parameter_order_but_not_values():
    url = "http://example.invalid/free"
    a = cache_key(url, [("fq", "type:adres"), ("fq", "postcode:1703AB"), ("rows", 5)])
    b = cache_key(url, {"rows": "5", "fq": ["postcode:1703AB", "type:adres"]})
    c = cache_key(url, [("fq", "type:adres"), ("fq", "postcode:1703AC"), ("rows", 5)])
    assert a == b != c
    assert a.startswith("GET http://example.invalid/free?")
    assert cache_key(url, {"rows": 5}, method="post").startswith("POST ")


def test_second_run_makes_zero_requests_also_with_a_new_client(tmp_path, fake_pdok, clock):
    first = client_for(tmp_path, fake_pdok.url, clock)
    answer = first.get_json(free_url(fake_pdok), STRUCTURED)
    assert fake_pdok.request_count == 1
    # same request, parameters in another order
    again = first.get_json(free_url(fake_pdok), list(reversed(STRUCTURED)))
    first.close()
    second = client_for(tmp_path, fake_pdok.url, clock)
    from_disk = second.get_json(free_url(fake_pdok), STRUCTURED)
    assert again == from_disk == answer
    assert fake_pdok.request_count == 1
    assert second.requests_sent == 0 and second.cache_hits == 1


def test_empty_result_is_a_good_answer_and_cached(tmp_path, fake_pdok, clock):
    client = client_for(tmp_path, fake_pdok.url, clock)
    params = [("q", "Nergenshuizen"), ("fq", "type:adres")]
    assert client.get_json(free_url(fake_pdok), params)["response"]["numFound"] == 0
    client.get_json(free_url(fake_pdok), params)
    assert fake_pdok.request_count == 1


def test_use_cache_false_always_asks(tmp_path, fake_pdok, clock):
    client = JsonClient(make_settings(tmp_path, fake_pdok.url), use_cache=False,
                        clock=clock, sleep=clock.sleep)
    client.get_json(free_url(fake_pdok), STRUCTURED)
    client.get_json(free_url(fake_pdok), STRUCTURED)
    assert fake_pdok.request_count == 2
    assert not (tmp_path / "cache.sqlite").exists()


def test_constructing_a_client_opens_nothing(tmp_path, fake_pdok):
    JsonClient(make_settings(tmp_path, fake_pdok.url))
    assert fake_pdok.request_count == 0
    assert not (tmp_path / "cache.sqlite").exists()


def test_response_cache_roundtrip_and_clear(tmp_path):
    cache = ResponseCache(tmp_path / "sub" / "c.sqlite")
    assert cache.get("k") is None
    cache.put("k", {"response": {"docs": [{"weergavenaam": "Bouwkade 12"}]}})
    assert cache.get("k") == {"response": {"docs": [{"weergavenaam": "Bouwkade 12"}]}}
    assert len(cache) == 1
    cache.clear()
    assert cache.get("k") is None and len(cache) == 0


# --- failures ---------------------------------------------------------------------------

def test_timeout_is_retried_then_raises(tmp_path, fake_pdok, clock):
    fake_pdok.fail("timeout")
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_timeout_s=0.2, pdok_retries=1)
    with pytest.raises(GeocoderTimeout) as info:
        client.get_json(free_url(fake_pdok), STRUCTURED)
    assert isinstance(info.value, GeocoderUnavailable) and isinstance(info.value, TimeoutError)
    # the socket time-out or the request's deadline, whichever noticed first
    assert isinstance(info.value.__cause__, requests.Timeout | TimeoutError)
    assert "0,2 seconden" in str(info.value)
    assert fake_pdok.request_count == 2
    assert clock.sleeps == [0.5]  # one back-off between the two attempts


def test_429_then_success_waits_retry_after(tmp_path, fake_pdok, clock):
    fake_pdok.retry_after_s = 3
    fake_pdok.fail("429", times=1)
    client = client_for(tmp_path, fake_pdok.url, clock)
    answer = client.get_json(free_url(fake_pdok), STRUCTURED)
    assert answer["response"]["numFound"] == 3
    assert fake_pdok.request_count == 2
    assert clock.sleeps == [3.0]  # Retry-After beats the 0.5 s back-off


def test_429_every_time_gives_rate_limited(tmp_path, fake_pdok, clock):
    fake_pdok.retry_after_s = 0
    fake_pdok.fail("429")
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_retries=3)
    with pytest.raises(GeocoderRateLimited):
        client.get_json(free_url(fake_pdok), STRUCTURED)
    assert fake_pdok.request_count == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]  # exponential back-off


def test_500_is_retried_and_not_cached(tmp_path, fake_pdok, clock):
    fake_pdok.fail("500")
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_retries=2)
    with pytest.raises(GeocoderUnavailable) as info:
        client.get_json(free_url(fake_pdok), STRUCTURED)
    assert "HTTP 500" in str(info.value)
    assert fake_pdok.request_count == 3
    fake_pdok.reset()
    assert client.get_json(free_url(fake_pdok), STRUCTURED)["response"]["numFound"] == 3
    assert fake_pdok.request_count == 1  # the failure was not served from the cache


def test_500_once_then_success(tmp_path, fake_pdok, clock):
    fake_pdok.fail("500", times=1)
    client = client_for(tmp_path, fake_pdok.url, clock)
    assert client.get_json(free_url(fake_pdok), STRUCTURED)["response"]["numFound"] == 3
    assert fake_pdok.request_count == 2


def test_malformed_json_is_retried_then_a_bad_answer_not_cached(tmp_path, fake_pdok, clock):
    fake_pdok.fail("malformed")
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_retries=2)
    with pytest.raises(GeocoderBadAnswer) as info:
        client.get_json(free_url(fake_pdok), STRUCTURED)
    assert not isinstance(info.value, GeocoderUnavailable)
    assert isinstance(info.value.__cause__, ValueError)
    assert "onbruikbaar antwoord: geen geldige JSON" in str(info.value)
    assert fake_pdok.request_count == 3 and clock.sleeps == [0.5, 1.0]
    fake_pdok.reset()
    client.get_json(free_url(fake_pdok), STRUCTURED)
    assert fake_pdok.request_count == 1  # the bad answer was not served from the cache


def test_malformed_json_once_then_success(tmp_path, fake_pdok, clock):
    fake_pdok.fail("malformed", times=1)
    client = client_for(tmp_path, fake_pdok.url, clock)
    answer = client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert answer["response"]["numFound"] == 3
    assert fake_pdok.request_count == 2


def test_http_400_is_an_error_not_retried(tmp_path, fake_pdok, clock):
    fake_pdok.fail("400")
    client = client_for(tmp_path, fake_pdok.url, clock)
    with pytest.raises(GeocoderError, match="HTTP 400") as info:
        client.get_json(free_url(fake_pdok), STRUCTURED)
    assert not isinstance(info.value, GeocoderUnavailable | GeocoderBadAnswer)
    assert fake_pdok.request_count == 1 and clock.sleeps == []


def test_redirect_is_not_followed_nor_its_body_read(tmp_path, fake_pdok, clock):
    fake_pdok.fail("redirect")
    client = client_for(tmp_path, fake_pdok.url, clock)
    with pytest.raises(GeocoderBadAnswer, match="HTTP 302.*INFRAKAART_PDOK_URL"):
        client.get_json(free_url(fake_pdok), STRUCTURED)
    assert fake_pdok.request_count == 1 and clock.sleeps == []
    assert fake_pdok.body_bytes_sent < 40 * 1024 * 1024  # not 300 MB: nobody read it


def test_unknown_parameter_is_refused_like_v3_1(tmp_path, fake_pdok, clock):
    client = client_for(tmp_path, fake_pdok.url, clock)
    with pytest.raises(GeocoderError, match="HTTP 400") as info:
        client.get_json(free_url(fake_pdok), [("q", "Bouwkade"), ("type", "adres")])
    assert not isinstance(info.value, GeocoderUnavailable)
    assert fake_pdok.request_count == 1


def test_closed_port_is_unavailable(tmp_path, clock):
    url = closed_port_url()
    client = client_for(tmp_path, url, clock, pdok_retries=1)
    with pytest.raises(GeocoderUnavailable) as info:
        client.get_json(url + "free", STRUCTURED)
    assert isinstance(info.value.__cause__, requests.ConnectionError)
    assert client.requests_sent == 2 and clock.sleeps == [0.5]


# --- one deadline per request -----------------------------------------------------------
# Without a whole-request deadline these calls take minutes (one byte per 0.3 s of a 2 KB
# answer, each byte well within a per-read time-out): pytest-timeout would stop them. The
# tests check that the deadline, and nothing else, ended them (``__cause__``), not how fast.


def assert_cut_by_deadline(info) -> None:
    assert isinstance(info.value.__cause__, TimeoutError)
    assert "deadline" in str(info.value.__cause__)


@pytest.mark.parametrize("mode", ["drip", "drip_headers"])
def test_dripping_answer_hits_the_deadline_and_is_retried(tmp_path, fake_pdok, clock, mode):
    fake_pdok.fail(mode)
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_timeout_s=1.0, pdok_retries=1)
    with pytest.raises(GeocoderTimeout) as info:
        client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert str(info.value) == "PDOK gaf geen volledig antwoord binnen 1 seconde."
    assert_cut_by_deadline(info)
    assert fake_pdok.request_count == 2 and clock.sleeps == [0.5]
    assert client.cache is not None and len(client.cache) == 0


def test_deadline_also_cuts_a_reused_keep_alive_connection(tmp_path, fake_pdok, clock):
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_timeout_s=1.0, pdok_retries=0)
    client.get_json(free_url(fake_pdok), STRUCTURED)  # opens the connection the drip reuses
    fake_pdok.fail("drip_headers")
    with pytest.raises(GeocoderTimeout) as info:
        client.get_json(free_url(fake_pdok), [*STRUCTURED, ("start", 1)])
    assert_cut_by_deadline(info)


def test_a_good_answer_after_a_deadline_uses_a_fresh_connection(tmp_path, fake_pdok, clock):
    fake_pdok.fail("drip", times=1)
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_timeout_s=1.0, pdok_retries=1)
    answer = client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert answer["response"]["numFound"] == 3 and fake_pdok.request_count == 2


def self_signed_tls(tmp_path):
    """A server context and the CA file a client needs, for 127.0.0.1 (cryptography)."""
    x509 = pytest.importorskip("cryptography.x509")
    import datetime
    import ipaddress
    import ssl

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


def tls_client(tmp_path, url, clock, ca_file):
    client = client_for(tmp_path, url, clock, pdok_timeout_s=1.0, pdok_retries=0)
    client.session.trust_env = False  # REQUESTS_CA_BUNDLE would win over verify
    client.session.verify = str(ca_file) if ca_file is not True else True
    return client


def test_deadline_cuts_a_dripping_answer_over_tls(tmp_path, clock):
    # TLS takes the socket over (wrap_socket detaches it): the watch must survive that
    context, ca_file = self_signed_tls(tmp_path)
    with FakePdok(ssl_context=context) as server:
        client = tls_client(tmp_path, server.url, clock, ca_file)
        assert client.get_json(free_url(server), STRUCTURED)["response"]["numFound"] == 3
        for mode in ("drip", "drip_headers"):
            server.fail(mode)
            with pytest.raises(GeocoderTimeout) as info:
                client.get_json(free_url(server), [*STRUCTURED[:-1], ("rows", len(mode))])
            assert_cut_by_deadline(info)


def test_deadline_cuts_a_dripping_tls_handshake(tmp_path, clock):
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def trickle():  # accepts, then sends one byte of a TLS record every 0.3 s
        conn, _ = listener.accept()
        with conn:
            while not stop.wait(0.3):
                try:
                    conn.send(b"\x16")
                except OSError:
                    return

    threading.Thread(target=trickle, daemon=True).start()
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/free"
    client = tls_client(tmp_path, url, clock, ca_file=True)
    try:
        with pytest.raises(GeocoderTimeout) as info:
            client.get_json(url, STRUCTURED)
        assert_cut_by_deadline(info)
    finally:
        stop.set()
        listener.close()


# --- size cap ---------------------------------------------------------------------------

def test_max_response_size_is_a_setting():
    assert Settings().pdok_max_response_mb == 2.0
    env = {"INFRAKAART_PDOK_MAX_RESPONSE_MB": "0.5"}
    assert Settings.from_env(env).pdok_max_response_mb == 0.5


@pytest.mark.parametrize("mode", OVERSIZED)
def test_oversized_answer_is_refused_without_reading_it(tmp_path, fake_pdok, clock, mode):
    fake_pdok.huge_bytes = 100 * 1024 * 1024
    fake_pdok.fail(mode)
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_max_response_mb=1.0,
                        pdok_retries=1)
    tracemalloc.start()
    try:
        with pytest.raises(GeocoderBadAnswer, match="groter dan 1 MB"):
            client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024  # never 100 MB in memory (not even unpacked)
    assert fake_pdok.body_bytes_sent < 40 * 1024 * 1024  # the client hung up early
    assert fake_pdok.request_count == 2  # retried like any fault
    assert len(client.cache) == 0


def test_gzip_answer_is_unpacked(tmp_path, fake_pdok, clock):
    fake_pdok.fail("gzip")
    client = client_for(tmp_path, fake_pdok.url, clock)
    answer = client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert answer["response"]["numFound"] == 3
    assert "gzip" in fake_pdok.requests[0].headers.get("Accept-Encoding", "gzip")


def test_answer_exactly_at_the_cap_is_read_one_byte_more_is_not(tmp_path, fake_pdok, clock):
    size = len(requests.get(free_url(fake_pdok), params=STRUCTURED, timeout=5).content)
    at_cap = client_for(tmp_path / "a", fake_pdok.url, clock,
                        pdok_max_response_mb=size / 1024 / 1024)
    assert at_cap.max_response_bytes == size
    assert at_cap.get_json(free_url(fake_pdok), STRUCTURED)["response"]["numFound"] == 3
    below = client_for(tmp_path / "b", fake_pdok.url, clock, pdok_retries=0,
                       pdok_max_response_mb=(size - 1) / 1024 / 1024)
    with pytest.raises(GeocoderBadAnswer, match="groter dan"):
        below.get_json(free_url(fake_pdok), STRUCTURED)


# --- shape check before caching ---------------------------------------------------------

@pytest.mark.parametrize("mode", BAD_SHAPES)
def test_answer_of_another_shape_is_a_bad_answer_and_never_cached(tmp_path, fake_pdok, clock,
                                                                  mode):
    fake_pdok.fail(mode)
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_retries=1)
    with pytest.raises(GeocoderBadAnswer) as info:
        client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert str(info.value).startswith("PDOK gaf een onbruikbaar antwoord: ")
    assert fake_pdok.request_count == 2  # retried once
    assert len(client.cache) == 0
    fake_pdok.reset()
    good = client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert good["response"]["numFound"] == 3 and fake_pdok.request_count == 1


def test_json_that_is_not_an_object_is_refused_even_without_validator(tmp_path, fake_pdok,
                                                                       clock):
    fake_pdok.fail("array")
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_retries=0)
    with pytest.raises(GeocoderBadAnswer, match="geen JSON-object"):
        client.get_json(free_url(fake_pdok), STRUCTURED)


def test_bad_answer_in_the_cache_is_not_trusted(tmp_path, fake_pdok, clock):
    # as an older version may have stored it
    cache = ResponseCache(tmp_path / "cache.sqlite")
    key = cache_key(free_url(fake_pdok), STRUCTURED)
    cache.put(key, {"error": {"msg": "undefined field", "code": 400}})
    cache.close()
    client = client_for(tmp_path, fake_pdok.url, clock)
    answer = client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert answer["response"]["numFound"] == 3
    assert fake_pdok.request_count == 1 and client.cache_hits == 0
    assert client.cache.get(key) == answer  # replaced by the good answer
    again = client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert again == answer and fake_pdok.request_count == 1 and client.cache_hits == 1


def test_bad_answer_in_the_cache_is_dropped_even_when_asking_fails(tmp_path, fake_pdok,
                                                                    clock):
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_retries=0)
    key = cache_key(free_url(fake_pdok), STRUCTURED)
    client.cache.put(key, {"response": {"docs": "x"}})
    fake_pdok.fail("500")
    with pytest.raises(GeocoderUnavailable):
        client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
    assert client.cache.get(key) is None


def test_response_cache_discard_and_non_object_bodies(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    cache.put("a", {"x": 1})
    cache.put("b", {"y": 2})
    cache.discard("a")
    cache.discard("missing")
    assert cache.get("a") is None and cache.get("b") == {"y": 2}
    with cache._lock:  # a row an older version or a hand edit left behind
        with cache._connection() as conn:
            conn.execute("INSERT INTO responses VALUES ('c', '[1, 2]', 'now')")
    assert cache.get("c") is None


# --- privacy of logs --------------------------------------------------------------------

def test_logs_never_contain_the_query(tmp_path, fake_pdok, clock, caplog):
    caplog.set_level(logging.DEBUG, logger="geo.intake._http")
    for mode in ("ok", "500", "html", "error", "huge", "drip"):
        fake_pdok.fail(mode)
        client = client_for(tmp_path / mode, fake_pdok.url, clock, pdok_retries=1,
                            pdok_timeout_s=0.5, pdok_max_response_mb=1.0)
        try:
            client.get_json(free_url(fake_pdok), STRUCTURED, validate=validate_pdok_answer)
        except GeocoderError:
            pass
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "/free" in text  # the log does say which endpoint
    for secret in ("1703AB", "1703", "huisnummer", "postcode", "?"):
        assert secret not in text


# --- rate limit -------------------------------------------------------------------------

def test_rate_limiter_computes_the_waits(clock):
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep)
    waits = [limiter.wait() for _ in range(4)]
    assert waits == [0.0, 0.25, 0.25, 0.25]
    assert clock.sleeps == [0.25, 0.25, 0.25]
    clock.now += 10  # a long pause needs no wait
    assert limiter.wait() == 0.0
    clock.now += 0.1  # 0.1 s after the last start: wait the remaining 0.15 s
    assert limiter.wait() == pytest.approx(0.15)


def test_rate_limiter_zero_means_unlimited(clock):
    limiter = RateLimiter(0, clock=clock, sleep=clock.sleep)
    assert [limiter.wait() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert clock.sleeps == []


def test_client_respects_the_rate_limit(tmp_path, fake_pdok, clock):
    client = client_for(tmp_path, fake_pdok.url, clock, pdok_rate_per_s=2.0)
    for number in (12, 14, 40):
        client.get_json(free_url(fake_pdok), [("fq", "type:adres"),
                                              ("fq", f"huisnummer:{number}")])
    assert fake_pdok.request_count == 3
    assert clock.sleeps == [0.5, 0.5]
    # cache hits do not wait
    client.get_json(free_url(fake_pdok), [("fq", "type:adres"), ("fq", "huisnummer:12")])
    assert clock.sleeps == [0.5, 0.5]


def test_fake_server_can_be_used_as_context_manager():
    with FakePdok() as server:
        answer = requests.get(server.url + "free", params={"fq": "postcode:1118CP"},
                              timeout=5).json()
    kinds = sorted(doc["type"] for doc in answer["response"]["docs"])
    assert kinds == ["adres", "postcode"]
