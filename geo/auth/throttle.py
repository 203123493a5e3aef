"""Login throttling: slows down password guessing per name, per client and overall."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from geo.errors import AuthError

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    lock_count: int = 0
    last_event: float = 0.0


def wait_message(seconds: float) -> str:
    """Dutch 'try again in …' message for a lock of ``seconds``."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        wait = f"{seconds} seconde" if seconds == 1 else f"{seconds} seconden"
    else:
        minutes = math.ceil(seconds / 60)
        wait = "1 minuut" if minutes == 1 else f"{minutes} minuten"
    return f"Te veel mislukte inlogpogingen. Probeer het over {wait} opnieuw."


class LoginThrottle:
    """Slows down password guessing, per user name, per client and over all clients.

    Every failed attempt counts for three keys: its user name (guessing one account's
    password), its client (password spraying: many names from one client — unknown names
    count too) and one key shared by all attempts (spraying from many addresses at once).
    After a key's limit of failures within ``window_s`` seconds the key is locked for
    ``base_delay_s``; each further lock of that key doubles the delay, up to
    ``max_delay_s``. A key forgets its history after ``window_s`` without failures. A
    successful login clears the user-name key only (not the client or global key: an
    attacker with one valid account must not be able to reset the counters used against
    other names).

    The global limit is high: people who mistype never reach it, while a flood from many
    addresses is stopped before the server spends its memory on argon2 hashes. It also
    means such a flood keeps local-account logins closed for everyone until it stops
    (OIDC logins are not affected); set ``max_global_failures=None`` to switch it off.

    Clients are identified by :func:`~geo.auth.clients.client_address`; IPv6 clients count
    per ``/64`` network (one household or server usually holds a whole /64), IPv4 clients
    per address.

    Keys are stored only as keyed hashes (HMAC with a random per-instance secret), so the
    object holds no names or addresses and may be shared by all sessions
    (``st.cache_resource``). It is in-memory and thread-safe; a restart forgets it.

    Parameters
    ----------
    max_failures : int
        Failures per user name before that name is locked.
    max_client_failures : int
        Failures per client before that client is locked (higher: several people may
        share one address behind a proxy).
    max_global_failures : int or None
        Failures of all clients together before every login is locked; None: no limit.
    window_s : float
        Period in which failures are counted.
    base_delay_s : float
        Length of the first lock.
    max_delay_s : float
        Longest lock.
    clock : callable, optional
        Returns the time in seconds; defaults to :func:`time.monotonic`. Tests inject a
        fake clock instead of sleeping.
    max_entries : int
        Bound on remembered keys; the stalest are dropped first.
    """

    def __init__(
        self,
        *,
        max_failures: int = 5,
        max_client_failures: int = 20,
        max_global_failures: int | None = 100,
        window_s: float = 15 * 60,
        base_delay_s: float = 60,
        max_delay_s: float = 15 * 60,
        clock: Callable[[], float] | None = None,
        max_entries: int = 10_000,
    ) -> None:
        self.max_failures = max_failures
        self.max_client_failures = max_client_failures
        self.max_global_failures = max_global_failures
        self.window_s = window_s
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.max_entries = max_entries
        self._clock = clock or time.monotonic
        self._secret = secrets.token_bytes(32)
        self._entries: dict[bytes, _Entry] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys_for(*, name: str | None, client: str | None) -> tuple[str, ...]:
        """The throttle keys of one attempt: its user name, its client and the global key.

        Parameters
        ----------
        name : str or None
            The canonical login name tried; no name key when empty.
        client : str or None
            The client's address (:func:`~geo.auth.clients.client_address`); an IPv6
            address counts for its /64 network. No client key when None (the command line,
            tests).

        Returns
        -------
        tuple of str
        """
        keys = []
        if name:
            keys.append(f"naam:{name}")
        if client:
            keys.append(f"client:{_client_bucket(client)}")
        keys.append(_GLOBAL_KEY)
        return tuple(keys)

    def _digest(self, key: str) -> bytes:
        return hmac.new(self._secret, key.encode("utf-8"), hashlib.sha256).digest()

    def _limit(self, key: str) -> int | None:
        if key == _GLOBAL_KEY:
            return self.max_global_failures
        return self.max_client_failures if key.startswith("client:") else self.max_failures

    def _fresh(self, entry: _Entry, now: float) -> _Entry:
        """Forget failures outside the window and lock history after a quiet window."""
        entry.failures = [t for t in entry.failures if now - t < self.window_s]
        if (not entry.failures and now >= entry.locked_until
                and now - max(entry.last_event, entry.locked_until) >= self.window_s):
            entry.lock_count = 0
        return entry

    def remaining(self, keys: Iterable[str]) -> float:
        """Seconds until every key in ``keys`` is unlocked (0 when none is locked)."""
        now = self._clock()
        with self._lock:
            waits = [
                self._entries[d].locked_until - now
                for d in map(self._digest, keys)
                if d in self._entries
            ]
        return max([0.0, *waits])

    def check(self, keys: Iterable[str]) -> None:
        """Raise :class:`~geo.errors.AuthError` saying how long to wait while locked."""
        wait = self.remaining(keys)
        if wait > 0:
            raise AuthError(wait_message(wait))

    def record_failure(self, keys: Iterable[str]) -> None:
        """Count a failed attempt for each key; lock the keys that reach their limit."""
        now = self._clock()
        with self._lock:
            for key in keys:
                limit = self._limit(key)
                if limit is None:
                    continue
                digest = self._digest(key)
                entry = self._fresh(self._entries.setdefault(digest, _Entry()), now)
                entry.failures.append(now)
                entry.last_event = now
                if len(entry.failures) >= limit:
                    delay = min(self.base_delay_s * 2**entry.lock_count, self.max_delay_s)
                    entry.locked_until = now + delay
                    entry.lock_count += 1
                    entry.failures.clear()
                    log.warning("login throttled for %.0f s after repeated failures", delay)
            self._prune(now)

    def record_success(self, keys: Iterable[str]) -> None:
        """Forget the failures of the user-name key after a successful login."""
        with self._lock:
            for key in keys:
                if key.startswith("naam:"):
                    self._entries.pop(self._digest(key), None)

    def _prune(self, now: float) -> None:
        if len(self._entries) <= self.max_entries:
            return
        for digest, entry in list(self._entries.items()):
            self._fresh(entry, now)
            if not entry.failures and entry.lock_count == 0 and now >= entry.locked_until:
                del self._entries[digest]
        while len(self._entries) > self.max_entries:
            stalest = min(self._entries, key=lambda d: self._entries[d].last_event)
            del self._entries[stalest]


_GLOBAL_KEY = "alle"


def _client_bucket(client: str) -> str:
    """The throttle bucket of a client: an IPv6 address's /64 network, else the client."""
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)
