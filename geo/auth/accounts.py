"""Local accounts: a TOML file of names, roles and argon2id hashes; checking a login.

The accounts file (``Settings.users_path``, git-ignored) holds only a name, a role and an
argon2id hash per account — never a password. It is rewritten atomically (temporary file +
:func:`os.replace`) with mode ``0600``, under an exclusive lock so two administrators
cannot lose each other's changes. Its layout::

    # Infrakaart — lokale accounts ...
    [gebruikers."jan"]
    rol = "team"
    wachtwoord_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."
    aangemaakt = "2025-01-31T10:00:00+00:00"

:func:`verify` counts failed logins in a :class:`~geo.auth.throttle.LoginThrottle`. This
module never logs passwords or hashes.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import secrets
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from geo.auth.permissions import STAFF_ROLES, check_staff_role
from geo.auth.throttle import LoginThrottle
from geo.errors import AuthError

log = logging.getLogger(__name__)

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
    check_staff_role(role)
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


def stored_user(path: str | Path, name: str) -> User | None:
    """The account stored under exactly ``name`` (already canonical), if any.

    Parameters
    ----------
    path : str or Path
        The accounts file; a missing file means no accounts.
    name : str
        A canonical login name (see :func:`normalise_name`); other text finds nothing.

    Returns
    -------
    User or None
    """
    if not _NAME_PATTERN.match(name):
        return None
    record = _read(Path(path)).get(name)
    return User(name, record["rol"]) if record else None


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


def change_password(path: str | Path, name: str, current: str, new: str, *,
                    throttle: LoginThrottle | None, client: str | None = None,
                    hasher: PasswordHasher | None = None) -> User:
    """Give a signed-in account a new password, after checking its current one.

    The current password is checked like a login (:func:`verify`, throttled); the role and
    creation date stay. Ending the account's other sessions is the caller's part.

    Raises
    ------
    AuthError
        For a wrong current password (:data:`LOGIN_FAILED_MESSAGE`), a weak new one, or
        a new one equal to the current one.
    """
    user = verify(path, name, current, throttle=throttle, client=client, hasher=hasher)
    check_password_strength(new)
    if new == current:
        raise AuthError("Het nieuwe wachtwoord is gelijk aan het huidige; kies een ander.")
    return add_user(path, user.name, user.role, new, replace=True, hasher=hasher)
