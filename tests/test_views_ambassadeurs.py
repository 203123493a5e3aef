"""geo.views.ambassadeurs: the board's planner, without Streamlit."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.register.store import Store
from geo.settings import DEFAULTS
from geo.views import ambassadeurs as views
from geo.views.ambassadeurs import PlannerChoices, PlannerSteps, first_k, planner_view
from tests.small_register import CONTACT, small_register


@pytest.fixture
def store(tmp_path, reference):
    with Store(small_register(tmp_path / "register.sqlite", reference), reference) as opened:
        yield opened


def _view(store, reference, **choices):
    choices.setdefault("k", 3)
    return planner_view(store.organisations(include_personal=True), store.schools(),
                        division=reference.default_division, reference=reference,
                        choices=PlannerChoices(**choices))


def test_first_k_is_one_per_subregion(reference):
    assert first_k(reference.default_division) == (
        DEFAULTS.ambassadors_per_subregion * len(reference.default_division.subregions))


def test_proposal_with_public_fields_only(store, reference):
    view = _view(store, reference, per_subregion=False)
    assert view.no_candidates is None and view.plan_error is None
    assert view.summary.startswith("5 kandidaten")  # located, active, in the work area
    assert set(CONTACT).isdisjoint(view.candidates.columns)
    assert len(view.ranking) == len(reference.default_division.subregions)
    assert sum(len(group) for _, group in view.ranking if group is not None) == 5
    assert [m[0] for m in view.metrics] == ["Scholen bereikt", "Vmbo-scholen bereikt",
                                            "Gewogen dekking", "Snelle benadering haalt"]
    assert view.plan.k == 3 and len(view.chosen) == 3
    assert view.plan.radius_km == DEFAULTS.radius_km
    assert view.file_stem == "ambassadeurs_k3_10km"
    assert view.current.message.startswith("In het register is nog geen partner")
    book = pd.read_excel(io.BytesIO(views.excel_bytes(view)), sheet_name=None)
    assert "Keuze" in book
    rendered = view.fmap.get_root().render() + views.excel_bytes(view).hex()
    for value in CONTACT.values():
        assert value not in rendered
    assert views.png_bytes(view, reference=reference)[:4] == b"\x89PNG"


def test_too_small_k_and_no_candidates_are_dutch_messages(store, reference):
    small = _view(store, reference, k=1, per_subregion=True)
    assert small.plan is None and "minstens" in small.plan_error
    none = _view(store, reference, kinds=["onderwijs"])
    assert none.no_candidates and none.plan is None


def test_marking_and_the_comparison(store, reference):
    view = _view(store, reference, per_subregion=False)
    message = views.mark_ambassadors(store, view.plan, view.current_ids, clear_others=False,
                                     user="piet", role="bestuur")
    assert message == "3 partners gemarkeerd als ambassadeur."
    after = _view(store, reference, per_subregion=False)
    assert len(after.current_ids) == 3
    assert "100% van de beste keuze" in after.current.text
    assert after.comparison is not None and list(after.current.table["ambassadeurs"]) == [3, 3]
    fewer = _view(store, reference, k=1, per_subregion=False)
    message = views.mark_ambassadors(store, fewer.plan, fewer.current_ids, clear_others=True,
                                     user="piet", role="bestuur")
    assert message.endswith("2 eerdere ambassadeurs uitgezet.")


def test_the_steps_can_be_replaced(store, reference):
    calls = []

    def counted(*args):
        calls.append(args[-2:])
        return views.compute_plans(*args)

    planner_view(store.organisations(), store.schools(), division=reference.default_division,
                 reference=reference, choices=PlannerChoices(k=2, per_subregion=False),
                 steps=PlannerSteps(plans=counted))
    assert calls == [(2, False)]


def test_board_marks_and_unmarks_one_partner_with_history(store, reference):
    from geo.errors import AuthError, ConflictError

    view = _view(store, reference, per_subregion=False)
    option = view.mark_options[0]
    assert option.marked_for is None and option.version is not None
    with pytest.raises(AuthError):
        views.mark_one(store, option, mark=True, user="kees", role="team")
    message = views.mark_one(store, option, mark=True, user="piet", role="bestuur")
    assert message.endswith(f"is nu ambassadeur voor {option.subregion}.")
    assert store.get_organisation(option.id)["ambassadeur_voor"] == option.subregion
    with pytest.raises(ConflictError):  # the page's version is stale now
        views.mark_one(store, option, mark=False, user="piet", role="bestuur")
    after = _view(store, reference, per_subregion=False)
    first = after.mark_options[0]
    assert first.id == option.id and first.marked_for == option.subregion  # listed first
    assert "nu ambassadeur voor" in first.label
    assert views.mark_one(store, first, mark=False, user="piet", role="bestuur").endswith(
        "is geen ambassadeur meer.")
    assert store.get_organisation(option.id)["ambassadeur_voor"] is None
    history = store.history()
    changes = history[(history["veld"] == "ambassadeur_voor")]
    assert list(changes["gebruiker"]) == ["piet", "piet"]


def test_ties_comparison_per_subregion_and_csv_in_the_view(store, reference):
    view = _view(store, reference, per_subregion=False)
    assert view.ties_text  # either "de enige beste" or how many are as good
    views.mark_ambassadors(store, view.plan, view.current_ids, clear_others=False,
                           user="piet", role="bestuur")
    after = _view(store, reference, per_subregion=False)
    table = after.current.per_subregion
    assert list(table["subregio"]) == list(reference.default_division.subregions)
    assert (table.loc[table["aantal"] > 0, "pct_van_beste"] <= 100.0).all()
    assert int(table["aantal"].sum()) == 3
    book = pd.read_excel(io.BytesIO(views.excel_bytes(after)), sheet_name=None)
    assert "Vergelijking per subregio" in book
    csv = views.csv_bytes(after).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("naam;subregio")
    assert len(csv.strip().splitlines()) == 4
