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


def test_the_worked_example_is_computed_from_the_register(reference, tmp_path):
    from geo.analysis.indicators import indicators
    from geo.register.examples import load_example_data
    from geo.register.store import Store
    from geo.settings import DEFAULTS
    from geo.text import decimal_comma
    from geo.views.over import score_example

    with Store(tmp_path / "register.sqlite", reference) as store:
        load_example_data(store)
        view = about_view(division_name="voorstel", reference=reference,
                          gazetteer=Gazetteer(reference), store=store)
        table = indicators(DEFAULTS.level, reference=reference,
                           partners=store.organisations(include_personal=False),
                           schools=store.schools(), mbo=store.mbo_locations())
        assert view.example == score_example(store, reference=reference)
    first = table.iloc[0]
    text = view.example
    assert text.startswith(f"**Voorbeeld: {first['naam']}** (rang 1 van {len(table)})")
    for column in ("deelscore_schaarste", "deelscore_reistijd", "score"):
        assert f"**{decimal_comma(round(first[column], 1))}**" in text
    assert f"{decimal_comma(DEFAULTS.weight_step)} verschuift" in text
    assert f"{decimal_comma(DEFAULTS.weight_scarcity)} × " in text
    # Each percentile shows how it comes about, and it is the one the score used.
    access = table["toegang_partners_per_10k_jongeren"]
    better = int((access > first["toegang_partners_per_10k_jongeren"]).sum())
    assert f"{better} van de {len(table) - 1} andere gebieden zijn gunstiger" in text
    # Without a register there is no example (and no error).
    assert about_view(division_name="voorstel", reference=reference,
                      gazetteer=Gazetteer(reference)).example == ""


def test_the_worked_example_escapes_a_divisions_names(reference):
    import pandas as pd

    from geo.analysis.score import worked_example_nl

    table = pd.DataFrame({
        "code": ["A", "B"], "naam": ["[klik](https://evil.invalid)", "B"],
        "partners": [1, 2], "toegang_partners_per_10k_jongeren": [0.5, 1.0],
        "reistijd_mbo_infra_min_gemiddeld": [50.0, 30.0],
        "aandeel_jongeren_boven_45_min": [0.6, 0.0], "aandeel_jongeren_boven_60_min": [0.2, 0.0],
        "reistijd_mbo_infra_min_max": [70.0, 40.0], "scholen_vmbo": [0, 2],
        "scholen_vmbo_zonder_partner": [0, 0], "aandeel_vmbo_zonder_partner": [None, 0.0],
    })
    from geo.analysis.score import white_spot_score

    text = worked_example_nl(white_spot_score(table), "A")
    assert "](" not in text
    assert "geen vmbo-school" in text and "/ 0,7 = **100**" in text
