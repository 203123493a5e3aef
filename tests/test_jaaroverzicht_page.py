"""The Jaaroverzicht page (pages/jaaroverzicht.py) through Streamlit's AppTest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.activities import school_year
from geo.register.examples import load_example_data
from geo.register.store import Store
from geo.text import md

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "jaaroverzicht.py")
TEACHER = "Gijs Gastgeheim"


@pytest.fixture
def register(app_env, reference):
    """The example data plus one activity with a guest teacher's name, seen by the page."""
    with Store(app_env / "infrakaart.sqlite", reference) as store:
        load_example_data(store)
        school = store.schools()[lambda s: s["heeft_vmbo"]].iloc[0]
        store.activities.save({"soort": "gastles_vo", "datum": "2024-10-01",
                               "vestigingscode": school["vestigingscode"],
                               "status": "gegeven", "gastdocenten": TEACHER,
                               "notities": "Notitie " + TEACHER}, user="anna", role="team")
    return app_env


def _run(role: str | None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if role is not None:
        at.session_state["rol"] = role
        at.session_state["gebruiker"] = "piet"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success",
                                  "subheader") for e in getattr(at, kind)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_the_public_is_refused(register):
    at = _run(None)
    assert any("alleen voor het bestuur" in e.value for e in at.error)
    assert len(at.selectbox) == 0 and len(at.dataframe) == 0


@pytest.mark.parametrize("role", ["team", "bestuur"])
def test_staff_see_the_overview_and_can_choose_a_year(register, role):
    at = _run(role)
    box = at.selectbox(key="jaar_schooljaar")
    assert {"2024-2025", "2025-2026", school_year(date.today())} <= set(box.options)
    box.set_value("2024-2025").run()
    assert not at.exception
    overview = at.dataframe[0].value
    assert list(overview.columns) == ["Onderwerp", "2024-2025", "2023-2024", "Verschil"]
    row = overview.set_index("Onderwerp").loc["Gastlessen VO gegeven"]
    assert int(row["2024-2025"].replace(".", "")) > 0 and row["2023-2024"] == "0"
    assert any("voorbeeldactiviteiten" in c.value for c in at.caption)
    not_reached = at.dataframe[1].value
    assert list(not_reached.columns) == ["Subregio", "Gemeente", "Plaats", "School",
                                         "Vestigingscode"]
    text = _texts(at)
    assert md("vmbo-scholen niet bereikt in 2024-2025") in text
    assert TEACHER not in text and "Notitie" not in text
    box.set_value("2025-2026").run()
    assert list(at.dataframe[0].value.columns)[1:3] == ["2025-2026", "2024-2025"]
