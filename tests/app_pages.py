"""Running a page through Streamlit's AppTest and reading what it shows (the page tests)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parent.parent / "pages"

#: The guest teacher of :func:`add_secret_activity`; no page may show the name.
TEACHER = "Gijs Gastgeheim"

#: The kinds of element whose text :func:`shown_text` reads.
_TEXT_ELEMENTS = ("markdown", "caption", "info", "warning", "error", "success", "subheader")


def run_page(page: str, role: str | None, *, timeout: float = 60) -> AppTest:
    """``pages/<page>`` run once, signed in as ``piet`` with ``role`` (None: the public).

    Fails when the run raised.
    """
    at = AppTest.from_file(str(PAGES / page), default_timeout=timeout)
    if role is not None:
        at.session_state["rol"] = role
        at.session_state["gebruiker"] = "piet"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_text(at: AppTest) -> str:
    """Every text the page shows, tables (also styled ones) as CSV."""
    parts = [e.value for kind in _TEXT_ELEMENTS for e in getattr(at, kind)]
    for frame in at.dataframe:
        value = frame.value
        parts.append((value if isinstance(value, pd.DataFrame) else value.data).to_csv())
    return "\n".join(str(p) for p in parts)


def add_secret_activity(store) -> None:
    """A given guest lesson at the first vmbo school, :data:`TEACHER` as guest teacher and
    in the note (both staff-only)."""
    school = store.schools()[lambda s: s["heeft_vmbo"]].iloc[0]
    store.activities.save({"soort": "gastles_vo", "datum": "2024-10-01",
                           "vestigingscode": school["vestigingscode"],
                           "status": "gegeven", "gastdocenten": TEACHER,
                           "notities": "Notitie " + TEACHER}, user="anna", role="team")
