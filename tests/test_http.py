"""The HTTP seam (geo/_http.py) against a real local fake PDOK server."""

from __future__ import annotations

import dataclasses
import socket

import pytest
import requests

from geo._http import JsonClient, RateLimiter, ResponseCache, cache_key
from geo.errors import (
    GeocoderError,
    GeocoderRateLimited,
    GeocoderTimeout,
    GeocoderUnavailable,
)
from geo.settings import Settings
from tests.fake_pdok import FakePdok, fake_pdok_fixture  # noqa: F401  (fixture "fake_pdok")

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
    assert isinstance(info.value.__cause__, requests.Timeout)
    assert "0.2 seconden" in str(info.value)
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


def test_malformed_json_is_an_error_not_retried_not_cached(tmp_path, fake_pdok, clock):
    fake_pdok.fail("malformed", times=1)
    client = client_for(tmp_path, fake_pdok.url, clock)
    with pytest.raises(GeocoderError) as info:
        client.get_json(free_url(fake_pdok), STRUCTURED)
    assert not isinstance(info.value, GeocoderUnavailable)
    assert isinstance(info.value.__cause__, ValueError)
    assert fake_pdok.request_count == 1
    client.get_json(free_url(fake_pdok), STRUCTURED)
    assert fake_pdok.request_count == 2


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
