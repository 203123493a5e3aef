"""Infrakaart's web server: the Streamlit app (app.py) plus the two session-cookie routes.

Start it with ``streamlit run serve.py`` (``make run`` does). Streamlit finds the
``st.App`` below and serves app.py as always; next to it, two small HTTP routes set and
remove the HttpOnly session cookie, which a Streamlit script cannot do itself (it talks
over a WebSocket). No logic here: the hand-over is :mod:`geo.register.sessions`, the
cookie text :mod:`geo.auth.sessions`.

``streamlit run app.py`` still works, without logins that survive a refresh.
"""

from __future__ import annotations

import base64
import logging
import threading

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.auth import sessions as cookies
from geo.auth.sessions import SessionPolicy
from geo.errors import StoreError
from geo.register.sessions import SessionStore
from geo.settings import Settings

log = logging.getLogger(__name__)

#: A transparent 1×1 GIF: the page asks for the routes as an image.
_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff"}

_settings = Settings.from_env()
_policy = SessionPolicy.from_settings(_settings)
_lock = threading.Lock()
_store: SessionStore | None = None


def _sessions() -> SessionStore | None:
    """The register's sessions, opened once (None while the register has none)."""
    global _store
    with _lock:
        if _store is None:
            _store = SessionStore.open(_settings.database_path, _policy)
        return _store


def _secure(request: Request) -> bool:
    return _settings.cookie_secure or request.url.scheme == "https"


def start_session(request: Request) -> Response:
    """``GET /sessie/start?code=…``: exchange a one-time hand-over code for the cookie."""
    try:
        store = _sessions()
        redeemed = store.redeem(request.query_params.get("code")) if store else None
    except StoreError as err:
        log.error("session hand-over failed: %s", type(err).__name__)
        redeemed = None
    if redeemed is None:
        return Response(status_code=404, headers=_HEADERS)
    token, seconds_left = redeemed
    headers = {**_HEADERS, "Set-Cookie": cookies.session_cookie(
        token, max_age=seconds_left, secure=_secure(request))}
    return Response(_PIXEL, media_type="image/gif", headers=headers)


def end_session(request: Request) -> Response:
    """``GET /sessie/einde``: remove the session cookie (the session itself already ended)."""
    headers = {**_HEADERS, "Set-Cookie": cookies.clearing_cookie(secure=_secure(request))}
    return Response(_PIXEL, media_type="image/gif", headers=headers)


app = st.App("app.py", routes=[
    Route(cookies.HANDOVER_PATH, start_session, methods=["GET"]),
    Route(cookies.CLEAR_PATH, end_session, methods=["GET"]),
])
