"""Infrakaart — Streamlit entry point: page config, login state and the page router.

No logic here: which pages a session sees follows from its role through
``geo.auth.can`` (one action per page), and each staff page checks the role again itself.
"""

from __future__ import annotations

import streamlit as st

from geo.text import md
from pages._dutch_widgets import dutch_widget_texts
from pages._shared import (
    ROLE_LABELS,
    adopt_oidc_login,
    can,
    current_role,
    current_user,
    read_secrets,
    signed_in,
)

st.set_page_config(page_title="Infrakaart · Infra Bindt", page_icon="🗺️", layout="wide")
dutch_widget_texts()

# A session returning from the OIDC provider has st.user but no role yet.
adopt_oidc_login(read_secrets())

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
        (st.Page("pages/inloggen.py", title="Account" if signed_in() else "Inloggen",
                 icon=":material/login:", url_path="inloggen"), None),
    ],
}
navigation = {
    section: visible
    for section, entries in PAGES.items()
    if (visible := [page for page, action in entries if action is None or can(action)])
}

with st.sidebar:
    if signed_in():
        role = current_role()
        st.caption(f"Ingelogd als **{md(current_user())}** · {ROLE_LABELS.get(role, role)}")
    if not can("contactgegevens_zien"):
        st.caption("Je bekijkt de publieke kaart, zonder contactgegevens.")

st.navigation(navigation).run()
