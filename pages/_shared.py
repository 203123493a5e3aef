"""Shared UI helpers for the pages: cached resources, session keys, roles.

Not a page itself (the leading underscore keeps it out of navigation). Everything
that holds personal data is per session, never in a cache shared by all users.
"""

from __future__ import annotations

import streamlit as st

from geo.gazetteer import Gazetteer
from geo.reference import Division, Reference, load_reference
from geo.settings import Settings

ATTRIBUTION = (
    "Bron: CBS (gebiedsindelingen, postcodecijfers), PDOK; © CBS, © ESRI Nederland "
    "(postcodegebieden); DUO open onderwijsdata (CC0). Kaart: © Kadaster (BRT-Achtergrondkaart), "
    "© OpenStreetMap-bijdragers."
)


class Keys:
    """Every ``st.session_state`` key used across pages, named in one place."""

    ROLE = "rol"  # "publiek" | "team" | "bestuur"
    USER = "gebruiker"  # login name of the signed-in staff member, or absent
    DIVISION = "indeling"  # the active Division (uploaded or default)
    OIDC = "inloggen_oidc"  # True when signed in through OIDC (logout also calls st.logout)
    WHAT_IF_POINT = "wat_als_punt"  # (lat, lon) clicked on the "Wat als" map
    DIVISION_UPLOADS = "indeling_uploads"  # counter; a new value empties the uploader


ROLES = ("publiek", "team", "bestuur")
ROLE_LABELS = {"publiek": "Publiek / partner", "team": "Operationeel team", "bestuur": "Bestuur"}


def through_router() -> None:
    """Send a page run outside app.py's router back through it.

    Until some session has called ``st.navigation``, Streamlit still treats a folder
    named ``pages/`` the old way: a direct link such as ``/over`` on a freshly started
    server runs ``pages/over.py`` on its own, without page config, login state and
    role-based navigation, and lists every file in the sidebar. Every page calls this
    first; in that situation it switches the old mode off and reruns, so app.py routes
    the request like any other.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a future Streamlit without the old mode
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@st.cache_resource
def get_settings() -> Settings:
    """The settings, built once per server process from the environment."""
    return Settings.from_env()


@st.cache_resource
def get_reference() -> Reference:
    """The validated reference layers (public data only)."""
    return load_reference(get_settings().data_dir)


@st.cache_resource
def get_gazetteer() -> Gazetteer:
    """The offline postcode/place index (public data only)."""
    return Gazetteer(get_reference())


def current_division() -> Division:
    """The subregion division chosen in this session, else the bundled proposal."""
    return st.session_state.get(Keys.DIVISION) or get_reference().default_division


def current_role() -> str:
    """The role of this session: ``publiek`` unless a staff member signed in."""
    return st.session_state.get(Keys.ROLE, "publiek")


def is_staff() -> bool:
    """True for the operational team and the board."""
    return current_role() in ("team", "bestuur")


def current_user() -> str:
    """Login name for the edit history; ``"anoniem"`` when not signed in."""
    return st.session_state.get(Keys.USER, "anoniem")


def show_attribution() -> None:
    """The data attribution line every map page shows."""
    st.caption(ATTRIBUTION)


@st.cache_resource
def get_store():
    """The register database. The object holds a path, no personal data in memory."""
    from geo.store import Store

    return Store(get_settings().database_path, get_reference())


def upload_division_widget() -> None:
    """Sidebar expander to use another subregion division (CSV) in this session.

    Anyone may upload one (partners like to try their own). Every malformed file ends in
    ``st.error`` with the Dutch message of :class:`~geo.errors.DivisionError`, never a
    traceback; user text (the file name, quoted values) is shown literally, with its
    Markdown escaped.
    """
    import re

    from geo.errors import DivisionError
    from geo.reference import division_label, read_division

    def literal(text: object) -> str:  # Markdown syntax escaped: shown as typed
        return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])", r"\\\1", str(text))

    division = current_division()
    with st.expander("Subregio-indeling"):
        st.caption(
            f"In gebruik: **{literal(division.name)}** ({len(division.subregions)} "
            "subregio's). Een eigen indeling is een CSV met de kolommen `gemeentecode` "
            "(GMxxxx) en `subregio`, met elk van de 46 gemeenten precies één keer."
        )
        upload = st.file_uploader(
            "Andere indeling (CSV)", type=["csv"],
            key=f"indeling_upload_{st.session_state.get(Keys.DIVISION_UPLOADS, 0)}",
        )
        if upload is not None and division_label(upload.name) != division.name:
            try:
                uploaded = read_division(
                    upload.getvalue(), get_reference().gemeentecodes, name=upload.name
                )
            except DivisionError as err:
                st.error(literal(err))
            else:
                st.session_state[Keys.DIVISION] = uploaded
                st.rerun()
        if Keys.DIVISION in st.session_state and st.button("Terug naar het voorstel"):
            del st.session_state[Keys.DIVISION]
            st.session_state[Keys.DIVISION_UPLOADS] = (
                st.session_state.get(Keys.DIVISION_UPLOADS, 0) + 1
            )
            st.rerun()
        st.download_button(
            "Huidige indeling downloaden", division.table.to_csv(index=False).encode("utf-8"),
            file_name="subregio_indeling.csv", mime="text/csv",
        )
