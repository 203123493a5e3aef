"""Infrakaart — Streamlit entry point: page config, login state and the page router.

No logic here: which pages a session sees follows from its role through
``geo.auth.can`` (one action per page), and each staff page checks the role again itself.
"""

from __future__ import annotations

import streamlit as st

from geo import auth
from geo.text import md
from pages._shared import ROLE_LABELS, Keys, current_role, current_user, get_settings, signed_in

st.set_page_config(page_title="Infrakaart · Infra Bindt", page_icon="🗺️", layout="wide")

try:
    secrets = st.secrets.to_dict()
except Exception:  # no secrets.toml: local accounts only
    secrets = {}

# A session returning from the OIDC provider has st.user but no role yet.
if auth.oidc_configured(secrets) and not signed_in() and st.user.is_logged_in:
    user = auth.oidc_role(st.user.to_dict(), secrets, users_path=get_settings().users_path)
    if user is not None:
        st.session_state[Keys.ROLE] = user.role
        st.session_state[Keys.USER] = user.name
        st.session_state[Keys.OIDC] = True

role = current_role()
signed = signed_in()
#: section → [(page, the geo.auth action a role needs to see it; None: every role)]
PAGES = {
    "Infrakaart": [
        (st.Page("pages/kaart.py", title="Kaart", icon=":material/map:", default=True),
         "kaart_bekijken"),
        (st.Page("pages/school_koppelen.py", title="School koppelen", icon=":material/school:"),
         "scholen_zoeken"),
        (st.Page("pages/wat_als.py", title="Wat als", icon=":material/explore:"),
         "kaart_bekijken"),
        (st.Page("pages/over.py", title="Over", icon=":material/info:"), None),
    ],
    "Team": [(st.Page("pages/beheer.py", title="Beheer", icon=":material/build:"), "beheren")],
    "Bestuur": [
        (st.Page("pages/ambassadeurs.py", title="Ambassadeurs", icon=":material/handshake:"),
         "ambassadeurs_bekijken"),
    ],
    "Account": [
        (st.Page("pages/inloggen.py", title="Account" if signed else "Inloggen",
                 icon=":material/login:", url_path="inloggen"), None),
    ],
}
navigation = {
    section: visible
    for section, entries in PAGES.items()
    if (visible := [page for page, action in entries
                    if action is None or auth.can(role, action)])
}

with st.sidebar:
    if not signed:
        st.caption("Je bekijkt de publieke kaart, zonder contactgegevens.")
    else:
        st.caption(f"Ingelogd als **{md(current_user())}** · {ROLE_LABELS[role]}")

st.navigation(navigation).run()
