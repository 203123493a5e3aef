"""The Jaaroverzicht page (pages/jaaroverzicht.py) through Streamlit's AppTest."""

from __future__ import annotations

from datetime import date

import pytest

from geo.activities import school_year
from geo.text import md
from tests.app_pages import TEACHER, run_page, shown_text


def test_the_public_is_refused(example_register):
    at = run_page("jaaroverzicht.py", None)
    assert any("alleen voor het bestuur" in e.value for e in at.error)
    assert len(at.selectbox) == 0 and len(at.dataframe) == 0


@pytest.mark.parametrize("role", ["team", "bestuur"])
def test_staff_see_the_overview_and_can_choose_a_year(example_register, role):
    at = run_page("jaaroverzicht.py", role)
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
    text = shown_text(at)
    assert md("vmbo-scholen niet bereikt in 2024-2025") in text
    assert TEACHER not in text and "Notitie" not in text
    box.set_value("2025-2026").run()
    assert list(at.dataframe[0].value.columns)[1:3] == ["2025-2026", "2024-2025"]
