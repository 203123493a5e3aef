"""The ambassador page (pages/ambassadeurs.py) through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.register.store import Store
from geo.text import md
from tests.test_ambassadors import PERSONAL, fill_store

PAGE = str(Path(__file__).resolve().parent.parent / "pages" / "ambassadeurs.py")


@pytest.fixture
def register(app_env, reference):
    """A register with fictional partners in tmp_path, seen by the page's get_store()."""
    path = app_env / "infrakaart.sqlite"
    fill_store(path, reference, n=30).close()
    return path


def _run(role: str | None, *, user: str = "piet") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if role is not None:
        at.session_state["rol"] = role
        at.session_state["gebruiker"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(str(p) for p in parts)


def test_public_role_is_refused(register):
    at = _run(None)
    assert any("alleen voor het bestuur" in e.value for e in at.error)
    assert len(at.slider) == 0
    assert len(at.dataframe) == 0
    assert not any(b.label.startswith("Markeer") for b in at.button)


def test_staff_sees_controls_ranking_and_plan(register, reference):
    at = _run("team")
    labels = [s.label for s in at.slider]
    assert labels == ["Aantal ambassadeurs (k)", "Straal (km, hemelsbreed)",
                      "Gewicht vmbo-school"]
    assert at.checkbox(key="amb_per_sub").value is True
    subregions = reference.default_division.subregions
    expander_labels = [e.label for e in at.expander]
    for sub in subregions:
        assert any(label.startswith(f"{md(sub)} — ") for label in expander_labels)
    assert any(b.label.startswith("Markeer") for b in at.button)
    metrics = {m.label: m.value for m in at.metric}
    assert "Scholen bereikt" in metrics and " van " in metrics["Scholen bereikt"]
    text = _texts(at)
    for value in PERSONAL.values():
        assert value not in text
    assert "Testbedrijf" in text


def test_k_too_small_for_per_subregion_shows_dutch_warning(register):
    at = _run("bestuur")
    at.slider(key="amb_k").set_value(1)
    at.run()
    assert not at.exception
    assert any("Minstens één per subregio" in w.value or "minstens" in w.value
               for w in at.warning)
    at.checkbox(key="amb_per_sub").uncheck()
    at.run()
    assert not at.warning
    assert at.metric[0].label == "Scholen bereikt"


def test_weight_and_radius_sliders_change_the_plan(register):
    at = _run("team")
    before = at.metric[0].value
    at.slider(key="amb_straal").set_value(2)
    at.run()
    assert not at.exception
    after = at.metric[0].value
    assert int(after.split()[0]) < int(before.split()[0])


def test_team_may_view_but_not_mark(register):
    at = _run("team")
    assert at.button(key="amb_markeer").disabled
    assert at.checkbox(key="amb_uitzetten").disabled
    assert any("Alleen het bestuur" in c.value for c in at.caption)


def test_board_controls_are_enabled(register):
    at = _run("bestuur")
    assert not at.button(key="amb_markeer").disabled
    assert not at.checkbox(key="amb_uitzetten").disabled
    assert not any("Alleen het bestuur" in c.value for c in at.caption)


def test_board_marks_chosen_partners_as_ambassadors(register, reference):
    at = _run("bestuur", user="piet")
    assert any("nog geen partner als ambassadeur" in i.value for i in at.info)
    at.button(key="amb_markeer").click()
    at.run()
    assert not at.exception
    assert any("gemarkeerd als ambassadeur" in s.value for s in at.success)
    store = Store(register, reference)
    orgs = store.organisations()
    marked = orgs[orgs["ambassadeur_voor"].notna()]
    n = int(at.slider(key="amb_k").value)
    assert len(marked) == n
    # Each is ambassador for its own subregion, with the change on the user's name.
    assert (marked["ambassadeur_voor"] == marked["subregio"]).all()
    history = store.history()
    assert (history.loc[history["veld"] == "ambassadeur_voor", "gebruiker"] == "piet").all()
    # The comparison with the current ambassadors now appears: they are the optimum.
    assert any("huidige ambassadeurs bereiken" in m.value for m in at.markdown)
    assert any("100% van de beste keuze" in m.value for m in at.markdown)


def test_board_marks_and_unmarks_a_single_partner(register, reference):
    at = _run("bestuur", user="piet")
    assert at.button(key="amb_een_markeer").disabled  # nothing chosen yet
    at.selectbox(key="amb_een_partner").select_index(0)
    at.run()
    assert not at.button(key="amb_een_markeer").disabled
    assert at.button(key="amb_een_uitzetten").disabled
    at.button(key="amb_een_markeer").click()
    at.run()
    assert not at.exception
    assert any("is nu ambassadeur voor" in s.value for s in at.success)
    store = Store(register, reference)
    marked = store.organisations().dropna(subset=["ambassadeur_voor"])
    assert len(marked) == 1
    assert any("Per subregio" in m.value for m in at.markdown)
    # Unmark it again: the marked partner is listed first.
    at.selectbox(key="amb_een_partner").select_index(0)
    at.run()
    assert at.selectbox(key="amb_een_partner").value == int(marked["id"].item())
    assert at.button(key="amb_een_markeer").disabled
    at.button(key="amb_een_uitzetten").click()
    at.run()
    assert any("is geen ambassadeur meer" in s.value for s in at.success)
    assert store.organisations()["ambassadeur_voor"].isna().all()
    history = store.history()
    assert list(history.loc[history["veld"] == "ambassadeur_voor", "gebruiker"]) == [
        "piet", "piet"]


def test_team_cannot_mark_a_single_partner(register):
    at = _run("team")
    assert at.selectbox(key="amb_een_partner").disabled
    assert at.button(key="amb_een_markeer").disabled
    assert at.button(key="amb_een_uitzetten").disabled
