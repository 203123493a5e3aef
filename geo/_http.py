"""The only module that touches the network: a small, polite JSON client.

Every request carries a time-out, a User-Agent and a Referer, passes a rate limiter and
is retried with exponential back-off on 429, 5xx, time-outs and connection errors.
Failures become the domain errors of :mod:`geo.errors` (``raise … from err``), with Dutch
messages for people. Good answers (HTTP 200 with a JSON object) are kept in a persistent
SQLite cache keyed by the prepared request, so asking the same thing twice never reaches
the service again — also across runs and processes.

Logs are English and name the endpoint path and status only, never the query string:
queries hold addresses of organisations (never names, e-mail addresses or phone numbers),
but logs are no place for them either.
"""

from __future__ import annotations

import email.utils
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import requests

from geo.errors import (
    GeocoderError,
    GeocoderRateLimited,
    GeocoderTimeout,
    GeocoderUnavailable,
)
from geo.settings import Settings

logger = logging.getLogger(__name__)

#: Parameters as accepted by :meth:`JsonClient.get_json`: a mapping (values may be lists
#: for repeated parameters such as ``fq``) or a sequence of ``(name, value)`` pairs.
Params = Mapping[str, object] | Iterable[tuple[str, object]]

#: Longest wait between two attempts, in seconds (also caps a server's Retry-After).
MAX_BACKOFF_S = 30.0

#: Longest wait for a connection to be made, in seconds (the read time-out is a setting).
CONNECT_TIMEOUT_S = 5.0

_RETRY_STATUS = {429, 500, 502, 503, 504}


