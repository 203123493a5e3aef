"""Shared UI helpers for the pages: cached resources, session keys, roles.

Not a page itself (the leading underscore keeps it out of navigation). Everything
that holds personal data is per session, never in a cache shared by all users.
"""

from __future__ import annotations

import logging

import streamlit as st

from geo import auth
from geo.errors import AuthError
from geo.output import tables
from geo.reference.data import Division, Reference, load_reference
from geo.reference.gazetteer import Gazetteer
from geo.settings import Settings
from geo.text import md

log = logging.getLogger(__name__)

ATTRIBUTION = (
    "Bron: CBS (gebiedsindelingen, postcodecijfers), PDOK; © CBS, © ESRI Nederland "
    "(postcodegebieden); DUO open onderwijsdata (CC0). Kaart: © Kadaster (BRT-Achtergrondkaart), "
    "© OpenStreetMap-bijdragers."
)


class Keys:
    """Every ``st.session_state`` key that code reads or writes, named in one place.

    A widget key that no code reads back through ``st.session_state`` stays with its widget,
    prefixed with its page (``kaart_``, ``wat_als_``, ``koppel_``, ``amb_``, ``beheer_``,
    ``jaar_``, ``keten_``, ``bereik_``);
    every other key is declared here, once, with what it holds, and pages use it as
    ``Keys.NAME`` (``tests/test_architecture.py`` names every other use).
    """

    # --- the session: who is signed in, and how (app.py, Inloggen)
    ROLE = "rol"  # "publiek" | "team" | "bestuur"; absent: publiek
    USER = "gebruiker"  # login name of the signed-in staff member; absent: not signed in
    OIDC = "inloggen_oidc"  # True when signed in through OIDC (signing out calls st.logout)
    SESSION = "sessie"  # id of the server-side session of a local login (geo.register.sessions)
    HANDOVER = "sessie_overdracht"  # one-time code the browser exchanges for its cookie
    CLEAR_COOKIE = "sessie_cookie_wissen"  # True after signing out: remove the cookie once
    LOGIN_NOTICE = "inloggen_melding"  # Dutch message for the login page (session ended)

    # --- every page: the subregion division in use
    DIVISION = "indeling"  # the active Division (uploaded), absent: the bundled proposal
    DIVISION_UPLOADS = "indeling_uploads"  # counter; a new value empties the uploader

    # --- every map with a search box (Kaart, School koppelen, Beheer → Controleren)
    MAP_FOCUS = "kaarten_focus"  # map key → geo.views.map_search.FocusState (search, row)

    # --- Wat als
    WHAT_IF_POINT = "wat_als_punt"  # (lat, lon) clicked on the "Wat als" map

    # --- Ambassadeurs
    AMBASSADORS_MESSAGE = "ambassadeurs_melding"  # Dutch message to show after a rerun
    AMBASSADORS_CURVE = "ambassadeurs_curve"  # toggle: compute greedy versus optimum

    # --- Beheer (staff; per session, may hold personal data from an uploaded file). Plain
    # data only: no geocoder, no connection.
    IMPORT = "beheer_import"  # geo.views.beheer.ImportState of the uploaded file
    IMPORT_SUMMARY = "beheer_import_summary"  # Dutch summary of the last import
    IMPORT_CONFLICTS = "beheer_import_conflicten"  # Dutch lines: rows not written
    IMPORT_COLUMNS = "beheer_import_kolommen"  # (file id, {normalised header: field}) chosen
    CANDIDATES = "beheer_kandidaten"  # org id → PDOK candidates (Location)
    VERSIONS = "beheer_versies"  # org id → version the edit form was opened at
    FORM_ROUND = "beheer_formulier_ronde"  # bumped to reload the edit form
    CONFLICT = "beheer_conflict"  # newer record after a ConflictError
    EXPORT = "beheer_export"  # (fmt, personal, bytes)
    FLASH = "beheer_flash"  # geo.views.beheer.Message list to show after a rerun
    SELECT_NEXT = "beheer_bewerk_volgende"  # org id to select in the edit tab after a rerun
    REVIEW_CHOICE = "beheer_controle_keuze"  # org id under review (the select box)
    REVIEW_NEXT = "beheer_controle_volgende"  # org id to review after a save or "Volgende"
    EDIT_CHOICE = "beheer_bewerk_keuze"  # the edit tab's organisation select box

    # --- Bereik (staff; per session: the checked planning sheet, which may hold guest
    # teachers' names and notes from the uploaded file). Plain data only.
    REACH_IMPORT = "bereik_import"  # geo.views.bereik.PlanningCheck of the uploaded file
    REACH_YEAR = "bereik_schooljaar"  # Bereik's school year; after an import, the import's
    ACTIVITY_CHOICE = "bereik_activiteit_keuze"  # activity id in the form (0: a new one)
    ACTIVITY_VERSIONS = "bereik_activiteit_versies"  # activity id → version the form opened
    ACTIVITY_FLASH = "bereik_activiteit_melding"  # Message of the last save, after a rerun
    ACTIVITY_ROUND = "bereik_activiteit_ronde"  # bumped after a save: the form starts afresh


