"""The network seam: a small, polite JSON client (with :mod:`geo.intake._deadline`).

Every request carries a User-Agent and a Referer, passes a rate limiter and is retried
with exponential back-off on 429, 5xx, time-outs, connection errors and unusable
answers. Failures become the domain errors of :mod:`geo.errors` (``raise … from err``),
with Dutch messages for people.

An answer is only trusted when it is complete, small and of the expected shape:

* **One deadline per request** (``Settings.pdok_timeout_s``) covers connecting, the
  headers and the whole body, also when a server trickles its answer byte by byte
  (see :mod:`geo.intake._deadline`).
* **A size cap** (``Settings.pdok_max_response_mb``): a larger Content-Length is refused
  before reading, and the body is read in small chunks and counted (also after gzip
  decompression, which is done here with a bounded decompressor), so a huge or
  endless answer is never read whole.
* **A shape check before caching**: the caller passes a ``validate`` callable (for PDOK:
  :func:`geo.intake.pdok.validate_pdok_answer`); an answer that fails it is a
  :class:`~geo.errors.GeocoderBadAnswer`, retried like other faults and never cached.
  Cached answers are checked again when read, so a bad answer kept by an older version
  is asked again instead of trusted.

Good answers are kept in a persistent SQLite cache keyed by the prepared request
(:class:`ResponseCache`, from :mod:`geo.intake._response_cache`), so asking the same thing
twice never reaches the service again — also across runs and processes. The pace is kept
by a :class:`RateLimiter` (from :mod:`geo.intake._rate_limit`).

Logs are English and name the endpoint path and status only, never the query string:
queries hold addresses of organisations (never names, e-mail addresses or phone numbers),
but logs are no place for them either.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests
import urllib3

from geo.errors import (
    GeocoderBadAnswer,
    GeocoderError,
    GeocoderRateLimited,
    GeocoderTimeout,
    GeocoderUnavailable,
)
from geo.intake._deadline import Deadline, deadline_passed, new_session
from geo.intake._rate_limit import RateLimiter
from geo.intake._response_cache import ResponseCache
from geo.settings import Settings
from geo.text import decimal_comma

logger = logging.getLogger(__name__)

#: Parameters as accepted by :meth:`JsonClient.get_json`: a mapping (values may be lists
#: for repeated parameters such as ``fq``) or a sequence of ``(name, value)`` pairs.
Params = Mapping[str, object] | Iterable[tuple[str, object]]

#: Longest wait between two attempts, in seconds (also caps a server's Retry-After).
MAX_BACKOFF_S = 30.0

#: Longest wait for a connection to be made, in seconds (within the request's deadline).
CONNECT_TIMEOUT_S = 5.0

#: Bytes asked of the socket per read of a body (the size cap is checked after each).
CHUNK_BYTES = 16 * 1024

#: Checks a decoded JSON answer; raises :class:`~geo.errors.GeocoderBadAnswer` (with a
#: Dutch message) when the answer does not have the service's documented shape.
Validator = Callable[[dict], None]

_RETRY_STATUS = {429, 500, 502, 503, 504}


def cache_key(url: str, params: Params | None = None, *, method: str = "GET") -> str:
    """The cache key of a request: method and full URL with sorted parameters.

    Parameters
    ----------
    url : str
        Endpoint URL without query string.
    params : mapping or sequence of pairs, optional
        Query parameters; list values are repeated parameters.
    method : str
        HTTP method.

    Returns
    -------
    str
        ``"GET http://…/free?fl=…&fq=postcode%3A1703AB&fq=type%3Aadres"``: the same
        request always gives the same key, whatever the order of its parameters.
    """
    prepared = requests.Request(method.upper(), url, params=_sorted_pairs(params)).prepare()
    return f"{prepared.method} {prepared.url}"


def _sorted_pairs(params: Params | None) -> list[tuple[str, str]]:
    """Flatten ``params`` to sorted ``(name, value)`` string pairs."""
    if params is None:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        pairs.extend((str(name), str(v)) for v in values if v is not None)
    return sorted(pairs)


def _retry_after_s(response: requests.Response) -> float | None:
    """Seconds asked for by a ``Retry-After`` header, if any."""
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(when.tzinfo or UTC)).total_seconds())


def _seconds(value: float) -> str:
    """``"1 seconde"``, ``"2,5 seconden"``: a duration for a Dutch message."""
    return "1 seconde" if value == 1 else f"{decimal_comma(value)} seconden"


# --------------------------------------------------------------------------- client


class _Fault(Exception):
    """One failed attempt: the domain error to raise when no retry is left or allowed."""

    def __init__(self, error: GeocoderError, reason: str, *, cause: BaseException | None = None,
                 retry: bool = True, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason  # English, for the log; never the query
        self.cause = cause
        self.retry = retry
        self.retry_after = retry_after


#: What a transport may raise while a request or its body is under way.
_TRANSPORT_ERRORS = (OSError, urllib3.exceptions.HTTPError, http.client.HTTPException)


class JsonClient:
    """GET JSON from a web service politely: deadline, headers, rate limit, retries, cache.

    Construction is cheap (no connection, no file opened).

    Parameters
    ----------
    settings : Settings
        Supplies ``pdok_timeout_s`` (the deadline of one request), ``pdok_retries``,
        ``pdok_rate_per_s``, ``pdok_max_response_mb``, ``user_agent``, ``referer`` and
        ``geocode_cache_path``.
    session : requests.Session, optional
        Transport to use; by default :func:`new_session`, whose connections the
        deadline can cut off.
    cache : ResponseCache, optional
        Where good answers are kept; by default a cache at
        ``settings.geocode_cache_path``. See ``use_cache``.
    use_cache : bool
        False to neither read nor write any cache.
    clock, sleep : callable, optional
        Time source and sleep function, for the rate limiter and the back-off between
        attempts (injectable for tests). The deadline of a request runs on real time.
    backoff_s : float
        Wait before the first retry; doubles with every further retry.

    Attributes
    ----------
    requests_sent : int
        Number of HTTP requests actually sent (cache hits not counted).
    cache_hits : int
        Number of answers served from the cache.
    max_response_bytes : int
        Largest body read, in bytes (after decompression).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        session: requests.Session | None = None,
        cache: ResponseCache | None = None,
        use_cache: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        backoff_s: float = 0.5,
    ) -> None:
        self.timeout_s = settings.pdok_timeout_s
        # The deadline bounds the whole request; the socket time-outs only make sure a
        # dead route does not cost the full deadline on every attempt.
        self._timeouts = (min(self.timeout_s, CONNECT_TIMEOUT_S), self.timeout_s)
        self.max_response_mb = settings.pdok_max_response_mb
        self.max_response_bytes = max(1, round(settings.pdok_max_response_mb * 1024 * 1024))
        self.retries = max(0, settings.pdok_retries)
        self.backoff_s = backoff_s
        self.session = session or new_session()
        self.session.headers.update({
            "User-Agent": settings.user_agent,
            "Referer": settings.referer,
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",  # what _read_body can decompress
        })
        if use_cache:
            self.cache: ResponseCache | None = cache or ResponseCache(
                settings.geocode_cache_path)
        else:
            self.cache = None
        self.rate_limiter = RateLimiter(settings.pdok_rate_per_s, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._count_lock = threading.Lock()
        self.requests_sent = 0
        self.cache_hits = 0

    def get_json(self, url: str, params: Params | None = None, *,
                 validate: Validator | None = None) -> dict:
        """GET ``url`` with ``params`` and return the decoded JSON object.

        Parameters
        ----------
        url : str
            Endpoint URL without query string.
        params : mapping or sequence of pairs, optional
            Query parameters; list values are sent as repeated parameters.
        validate : callable, optional
            Checks the shape of an answer (see :data:`Validator`). Only an answer that
            passes is returned and cached; a cached answer that fails it is discarded
            and asked again.

        Returns
        -------
        dict
            The JSON object, from the cache when the same request was answered before.

        Raises
        ------
        GeocoderTimeout
            No complete answer within the deadline, on every attempt.
        GeocoderRateLimited
            HTTP 429 on every attempt.
        GeocoderUnavailable
            Connection refused/failed/broken or HTTP 5xx on every attempt.
        GeocoderBadAnswer
            HTTP 200 with an unusable body (not JSON, not an object, failing
            ``validate``, larger than the cap) on every attempt; or a redirect (3xx,
            not followed, not retried).
        GeocoderError
            Any other HTTP error status (not retried).
        """
        pairs = _sorted_pairs(params)
        key = cache_key(url, pairs)
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                if _passes(cached, validate):
                    with self._count_lock:
                        self.cache_hits += 1
                    return cached
                logger.warning("GET %s: cached answer has an unexpected shape; asking again",
                               urlsplit(url).path or "/")
                self.cache.discard(key)
        answer = self._fetch(url, pairs, validate)
        if self.cache is not None:
            self.cache.put(key, answer)
        return answer

    def _fetch(self, url: str, pairs: list[tuple[str, str]],
               validate: Validator | None) -> dict:
        path = urlsplit(url).path or "/"
        attempts = self.retries + 1
        for attempt in range(attempts):
            self.rate_limiter.wait()
            with self._count_lock:
                self.requests_sent += 1
            try:
                answer = self._attempt(url, pairs, validate)
            except _Fault as fault:
                if not fault.retry:
                    logger.warning("GET %s: %s; not retried", path, fault.reason)
                    raise fault.error from fault.cause
                if attempt == attempts - 1:
                    logger.warning("GET %s: %s after %d attempt(s)", path, fault.reason,
                                   attempts)
                    raise fault.error from fault.cause
                self._backoff(attempt, path, fault.reason, retry_after=fault.retry_after)
                continue
            logger.debug("GET %s answered HTTP 200 (attempt %d)", path, attempt + 1)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, url: str, pairs: list[tuple[str, str]],
                 validate: Validator | None) -> dict:
        """Send one request under one deadline; a usable answer or a :class:`_Fault`."""
        deadline = Deadline(self.timeout_s)
        response: requests.Response | None = None
        try:
            deadline.start()
            response = self._send(url, pairs)
            self._check_status(response)
            body = self._read_body(response, deadline)
            if deadline.expired:  # the read ended because the socket was shut down
                raise self._timeout_fault(deadline_passed(self.timeout_s, None))
        except _TRANSPORT_ERRORS as err:
            if deadline.expired:
                raise self._timeout_fault(deadline_passed(self.timeout_s, err)) from None
            if isinstance(err, requests.Timeout | TimeoutError
                          | urllib3.exceptions.TimeoutError):
                raise self._timeout_fault(err) from None
            if isinstance(err, requests.ConnectionError):
                raise _Fault(GeocoderUnavailable("PDOK is niet bereikbaar (geen verbinding)."),
                             "connection error", cause=err) from None
            if isinstance(err, requests.RequestException):  # invalid URL, redirect loop, …
                raise _Fault(GeocoderUnavailable("PDOK is niet bereikbaar."),
                             type(err).__name__, cause=err, retry=False) from None
            # the connection broke while the body was read
            raise _Fault(GeocoderUnavailable(
                "PDOK is niet bereikbaar (verbinding verbroken tijdens het antwoord)."),
                "connection broken", cause=err) from None
        finally:
            deadline.finish()
            if response is not None:
                response.close()
        return _decode_answer(body, validate)

    def _send(self, url: str, pairs: list[tuple[str, str]]) -> requests.Response:
        """Send a GET through the session's transport; the body is left unread.

        Not ``Session.get``: its redirect handling reads the whole body of a redirect,
        even with ``allow_redirects=False``. Redirects are not followed here at all
        (PDOK's API does not redirect; see :meth:`_check_status`).
        """
        prepared = self.session.prepare_request(requests.Request("GET", url, params=pairs))
        options = self.session.merge_environment_settings(prepared.url, {}, True, None, None)
        adapter = self.session.get_adapter(prepared.url)
        return adapter.send(prepared, timeout=self._timeouts, **options)

    def _timeout_fault(self, cause: BaseException | None) -> _Fault:
        return _Fault(GeocoderTimeout(
            f"PDOK gaf geen volledig antwoord binnen {_seconds(self.timeout_s)}."),
            "time-out", cause=cause)

    def _check_status(self, response: requests.Response) -> None:
        status = response.status_code
        if status in _RETRY_STATUS:
            if status == 429:
                raise _Fault(GeocoderRateLimited(
                    "PDOK weigert tijdelijk verzoeken (te veel verzoeken, HTTP 429)."),
                    "HTTP 429", retry_after=_retry_after_s(response))
            raise _Fault(GeocoderUnavailable(
                f"PDOK is tijdelijk niet beschikbaar (HTTP {status})."), f"HTTP {status}")
        if 300 <= status < 400:
            raise _Fault(GeocoderBadAnswer(
                f"PDOK verwijst door naar een ander adres (HTTP {status}); controleer "
                "INFRAKAART_PDOK_URL."), f"HTTP {status} (redirect not followed)", retry=False)
        if status != 200:
            raise _Fault(GeocoderError(f"PDOK weigerde het verzoek (HTTP {status})."),
                         f"HTTP {status}", retry=False)

    def _too_large(self, how: str) -> _Fault:
        return _Fault(GeocoderBadAnswer(
            "PDOK gaf een onbruikbaar antwoord: groter dan "
            f"{decimal_comma(self.max_response_mb)} MB (niet verder gelezen)."),
            f"answer too large ({how})")

    def _read_body(self, response: requests.Response, deadline: Deadline) -> bytes:
        """The body, read in chunks and counted; never more than the cap."""
        limit = self.max_response_bytes
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise self._too_large("Content-Length")
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        decoder: zlib._Decompress | None
        if encoding in {"", "identity"}:
            decoder = None
        elif encoding in {"gzip", "x-gzip"}:
            decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            decoder = zlib.decompressobj()
        else:
            raise _Fault(GeocoderBadAnswer(
                "PDOK gaf een onbruikbaar antwoord: onbekende compressie."),
                "unknown content encoding")
        body = bytearray()
        received = 0
        try:
            while not deadline.expired:
                chunk = response.raw.read(CHUNK_BYTES, decode_content=False)
                if not chunk:
                    break
                received += len(chunk)
                if received > limit:
                    raise self._too_large("body")
                if decoder is not None:
                    # at most one byte past the cap: a zip bomb never unpacks further
                    chunk = decoder.decompress(chunk, limit - len(body) + 1)
                body += chunk
                if len(body) > limit:
                    raise self._too_large("decompressed body")
            if decoder is not None and not deadline.expired:
                body += decoder.flush()
                if decoder.unused_data:  # a second gzip member or trailing bytes
                    raise _Fault(GeocoderBadAnswer(
                        "PDOK gaf een onbruikbaar antwoord: onverwachte gegevens na het "
                        "gecomprimeerde antwoord."), "data after the compressed body")
        except zlib.error as err:
            raise _Fault(GeocoderBadAnswer(
                "PDOK gaf een onbruikbaar antwoord: kapotte compressie."),
                "broken compression", cause=err) from None
        if len(body) > limit:
            raise self._too_large("decompressed body")
        return bytes(body)

    def _backoff(self, attempt: int, path: str, reason: str, *,
                 retry_after: float | None = None) -> None:
        delay = self.backoff_s * (2 ** attempt)
        if retry_after is not None:
            delay = max(delay, retry_after)
        delay = min(delay, MAX_BACKOFF_S)
        logger.info("GET %s: %s; retry %d in %.2f s", path, reason, attempt + 1, delay)
        self._sleep(delay)

    def close(self) -> None:
        """Close the HTTP session and the cache."""
        self.session.close()
        if self.cache is not None:
            self.cache.close()