class RateLimiter:
    """Keep at least ``1 / rate_per_s`` seconds between the starts of two requests.

    Like geopy's ``RateLimiter``, the clock and the sleep function are injectable so
    tests can check the waits without waiting. Thread-safe: concurrent callers queue.

    Parameters
    ----------
    rate_per_s : float
        Maximum number of requests per second; zero or less means no limit.
    clock : callable, optional
        Returns the current time in seconds (default :func:`time.monotonic`).
    sleep : callable, optional
        Waits the given number of seconds (default :func:`time.sleep`).
    """

    def __init__(
        self,
        rate_per_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_interval_s = 1.0 / rate_per_s if rate_per_s > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._last_start: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until the next request may start; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            waited = 0.0
            if self._last_start is not None and self.min_interval_s > 0:
                waited = self._last_start + self.min_interval_s - now
                if waited > 0:
                    self._sleep(waited)
                    now = max(self._clock(), self._last_start + self.min_interval_s)
                else:
                    waited = 0.0
            self._last_start = now
            return waited


class ResponseCache:
    """Persistent cache of good JSON answers in one SQLite file.

    The connection is opened on first use, so constructing a cache is free. Failing to
    read or write the cache is logged and otherwise ignored: the cache only saves
    requests, it is never needed for a correct answer.

    Parameters
    ----------
    path : str or Path
        The SQLite file; its folder is created when missing. ``":memory:"`` keeps the
        cache in memory (for tests and one-off runs).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = path if str(path) == ":memory:" else Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            if isinstance(self.path, Path):
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=10, check_same_thread=False)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS responses ("
                " key TEXT PRIMARY KEY, body TEXT NOT NULL, stored_at TEXT NOT NULL)"
            )
            conn.commit()
            self._conn = conn
        return self._conn

    def get(self, key: str) -> dict | None:
        """The cached answer for ``key``, or None."""
        with self._lock:
            try:
                row = self._connection().execute(
                    "SELECT body FROM responses WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as err:
                logger.warning("geocode cache unreadable (%s); continuing without it", err)
                return None
        if row is None:
            return None
        try:
            return json.loads(row[0])
        except ValueError:
            return None

    def put(self, key: str, answer: dict) -> None:
        """Store a good answer under ``key`` (replacing an older one)."""
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            try:
                conn = self._connection()
                with conn:
                    conn.execute(
                        "INSERT OR REPLACE INTO responses (key, body, stored_at) "
                        "VALUES (?, ?, ?)",
                        (key, body, stamp),
                    )
            except sqlite3.Error as err:
                logger.warning("geocode cache not writable (%s); answer not cached", err)

    def __len__(self) -> int:
        with self._lock:
            try:
                return int(self._connection().execute(
                    "SELECT COUNT(*) FROM responses").fetchone()[0])
            except sqlite3.Error:
                return 0

    def clear(self) -> None:
        """Forget every cached answer."""
        with self._lock:
            conn = self._connection()
            with conn:
                conn.execute("DELETE FROM responses")

    def close(self) -> None:
        """Close the connection (it reopens on next use)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


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


class JsonClient:
    """GET JSON from a web service politely: time-out, headers, rate limit, retries, cache.

    Construction is cheap (no connection, no file opened).

    Parameters
    ----------
    settings : Settings
        Supplies ``pdok_timeout_s``, ``pdok_retries``, ``pdok_rate_per_s``,
        ``user_agent``, ``referer`` and ``geocode_cache_path``.
    session : requests.Session, optional
        Transport to use; a new session by default.
    cache : ResponseCache, optional
        Where good answers are kept; by default a cache at
        ``settings.geocode_cache_path``. See ``use_cache``.
    use_cache : bool
        False to neither read nor write any cache.
    clock, sleep : callable, optional
        Time source and sleep function, for the rate limiter and the back-off between
        attempts (injectable for tests).
    backoff_s : float
        Wait before the first retry; doubles with every further retry.

    Attributes
    ----------
    requests_sent : int
        Number of HTTP requests actually sent (cache hits not counted).
    cache_hits : int
        Number of answers served from the cache.
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
        # A dead route should not cost the full read time-out on every attempt.
        self._timeouts = (min(self.timeout_s, CONNECT_TIMEOUT_S), self.timeout_s)
        self.retries = max(0, settings.pdok_retries)
        self.backoff_s = backoff_s
        self.session = session or requests.Session()
        self.session.headers.update({
            "User-Agent": settings.user_agent,
            "Referer": settings.referer,
            "Accept": "application/json",
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

    def get_json(self, url: str, params: Params | None = None) -> dict:
        """GET ``url`` with ``params`` and return the decoded JSON object.

        Parameters
        ----------
        url : str
            Endpoint URL without query string.
        params : mapping or sequence of pairs, optional
            Query parameters; list values are sent as repeated parameters.

        Returns
        -------
        dict
            The JSON object, from the cache when the same request was answered before.

        Raises
        ------
        GeocoderTimeout
            No answer within the time-out, on every attempt.
        GeocoderRateLimited
            HTTP 429 on every attempt.
        GeocoderUnavailable
            Connection refused/failed or HTTP 5xx on every attempt.
        GeocoderError
            Any other HTTP error status, or an answer that is not a JSON object.
        """
        pairs = _sorted_pairs(params)
        key = cache_key(url, pairs)
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                with self._count_lock:
                    self.cache_hits += 1
                return cached
        answer = self._fetch(url, pairs)
        if self.cache is not None:
            self.cache.put(key, answer)
        return answer

    def _fetch(self, url: str, pairs: list[tuple[str, str]]) -> dict:
        path = urlsplit(url).path or "/"
        attempts = self.retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            self.rate_limiter.wait()
            with self._count_lock:
                self.requests_sent += 1
            try:
                response = self.session.get(url, params=pairs, timeout=self._timeouts)
            except requests.Timeout as err:
                if last:
                    logger.warning("GET %s timed out after %d attempt(s)", path, attempts)
                    raise GeocoderTimeout(
                        f"PDOK gaf geen antwoord binnen {self.timeout_s:g} seconden."
                    ) from err
                self._backoff(attempt, path, "time-out")
                continue
            except requests.ConnectionError as err:
                if last:
                    logger.warning("GET %s: no connection after %d attempt(s)", path, attempts)
                    raise GeocoderUnavailable(
                        "PDOK is niet bereikbaar (geen verbinding)."
                    ) from err
                self._backoff(attempt, path, "connection error")
                continue
            except requests.RequestException as err:
                logger.warning("GET %s failed: %s", path, type(err).__name__)
                raise GeocoderUnavailable("PDOK is niet bereikbaar.") from err

            status = response.status_code
            if status in _RETRY_STATUS:
                if last:
                    logger.warning("GET %s answered HTTP %d after %d attempt(s)",
                                   path, status, attempts)
                    if status == 429:
                        raise GeocoderRateLimited(
                            "PDOK weigert tijdelijk verzoeken (te veel verzoeken, HTTP 429)."
                        )
                    raise GeocoderUnavailable(
                        f"PDOK is tijdelijk niet beschikbaar (HTTP {status})."
                    )
                self._backoff(attempt, path, f"HTTP {status}",
                              retry_after=_retry_after_s(response) if status == 429 else None)
                continue
            if status != 200:
                logger.warning("GET %s answered HTTP %d; not retried", path, status)
                raise GeocoderError(f"PDOK weigerde het verzoek (HTTP {status}).")
            try:
                answer = response.json()
            except ValueError as err:
                logger.warning("GET %s answered malformed JSON", path)
                raise GeocoderError("PDOK gaf een onleesbaar antwoord (geen geldige JSON).") \
                    from err
            if not isinstance(answer, dict):
                logger.warning("GET %s answered JSON that is not an object", path)
                raise GeocoderError("PDOK gaf een antwoord in een onverwachte vorm.")
            logger.debug("GET %s answered HTTP 200 (attempt %d)", path, attempt + 1)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

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