#: What signing out keeps (public data only); everything else in the session is dropped,
#: so no personal data a staff page kept outlives the login.
KEPT_ON_SIGN_OUT = (Keys.DIVISION, Keys.CLEAR_COOKIE, Keys.LOGIN_NOTICE)

#: Query parameter of Inloggen: the staff page to return to after signing in.
LOGIN_TARGET_PARAM = "naar"
#: Staff pages a link may ask for, by URL path: (title, script). app.py sends a visitor
#: without the role to Inloggen with ``?naar=<path>``; after signing in it goes there.
LOGIN_TARGETS = {
    "beheer": ("Beheer", "pages/beheer.py"),
    "ambassadeurs": ("Ambassadeurs", "pages/ambassadeurs.py"),
    "jaaroverzicht": ("Jaaroverzicht", "pages/jaaroverzicht.py"),
    "keten": ("Keten", "pages/keten.py"),
    "bereik": ("Bereik", "pages/bereik.py"),
}

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
    """The settings, built once per server process from the environment; starts the log."""
    from geo.logs import configure_logging

    settings = Settings.from_env()
    configure_logging(settings, stderr=True)
    return settings


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


def can(action: str) -> bool:
    """Whether this session's role may perform ``action``: check before showing a control.

    Parameters
    ----------
    action : str
        A key of :data:`geo.auth.PERMISSIONS`.

    Returns
    -------
    bool
    """
    return auth.can(current_role(), action)


def permitted(action: str) -> bool:
    """Check again right before performing ``action``; shows the Dutch refusal if not.

    Defence in depth: a control is only shown or enabled when :func:`can` allows it, and
    the action itself calls this, so a stale or tampered session cannot act anyway.

    Parameters
    ----------
    action : str
        A key of :data:`geo.auth.PERMISSIONS`.

    Returns
    -------
    bool
        True when the role may; otherwise an ``st.error`` was shown and it is False.
    """
    try:
        auth.require(current_role(), action)
    except AuthError as err:
        st.error(str(err))
        return False
    return True


def signed_in() -> bool:
    """Whether a staff member signed in to this session.

    Not a permission: what the session may see or do is decided by :func:`can`.
    """
    return Keys.USER in st.session_state


def current_user() -> str:
    """Login name for the edit history; ``"anoniem"`` when not signed in."""
    return st.session_state.get(Keys.USER, "anoniem")


def sign_in(user: auth.User, *, oidc: bool = False) -> None:
    """Give this session the role and name of ``user`` (checked by geo.auth).

    A local login (not OIDC, which keeps its own cookie) also starts a server-side session
    and hands its cookie to the browser (:func:`show_cookie_handover`), so a refresh or a
    new tab stays signed in. Without a register the login lasts as long as the tab.
    """
    st.session_state[Keys.ROLE] = user.role
    st.session_state[Keys.USER] = user.name
    st.session_state[Keys.OIDC] = oidc
    st.session_state.pop(Keys.LOGIN_NOTICE, None)
    st.session_state.pop(Keys.CLEAR_COOKIE, None)
    sessions = None if oidc else _sessions()
    if sessions is not None:
        started = sessions.start(user)
        st.session_state[Keys.SESSION] = started.session.id
        st.session_state[Keys.HANDOVER] = started.handover


def _sessions():
    """The register's login sessions; None (logged) when the register cannot be opened."""
    from geo.errors import StoreError

    try:
        store = _open_store()
    except StoreError as err:
        log.error("login sessions unavailable: %s", err)
        return None
    return store.sessions(auth.SessionPolicy.from_settings(get_settings()))


def _forget_login() -> None:
    """Drop every session value except :data:`KEPT_ON_SIGN_OUT`."""
    for key in list(st.session_state.keys()):
        if key not in KEPT_ON_SIGN_OUT:
            del st.session_state[key]


