"""Roles, permissions, local accounts, login throttling and OIDC role mapping.

Three audiences use Infrakaart:

``publiek``
    Partners and anyone else; no login. Map, white spots, school search — never personal data.
``team``
    The operational team: import, review, edit, exports with contact data, edit history.
``bestuur``
    The board: everything the team may do plus the ambassador decisions.

Local accounts live in a TOML file (``Settings.users_path``, git-ignored) that holds only a
name, a role and an argon2id hash per account — never a password. The file is rewritten
atomically (temporary file + :func:`os.replace`) with mode ``0600``, under an exclusive lock so
two administrators cannot lose each other's changes. Its layout::

    # Infrakaart — lokale accounts ...
    [gebruikers."jan"]
    rol = "team"
    wachtwoord_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."
    aangemaakt = "2025-01-31T10:00:00+00:00"

Every permission decision goes through one gate, :func:`can` (and :func:`require`, which
raises), over the table :data:`PERMISSIONS`; pages, the navigation and the store never compare
role names themselves.

Repeated failed logins are slowed down by :class:`LoginThrottle`, per user name, per client
and over all clients together. The client is the connection's peer address, or — only when
that peer is a configured trusted proxy — the address the proxies report in
``X-Forwarded-For`` (see :func:`client_address`). OIDC (Streamlit's ``st.login``) is optional;
see :func:`oidc_providers` and :func:`oidc_role`. This module never logs passwords or hashes
and never imports streamlit.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import ipaddress
import logging
import math
import os
import re
import secrets
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from geo.errors import AuthError

log = logging.getLogger(__name__)

#: Roles, from least to most rights.
ROLES: tuple[str, ...] = ("publiek", "team", "bestuur")

#: Roles that need a login (local account or OIDC).
STAFF_ROLES: tuple[str, ...] = ("team", "bestuur")

#: action → roles allowed to perform it. Every action is checked with :func:`can` /
#: :func:`require` where it happens (named after each entry); tests/attacks/test_roles.py
#: walks every page for every role and fails for an action that nothing checks.
PERMISSIONS: dict[str, frozenset[str]] = {
    # public pages (app.py navigation): public data only
    "kaart_bekijken": frozenset({"publiek", "team", "bestuur"}),  # Kaart, Wat als
    "scholen_zoeken": frozenset({"publiek", "team", "bestuur"}),  # School koppelen
    # staff
    "contactgegevens_zien": frozenset({"team", "bestuur"}),  # personal fields on every page
    "beheren": frozenset({"team", "bestuur"}),  # Beheer: review, edit, add, delete
    "importeren": frozenset({"team", "bestuur"}),  # Beheer → Importeren
    "geschiedenis_zien": frozenset({"team", "bestuur"}),  # Beheer → Historie
    "exporteren_met_contactgegevens": frozenset({"team", "bestuur"}),  # Beheer → Exporteren
    "ambassadeurs_bekijken": frozenset({"team", "bestuur"}),  # Ambassadeurs (the planner)
    # board only (issue 5): appoint ambassadors — Ambassadeurs → Vastleggen, the Beheer
    # form field, an import's Ambassadeur column, and every Store write of ambassadeur_voor
    "ambassadeurs_markeren": frozenset({"bestuur"}),
}

#: Dutch refusal of :func:`require` per action; other actions get :data:`NO_ACCESS_MESSAGE`.
DENIED_MESSAGES: dict[str, str] = {
    "ambassadeurs_markeren": "Alleen het bestuur kan ambassadeurs aanwijzen.",
}

#: Refusal of :func:`require` for an action without its own message.
NO_ACCESS_MESSAGE = (
    "U heeft geen toegang tot dit onderdeel. Log in met een account dat de juiste rol heeft."
)

#: Role of the command line (``infrakaart import`` and friends). Whoever can run it on the
#: server can read and write the database file directly, so it acts with the board's rights.
LOCAL_ADMIN_ROLE = "bestuur"

#: Shortest password accepted for a local account.
MIN_PASSWORD_LENGTH = 10
#: Longer passwords are refused outright (protects the hasher from absurd input).
MAX_PASSWORD_LENGTH = 1024

#: One message for an unknown name and a wrong password, so names cannot be probed.
LOGIN_FAILED_MESSAGE = "Onbekende gebruiker of onjuist wachtwoord."

_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,63}$")

_FILE_HEADER = (
    "# Infrakaart — lokale accounts. Niet in git zetten, niet met de hand bewerken:\n"
    "# beheer ze met `infrakaart gebruiker toevoegen|verwijderen|lijst`.\n"
    "# Wachtwoorden staan hier alleen als argon2id-hash.\n"
)


# --------------------------------------------------------------------------- roles


def can(role: str | None, action: str) -> bool:
    """Whether ``role`` may perform ``action``.

    Parameters
    ----------
    role : str or None
        ``"publiek"``, ``"team"`` or ``"bestuur"``. Anything else (``None``, a typo) has no
        rights at all: the check fails closed.
    action : str
        A key of :data:`PERMISSIONS`.

    Returns
    -------
    bool
        True when the permission table allows it.

    Raises
    ------
    KeyError
        For an action that is not in :data:`PERMISSIONS` (a programming error, not a user's).
    """
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}; add it to geo.auth.PERMISSIONS")
    return role in PERMISSIONS[action]


def require(role: str | None, action: str) -> None:
    """Raise :class:`~geo.errors.AuthError` unless ``role`` may perform ``action``.

    Parameters
    ----------
    role : str or None
        The role of the current user.
    action : str
        A key of :data:`PERMISSIONS`.

    Raises
    ------
    AuthError
        With a Dutch message (:data:`DENIED_MESSAGES`, else :data:`NO_ACCESS_MESSAGE`)
        when the role lacks the permission.
    """
    if not can(role, action):
        log.warning("refused action %s for role %r", action, role)
        raise AuthError(DENIED_MESSAGES.get(action, NO_ACCESS_MESSAGE))


def is_staff_role(role: str | None) -> bool:
    """True for ``team`` and ``bestuur``: whether someone is signed in.

    Not a permission: decide what a role may do with :func:`can`.
    """
    return role in STAFF_ROLES


def _check_role(role: str) -> str:
    if role not in STAFF_ROLES:
        raise AuthError(f"Onbekende rol {role!r}: kies 'team' of 'bestuur'.")
    return role


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True)
class User:
    """A signed-in or stored account, without any secret.

    Attributes
    ----------
    name : str
        Login name (lower case); also recorded in the edit history.
    role : str
        ``"team"`` or ``"bestuur"``.
    """

    name: str
    role: str


def normalise_name(name: str) -> str:
    """The canonical form of a login name (trimmed, lower case).

    Parameters
    ----------
    name : str
        The name as typed.

    Returns
    -------
    str
        The name used as key in the accounts file.

    Raises
    ------
    AuthError
        When the name has fewer than 2 or more than 64 characters or other characters than
        letters, digits and ``. _ @ + -``.
    """
    canonical = name.strip().lower()
    if not _NAME_PATTERN.match(canonical):
        raise AuthError(
            "Een gebruikersnaam heeft 2 tot 64 tekens: letters (a-z), cijfers en . _ @ + -, "
            "en begint met een letter of cijfer."
        )
    return canonical


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short or too long for a new account.

    Parameters
    ----------
    password : str
        The proposed password.

    Raises
    ------
    AuthError
        With a Dutch message naming the rule that is broken.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(
            f"Het wachtwoord is te kort: gebruik minstens {MIN_PASSWORD_LENGTH} tekens."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AuthError(
            f"Het wachtwoord is te lang: gebruik hoogstens {MAX_PASSWORD_LENGTH} tekens."
        )
    if password.strip() == "":
        raise AuthError("Het wachtwoord mag niet alleen uit spaties bestaan.")


_DEFAULT_HASHER = PasswordHasher(type=Type.ID)


def _hasher(hasher: PasswordHasher | None) -> PasswordHasher:
    return _DEFAULT_HASHER if hasher is None else hasher


def _toml_string(value: str) -> str:
    """A TOML basic string literal for ``value``, escaped."""
    out = ['"']
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _render(accounts: Mapping[str, Mapping[str, str]]) -> str:
    lines = [_FILE_HEADER]
    for name in sorted(accounts):
        record = accounts[name]
        lines.append(f"\n[gebruikers.{_toml_string(name)}]\n")
        for key in ("rol", "wachtwoord_hash", "aangemaakt", "gewijzigd"):
            if record.get(key):
                lines.append(f"{key} = {_toml_string(str(record[key]))}\n")
    return "".join(lines)


def _read(path: Path) -> dict[str, dict[str, str]]:
    """All accounts in the file as ``name → record``; empty when the file does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as err:
        raise AuthError(f"Het gebruikersbestand {path} kan niet worden gelezen.") from err
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise AuthError(
            f"Het gebruikersbestand {path} is beschadigd; herstel het of maak het opnieuw "
            "met `infrakaart gebruiker toevoegen`."
        ) from err
    if os.name == "posix" and path.stat().st_mode & 0o077:
        log.warning("accounts file %s is readable by others; expected mode 0600", path)
    accounts: dict[str, dict[str, str]] = {}
    table = data.get("gebruikers", {})
    if not isinstance(table, dict):
        raise AuthError(f"Het gebruikersbestand {path} heeft een onbekende opbouw.")
    for name, record in table.items():
        if not isinstance(record, dict) or record.get("rol") not in STAFF_ROLES:
            log.warning("skipping malformed account entry in %s", path)
            continue
        accounts[str(name)] = {k: str(v) for k, v in record.items()}
    return accounts


def _write(path: Path, accounts: Mapping[str, Mapping[str, str]]) -> None:
    """Replace the file atomically with mode 0600."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(_render(accounts))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of the accounts file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def add_user(
    path: str | Path,
    name: str,
    role: str,
    password: str,
    *,
    replace: bool = False,
    hasher: PasswordHasher | None = None,
) -> User:
    """Create (or with ``replace`` overwrite) a local account.

    Parameters
    ----------
    path : str or Path
        The accounts file (``Settings.users_path``); created when missing.
    name : str
        Login name; stored trimmed and in lower case (see :func:`normalise_name`).
    role : str
        ``"team"`` or ``"bestuur"``.
    password : str
        At least :data:`MIN_PASSWORD_LENGTH` characters. Only its argon2id hash is stored.
    replace : bool
        Overwrite an existing account's role and password instead of refusing.
    hasher : argon2.PasswordHasher, optional
        The hasher to use (tests pass a cheap one); defaults to argon2-cffi's recommended
        argon2id parameters.

    Returns
    -------
    User
        The stored account.

    Raises
    ------
    AuthError
        For an invalid name, role or password, or an existing name without ``replace``.
    """
    path = Path(path)
    canonical = normalise_name(name)
    _check_role(role)
    check_password_strength(password)
    hashed = _hasher(hasher).hash(password)
    with _locked(path):
        accounts = _read(path)
        if canonical in accounts and not replace:
            raise AuthError(
                f"Gebruiker {canonical!r} bestaat al. Gebruik --overschrijven om rol en "
                "wachtwoord te vervangen."
            )
        now = _now_iso()
        record = {
            "rol": role,
            "wachtwoord_hash": hashed,
            "aangemaakt": accounts.get(canonical, {}).get("aangemaakt", now),
        }
        if canonical in accounts:
            record["gewijzigd"] = now
        accounts[canonical] = record
        _write(path, accounts)
    log.info("account %s stored with role %s", canonical, role)
    return User(canonical, role)


def remove_user(path: str | Path, name: str) -> None:
    """Delete a local account.

    Parameters
    ----------
    path : str or Path
        The accounts file.
    name : str
        Login name (any case).

    Raises
    ------
    AuthError
        When no such account exists.
    """
    path = Path(path)
    canonical = normalise_name(name)
    with _locked(path):
        accounts = _read(path)
        if canonical not in accounts:
            raise AuthError(f"Gebruiker {canonical!r} bestaat niet.")
        del accounts[canonical]
        _write(path, accounts)
    log.info("account %s removed", canonical)


def list_users(path: str | Path) -> list[User]:
    """All local accounts, sorted by name (names and roles only, no hashes).

    Parameters
    ----------
    path : str or Path
        The accounts file; a missing file means no accounts.

    Returns
    -------
    list of User
    """
    accounts = _read(Path(path))
    return [User(name, accounts[name]["rol"]) for name in sorted(accounts)]


_DUMMY_HASHES: dict[tuple[int, int, int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash with the hasher's parameters, to spend equal time on unknown names."""
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len,
           hasher.salt_len)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash(secrets.token_hex(16))
    return _DUMMY_HASHES[key]