def answers_ok(url: str, *, timeout_s: float = 5.0) -> bool:
    """True when ``url`` answers HTTP 200 within ``timeout_s`` (a local health check).

    Used by ``infrakaart status --app`` for the app's own health endpoint; no retries,
    no cache, nothing read beyond the status.
    """
    try:
        with requests.get(url, timeout=(timeout_s, timeout_s), stream=True,
                          allow_redirects=False) as response:
            return response.status_code == 200
    except requests.RequestException:
        return False


def _passes(answer: dict, validate: Validator | None) -> bool:
    """True when ``validate`` accepts ``answer`` (or there is nothing to check)."""
    if validate is None:
        return True
    try:
        validate(answer)
    except GeocoderBadAnswer:
        return False
    return True


def _decode_answer(body: bytes, validate: Validator | None) -> dict:
    """The JSON object in ``body``, checked by ``validate``; else a :class:`_Fault`."""
    if not body.strip():
        raise _Fault(GeocoderBadAnswer("PDOK gaf een onbruikbaar antwoord: het was leeg."),
                     "empty body")
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError) as err:  # RecursionError: absurdly deep nesting
        what = "een webpagina" if body.lstrip()[:1] == b"<" else "geen geldige JSON"
        raise _Fault(GeocoderBadAnswer(f"PDOK gaf een onbruikbaar antwoord: {what}."),
                     "malformed JSON", cause=err) from None
    if not isinstance(answer, dict):
        raise _Fault(GeocoderBadAnswer(
            "PDOK gaf een onbruikbaar antwoord: geen JSON-object."),
            "JSON that is not an object")
    if validate is not None:
        try:
            validate(answer)
        except GeocoderBadAnswer as err:
            raise _Fault(err, "answer of an unexpected shape") from None
    return answer
