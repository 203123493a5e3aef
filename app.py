"""Infrakaart — Streamlit entry point: page config, login state and the page router."""

from __future__ import annotations

import streamlit as st

from pages._shared import ROLE_LABELS, current_role

st.set_page_config(page_title="Infrakaart · Infra Bindt", page_icon="🗺️", layout="wide")

PUBLIC_PAGES = [
    st.Page("pages/kaart.py", title="Kaart", icon="🗺️", default=True),
    st.Page("pages/over.py", title="Over", icon="ℹ️"),
]

role = current_role()
navigation = {"Infrakaart": PUBLIC_PAGES}
st.sidebar.caption(f"Rol: {ROLE_LABELS[role]}")
st.navigation(navigation).run()
