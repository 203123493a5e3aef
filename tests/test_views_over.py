"""geo.views.over: the generated parts of the page "Over"."""

from __future__ import annotations

from geo.analysis.score import score_explanation_nl
from geo.views.over import about_view


def test_about_view_escapes_the_division_and_follows_the_defaults():
    view = about_view(division_name="[eigen](https://evil.invalid).csv")
    assert "](" not in view.division
    assert view.score == score_explanation_nl()
    assert "omwegfactor van 1,3" in view.travel
    assert "* **adres** —" in view.precision
