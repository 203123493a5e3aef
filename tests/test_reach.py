"""Reach per school and per unit (geo.analysis.reach), with figures worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.analysis import reach
from geo.analysis.reach import (
    GUEST_LESSONS_TOTAL,
    MAXIMUM,
    REACH_COLUMNS,
    SCHOOL_YEAR,
    ReachYear,
    partner_activity,
    reach_by_unit,
    reach_text,
    reach_year,
    school_reach,
    vmbo_not_reached_by_unit,
)
from geo.analysis.year_overview import year_figures

ALKMAAR, AMSTERDAM = "GM0361", "GM0363"

#: Three schools in Alkmaar (two vmbo), two in Amsterdam (one vmbo), one without a code.
SCHOOLS = pd.DataFrame({
    "vestigingscode": ["A1", "A2", "A3", "M1", "M2", ""],
    "naam": ["Alk een", "Alk twee", "Alk drie", "Ams een", "Ams twee", "Zonder code"],
    "gemeentecode": [ALKMAAR, ALKMAAR, ALKMAAR, AMSTERDAM, AMSTERDAM, ALKMAAR],
    "heeft_vmbo": [True, True, False, True, False, True],
})


def activity(kind, date, status="gegeven", school="", town=None, partners=()):
    year = f"{date[:4]}-{int(date[:4]) + 1}" if int(date[5:7]) >= 8 else (
        f"{int(date[:4]) - 1}-{date[:4]}")
    return {"soort": kind, "datum": date, "schooljaar": year, "status": status,
            "vestigingscode": school, "gemeentecode": town, "partner_ids": tuple(partners)}


FRAME = pd.DataFrame([
    activity("gastles_vo", "2024-10-01", school="A1", town=ALKMAAR, partners=(1, 2)),
    activity("gastles_vo", "2024-11-01", school="A1", town=ALKMAAR, partners=(1,)),
    activity("voorlichting", "2025-01-15", school="A3", town=ALKMAAR, partners=(2,)),
    activity("gastles_vmbo", "2025-02-01", "gepland", school="A2", town=ALKMAAR, partners=(4,)),
    activity("gastles_vo", "2025-03-01", "geannuleerd", school="M1", town=AMSTERDAM),
    activity("beurs", "2025-03-10", town=ALKMAAR, partners=(3,)),  # not at a school
    activity("netwerkbijeenkomst", "2025-04-01", partners=(1,)),  # online: no municipality
    activity("gastles_vo", "2024-06-01", school="M2", town=AMSTERDAM),  # the year before
    activity("gastles_vo", "2025-07-31", school="M2", town=AMSTERDAM),  # last day of the year
])


def youth(reference, code: str) -> float:
    pc4 = reference.pc4
    return float(pc4.loc[pc4["gemeentecode"] == code, "inw_10_19"].fillna(0).sum())


def test_a_school_is_reached_by_a_given_activity_of_the_year_only():
    per = school_reach(FRAME, SCHOOLS, school_year="2024/2025").set_index("naam")
    assert list(per.loc[["Alk een", "Alk twee", "Alk drie", "Ams een", "Ams twee"],
                        "bereikt"]) == [True, False, True, False, True]
    assert per.loc["Alk een", "activiteiten"] == 2  # two guest lessons
    assert per.loc["Alk een", "soorten"] == ("gastles_vo",)
    assert per.loc["Alk drie", "soorten"] == ("voorlichting",)
    assert per.loc["Alk twee", "soorten"] == ()  # planned only
    assert per.loc["Ams een", "activiteiten"] == 0  # cancelled
    assert per.loc["Ams twee", "activiteiten"] == 1  # 31 July is still 2024-2025
    assert not per.loc["Zonder code", "bereikt"]
    before = school_reach(FRAME, SCHOOLS, school_year="2023-2024").set_index("naam")
    assert list(before["bereikt"]) == [False, False, False, False, True, False]


def test_reach_by_kind():
    per = school_reach(FRAME, SCHOOLS, school_year="2024-2025",
                       kinds=["voorlichting"]).set_index("naam")
    assert per["bereikt"].sum() == 1 and per.loc["Alk drie", "bereikt"]


def test_reach_text_names_kinds_never_people():
    assert reach_text(("gastles_vo", "voorlichting"), 3, "2024-2025") == (
        "Bereikt in 2024-2025: gastles VO, voorlichting (3)")
    assert reach_text((), 0, "2024-2025") == "Niet bereikt in 2024-2025"


def test_partners_count_their_given_activities_of_the_year():
    assert partner_activity(FRAME, school_year="2024-2025") == {1: 3, 2: 2, 3: 1}
    assert partner_activity(FRAME, school_year="2024-2025", kinds=["gastles_vo"]) == {1: 2,
                                                                                       2: 1}


def test_the_score_switches_only_when_the_year_has_a_given_activity():
    assert reach_year(FRAME, "2024-2025") == ReachYear("2024-2025", frozenset({"A1", "A3",
                                                                              "M2"}))
    planned_only = FRAME[FRAME["status"] == "gepland"]
    assert reach_year(planned_only, "2024-2025") is None
    assert reach_year(FRAME, "2030-2031") is None


def test_reach_per_municipality_by_hand(reference):
    table = reach_by_unit("gemeente", reference=reference, activities_frame=FRAME,
                          schools=SCHOOLS, school_year="2024-2025")
    assert list(table.columns) == REACH_COLUMNS
    assert len(table) == 46
    rows = table.set_index("code")
    alk, ams = rows.loc[ALKMAAR], rows.loc[AMSTERDAM]
    # Alkmaar: two guest lessons, the information evening and the fair; not the planned one.
    assert alk["activiteiten"] == 4 and ams["activiteiten"] == 1
    assert alk["inwoners_10_19"] == youth(reference, ALKMAAR) > 0
    assert alk["activiteiten_per_1000_jongeren"] == pytest.approx(
        4 / youth(reference, ALKMAAR) * 1000)
    assert ams["activiteiten_per_1000_jongeren"] == pytest.approx(
        1 / youth(reference, AMSTERDAM) * 1000)
    # Schools with a code only: Alkmaar 3 (A1, A3 reached), Amsterdam 2 (M2 reached).
    assert (alk["scholen"], alk["scholen_bereikt"]) == (3, 2)
    assert alk["aandeel_scholen_bereikt"] == pytest.approx(2 / 3)
    assert (ams["scholen"], ams["scholen_bereikt"]) == (2, 1)
    assert (alk["scholen_vmbo"], alk["scholen_vmbo_bereikt"],
            alk["scholen_vmbo_niet_bereikt"]) == (2, 1, 1)
    assert alk["aandeel_vmbo_bereikt"] == 0.5
    assert (ams["scholen_vmbo"], ams["scholen_vmbo_bereikt"]) == (1, 0)
    assert ams["aandeel_vmbo_bereikt"] == 0.0
    # Guest lessons VO against an even share of 180: 5 schools, Alkmaar has 3 of them.
    assert (alk["gastlessen_vo"], ams["gastlessen_vo"]) == (2, 1)
    assert alk["gastlessen_vo_evenredig_deel"] == pytest.approx(180 * 3 / 5)  # 108
    assert ams["gastlessen_vo_evenredig_deel"] == pytest.approx(180 * 2 / 5)  # 72
    assert alk["gastlessen_vo_van_evenredig_deel"] == pytest.approx(2 / 108)
    assert ams["gastlessen_vo_van_evenredig_deel"] == pytest.approx(1 / 72)
    assert table["gastlessen_vo_evenredig_deel"].sum() == pytest.approx(180)
    # A unit without schools has no shares, and no activities.
    other = rows.drop([ALKMAAR, AMSTERDAM])
    assert other["aandeel_scholen_bereikt"].isna().all()
    assert other["aandeel_vmbo_bereikt"].isna().all()
    assert other["gastlessen_vo_van_evenredig_deel"].isna().all()
    assert (other["activiteiten"] == 0).all()
    assert table.attrs == {SCHOOL_YEAR: "2024-2025", MAXIMUM: 180, GUEST_LESSONS_TOTAL: 3}


def test_reach_per_subregion_adds_up_the_municipalities(reference):
    options = dict(reference=reference, activities_frame=FRAME, schools=SCHOOLS,
                   school_year="2024-2025", maximum=100)
    per_town = reach_by_unit("gemeente", **options)
    per_subregion = reach_by_unit("subregio", **options).set_index("code")
    alkmaar = per_subregion.loc["Regio Alkmaar"]
    assert (alkmaar["scholen"], alkmaar["scholen_bereikt"], alkmaar["activiteiten"]) == (3, 2, 4)
    assert alkmaar["gastlessen_vo_evenredig_deel"] == pytest.approx(60)  # 100 × 3 / 5
    for column in ("inwoners_10_19", "activiteiten", "scholen", "scholen_vmbo_niet_bereikt",
                   "gastlessen_vo"):
        assert per_subregion[column].sum() == per_town[column].sum()


def test_kinds_narrow_the_activities_and_the_reach(reference):
    table = reach_by_unit("gemeente", reference=reference, activities_frame=FRAME,
                          schools=SCHOOLS, school_year="2024-2025",
                          kinds=["voorlichting"]).set_index("code")
    assert (table.loc[ALKMAAR, "activiteiten"], table.loc[ALKMAAR, "scholen_bereikt"]) == (1, 1)
    assert table.loc[ALKMAAR, "gastlessen_vo"] == 0
    assert table["activiteiten"].sum() == 1


def test_an_empty_year_reaches_nothing(reference):
    table = reach_by_unit("arbeidsmarktregio", reference=reference,
                          activities_frame=FRAME.iloc[0:0], schools=SCHOOLS,
                          school_year="2030-2031")
    assert len(table) == 5
    assert (table["scholen_bereikt"] == 0).all() and (table["activiteiten"] == 0).all()
    assert table["scholen_vmbo_niet_bereikt"].sum() == 3


def test_vmbo_not_reached_per_unit_matches_the_year_overview():
    unit = SCHOOLS["gemeentecode"]
    found = reach_year(FRAME, "2024-2025")
    missed = vmbo_not_reached_by_unit(unit, SCHOOLS, found.reached)
    assert missed.loc[ALKMAAR, "scholen_vmbo_niet_bereikt"] == 1  # A2 (no code: not counted)
    assert missed.loc[ALKMAAR, "aandeel_vmbo_niet_bereikt"] == 0.5
    assert missed.loc[AMSTERDAM, "aandeel_vmbo_niet_bereikt"] == 1.0
    figures = year_figures(FRAME.assign(aantal_leerlingen=None), SCHOOLS,
                           school_year="2024-2025")
    assert missed["scholen_vmbo_niet_bereikt"].sum() == len(figures.vmbo_not_reached) == 2


def test_a_unit_without_vmbo_schools_has_no_share():
    schools = SCHOOLS.assign(heeft_vmbo=False)
    missed = vmbo_not_reached_by_unit(schools["gemeentecode"], schools, {"A1"})
    assert (missed["scholen_vmbo_niet_bereikt"] == 0).all()
    assert np.isnan(missed["aandeel_vmbo_niet_bereikt"]).all()


def test_no_personal_column_is_read():
    """The public view is enough: nothing here reads guest teachers or notes."""
    source = reach.__file__
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    assert "gastdocenten" not in text and "notities" not in text


def test_the_chain_counts_the_same_vmbo_schools_reached(reference):
    """The Keten page (geo.analysis.chain) and the reach count vmbo schools alike."""
    from geo.analysis.chain import unit_activities
    from geo.analysis.units import units_of

    units, code_of = units_of("subregio", reference)
    chain = unit_activities(FRAME, SCHOOLS, code_of=code_of, units=units["code"],
                            school_year="2024-2025")
    table = reach_by_unit("subregio", reference=reference, activities_frame=FRAME,
                          schools=SCHOOLS, school_year="2024-2025").set_index("code")
    for column in ("scholen_vmbo", "scholen_vmbo_bereikt"):
        assert list(table[column]) == list(chain[column])
    pd.testing.assert_series_equal(table["aandeel_vmbo_bereikt"], chain["aandeel_vmbo_bereikt"],
                                   check_names=False)