def restore_login() -> None:
    """Keep the login of this browser: check the running session, or resume the cookie's.

    Called by app.py on every run, before navigation. A signed-in session whose
    server-side session ended (signed out elsewhere, idle or too old) is signed out with
    a notice; a fresh page load with a live session cookie is signed in again, when the
    account still exists with the same role.
    """
    session_id = st.session_state.get(Keys.SESSION)
    if session_id is not None:
        sessions = _sessions()
        if sessions is not None and sessions.check(session_id) is None:
            _forget_login()
            st.session_state[Keys.LOGIN_NOTICE] = (
                "Uw sessie is beëindigd (verlopen of elders afgemeld). Log opnieuw in.")
        return
    if signed_in():
        return  # OIDC: st.login keeps its own cookie
    token = st.context.cookies.get(auth.COOKIE_NAME)
    if not token:
        return
    sessions = _sessions()
    session = sessions.resume(token) if sessions is not None else None
    if session is None:
        return
    try:
        user = auth.stored_user(get_settings().users_path, session.account)
    except AuthError as err:
        log.error("cannot check the account of a session: %s", err)
        return
    if user is None or user.role != session.role:
        sessions.end(session.id)  # removed or given another role: sign in again
        return
    st.session_state[Keys.ROLE] = user.role
    st.session_state[Keys.USER] = user.name
    st.session_state[Keys.OIDC] = False
    st.session_state[Keys.SESSION] = session.id


def show_cookie_handover() -> None:
    """Let the browser fetch its session cookie (after signing in) or drop it (signed out).

    Streamlit cannot set a cookie from a script, so the page shows an invisible image
    whose URL (same origin, served by ``serve.py``) answers with ``Set-Cookie``: HttpOnly,
    SameSite=Strict, Secure over https. The image stays until the code has been used.
    """
    from geo.auth import sessions as cookies

    code = st.session_state.get(Keys.HANDOVER)
    if code is not None:
        sessions = _sessions()
        session_id = st.session_state.get(Keys.SESSION)
        if sessions is None or session_id is None or sessions.handed_over(session_id):
            del st.session_state[Keys.HANDOVER]
        else:
            _pixel(cookies.handover_url(code))
    if st.session_state.pop(Keys.CLEAR_COOKIE, False):
        _pixel(cookies.CLEAR_PATH)


def login_target() -> tuple[str, str] | None:
    """The staff page (title, script) this visit of Inloggen should return to, if any."""
    return LOGIN_TARGETS.get(st.query_params.get(LOGIN_TARGET_PARAM, ""))


def _pixel(url: str) -> None:
    st.html(f'<img src="{url}" alt="" width="1" height="1" '
            'style="position:absolute;opacity:0" referrerpolicy="no-referrer">')


def sign_out(*, everywhere: bool = False) -> None:
    """Sign out: end the server-side session (``everywhere``: all of this account's).

    Forgets the login and every session value except :data:`KEPT_ON_SIGN_OUT`, removes
    the cookie from the browser and reruns.
    """
    oidc = st.session_state.get(Keys.OIDC, False)
    session_id = st.session_state.get(Keys.SESSION)
    sessions = _sessions() if session_id is not None or everywhere else None
    if sessions is not None:
        if everywhere:
            sessions.end_all(current_user())
        elif session_id is not None:
            sessions.end(session_id)
    _forget_login()
    st.session_state[Keys.CLEAR_COOKIE] = True
    if oidc:
        st.logout()  # clears the identity cookie and starts a new session
    else:
        st.rerun()


def end_other_sessions() -> int:
    """End this account's other sessions (after a password change); how many ended."""
    sessions = _sessions()
    if sessions is None or not signed_in():
        return 0
    return sessions.end_all(current_user(), keep=st.session_state.get(Keys.SESSION))


def read_secrets() -> dict:
    """The secrets as a plain dict; empty when there is no secrets.toml."""
    try:
        return st.secrets.to_dict()
    except Exception:  # StreamlitSecretNotFoundError/FileNotFoundError without secrets.toml
        return {}


def adopt_oidc_login(secrets_config: dict) -> bool:
    """Sign in a session that came back from the OIDC provider with a mapped e-mail.

    Parameters
    ----------
    secrets_config : dict
        The secrets (:func:`read_secrets`).

    Returns
    -------
    bool
        True when this call signed the session in (the role comes from
        :func:`geo.auth.oidc_role`). An unreadable accounts file shows its Dutch message.
    """
    if signed_in() or not auth.oidc_configured(secrets_config) or not st.user.is_logged_in:
        return False
    try:
        user = auth.oidc_role(st.user.to_dict(), secrets_config,
                              users_path=get_settings().users_path)
    except AuthError as err:
        st.error(md(err))
        return False
    if user is None:
        return False
    sign_in(user, oidc=True)
    return True


@st.cache_data(show_spinner=False)
def _boundary_layers(division_table, division_name: str):
    """Simplified boundary layers; public data only, keyed by the division table."""
    from geo.output import maps

    return maps.boundary_layers(get_reference(), Division(division_name, division_table))


def boundaries(division: Division) -> dict:
    """:func:`geo.output.maps.boundary_layers` of ``division``, cached for every session."""
    return _boundary_layers(division.table, division.name)