def verify(
    path: str | Path,
    name: str,
    password: str,
    *,
    throttle: LoginThrottle | None,
    client: str | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """Check a name and password against the local accounts.

    The same message is raised for an unknown name and a wrong password, and an unknown
    name costs as much time as a wrong password, so names cannot be probed. A successful
    login rehashes the password when the hasher's parameters changed since it was stored.

    Parameters
    ----------
    path : str or Path
        The accounts file.
    name : str
        Login name as typed.
    password : str
        Password as typed.
    throttle : LoginThrottle or None
        Shared throttle of failed attempts; ``None`` disables throttling (CLI, tests).
    client : str, optional
        Identifies the client (e.g. its IP address) for per-client throttling.
    hasher : argon2.PasswordHasher, optional
        Defaults to argon2-cffi's recommended argon2id parameters.

    Returns
    -------
    User
        The signed-in account.

    Raises
    ------
    AuthError
        :data:`LOGIN_FAILED_MESSAGE` on failure, or a message saying how long to wait
        while the name or the client is locked after too many failures.
    """
    path = Path(path)
    ph = _hasher(hasher)
    try:
        canonical = normalise_name(name)
    except AuthError:
        canonical = name.strip().lower()[:64]
    keys = LoginThrottle.keys_for(name=canonical, client=client)
    if throttle is not None:
        throttle.check(keys)

    record = _read(path).get(canonical) if _NAME_PATTERN.match(canonical) else None
    ok = False
    if len(password) <= MAX_PASSWORD_LENGTH:
        stored = record["wachtwoord_hash"] if record else _dummy_hash(ph)
        try:
            ok = ph.verify(stored, password) and record is not None
        except (VerificationError, InvalidHashError):
            ok = False
    if not ok or record is None:
        if throttle is not None:
            throttle.record_failure(keys)
        log.info("failed login attempt")
        raise AuthError(LOGIN_FAILED_MESSAGE)

    if throttle is not None:
        throttle.record_success(keys)
    if ph.check_needs_rehash(record["wachtwoord_hash"]):
        _rehash(path, canonical, password, ph)
    log.info("login of %s", canonical)
    return User(canonical, record["rol"])


def _rehash(path: Path, name: str, password: str, hasher: PasswordHasher) -> None:
    new_hash = hasher.hash(password)
    with _locked(path):
        accounts = _read(path)
        if name not in accounts:
            return
        accounts[name]["wachtwoord_hash"] = new_hash
        accounts[name]["gewijzigd"] = _now_iso()
        _write(path, accounts)
    log.info("password hash of %s upgraded to current argon2 parameters", name)


# --------------------------------------------------------------------------- throttling


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

    Clients are identified by :func:`client_address`; IPv6 clients count per ``/64``
    network (one household or server usually holds a whole /64), IPv4 clients per address.

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
            The client's address (:func:`client_address`); an IPv6 address counts for its
            /64 network. No client key when None (the command line, tests).

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


# --------------------------------------------------------------------------- clients

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Address used when Streamlit reports no peer: it says None for a loopback peer
#: (127.0.0.1, ::1), which is what a reverse proxy on the same machine is.
LOOPBACK = "127.0.0.1"

#: Client key when the peer cannot be understood at all; such clients share one bucket.
UNKNOWN_CLIENT = "onbekend"

#: At most this many ``X-Forwarded-For`` hops are followed (no real chain is longer).
MAX_FORWARDED_HOPS = 16


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """The networks of ``Settings.trusted_proxies``.

    Parameters
    ----------
    text : str
        IP addresses and networks (CIDR), separated by commas or spaces, e.g.
        ``"127.0.0.1, ::1, 10.0.0.0/24"``. Empty: no trusted proxies.

    Returns
    -------
    tuple of ipaddress.IPv4Network or ipaddress.IPv6Network

    Raises
    ------
    ValueError
        With a Dutch message naming the entry that is not an address or network.
    """
    networks = []
    for entry in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as err:
            raise ValueError(
                f"INFRAKAART_TRUSTED_PROXIES: '{entry}' is geen IP-adres of netwerk "
                "(zoals 127.0.0.1 of 10.0.0.0/24)."
            ) from err
    return tuple(networks)


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a peer or an ``X-Forwarded-For`` hop; None for anything else.

    Accepts ``1.2.3.4``, ``1.2.3.4:5678``, ``2001:db8::1``, ``[2001:db8::1]:443`` and
    ``"quoted"`` forms; an IPv4-mapped IPv6 address becomes its IPv4 address. Names,
    ``unknown`` and obfuscated identifiers (``_hidden``) are None.
    """
    value = text.strip().strip('"').strip()
    if value.startswith("["):
        end = value.find("]")
        if end == -1:
            return None
        value = value[1:end]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    if not value or len(value) > 64:
        return None
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_trusted(ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
                trusted: Iterable[Network]) -> bool:
    return any(ip.version == net.version and ip in net for net in trusted)


#: The hosts whose ``X-Forwarded-For`` Streamlit's web server (uvicorn) applies itself
#: unless the environment variable ``FORWARDED_ALLOW_IPS`` says otherwise.
SERVER_FORWARDED_DEFAULT = "127.0.0.1,::1"


@dataclass(frozen=True)
class ServerTrust:
    """The proxies whose ``X-Forwarded-For`` the web server applies before the app runs.

    Streamlit 1.67 serves through uvicorn, which by default replaces a peer on
    127.0.0.1 or ::1 by the right-most address in ``X-Forwarded-For`` that is not one of
    those (``FORWARDED_ALLOW_IPS``). The app then sees that header value as the peer.

    Attributes
    ----------
    networks : tuple of network
        Trusted addresses and networks.
    literals : frozenset of str
        Entries that are no address (uvicorn compares them as text).
    everyone : bool
        ``FORWARDED_ALLOW_IPS="*"``: the header of every peer is applied.
    """

    networks: tuple[Network, ...] = ()
    literals: frozenset[str] = frozenset()
    everyone: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerTrust:
        """Read ``FORWARDED_ALLOW_IPS`` the way uvicorn does.

        Parameters
        ----------
        environ : Mapping, optional
            The environment; defaults to :data:`os.environ`.

        Returns
        -------
        ServerTrust
        """
        env = os.environ if environ is None else environ
        raw = env.get("FORWARDED_ALLOW_IPS", SERVER_FORWARDED_DEFAULT)
        if raw.strip() == "*":
            return cls(everyone=True)
        networks, literals = [], set()
        for entry in (item.strip() for item in raw.split(",")):
            try:
                networks.append(ipaddress.ip_network(entry) if "/" in entry else
                                ipaddress.ip_network(ipaddress.ip_address(entry)))
            except ValueError:
                literals.add(entry)
        return cls(tuple(networks), frozenset(literals))

    def trusts(self, host: str) -> bool:
        """Whether uvicorn trusts ``host`` (an address or other text)."""
        if self.everyone:
            return True
        if not host:
            return False
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return host in self.literals
        return any(ip in net for net in self.networks if net.version == ip.version)

    def client_from(self, hops: list[str]) -> str:
        """The host uvicorn takes from the header's hops (its ``get_trusted_client_address``)."""
        if self.everyone:
            return _server_host(hops[0])
        for hop in reversed(hops):
            host = _server_host(hop)
            if not self.trusts(host):
                return host
        return _server_host(hops[0])


def _server_host(value: str) -> str:
    """A hop without its port, exactly as uvicorn's proxy-header middleware cuts it."""
    if value.startswith("["):
        end = value.find("]")
        if end == -1:
            return value
        rest = value[end + 1:]
        return value[1:end] if not rest or rest.startswith(":") else value
    if value.count(":") == 1:
        host, port = value.rsplit(":", 1)
        return host if port.isdigit() else value
    return value


def _hops(forwarded_for: str | Iterable[str] | None) -> list[str]:
    if forwarded_for is None:
        return []
    headers = [forwarded_for] if isinstance(forwarded_for, str) else list(forwarded_for)
    return [hop.strip() for header in headers for hop in str(header).split(",")]


def _within(net: Network, trusted: tuple[Network, ...]) -> bool:
    return any(net.version == t.version and net.subnet_of(t) for t in trusted)


def client_address(
    peer: str | None,
    forwarded_for: str | Iterable[str] | None,
    trusted: Iterable[Network],
    *,
    server: ServerTrust | None = None,
) -> str:
    """The address of the client behind an attempt, for throttling.

    The client is the connection's peer. Only when the peer is a trusted proxy, the
    ``X-Forwarded-For`` header is read from right to left: each hop that is itself a
    trusted proxy is skipped, and the first other address is the client. A header from an
    untrusted peer is ignored, so a client cannot pick its own address. When the header is
    missing, or the next hop is not an address, the last trusted proxy counts as the client:
    everyone behind it then shares one throttle bucket, which is safe (too strict rather
    than too lenient). In the same way, with no trusted proxies configured, every client of
    a reverse proxy on the same machine shares the loopback bucket.

    The web server may already have replaced a peer it trusts by a header value
    (:class:`ServerTrust`; by default a peer on 127.0.0.1/::1). When the peer is exactly
    what the server would have taken from the header, the header is believed only if one
    of the server's trusted proxies is also in ``trusted``; otherwise the attempt counts in
    the shared :data:`LOOPBACK` bucket. So a local proxy that passes a client's own
    ``X-Forwarded-For`` through unchanged cannot give each attempt a fresh address.

    Parameters
    ----------
    peer : str or None
        The peer address of the connection (``st.context.ip_address``). None counts as
        :data:`LOOPBACK`: Streamlit reports a loopback peer as None.
    forwarded_for : str, iterable of str, or None
        The ``X-Forwarded-For`` header(s), each a comma-separated list of hops, the
        nearest proxy's view last; several headers are read as one list, in order.
    trusted : iterable of network
        Trusted proxies (:func:`parse_trusted_proxies`).
    server : ServerTrust, optional
        What the web server trusts; uvicorn's default (127.0.0.1 and ::1) when omitted.

    Returns
    -------
    str
        The client's address in canonical form (IPv4-mapped IPv6 as IPv4), or
        :data:`UNKNOWN_CLIENT` when the peer itself is not an address.
    """
    trusted = tuple(trusted)
    server = ServerTrust.from_env({}) if server is None else server
    hops = _hops(forwarded_for)
    if peer is not None and hops and peer == server.client_from(hops):
        # The server put this header value in place of one of its trusted proxies.
        if server.everyone or not any(_within(net, trusted) for net in server.networks):
            return LOOPBACK
        client = None
    else:
        client = _parse_address(LOOPBACK if peer is None else peer)
        if client is None:
            return UNKNOWN_CLIENT
        if not _is_trusted(client, trusted):
            return str(client)
    for hop in reversed(hops[-MAX_FORWARDED_HOPS:]):
        ip = _parse_address(hop)
        if ip is None:
            break
        client = ip
        if not _is_trusted(ip, trusted):
            break
    return LOOPBACK if client is None else str(client)


# --------------------------------------------------------------------------- OIDC

#: Sub-table of ``[auth]`` holding the e-mail → role mapping (not a provider).
OIDC_ROLES_KEY = "rollen"

_OIDC_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def oidc_providers(secrets_config: Mapping | None) -> list[str]:
    """The OIDC providers configured for ``st.login``; empty when OIDC is not configured.

    The expected secrets layout (``.streamlit/secrets.toml``, git-ignored) is Streamlit's
    own, plus an optional role mapping::

        [auth]
        redirect_uri = "https://kaart.example.nl/oauth2callback"
        cookie_secret = "<long random string>"
        # either one default provider directly in [auth] ...
        client_id = "..."
        client_secret = "..."
        server_metadata_url = "https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration"
        # ... or named providers:  [auth.microsoft]  client_id = ... (etc.)

        [auth.rollen]
        "jan@infrabindt.nl" = "bestuur"
        "piet@infrabindt.nl" = "team"

    Parameters
    ----------
    secrets_config : Mapping or None
        The secrets as a plain dict (``st.secrets.to_dict()``), or None when there are none.

    Returns
    -------
    list of str
        ``["default"]`` for a provider directly in ``[auth]`` (call ``st.login()``), else the
        names of the complete ``[auth.<name>]`` sections (call ``st.login(name)``). Empty
        when ``redirect_uri``/``cookie_secret`` is missing or no provider is complete.
    """
    auth = (secrets_config or {}).get("auth")
    if not isinstance(auth, Mapping):
        return []
    if not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return []
    providers = []
    if all(auth.get(k) for k in _OIDC_PROVIDER_KEYS):
        providers.append("default")
    for name, section in auth.items():
        if name == OIDC_ROLES_KEY or not isinstance(section, Mapping) or "_" in name:
            continue
        if all(section.get(k) for k in _OIDC_PROVIDER_KEYS):
            providers.append(str(name))
    return providers


def oidc_configured(secrets_config: Mapping | None) -> bool:
    """True when ``st.login`` can be used (see :func:`oidc_providers`)."""
    return bool(oidc_providers(secrets_config))


def oidc_role(
    user_info: Mapping,
    secrets_config: Mapping | None,
    *,
    users_path: str | Path | None = None,
) -> User | None:
    """The staff account of a user signed in through OIDC, if any.

    The role is looked up by the user's e-mail address (case-insensitive), first in the
    ``[auth.rollen]`` table of the secrets, then in the local accounts file, where an
    account whose name is that e-mail address grants its role (its password is not used).
    A user whose provider says the e-mail is not verified (``email_verified = false``) gets
    no role. Unknown users get no role: they stay ``publiek``.

    Parameters
    ----------
    user_info : Mapping
        The claims of ``st.user`` (``st.user.to_dict()``): ``is_logged_in``, ``email``, ...
    secrets_config : Mapping or None
        The secrets as a plain dict.
    users_path : str or Path, optional
        The local accounts file, consulted when the mapping has no entry.

    Returns
    -------
    User or None
        Name (the e-mail address, lower case) and role, or None for no staff role.
    """
    if not user_info.get("is_logged_in"):
        return None
    email = str(user_info.get("email") or "").strip().lower()
    if not email or user_info.get("email_verified") is False:
        return None
    auth = (secrets_config or {}).get("auth")
    mapping = auth.get(OIDC_ROLES_KEY, {}) if isinstance(auth, Mapping) else {}
    if isinstance(mapping, Mapping):
        for key, role in mapping.items():
            if str(key).strip().lower() == email and role in STAFF_ROLES:
                return User(email, str(role))
    if users_path is not None and _NAME_PATTERN.match(email):
        record = _read(Path(users_path)).get(email)
        if record:
            return User(email, record["rol"])
    return None
