"""The chain per unit (geo.analysis.chain), by hand: activities, classes, no leak.

Every expected figure below is written out: counted from the small frames in the test,
or taken from a table of exact Poisson intervals (Garwood, 95 %).
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from geo.analysis import chain
from geo.analysis.chain import (
    HIGHER,
    LOWER_WITH,
    LOWER_WITHOUT,
    NO_FIGURES,
    SIMILAR,
    TOO_FEW,
    chain_by_unit,
    classify,
    poisson_interval,
    unit_activities,
)
from geo.analysis.indicators import units_of
from geo.analysis.inflow import inflow_by_unit
from geo.analysis.suppression import SUPPRESSED
from geo.reference.levels import LEVELS

# --------------------------------------------------------------------------- Poisson


@pytest.mark.parametrize(("count", "low", "high"), [
    (0, 0.0, 3.689), (4, 1.090, 10.242), (5, 1.623, 11.668), (10, 4.795, 18.390),
    (20, 12.217, 30.888), (40, 28.577, 54.469)])
def test_the_exact_poisson_interval_of_the_tables(count, low, high):
    assert poisson_interval(count) == pytest.approx((low, high), abs=0.001)


# --------------------------------------------------------------------------- classes


def test_a_unit_is_lower_only_when_even_its_highest_count_is_clearly_low():
    # 20 against an expected 35: the interval [12.2, 30.9] lies below 35.
    assert classify(20, 20, 35.0, 36.0, vo_activities=0) == LOWER_WITHOUT
    assert classify(20, 20, 35.0, 36.0, vo_activities=4) == LOWER_WITH
    # 20 against an expected 30: 30 lies inside [12.2, 30.9] — chance explains it.
    assert classify(20, 20, 30.0, 31.0, vo_activities=0) == SIMILAR
    # A range "53 tot 61": its highest count 61 decides (upper bound 78.4).
    assert classify(53, 61, 80.0, 82.0, vo_activities=0) == LOWER_WITHOUT
    assert classify(53, 61, 76.0, 78.0, vo_activities=0) == SIMILAR


def test_a_unit_is_higher_only_when_even_its_lowest_count_is_clearly_high():
    assert classify(40, 40, 25.0, 26.0, vo_activities=0) == HIGHER  # 28.6 > 26
    assert classify(40, 40, 28.0, 29.0, vo_activities=0) == SIMILAR  # 28.6 < 29
    assert classify(36, 44, 25.0, 26.0, vo_activities=0) == SIMILAR  # lowest 36: 25.2 < 26


def test_small_numbers_say_nothing_unless_they_are_clearly_low():
    # "<5" where about 6 were expected: 4 could be chance (upper bound 10.2).
    assert classify(0, 4, 6.0, 6.5, vo_activities=0) == TOO_FEW
    # "<5" where 12 were expected: even 4 is clearly low. The count stays "<5".
    assert classify(0, 4, 12.0, 12.5, vo_activities=0) == LOWER_WITHOUT
    # A "<5" unit is never "higher": its lowest possible count is 0.
    assert classify(0, 4, 0.5, 0.6, vo_activities=0) == TOO_FEW
    # 5 shown where 3 were expected: no count could be clearly lower than 3 (bound 3.7).
    assert classify(5, 5, 3.0, 3.2, vo_activities=0) == TOO_FEW
    assert classify(5, 5, 0.0, 0.0, vo_activities=0) == TOO_FEW  # no young people
    assert classify(50, 50, 40.0, 41.0, vo_activities=0, figures=False) == NO_FIGURES


# --------------------------------------------------------------------------- activities


CODE_OF = {"GM0001": "A", "GM0002": "A", "GM0003": "B"}


def _activities() -> pd.DataFrame:
    rows = [  # kind, school year, status, school, municipality, partners
        ("pet_event", "2024-2025", "gegeven", "", "GM0001", (1,)),
        ("gastles_vo", "2024-2025", "gegeven", "S1", "GM0001", (1, 2)),
        ("gastles_vmbo", "2024-2025", "gegeven", "S3", "GM0003", (3,)),
        ("gastles_vo", "2024-2025", "gepland", "S2", "GM0002", (5,)),  # not given
        ("gastles_vo", "2023-2024", "gegeven", "S2", "GM0002", (5,)),  # the year before
        ("netwerkbijeenkomst", "2024-2025", "gegeven", "", "GM0002", (4,)),  # neither
        ("voorlichting", "2024-2025", "gegeven", "", None, (6,)),  # no municipality
        ("beurs", "2024-2025", "gegeven", "", "GM0344", (7,)),  # outside the regions
    ]
    return pd.DataFrame(rows, columns=["soort", "schooljaar", "status", "vestigingscode",
                                       "gemeentecode", "partner_ids"])


def _schools() -> pd.DataFrame:
    return pd.DataFrame({
        "vestigingscode": ["S1", "S2", "S3", "S4", ""],
        "heeft_vmbo": [True, True, True, False, True],  # S4 no vmbo; the last has no code
        "gemeentecode": ["GM0001", "GM0002", "GM0003", "GM0003", "GM0003"],
    })


def test_activities_per_unit_by_hand():
    out = unit_activities(_activities(), _schools(), code_of=CODE_OF, units=["A", "B", "C"],
                          school_year="2024/2025")
    assert out.loc["A", ["po_events", "vo_activiteiten", "scholen_vmbo",
                         "scholen_vmbo_bereikt", "partners_actief"]].tolist() == [1, 1, 2, 1, 3]
    assert out.loc["A", "aandeel_vmbo_bereikt"] == 0.5  # S1 of S1 and S2
    assert out.loc["B", ["po_events", "vo_activiteiten", "scholen_vmbo",
                         "scholen_vmbo_bereikt", "partners_actief"]].tolist() == [0, 1, 1, 1, 1]
    assert out.loc["B", "aandeel_vmbo_bereikt"] == 1.0
    assert out.loc["C"].drop("aandeel_vmbo_bereikt").tolist() == [0, 0, 0, 0, 0]
    assert np.isnan(out.loc["C", "aandeel_vmbo_bereikt"])  # no vmbo school: no share
    totals = out.attrs["totaal"]
    assert totals == {"po_events": 1, "vo_activiteiten": 2, "scholen_vmbo": 3,
                      "scholen_vmbo_bereikt": 2, "partners_actief": 4,  # 1, 2, 3, 4 once
                      "aandeel_vmbo_bereikt": pytest.approx(2 / 3)}
    assert out.attrs["elders"] == 2  # the evening without a municipality, the fair outside


# --------------------------------------------------------------------------- the chain


def _inflow() -> pd.DataFrame:
    """Published inflow of five units, as inflow_by_unit gives it (bounds and texts).

    A 5 of 10,000 young people, B 40, C hidden ("<5"), D 25, E hidden with 1,000 young
    people. The total is 70 to 78 (two hidden members) over 41,000 young people.
    """
    frame = pd.DataFrame({
        "code": list("ABCDE"), "naam": [f"Gebied {c}" for c in "ABCDE"],
        "schooljaar": "2024-2025", "jongeren": [10_000] * 4 + [1_000],
        "laag": [5, 40, 0, 25, 0], "hoog": [5, 40, 4, 25, 4], "afgeschermd": [0, 0, 1, 0, 1],
        "instroom": ["5", "40", SUPPRESSED, "25", SUPPRESSED],
        "per_1000": [0.5, 4.0, np.nan, 2.5, np.nan],
        "per_1000_tekst": ["0,5", "4,0", "", "2,5", ""],
    })
    frame.attrs = {"niveau": "test", "schooljaar": "2024-2025", "totaal": {
        "naam": "Vijf regio's samen", "jongeren": 41_000, "laag": 70, "hoog": 78,
        "afgeschermd": 2, "instroom": "70 tot 78", "per_1000": np.nan,
        "per_1000_tekst": "1,7 tot 1,9"}}
    return frame


def _done(vo: dict[str, int]) -> pd.DataFrame:
    out = pd.DataFrame(0, index=pd.Index(list("ABCDE"), name="code"),
                       columns=list(chain.ACTIVITY_COLUMNS))
    out["vo_activiteiten"] = [vo.get(c, 0) for c in out.index]
    out["aandeel_vmbo_bereikt"] = np.nan
    out.attrs = {"totaal": {"vo_activiteiten": sum(vo.values())}, "elders": 0}
    return out


def test_where_inflow_stops_by_hand():
    table = chain_by_unit(_inflow(), _done({"C": 3})).set_index("code")
    # Expected at the regional rate: 10,000 × 70/41,000 = 17.07 to 10,000 × 78/41,000 = 19.02.
    assert table.loc["A", "verwacht_laag"] == pytest.approx(17.073, abs=0.001)
    assert table.loc["A", "verwacht_hoog"] == pytest.approx(19.024, abs=0.001)
    assert table["klasse"].to_dict() == {
        "A": LOWER_WITHOUT,  # 5: upper bound 11.7 < 17.07, no VO activity
        "B": HIGHER,  # 40: lower bound 28.6 > 19.02
        "C": LOWER_WITH,  # "<5": even 4 (upper bound 10.2) < 17.07; 3 VO activities
        "D": SIMILAR,  # 25: [16.2, 36.9] holds 17.07 to 19.02
        "E": TOO_FEW,  # "<5" of 1,000 young people: 1.7 expected
    }
    assert table.loc["C", "instroom"] == SUPPRESSED and table.loc["C", "per_1000_tekst"] == ""
    assert table.loc["A", "klasse_tekst"] == "Lager dan de regio, geen VO-activiteiten"
    assert list(chain_by_unit(_inflow(), _done({})).columns) == list(chain.CHAIN_COLUMNS)


def test_without_inflow_figures_nothing_is_shown_or_concluded():
    table = chain_by_unit(_inflow(), _done({"A": 1}), has_figures=False)
    assert set(table["klasse"]) == {NO_FIGURES}
    assert set(table["instroom"]) == {""} and set(table["per_1000_tekst"]) == {""}
    assert table.attrs["totaal"]["instroom"] == ""


# --------------------------------------------------------------------------- no leak


def _published(reference, level: str, counts: dict[str, int]) -> pd.DataFrame:
    rows = pd.DataFrame({"pc4": [None] * len(counts), "gemeentecode": list(counts),
                         "aantal": list(counts.values())})
    inflow = inflow_by_unit(level, rows, reference=reference, school_year="2024-2025")
    units, code_of = units_of(level, reference)
    done = unit_activities(_activities().iloc[:0], _schools().iloc[:0], code_of=code_of,
                           units=units["code"], school_year="2024-2025")
    return chain_by_unit(inflow, done)


@pytest.mark.parametrize("level", LEVELS)
def test_the_classes_and_texts_are_the_same_whatever_a_hidden_count_is(reference, level):
    """Nothing of the chain depends on a count below five, only on its published bounds."""
    codes = reference.gemeentecodes
    youth = reference.pc4.groupby("gemeentecode")["inw_10_19"].sum()
    # About 2 per 1,000 everywhere, with a few hidden municipalities (one large enough to
    # be clearly low) and two clearly low or high ones.
    base = {c: max(5, int(youth.get(c, 0) * 2 / 1000)) for c in codes}
    hidden = ["GM0363", "GM0448", "GM0431"]  # Amsterdam, Texel, Oostzaan
    base.update({"GM0361": 80, "GM0394": 12})
    shown_columns = ["instroom", "per_1000_tekst", "klasse", "laag", "hoog"]
    seen = []
    for values in itertools.product(range(5), repeat=len(hidden)):
        if len(set(values)) > 1 and values != (0, 4, 2):
            continue  # every common value, and one mixed world
        table = _published(reference, level, base | dict(zip(hidden, values, strict=True)))
        seen.append((table[shown_columns].to_json(), str(table.attrs["totaal"])))
    assert len(set(seen)) == 1
    if level == "gemeente":
        table = _published(reference, level, base | dict.fromkeys(hidden, 3)).set_index("code")
        assert table.loc["GM0363", "instroom"] == SUPPRESSED
        assert table.loc["GM0363", "klasse"] == LOWER_WITHOUT  # 4 of 82,735: clearly low
        assert table.loc["GM0448", "klasse"] == TOO_FEW
        assert table.loc["GM0361", "klasse"] == HIGHER
        assert table.loc["GM0394", "klasse"] == LOWER_WITHOUT