def colour_rows(table, column: str = "status"):
    """A Styler colouring each row by its import verdict (``column``; escaped by st.dataframe)."""
    from geo.views.beheer import STATUS_COLOURS

    def style(row) -> list[str]:
        colour = STATUS_COLOURS.get(row.get(column), "")
        return [f"background-color: {colour}" if colour else ""] * len(row)

    return table.style.apply(style, axis=1)


def show_attribution() -> None:
    """The data attribution line every map page shows."""
    st.caption(ATTRIBUTION)


def show_map(fmap, *, key: str, height: int = 520,
             returned_objects: tuple[str, ...] = ()) -> dict | None:
    """Show a folium map from geo/ — the only way pages show maps.

    The map is checked (:func:`geo.output.map_layers.check_map`: no element may carry text into
    a template) and pointed at the local Leaflet files when the settings ask for it. The
    layers that filters change travel as updates (:mod:`geo.output.map_updates`): when only
    they change, the browser keeps the map, its position and its tiles.
    Returns what streamlit-folium reports for ``returned_objects`` (e.g. ``last_clicked``).
    """
    from streamlit_folium import st_folium

    from geo.output.assets import use_assets
    from geo.output.map_layers import check_map
    from geo.output.map_updates import split_for_updates

    split = split_for_updates(use_assets(check_map(fmap), get_settings().asset_mode))
    return st_folium(split.fixed, height=height, use_container_width=True,
                     returned_objects=list(returned_objects), key=key,
                     feature_group_to_add=split.groups or None,
                     layer_control=split.layer_control)


def new_geocoder(*, offline: bool):
    """A geocoder for one use in this run (PDOK with its offline fallback, or offline).

    Never kept in the session; :func:`geo.views.beheer.opened` closes it after use.
    """
    from geo.intake.geocoding import make_geocoder

    return make_geocoder(get_settings(), get_gazetteer(), offline=offline)


class MapSearch:
    """The search box above a map, and what the map looks at (see geo.views.map_search).

    Create it where the box belongs (above the map); it draws the box and keeps a place
    for its message. Once the table next to the map is drawn, :meth:`focus` takes its
    chosen row, remembers the outcome in ``Keys.MAP_FOCUS`` and shows the message.
    """

    def __init__(self, map_key: str) -> None:
        from geo.views import map_search

        self.map_key = map_key
        self.text = st.text_input(
            map_search.SEARCH_LABEL, key=f"{map_key}_zoek", help=map_search.SEARCH_HELP,
            placeholder=map_search.SEARCH_PLACEHOLDER, max_chars=map_search.MAX_QUERY_CHARS,
        )
        self._message = st.empty()

    def focus(self, row=None):
        """The map's :class:`~geo.views.map_search.FocusState` after this run.

        ``row`` is the :class:`~geo.output.focus.Focus` of the row chosen in the table next
        to the map, or None. Apply the state to the map with its ``apply``.
        """
        from geo.views import map_search

        states = st.session_state.setdefault(Keys.MAP_FOCUS, {})
        state = map_search.next_state(
            states.get(self.map_key), text=self.text, row=row,
            search=lambda query: map_search.search_place(
                query, gazetteer=get_gazetteer(), geocoder_factory=new_geocoder))
        states[self.map_key] = state
        if state.message:
            getattr(self._message, state.message_kind)(state.message)
        return state


def chosen_row(event) -> int | None:
    """The position of the row chosen in a single-row ``st.dataframe``, or None."""
    rows = list(getattr(getattr(event, "selection", None), "rows", None) or [])
    return int(rows[0]) if rows else None


@st.cache_resource
def _open_store():
    """The register database. The object holds a path, no personal data in memory."""
    from geo.register.store import Store

    settings = get_settings()
    return Store(settings.database_path, get_reference(), backup_dir=settings.backup_dir)


def get_store():
    """The register database; when it cannot be opened, a Dutch error and the page stops.

    A failure is not cached: the next run tries again (e.g. after disk space was freed).
    """
    from geo.errors import StoreError

    try:
        return _open_store()
    except StoreError as err:
        st.error(f"Het register kan niet worden geopend. {err}")
        st.stop()


def upload_division_widget() -> None:
    """Sidebar expander to use another subregion division (CSV) in this session.

    Anyone may upload one (partners like to try their own). Every malformed file ends in
    ``st.error`` with the Dutch message of :class:`~geo.errors.DivisionError`, never a
    traceback; user text (the file name, quoted values) is shown literally, with its
    Markdown escaped.
    """
    from geo.errors import DivisionError
    from geo.reference.divisions import division_label, read_division

    division = current_division()
    with st.expander("Subregio-indeling"):
        st.caption(
            f"In gebruik: **{md(division.name)}** ({len(division.subregions)} "
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
                st.error(md(err))
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
            "Huidige indeling downloaden", tables.csv_bytes(division.table),
            file_name="subregio_indeling.csv", mime=tables.CSV_MIME,
        )
