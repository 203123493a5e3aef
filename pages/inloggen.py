"""Inloggen: sign in as team or board member (OIDC via st.login, or a local account)."""

from __future__ import annotations

import importlib.util
import logging

import streamlit as st

from geo import auth
from geo.errors import AuthError
from geo.text import md
from pages._shared import (
    ROLE_LABELS,
    Keys,
    adopt_oidc_login,
    current_role,
    current_user,
    end_other_sessions,
    get_settings,
    login_target,
    read_secrets,
    sign_in,
    sign_out,
    signed_in,
    through_router,
)

through_router()

log = logging.getLogger(__name__)


@st.cache_resource
def get_login_throttle() -> auth.LoginThrottle:
    """One throttle for all sessions; it stores only keyed hashes, no names or addresses."""
    return auth.LoginThrottle()


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


settings = get_settings()
secrets_config = read_secrets()
providers = auth.oidc_providers(secrets_config)
oidc_user = st.user.to_dict() if providers else {}

target = login_target()  # a link to a staff page sent the visitor here

st.title("Inloggen")

# A session that came back from the OIDC provider gets its role from the mapping.
if adopt_oidc_login(secrets_config):
    st.rerun()

if signed_in():
    role = current_role()
    st.success(f"U bent ingelogd als {md(current_user())} · {ROLE_LABELS.get(role, role)}.")
    st.write("Uitloggen wist ook alle gegevens die deze sessie bewaarde. **Overal afmelden** "
             "beëindigt ook uw sessies in andere tabbladen en op andere apparaten.")
    left, right = st.columns(2)
    if left.button("Uitloggen", type="primary"):
        sign_out()
    if right.button("Overal afmelden"):
        sign_out(everywhere=True)
    if not st.session_state.get(Keys.OIDC):
        with st.expander("Wachtwoord wijzigen"), st.form("wachtwoord", clear_on_submit=True):
            current = st.text_input("Huidig wachtwoord", type="password",
                                    max_chars=auth.MAX_PASSWORD_LENGTH,
                                    autocomplete="current-password")
            new = st.text_input("Nieuw wachtwoord", type="password",
                                max_chars=auth.MAX_PASSWORD_LENGTH, autocomplete="new-password")
            repeat = st.text_input("Herhaal het nieuwe wachtwoord", type="password",
                                   max_chars=auth.MAX_PASSWORD_LENGTH,
                                   autocomplete="new-password")
            change = st.form_submit_button("Wachtwoord wijzigen")
        if change:
            try:
                if new != repeat:
                    raise AuthError("De twee nieuwe wachtwoorden zijn niet gelijk.")
                auth.change_password(settings.users_path, current_user(), current, new,
                                     throttle=get_login_throttle(), client=client_key())
            except AuthError as err:
                st.error(md(err))
            else:
                ended = end_other_sessions()
                st.success("Uw wachtwoord is gewijzigd. " + (
                    f"{ended} andere {'sessie is' if ended == 1 else 'sessies zijn'} beëindigd."
                    if ended else "Er waren geen andere sessies."))
    st.stop()

if notice := st.session_state.pop(Keys.LOGIN_NOTICE, None):
    st.info(notice)
if target is not None:
    st.warning(f"Log in om {target[0]} te openen; daarna gaat u er meteen heen.")

st.write(
    "Het operationeel team en het bestuur loggen hier in om contactgegevens te zien, "
    "gegevens te beheren en (bestuur) ambassadeurs aan te wijzen. Partners en andere "
    "bezoekers hebben geen account nodig: de kaart is openbaar."
)

if providers:
    if oidc_user.get("is_logged_in"):
        email = str(oidc_user.get("email") or "onbekend")
        st.warning(
            f"U bent aangemeld als {md(email)}, maar dit adres heeft geen rol in "
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
        if target is not None:
            st.switch_page(target[1])
        st.rerun()
