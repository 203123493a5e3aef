"""Who may do what: roles, permissions, local accounts, login throttling and OIDC.

Three audiences use Infrakaart:

``publiek``
    Partners and anyone else; no login. Map, white spots, school search — never personal data.
``team``
    The operational team: import, review, edit, exports with contact data, edit history.
``bestuur``
    The board: everything the team may do plus the ambassador decisions.

This package's public API is what callers use (``from geo import auth; auth.can(...)``);
each fact lives in exactly one submodule:

:mod:`geo.auth.permissions`
    The roles and the permission table; :func:`can` and :func:`require`, the one gate every
    permission and privacy decision goes through.
:mod:`geo.auth.accounts`
    Local accounts in a TOML file of argon2id hashes: add, remove, list, verify a login.
:mod:`geo.auth.throttle`
    :class:`LoginThrottle`: slows down password guessing per name, client and overall.
:mod:`geo.auth.clients`
    :func:`client_address`: the client behind an attempt, behind trusted proxies.
:mod:`geo.auth.oidc`
    Optional sign-in through Streamlit's ``st.login`` and the e-mail → role mapping.
:mod:`geo.auth.sessions`
    Logins that survive a refresh: session tokens, their hashes, the HttpOnly cookie and
    the time limits (the rows live in the register, :mod:`geo.register.sessions`).

Nothing here logs passwords or hashes, and nothing imports streamlit.
"""

from __future__ import annotations

from geo.auth.accounts import (
    LOGIN_FAILED_MESSAGE,
    MAX_PASSWORD_LENGTH,
    User,
    add_user,
    change_password,
    check_password_strength,
    list_users,
    normalise_name,
    remove_user,
    stored_user,
    verify,
)
from geo.auth.clients import (
    LOOPBACK,
    UNKNOWN_CLIENT,
    Network,
    ServerTrust,
    client_address,
    parse_trusted_proxies,
)
from geo.auth.oidc import oidc_configured, oidc_providers, oidc_role
from geo.auth.permissions import (
    LOCAL_ADMIN_ROLE,
    NO_ACCESS_MESSAGE,
    PERMISSIONS,
    ROLES,
    can,
    require,
)
from geo.auth.sessions import (
    COOKIE_NAME,
    Session,
    SessionPolicy,
)
from geo.auth.throttle import LoginThrottle, wait_message

__all__ = [
    "COOKIE_NAME",
    "LOCAL_ADMIN_ROLE",
    "LOGIN_FAILED_MESSAGE",
    "LOOPBACK",
    "MAX_PASSWORD_LENGTH",
    "NO_ACCESS_MESSAGE",
    "PERMISSIONS",
    "ROLES",
    "UNKNOWN_CLIENT",
    "LoginThrottle",
    "Network",
    "ServerTrust",
    "Session",
    "SessionPolicy",
    "User",
    "add_user",
    "can",
    "change_password",
    "check_password_strength",
    "client_address",
    "list_users",
    "normalise_name",
    "oidc_configured",
    "oidc_providers",
    "oidc_role",
    "parse_trusted_proxies",
    "remove_user",
    "require",
    "stored_user",
    "verify",
    "wait_message",
]
