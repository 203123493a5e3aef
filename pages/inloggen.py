"""Inloggen: sign in as team or board member (OIDC via st.login, or a local account)."""

from __future__ import annotations

import importlib.util
import logging

import streamlit as st

from geo import auth
from geo.errors import AuthError
from geo.text import md
from pages._shared import ROLE_LABELS, Keys, current_role, get_settings, signed_in, through_router

through_router()

log = logging.getLogger(__name__)

#: Session keys that survive signing out (public data only); everything else is dropped,
#: so no personal data a staff page kept in the session outlives the login.
KEEP_ON_LOGOUT = (Keys.DIVISION,)

#: Session key remembering that this session signed in through OIDC.
OIDC_FLAG = Keys.OIDC


@st.cache_resource
def get_login_throttle() -> auth.LoginThrottle:
    """One throttle for all sessions; it stores only keyed hashes, no names or addresses."""
    return auth.LoginThrottle()


def read_secrets() -> dict:
    """The secrets as a plain dict; empty when there is no secrets.toml."""
    try:
        return st.secrets.to_dict()
    except Exception:  # StreamlitSecretNotFoundError/FileNotFoundError without secrets.toml
        return {}


@st.cache_resource
def get_trusted_proxies() -> tuple[auth.Network, ...]:
    """The configured trusted proxies; none (the safe choice) when the setting is invalid."""
    try:
        return auth.parse_trusted_proxies(get_settings().trusted_proxies)
    except ValueError as err:
        log.error("ignoring invalid trusted_proxies setting: %s", err)
        return ()


@st.cache_resource
def get_server_trust() -> auth.ServerTrust:
    """Whose X-Forwarded-For Streamlit's web server (uvicorn) already applied."""
    return auth.ServerTrust.from_env()


def client_key() -> str:
    """Identifies the client for throttling (see :func:`geo.auth.client_address`).

    The peer is the connection's address as Streamlit sees it (None for a loopback peer,
    such as a reverse proxy on this machine). ``X-Forwarded-For`` counts only when that
    peer is a trusted proxy (``Settings.trusted_proxies``), also when Streamlit's server
    already applied the header. Never None: clients whose address is unknown share one
    throttle bucket instead of escaping throttling.
    """
    try:
        peer = st.context.ip_address
        forwarded = st.context.headers.get_all("X-Forwarded-For")
    except Exception:  # no client context (bare script run)
        peer, forwarded = None, []
    return auth.client_address(peer, forwarded, get_trusted_proxies(),
                               server=get_server_trust())


def plain(text: str) -> str:
    """Show a user-supplied string literally inside Markdown (see :func:`geo.text.md`)."""
    return md(text)


def sign_out() -> None:
    oidc = st.session_state.get(OIDC_FLAG, False)
    for key in list(st.session_state.keys()):
        if key not in KEEP_ON_LOGOUT:
            del st.session_state[key]
    if oidc:
        st.logout()  # clears the identity cookie and starts a new session
    else:
        st.rerun()


def sign_in(user: auth.User, *, oidc: bool = False) -> None:
    st.session_state[Keys.ROLE] = user.role
    st.session_state[Keys.USER] = user.name
    st.session_state[OIDC_FLAG] = oidc


settings = get_settings()
secrets_config = read_secrets()
providers = auth.oidc_providers(secrets_config)
oidc_user = st.user.to_dict() if providers else {}

st.title("Inloggen")

# A session that came back from the OIDC provider gets its role from the mapping.
if providers and oidc_user.get("is_logged_in") and not signed_in():
    try:
        mapped = auth.oidc_role(oidc_user, secrets_config, users_path=settings.users_path)
    except AuthError as err:
        mapped = None
        st.error(md(err))
    if mapped is not None:
        sign_in(mapped, oidc=True)
        st.rerun()

role = current_role()
if signed_in():
    name = st.session_state.get(Keys.USER, "")
    st.success(f"U bent ingelogd als {plain(name)} · {ROLE_LABELS.get(role, role)}.")
    st.write("Uitloggen wist ook alle gegevens die deze sessie bewaarde.")
    if st.button("Uitloggen", type="primary"):
        sign_out()
    st.stop()

st.write(
    "Het operationeel team en het bestuur loggen hier in om contactgegevens te zien, "
    "gegevens te beheren en (bestuur) ambassadeurs aan te wijzen. Partners en andere "
    "bezoekers hebben geen account nodig: de kaart is openbaar."
)

if providers:
    if oidc_user.get("is_logged_in"):
        email = str(oidc_user.get("email") or "onbekend")
        st.warning(
            f"U bent aangemeld als {plain(email)}, maar dit adres heeft geen rol in "
            "Infrakaart. Vraag het bestuur om uw e-mailadres toe te voegen."
        )
        if st.button("Afmelden"):
            st.logout()
    elif importlib.util.find_spec("authlib") is None:
        st.warning(
            "Inloggen met een organisatie-account is ingesteld, maar het pakket Authlib "
            "ontbreekt op de server (`pip install Authlib`). Gebruik een lokaal account."
        )
    else:
        for provider in providers:
            label = "Inloggen met organisatie-account" if provider == "default" else (
                f"Inloggen met {provider}")
            if st.button(label, key=f"oidc_{provider}", type="primary"):
                st.login(provider)  # "default" is the provider directly in [auth]

try:
    accounts = auth.list_users(settings.users_path)
except AuthError as err:
    st.error(md(err))
    st.stop()

if not accounts:
    if not providers:
        st.info(
            "Er zijn nog geen accounts. Een beheerder maakt er een aan op de server met:\n\n"
            "```\ninfrakaart gebruiker toevoegen NAAM --rol team\n```\n\n"
            "(of `--rol bestuur`); het wachtwoord wordt dan twee keer gevraagd."
        )
    st.stop()

if providers:
    st.subheader("Lokaal account")
with st.form("inloggen", clear_on_submit=True):
    name = st.text_input("Gebruikersnaam", max_chars=64, autocomplete="username")
    password = st.text_input(
        "Wachtwoord",
        type="password",
        max_chars=auth.MAX_PASSWORD_LENGTH,
        autocomplete="current-password",
    )
    submitted = st.form_submit_button("Inloggen", type="primary")

if submitted:
    try:
        user = auth.verify(
            settings.users_path,
            name,
            password,
            throttle=get_login_throttle(),
            client=client_key(),
        )
    except AuthError as err:
        st.error(md(err))
    else:
        sign_in(user)
        st.rerun()
