"""geo.views.over: the generated parts of the page "Over"."""

from __future__ import annotations

from geo.analysis.score import score_explanation_nl
from geo.reference.gazetteer import Gazetteer
from geo.views.over import about_view


def test_about_view_escapes_the_division_and_follows_the_defaults(reference):
    view = about_view(division_name="[eigen](https://evil.invalid).csv", reference=reference,
                      gazetteer=Gazetteer(reference))
    assert "](" not in view.division
    assert view.score == score_explanation_nl()
    assert "omwegfactor van 1,3" in view.travel
    assert "de trein" in view.travel and "Texel" in view.travel
    assert "* **adres** —" in view.precision


def test_about_view_shows_each_reference_journey_with_both_errors(reference):
    view = about_view(division_name="voorstel", reference=reference,
                      gazetteer=Gazetteer(reference))
    table = view.journeys
    assert len(table) >= 15
    assert {"Van", "Naar", "Werkelijk (min)", "Model met trein: verschil",
            "Eenvoudig model: verschil", "Bron"} <= set(table.columns)
    assert table["Bron"].str.len().gt(0).all()
    den_helder = table[table["Van"].str.startswith("Den Helder")
                       & table["Naar"].str.startswith("Heerhugowaard")]
    assert abs(den_helder["Model met trein: verschil"].iloc[0]) < abs(
        den_helder["Eenvoudig model: verschil"].iloc[0])
    assert "minuten met het treinmodel" in view.journeys_caption
