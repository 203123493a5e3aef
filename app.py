"""Infrakaart — Streamlit entry point: page config, login state and the page router.

No logic here: which pages a session sees follows from its role through
``geo.auth.can`` (one action per page), and each staff page checks the role again itself.
A page the role may not see stays reachable by its link but hidden from the menu; opening
it sends the visitor to Inloggen, which returns there after signing in. ``serve.py`` wraps
this script in the web server that sets the session cookie.
"""

from __future__ import annotations

import streamlit as st

from geo import auth
from geo.text import md
from pages._dutch_widgets import dutch_widget_texts
from pages._shared import (
    LOGIN_TARGET_PARAM,
    ROLE_LABELS,
    adopt_oidc_login,
    can,
    current_role,
    current_user,
    read_secrets,
    restore_login,
    show_cookie_handover,
    signed_in,
)

st.set_page_config(page_title="Infrakaart · Infra Bindt", page_icon="🗺️", layout="wide")
dutch_widget_texts()

# A refresh or a new tab finds its login again by the session cookie; a login that ended
# elsewhere (signed out everywhere, idle, too old) ends here too.
restore_login()
# A session returning from the OIDC provider has st.user but no role yet.
adopt_oidc_login(read_secrets())


def _page(path: str, title: str, icon: str, action: str | None, **options) -> tuple:
    """A page and the action it needs; hidden from the menu when the role lacks it."""
    shown = action is None or can(action)
    return st.Page(path, title=title, icon=icon, visibility="visible" if shown else "hidden",
                   **options), action


#: section → [(page, the geo.auth action a role needs to see it; None: every role)]
PAGES = {
    "Infrakaart": [
        _page("pages/kaart.py", "Kaart", ":material/map:", "kaart_bekijken", default=True),
        _page("pages/school_koppelen.py", "School koppelen", ":material/school:",
              "scholen_zoeken"),
        _page("pages/wat_als.py", "Wat als", ":material/explore:", "kaart_bekijken"),
        _page("pages/over.py", "Over", ":material/info:", None),
    ],
    "Team": [_page("pages/beheer.py", "Beheer", ":material/build:", "beheren"),
             _page("pages/bereik.py", "Bereik", ":material/radar:", "bereik_bekijken")],
    "Bestuur": [_page("pages/ambassadeurs.py", "Ambassadeurs", ":material/handshake:",
                      "ambassadeurs_bekijken"),
                _page("pages/jaaroverzicht.py", "Jaaroverzicht", ":material/bar_chart:",
                      "jaaroverzicht_bekijken"),
                _page("pages/keten.py", "Keten", ":material/conversion_path:",
                      "keten_bekijken")],
    "Account": [_page("pages/inloggen.py", "Account" if signed_in() else "Inloggen",
                      ":material/login:", None, url_path="inloggen")],
}
# A section without a visible page is left out; its hidden pages go with Account.
navigation: dict[str, list] = {}
for section, entries in PAGES.items():
    for page, _ in entries:
        navigation.setdefault(section if page.visibility == "visible" else "Account",
                              []).append(page)
navigation["Account"] = navigation.pop("Account")  # stays the last section

with st.sidebar:
    if signed_in():
        role = current_role()
        st.caption(f"Ingelogd als **{md(current_user())}** · {ROLE_LABELS.get(role, role)}")
    if not can("contactgegevens_zien"):
        st.caption("Je bekijkt de publieke kaart, zonder contactgegevens.")

    show_cookie_handover()

chosen = st.navigation(navigation)
needed = next(action for entries in PAGES.values() for page, action in entries
              if page is chosen)
if needed is None or can(needed):
    chosen.run()
elif signed_in():
    st.error(auth.NO_ACCESS_MESSAGE)
else:  # a link to a staff page: sign in first, then return to it
    st.switch_page("pages/inloggen.py", query_params={LOGIN_TARGET_PARAM: chosen.url_path})
