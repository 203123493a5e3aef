"""A rate limiter for polite clients: a minimum interval between the starts of requests.

Used by :class:`geo.intake._http.JsonClient` (and importable from there); it never
touches the network.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


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
