"""Optional OIDC sign-in (Streamlit's ``st.login``): configured providers and role mapping.

This module reads plain dicts (the secrets, the claims of ``st.user``) and never imports
streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from geo.auth.accounts import User, stored_user
from geo.auth.permissions import STAFF_ROLES

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
    if users_path is not None:
        return stored_user(users_path, email)
    return None
