"""The fair ambassador choice: candidate classes (geo.analysis.reduction), tie-breaks and
their disclosure (geo.analysis.optimise, geo.analysis.ties) and the comparison per
subregion (geo.analysis.comparisons)."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from geo.analysis.coverage import coverage
from geo.analysis.optimise import Rule, solve_mclp
from geo.analysis.reduction import candidate_classes
from geo.analysis.ties import REASONS
from tests.test_ambassadors import _brute_force, _division, _partners, _schools

GMS = ["GM0001", "GM0002", "GM0003"]
DIVISION = {"GM0001": "A", "GM0002": "B", "GM0003": "C"}


def _crowded_instance(rng: random.Random):
    """Partners on a coarse grid (many reach the same schools), schools anywhere."""
    n_p, n_s = rng.randint(6, 14), rng.randint(8, 25)
    p_specs = [(i + 1, f"P{i:02d}", 8.0 * rng.randint(0, 4), 8.0 * rng.randint(0, 4),
                rng.choice(GMS)) for i in range(n_p)]
    s_specs = [(rng.uniform(0, 32), rng.uniform(0, 32), rng.random() < 0.4, rng.choice(GMS))
               for _ in range(n_s)]
    division = _division(DIVISION)
    cov = coverage(_partners(p_specs), _schools(s_specs), radius_km=rng.uniform(4, 12),
                   vmbo_weight=rng.choice([1.0, 2.0, 3.5]), division=division)
    return cov


def _objective(cov, rows) -> float:
    covered = np.asarray(cov.matrix[rows].sum(axis=0)).ravel() > 0
    return float(cov.weights[covered].sum())


@pytest.mark.parametrize("per_subregion", [False, True])
def test_reduction_keeps_the_optimum_on_random_instances(per_subregion):
    rng = random.Random(11 + per_subregion)
    merged_somewhere = False
    for _ in range(15):
        cov = _crowded_instance(rng)
        classes = candidate_classes(cov)
        merged_somewhere |= classes.n_classes < cov.n_partners
        needed = len(cov.subregions_with_candidates()) if per_subregion else 1
        k = rng.randint(needed, min(needed + 3, cov.n_partners))
        rule = Rule(k=k, per_subregion=per_subregion)
        reduced = solve_mclp(cov, rule=rule, time_limit_s=30)
        full = solve_mclp(cov, rule=rule, time_limit_s=30, reduce=False)
        subs = cov.partners["subregio"].to_numpy()
        expected = _brute_force(cov.matrix.toarray(), cov.weights, k,
                                subs if per_subregion else None)
        assert _objective(cov, reduced.rows) == pytest.approx(expected)
        assert _objective(cov, full.rows) == pytest.approx(expected)
        assert len(reduced.rows) == len(set(reduced.rows)) == k
        if per_subregion:
            assert set(subs[reduced.rows]) == set(cov.subregions_with_candidates())
    assert merged_somewhere  # the instances do exercise the merging


def test_classes_group_identical_reach_within_a_subregion():
    # Two partners at the same spot in A, one at that spot in B, one elsewhere in A.
    specs = [(1, "Bouw Noord", 0, 0, "GM0001"), (2, "Aannemer Noord", 0, 0, "GM0001"),
             (3, "Over de grens", 0, 0, "GM0002"), (4, "Ver weg", 30, 0, "GM0001")]
    schools = [(1, 0, True, "GM0001"), (29, 0, False, "GM0001")]
    cov = coverage(_partners(specs), _schools(schools), radius_km=5,
                   division=_division(DIVISION))
    classes = candidate_classes(cov)
    names = cov.partners["naam"].to_numpy()
    groups = sorted(sorted(names[m]) for m in classes.members)
    assert groups == [["Aannemer Noord", "Bouw Noord"], ["Over de grens"], ["Ver weg"]]
    assert list(classes.capacity) == [2, 1, 1]  # name order of the first member
    assert classes.rows(np.array([2, 0, 0])) == sorted(
        int(i) for i in np.flatnonzero(np.isin(names, ["Aannemer Noord", "Bouw Noord"])))
    unmerged = candidate_classes(cov, merge=False)
    assert unmerged.n_classes == 4 and list(unmerged.reach_count) == [3, 1]


# --- the Kop van Noord-Holland tie, on the bundled data and the example partners --------

KOP = "Kop van Noord-Holland"
DEN_HELDER = "GM0400"
DUINRAND = "Voorbeeld Grondwerken Duinrand B.V."  # Julianadorp: reaches the six Den Helder schools
KOPLAND = "Voorbeeld Wegenbouw Kopland"  # Schagen: reaches the six Schagen schools


@pytest.fixture(scope="module")
def example_register(tmp_path_factory, reference):
    from geo.register.examples import load_example_data
    from geo.register.store import Store

    with Store(tmp_path_factory.mktemp("kop") / "register.sqlite", reference) as store:
        load_example_data(store, user="test")
        return store.organisations(include_personal=False), store.schools()


def _page_plan(partners, schools, reference, radius_km=10.0):
    from geo.analysis.plans import optimal_plan
    from geo.views.ambassadeurs import first_k

    division = reference.default_division
    cov = coverage(partners, schools, radius_km=radius_km, division=division)
    return optimal_plan(cov, k=first_k(division), per_subregion=True)


def _kop_ambassador(plan) -> str:
    return plan.chosen.loc[plan.chosen["subregio"] == KOP, "naam"].item()


@pytest.mark.parametrize("radius_km", [8.0, 10.0])  # at 8 km the old solver chose Schagen
def test_kop_tie_is_disclosed_and_den_helder_is_covered(example_register, reference,
                                                        radius_km):
    partners, schools = example_register
    plan = _page_plan(partners, schools, reference, radius_km)
    assert _kop_ambassador(plan) == DUINRAND
    den_helder = plan.schools[plan.schools["gemeentecode"] == DEN_HELDER]
    assert len(den_helder) == 6 and den_helder["gedekt"].all()
    kop = plan.ties.table[plan.ties.table["subregio"] == KOP]
    assert kop["alternatieven"].item() == KOPLAND  # as good: six schools, four vmbo
    assert "minstens" in plan.ties.sentence()


def test_kop_tie_goes_to_the_schools_no_other_partner_reaches(example_register, reference):
    # A second partner in Schagen that comes first by name: the Schagen schools now have
    # an alternative, the Den Helder schools still only Duinrand. The vmbo tie-break, not
    # the name order, must keep Den Helder covered.
    partners, schools = example_register
    kopland = partners[partners["naam"] == KOPLAND]
    twin = kopland.assign(id=int(partners["id"].max()) + 1, naam="Aannemer Schagen")
    plan = _page_plan(pd.concat([partners, twin], ignore_index=True), schools, reference)
    assert _kop_ambassador(plan) == DUINRAND
    assert plan.schools.loc[plan.schools["gemeentecode"] == DEN_HELDER, "gedekt"].all()
    kop = plan.ties.table[plan.ties.table["subregio"] == KOP]
    assert kop["even_goede_alternatieven"].item() == 2
    assert kop["waarom_deze"].item() == REASONS["vmbo"]
    assert plan.ties.n_sets == 1 + int(plan.ties.table["even_goede_alternatieven"].sum()) >= 3
    assert f"minstens {plan.ties.n_sets} even goede keuzes" in plan.ties.sentence()
    assert set(plan.ties.alternatives["naam"]) >= {"Aannemer Schagen", KOPLAND}


# --- the current ambassadors per subregion --------------------------------------------


def test_a_subregion_is_compared_with_its_own_best_partners():
    # A: "Groot" reaches eight schools, "Matig" three. B: "Klein" reaches one school and
    # is the only partner of B. Current: Matig for A, Klein for B.
    schools = [(x, 0, x % 4 == 0, "GM0001") for x in range(0, 16, 2)] + [
        (40, 0, True, "GM0002"), (60, 0, False, "GM0001"), (62, 0, False, "GM0001"),
        (64, 0, True, "GM0001")]
    specs = [(1, "Groot", 7, 0, "GM0001"), (2, "Matig", 62, 0, "GM0001"),
             (3, "Klein", 40, 0, "GM0002")]
    partners = _partners(specs)
    partners.loc[partners["naam"].isin(["Matig", "Klein"]), "ambassadeur_voor"] = "x"
    cov = coverage(partners, _schools(schools), radius_km=8, vmbo_weight=2.0,
                   division=_division({"GM0001": "A", "GM0002": "B"}))
    from geo.analysis.plans import evaluate

    comparison = evaluate([2, 3], cov)
    table = comparison.subregions.set_index("subregio")
    assert table.loc["B", "huidige_ambassadeurs"] == "Klein"
    assert table.loc["B", "beste_keuze_in_subregio"] == "Klein"
    assert table.loc["B", "pct_van_beste"] == 100.0  # not 2 of the whole area's 12+…
    assert table.loc["A", "beste_keuze_in_subregio"] == "Groot"
    assert table.loc["A", "scholen_huidig"] == 3 and table.loc["A", "scholen_beste"] == 8
    assert table.loc["A", "gewogen_huidig"] == 4.0 and table.loc["A", "gewogen_beste"] == 12.0
    assert table.loc["A", "pct_van_beste"] == pytest.approx(33.3)
    # The overall comparison still uses the whole area: two from A, none from B.
    assert sorted(comparison.optimum.chosen["naam"]) == ["Groot", "Matig"]


def test_quotas_keep_the_choice_in_the_subregion():
    rng = random.Random(5)
    for _ in range(8):
        cov = _crowded_instance(rng)
        subs = cov.partners["subregio"].to_numpy()
        sub = subs[0]
        members = np.flatnonzero(subs == sub)
        n = rng.randint(1, len(members))
        solution = solve_mclp(cov, rule=Rule(k=n, quotas=((sub, n),)), time_limit_s=30)
        assert len(solution.rows) == n and set(subs[solution.rows]) == {sub}
        reach = cov.matrix.toarray()
        only = np.zeros_like(reach)
        only[members] = reach[members]
        assert _objective(cov, solution.rows) == pytest.approx(
            _brute_force(only, cov.weights, n, None))


def test_map_shows_equally_good_alternatives_as_text(example_register, reference):
    from geo.output.plans import plan_map
    from tests.map_payloads import layer

    partners, schools = example_register
    kopland = partners[partners["naam"] == KOPLAND]
    twin = kopland.assign(id=int(partners["id"].max()) + 1, naam="<b>Schagen & Zn</b>")
    plan = _page_plan(pd.concat([partners, twin], ignore_index=True), schools, reference)
    rendered = plan_map(plan, reference=reference).get_root().render()
    alternatives = layer(rendered, "points", "ik-alternatief")
    assert len(alternatives["lat"]) == len(plan.ties.alternatives)
    assert "<b>Schagen & Zn</b>" in alternatives["cols"]["naam"]  # as data, for textContent
    assert "<b>Schagen & Zn</b>" not in rendered
