"""The score's school part: vmbo schools not reached this school year, when it has activities.

Without a given activity in the school year the part stays "vmbo schools without a partner
within the radius"; with one it becomes "vmbo schools not reached", and every text that
names the part (explanation, caption, top units, worked example, the export's "Uitleg")
follows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.analysis import indicators as analysis
from geo.analysis.reach import reach_year
from geo.analysis.score import (
    REACH_YEAR,
    ScoreWeights,
    part_names,
    percentile,
    reach_year_of,
    school_share_column,
    score_caption_nl,
    score_explanation_nl,
    top_units_text,
    white_spot_score,
    worked_example_nl,
)
from geo.analysis.year_overview import year_figures
from tests.test_score import _table

YEAR = "2024-2025"


def test_the_reach_share_wins_when_the_table_has_it():
    table = _table([0.5, 1.0, 2.0], [60, 30, 45], [1.0, 0.0, 0.5], [0.5, 0.0, 0.0],
                   [90, 40, 70], [0.2, 0.0, 0.1])
    partner = white_spot_score(table).set_index("code")
    assert school_share_column(table) == "aandeel_vmbo_zonder_partner"
    assert list(partner.loc[["U00", "U01", "U02"], "deelscore_scholen"]) == [100, 0, 50]
    # Not reached: U01 has the most vmbo schools left, U00 none; U02 has no vmbo school.
    reached = table.assign(aandeel_vmbo_niet_bereikt=[0.0, 0.75, np.nan])
    assert school_share_column(reached) == "aandeel_vmbo_niet_bereikt"
    scored = white_spot_score(reached).set_index("code")
    assert scored.loc["U00", "deelscore_scholen"] == 0
    assert scored.loc["U01", "deelscore_scholen"] == 100
    assert np.isnan(scored.loc["U02", "deelscore_scholen"])
    # The other parts do not move; the score is the same weighted mean of the parts.
    for column in ("deelscore_schaarste", "deelscore_reistijd"):
        pd.testing.assert_series_equal(partner[column].sort_index(), scored[column].sort_index())
    w = ScoreWeights()
    u1 = scored.loc["U01"]
    assert u1["score"] == pytest.approx(
        (w.scarcity * u1["deelscore_schaarste"] + w.travel * u1["deelscore_reistijd"]
         + w.schools * 100) / (w.scarcity + w.travel + w.schools))
    u2 = scored.loc["U02"]  # no vmbo school: scored on the other two parts
    assert u2["score"] == pytest.approx(
        (w.scarcity * u2["deelscore_schaarste"] + w.travel * u2["deelscore_reistijd"])
        / (w.scarcity + w.travel))


def test_part_names_follow_the_school_year():
    assert part_names()["deelscore_scholen"] == "vmbo-scholen zonder partner"
    assert part_names(YEAR)["deelscore_scholen"] == "vmbo-scholen niet bereikt in 2024-2025"
    assert "vmbo-scholen niet bereikt in 2024-2025 (0,3)" in score_caption_nl(school_year=YEAR)
    assert "vmbo-scholen zonder partner binnen de straal (0,3)" in score_caption_nl()
    text = score_explanation_nl(school_year=YEAR)
    assert "**Vmbo-scholen niet bereikt in 2024-2025**" in text
    assert "vmbo-scholen niet bereikt in 2024-2025 0,3" in text  # the weights line
    assert "**Vmbo-scholen zonder partner**" in score_explanation_nl()


@pytest.fixture(scope="module")
def example(tmp_path_factory, reference):
    from geo.register.examples import load_example_data
    from geo.register.store import Store

    path = tmp_path_factory.mktemp("bereik") / "register.sqlite"
    with Store(path, reference) as store:
        load_example_data(store)
        return {"partners": store.organisations(include_personal=False),
                "schools": store.schools(), "mbo": store.mbo_locations(),
                "activities": store.activities.all()}


@pytest.fixture(scope="module")
def tables(reference, example):
    data = {k: v for k, v in example.items() if k != "activities"}
    found = reach_year(example["activities"], YEAR)
    assert found is not None and found.school_year == YEAR
    return (analysis.indicators("gemeente", reference=reference, **data),
            analysis.indicators("gemeente", reference=reference, reach=found, **data))


def test_without_activities_the_score_is_unchanged(reference, example, tables):
    plain, _ = tables
    assert reach_year(example["activities"], "2030-2031") is None
    assert "aandeel_vmbo_niet_bereikt" not in plain.columns
    assert plain.attrs[REACH_YEAR] is None and reach_year_of(plain) is None
    shares = plain["aandeel_vmbo_zonder_partner"]
    np.testing.assert_allclose(plain["deelscore_scholen"], percentile(shares))


def test_with_activities_the_school_part_is_vmbo_not_reached(reference, example, tables):
    plain, reached = tables
    assert reached.attrs[REACH_YEAR] == YEAR and reach_year_of(reached) == YEAR
    np.testing.assert_allclose(reached["deelscore_scholen"],
                               percentile(reached["aandeel_vmbo_niet_bereikt"]))
    assert not np.allclose(reached["deelscore_scholen"].fillna(-1),
                           plain.set_index("code").loc[reached["code"], "deelscore_scholen"]
                           .fillna(-1))
    by_code = plain.set_index("code")
    for column in ("deelscore_schaarste", "deelscore_reistijd", "scholen_vmbo"):
        np.testing.assert_allclose(reached[column],
                                   by_code.loc[reached["code"], column].to_numpy())
    # The same vmbo schools as the year overview (those in the five regions).
    figures = year_figures(example["activities"], example["schools"], school_year=YEAR)
    assert int(reached["scholen_vmbo_niet_bereikt"].sum()) == len(figures.vmbo_not_reached)
    # A unit's share is its count over its vmbo schools.
    row = reached[reached["scholen_vmbo"] > 0].iloc[0]
    assert row["aandeel_vmbo_niet_bereikt"] == pytest.approx(
        row["scholen_vmbo_niet_bereikt"] / row["scholen_vmbo"])


def test_every_text_names_the_part_it_used(tables):
    plain, reached = tables
    line = top_units_text(reached, n=1)[0]
    assert "vmbo-scholen niet bereikt in 2024-2025:" in line
    assert "vmbo-scholen zonder partner" not in line
    assert "vmbo-scholen zonder partner:" in top_units_text(plain, n=1)[0]
    code = str(reached[reached["scholen_vmbo"] > 0].iloc[0]["code"])
    example_text = worked_example_nl(reached, code)
    assert "3. **Vmbo-scholen niet bereikt in 2024-2025.**" in example_text
    assert "aandeel vmbo-scholen niet bereikt in 2024-2025" in example_text
    assert "3. **Vmbo-scholen zonder partner.**" in worked_example_nl(plain, code)
    notes = analysis.export_sheets(reached)["Uitleg"].set_index("Kolom")
    assert "Vmbo-scholen niet bereikt in 2024-2025" in notes.loc["Witte-vlekscore", "Betekenis"]
    assert notes.loc["aandeel_vmbo_niet_bereikt", "Betekenis"].startswith("Aandeel (0–1)")
