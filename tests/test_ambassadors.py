"""Tests of the ambassador planner (geo.analysis.coverage, .optimise, .plans; geo.output.plans)
and its CLI."""

from __future__ import annotations

import io
import itertools
import random

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from geo.analysis import plans
from geo.analysis.coverage import PlanError, coverage, current_ambassador_ids, rank_candidates
from geo.analysis.indicators import reference_schools
from geo.analysis.plans import coverage_curve, greedy_plan, optimal_plan
from geo.output import tables
from geo.output.plans import plan_image, plan_map, plan_sheets
from geo.reference.data import RD_NEW, WGS84, Division
from geo.settings import Settings
from tests.map_payloads import all_texts, layer

BASE_X, BASE_Y = 100_000.0, 500_000.0
_TO_WGS = Transformer.from_crs(RD_NEW, WGS84, always_xy=True)

PERSONAL = {"contactpersoon": "Jan Geheim", "email": "geheim@example.nl",
            "telefoon": "0612345678"}


# One call from the frames to a plan, as the CLI and the page make it.
_PLAN_OPTIONS = {"k", "per_subregion", "time_limit_s"}


def _split(options: dict) -> tuple[dict, dict]:
    return ({k: v for k, v in options.items() if k not in _PLAN_OPTIONS},
            {k: v for k, v in options.items() if k in _PLAN_OPTIONS})


def optimise(partners, schools, **options):
    cov_options, plan_options = _split(options)
    return optimal_plan(coverage(partners, schools, **cov_options), **plan_options)


def greedy(partners, schools, **options):
    cov_options, plan_options = _split(options)
    return greedy_plan(coverage(partners, schools, **cov_options), **plan_options)


def evaluate(current, partners, schools, **options):
    cov_options, plan_options = _split(options)
    return plans.evaluate(current, coverage(partners, schools, **cov_options), **plan_options)


def rank(partners, schools, **options):
    return rank_candidates(coverage(partners, schools, **options))


def _division(mapping: dict[str, str]) -> Division:
    return Division(
        name="test",
        table=pd.DataFrame({"gemeentecode": list(mapping), "subregio": list(mapping.values())}),
    )


def _partners(specs) -> pd.DataFrame:
    """specs: (id, naam, x_km, y_km, gemeentecode) relative to a base point in RD New."""
    rows = []
    for pid, name, x_km, y_km, gm in specs:
        lon, lat = _TO_WGS.transform(BASE_X + x_km * 1000, BASE_Y + y_km * 1000)
        rows.append({"id": pid, "naam": name, "soort": "aannemer", "plaats": "Ergens",
                     "gemeentecode": gm, "gemeentenaam": "Testgemeente", "lat": lat,
                     "lon": lon, "actief": True, "ambassadeur_voor": None, **PERSONAL})
    return pd.DataFrame(rows)


def _schools(specs) -> pd.DataFrame:
    """specs: (x_km, y_km, vmbo, gemeentecode)."""
    rows = []
    for pos, (x_km, y_km, vmbo, gm) in enumerate(specs):
        lon, lat = _TO_WGS.transform(BASE_X + x_km * 1000, BASE_Y + y_km * 1000)
        rows.append({"id": 1000 + pos, "vestigingscode": f"T{pos:03d}", "naam": f"School {pos}",
                     "plaats": "Ergens", "gemeentecode": gm, "heeft_vmbo": vmbo,
                     "lat": lat, "lon": lon})
    return pd.DataFrame(rows)


# Six schools on a line; "Links" reaches 0-2, "Rechts" 3-5, "Midden" 1-4 (R = 10 km).
# Greedy takes Midden first (4 schools) and ends with 5; the optimum Links+Rechts has 6.
LINE_SCHOOLS = [(0, 0, False, "GM0001"), (6, 0, False, "GM0001"), (8, 0, False, "GM0001"),
                (16, 0, False, "GM0001"), (18, 0, False, "GM0001"), (24, 0, False, "GM0001")]
LINE_PARTNERS = [(1, "Links", 4, 0, "GM0001"), (2, "Midden", 12, 0, "GM0002"),
                 (3, "Rechts", 20, 0, "GM0001")]
LINE_DIVISION = {"GM0001": "Buiten", "GM0002": "Midden"}


@pytest.fixture
def line_case():
    return _partners(LINE_PARTNERS), _schools(LINE_SCHOOLS), _division(LINE_DIVISION)


def test_coverage_matrix_on_line_case(line_case):
    partners, schools, division = line_case
    cov = coverage(partners, schools, radius_km=10, vmbo_weight=2, division=division)
    reached = {cov.partners["naam"][i]: set(cov.matrix[i].indices) for i in range(3)}
    assert reached == {"Links": {0, 1, 2}, "Midden": {1, 2, 3, 4}, "Rechts": {3, 4, 5}}
    assert list(cov.partners["subregio"]) == ["Buiten", "Midden", "Buiten"]


def test_optimum_beats_greedy_on_handmade_case(line_case):
    partners, schools, division = line_case
    best = optimise(partners, schools, k=2, radius_km=10, division=division)
    quick = greedy(partners, schools, k=2, radius_km=10, division=division)
    assert set(best.chosen_ids) == {1, 3}
    assert best.status == "optimaal"
    assert best.schools_covered == 6 and best.weighted_coverage == 6
    assert 2 in quick.chosen_ids
    assert quick.schools_covered == 5
    assert best.weighted_coverage > quick.weighted_coverage


def test_per_subregion_constraint_is_honoured(line_case):
    partners, schools, division = line_case
    plan = optimise(partners, schools, k=2, radius_km=10, per_subregion=True,
                        division=division)
    assert 2 in plan.chosen_ids  # the only candidate in "Midden"
    assert set(plan.chosen["subregio"]) == {"Buiten", "Midden"}
    assert plan.weighted_coverage == 5
    per = plan.per_subregion.set_index("subregio")
    assert per.loc["Midden", "ambassadeurs"] == 1
    assert per.loc["Buiten", "ambassadeurs"] == 1
    quick = greedy(partners, schools, k=2, radius_km=10, per_subregion=True,
                       division=division)
    assert set(quick.chosen["subregio"]) == {"Buiten", "Midden"}


def test_k_too_small_for_per_subregion_gives_dutch_error(line_case):
    partners, schools, division = line_case
    with pytest.raises(PlanError, match="minstens 2 ambassadeurs") as info:
        optimise(partners, schools, k=1, per_subregion=True, division=division)
    assert "subregio" in str(info.value)
    assert isinstance(info.value, ValueError)
    with pytest.raises(PlanError, match="minstens 2"):
        greedy(partners, schools, k=1, per_subregion=True, division=division)


def test_invalid_k_and_no_candidates(line_case):
    partners, schools, division = line_case
    with pytest.raises(PlanError, match="minstens 1"):
        optimise(partners, schools, k=0, division=division)
    with pytest.raises(PlanError, match="geen kandidaat"):
        optimise(partners.iloc[0:0], schools, k=1, division=division)


def test_k_larger_than_candidates_is_clamped_with_note(line_case):
    partners, schools, division = line_case
    plan = optimise(partners, schools, k=7, division=division)
    assert plan.k == 3 and len(plan.chosen) == 3
    assert any("maar 3 kandidaten" in note for note in plan.notes)


def test_vmbo_weight_changes_the_choice():
    # "Breed" reaches three ordinary schools, "Vmbo" two vmbo schools.
    schools = _schools([(0, 0, False, "GM0001"), (1, 0, False, "GM0001"),
                        (2, 0, False, "GM0001"), (60, 0, True, "GM0001"),
                        (61, 0, True, "GM0001")])
    partners = _partners([(1, "Breed", 1, 0, "GM0001"), (2, "Vmbo", 60, 1, "GM0001")])
    division = _division({"GM0001": "Alles"})
    equal = optimise(partners, schools, k=1, vmbo_weight=1.0, division=division)
    heavy = optimise(partners, schools, k=1, vmbo_weight=2.0, division=division)
    assert equal.chosen_ids == (1,)
    assert heavy.chosen_ids == (2,)
    assert heavy.weighted_coverage == 4.0 and heavy.vmbo_covered == 2
    ranking = rank(partners, schools, vmbo_weight=2.0, division=division)
    assert list(ranking["naam"]) == ["Vmbo", "Breed"]
    assert list(ranking["rang"]) == [1, 2]


def test_radius_changes_coverage(line_case):
    partners, schools, division = line_case
    narrow = optimise(partners, schools, k=1, radius_km=3, division=division)
    wide = optimise(partners, schools, k=1, radius_km=15, division=division)
    assert narrow.schools_covered < wide.schools_covered


def test_subregion_is_rederived_from_division(line_case):
    partners, schools, division = line_case
    partners = partners.assign(subregio="verkeerd")
    schools = schools.assign(subregio="verkeerd")
    other = _division({"GM0001": "Oost", "GM0002": "West"})
    ranking = rank(partners, schools, division=other)
    assert set(ranking["subregio"]) == {"Oost", "West"}
    plan = optimise(partners, schools, k=2, division=other)
    assert set(plan.per_subregion["subregio"]) == {"Oost", "West"}
    assert set(plan.schools["subregio"]) == {"Oost"}


def test_inactive_and_unlocated_partners_are_not_candidates(line_case):
    partners, schools, division = line_case
    partners.loc[partners["naam"] == "Links", "actief"] = False
    partners.loc[partners["naam"] == "Rechts", "lat"] = np.nan
    cov = coverage(partners, schools, division=division)
    assert list(cov.partners["naam"]) == ["Midden"]
    cov_all = coverage(partners, schools, division=division, include_inactive=True)
    assert sorted(cov_all.partners["naam"]) == ["Links", "Midden"]


def test_rank_candidates_counts_match_brute_force(line_case):
    partners, schools, division = line_case
    schools.loc[[1, 4], "heeft_vmbo"] = True
    ranking = rank(partners, schools, radius_km=10, vmbo_weight=3.0,
                                  division=division).set_index("naam")
    px = {name: x for _, name, x, _, _ in LINE_PARTNERS}
    sx = np.array([s[0] for s in LINE_SCHOOLS], dtype=float)
    vmbo = schools["heeft_vmbo"].to_numpy()
    for name, x in px.items():
        inside = np.abs(sx - x) <= 10
        assert ranking.loc[name, "scholen_bereik"] == inside.sum()
        assert ranking.loc[name, "vmbo_scholen_bereik"] == (inside & vmbo).sum()
        assert ranking.loc[name, "gewogen_bereik"] == inside.sum() + 2 * (inside & vmbo).sum()
    for _, group in ranking.reset_index().groupby("subregio"):
        assert list(group["rang"]) == list(range(1, len(group) + 1))
        assert group["gewogen_bereik"].is_monotonic_decreasing


def _brute_force(reach: np.ndarray, weights: np.ndarray, k: int, subs: np.ndarray | None):
    best = -1.0
    required = set(subs) if subs is not None else set()
    for combo in itertools.combinations(range(reach.shape[0]), k):
        if required and not required <= {subs[i] for i in combo}:
            continue
        covered = reach[list(combo)].any(axis=0)
        best = max(best, float(weights[covered].sum()))
    return best


@pytest.mark.parametrize("per_subregion", [False, True])
def test_optimum_equals_brute_force_and_is_never_below_greedy(per_subregion):
    rng = random.Random(20240605 + per_subregion)
    for _ in range(12):
        n_p, n_s = rng.randint(4, 8), rng.randint(10, 30)
        p_specs = [(i + 1, f"P{i}", rng.uniform(0, 40), rng.uniform(0, 40),
                    rng.choice(["GM0001", "GM0002", "GM0003"])) for i in range(n_p)]
        s_specs = [(rng.uniform(0, 40), rng.uniform(0, 40), rng.random() < 0.4,
                    rng.choice(["GM0001", "GM0002", "GM0003"])) for _ in range(n_s)]
        radius = rng.uniform(5, 15)
        weight = rng.choice([1.0, 2.0, 3.5])
        division = _division({"GM0001": "A", "GM0002": "B", "GM0003": "C"})
        partners, schools = _partners(p_specs), _schools(s_specs)
        subs = np.array([division.subregion_of()[s[4]] for s in p_specs])
        k = rng.randint(len(set(subs)) if per_subregion else 1, min(4, n_p))
        # Reach computed independently from the RD coordinates of the specs.
        px = np.array([[s[2], s[3]] for s in p_specs])
        sx = np.array([[s[0], s[1]] for s in s_specs])
        reach = np.hypot(*(px[:, None, :] - sx[None, :, :]).transpose(2, 0, 1)) <= radius
        weights = np.array([weight if s[2] else 1.0 for s in s_specs])
        expected = _brute_force(reach, weights, k, subs if per_subregion else None)

        cov = coverage(partners, schools, radius_km=radius, vmbo_weight=weight,
                           division=division)
        best = optimal_plan(cov, k=k, per_subregion=per_subregion)
        quick = greedy_plan(cov, k=k, per_subregion=per_subregion)
        assert best.weighted_coverage == pytest.approx(expected)
        assert best.weighted_coverage >= quick.weighted_coverage - 1e-9
        assert len(best.chosen) == k
        if per_subregion:
            assert set(best.chosen["subregio"]) == set(subs)
            assert set(quick.chosen["subregio"]) == set(subs)


def test_evaluate_current_ambassadors(line_case):
    partners, schools, division = line_case
    partners.loc[partners["naam"].isin(["Links", "Midden"]), "ambassadeur_voor"] = "Buiten"
    current = current_ambassador_ids(partners)
    assert sorted(current) == [1, 2]
    comparison = evaluate(current + [999], partners, schools, radius_km=10,
                              division=division)
    assert comparison.current.weighted_coverage == 5
    assert comparison.optimum.weighted_coverage == 6
    assert comparison.optimum.k == 2
    assert comparison.ratio == pytest.approx(5 / 6)
    assert any("1 aangewezen partner" in note for note in comparison.current.notes)
    table = comparison.table()
    assert list(table["scholen_bereik"]) == [5, 6]
    # With "at least one per subregion" the fair optimum for {Links, Midden} is 5.
    fair = evaluate(current, partners, schools, radius_km=10, division=division,
                        per_subregion=True)
    assert fair.optimum.at_least_one_per_subregion
    assert fair.optimum.weighted_coverage == 5 and fair.ratio == 1.0
    single = evaluate([1], partners, schools, radius_km=10, division=division,
                          per_subregion=True)
    assert not single.optimum.at_least_one_per_subregion
    assert single.optimum.chosen_ids == (2,)  # Midden reaches 4 on its own
    assert any("zonder 'minstens één per subregio'" in n for n in single.optimum.notes)
    with pytest.raises(PlanError, match="geen huidige ambassadeurs"):
        evaluate([], partners, schools, division=division)


def test_plan_figures_are_consistent(line_case):
    partners, schools, division = line_case
    schools.loc[[0, 5], "heeft_vmbo"] = True
    plan = optimise(partners, schools, k=1, radius_km=10, vmbo_weight=2, division=division)
    assert plan.schools_total == 6 and plan.vmbo_total == 2
    assert plan.weighted_total == 8
    assert plan.per_subregion["scholen_totaal"].sum() == plan.schools_total
    assert plan.per_subregion["scholen_gedekt"].sum() == plan.schools_covered
    covered_names = set(plan.schools.loc[plan.schools["gedekt"], "naam"])
    chosen = plan.chosen.iloc[0]
    assert len(covered_names) == chosen["scholen_bereik"]
    assert (plan.schools.loc[plan.schools["gedekt"], "bereikt_door"] == chosen["naam"]).all()
    assert "scholen" in plan.summary()


def test_coverage_curve_optimal_never_below_greedy(line_case):
    partners, schools, division = line_case
    cov = coverage(partners, schools, division=division)
    curve = coverage_curve(cov, range(1, 5))
    assert list(curve["k"]) == [1, 2, 3]
    assert (curve["optimaal"] >= curve["greedy"]).all()
    assert curve["optimaal"].is_monotonic_increasing


# --- exports --------------------------------------------------------------------------


def _all_cells(workbook: dict[str, pd.DataFrame]) -> set[str]:
    cells = set()
    for frame in workbook.values():
        cells |= {str(c) for c in frame.columns}
        cells |= {str(v) for v in frame.to_numpy().ravel()}
    return cells


def test_excel_export_has_dutch_sheets_and_no_personal_data(line_case):
    partners, schools, division = line_case
    assert set(PERSONAL) <= set(partners.columns)
    plan = optimise(partners, schools, k=2, radius_km=10, division=division)
    comparison = evaluate([2], partners, schools, division=division)
    data = tables.xlsx_bytes(plan_sheets(plan, comparison=comparison))
    book = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(book) == ["Keuze", "Dekking per subregio", "Niet bereikte scholen",
                          "Uitgangspunten", "Vergelijking huidig", "Vergelijking per subregio"]
    keuze = book["Keuze"]
    assert list(keuze.columns[:5]) == ["naam", "subregio", "soort", "scholen_bereik",
                                       "vmbo_scholen_bereik"]
    assert sorted(keuze["naam"]) == ["Links", "Rechts"]
    assert list(book["Dekking per subregio"]["subregio"]) == ["Buiten", "Midden", "Totaal"]
    params = dict(zip(book["Uitgangspunten"]["uitgangspunt"],
                      book["Uitgangspunten"]["waarde"].astype(str), strict=True))
    assert params["Aantal ambassadeurs (k)"] == "2"
    assert params["Straal (km, hemelsbreed)"] == "10"
    assert params["Gewicht vmbo-school"] == "2"
    assert "Datum" in params and "Gewicht vmbo-school" in params
    cells = _all_cells(book)
    for field, value in PERSONAL.items():
        assert field not in cells
        assert value not in cells


@pytest.fixture(scope="module")
def real_plan(reference):
    schools = reference_schools(reference)
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    pick = pc4.sample(40, random_state=7)
    partners = pd.DataFrame({
        "id": range(1, 41),
        "naam": ["<b>Evil & Co</b>"] + [f"Partner {i}" for i in range(2, 41)],
        "soort": "aannemer", "plaats": pick["plaats_certegis"].to_numpy(),
        "gemeentecode": pick["gemeentecode"].to_numpy(),
        "gemeentenaam": pick["gemeentenaam"].to_numpy(),
        "lat": pick["lat_pos"].to_numpy(), "lon": pick["lon_pos"].to_numpy(), **PERSONAL,
    })
    plan = optimise(partners, schools, k=12, per_subregion=True,
                        division=reference.default_division)
    return partners, plan


def test_real_data_plan_has_one_per_subregion(reference, real_plan):
    partners, plan = real_plan
    with_candidates = set(partners["gemeentecode"].map(
        reference.default_division.subregion_of()))
    assert with_candidates <= set(plan.chosen["subregio"])
    assert plan.schools_total == len(reference.scholen)
    assert plan.vmbo_total == int(reference.scholen["heeft_vmbo"].sum())


def test_png_export_is_a_valid_png(reference, real_plan):
    from PIL import Image

    _, plan = real_plan
    data = plan_image(plan, reference=reference, dpi=60)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(data))
    image.verify()
    assert image.size[0] > 300 and image.size[1] > 300
    pdf = plan_image(plan, reference=reference, fmt="pdf")
    assert pdf[:5] == b"%PDF-"


def test_map_export_shows_plan_and_escapes_names(reference, real_plan):
    from geo.output.assets import standalone_html

    partners, plan = real_plan
    fmap = plan_map(plan, reference=reference)
    rendered = fmap.get_root().render()
    ambassadors = layer(rendered, "points", "ik-ambassadeur")
    assert len(ambassadors["lat"]) == len(plan.chosen)
    assert len(layer(rendered, "circles")["lat"]) == len(plan.chosen)
    covered = len(layer(rendered, "points", "ik-school-gedekt")["lat"])
    uncovered = len(layer(rendered, "points", "ik-school-niet-gedekt")["lat"])
    assert covered == plan.schools_covered
    assert uncovered == plan.schools_total - plan.schools_covered
    assert "<b>Evil & Co</b>" not in rendered
    for value in PERSONAL.values():
        assert value not in rendered and value not in all_texts(rendered)
    if 1 in plan.chosen_ids:
        assert "<b>Evil & Co</b>" in ambassadors["cols"]["naam"]  # as text
    settings = Settings()
    if not (settings.static_dir / "leaflet" / "leaflet.js").is_file():
        pytest.skip("local Leaflet assets not installed")
    html_text = standalone_html(plan_map(plan, reference=reference), settings.static_dir)
    assert "/app/static/" not in html_text
    assert "Subregio" in html_text


# --- register + CLI -------------------------------------------------------------------


def fill_store(path, reference, *, n: int = 30, seed: int = 3):
    """A register at ``path`` with ``n`` fictional partners at PC4 points (with contacts)."""
    from geo.register.store import Store

    store = Store(path, reference)
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    pick = pc4.sample(n, random_state=seed)
    for pos, row in enumerate(pick.itertuples(index=False), start=1):
        store.save_organisation(
            {"naam": f"Testbedrijf {pos:02d}", "soort": "aannemer",
             "plaats": row.plaats_certegis, "lat": row.lat_pos, "lon": row.lon_pos,
             "nauwkeurigheid": "postcode4", **PERSONAL},
            user="test",
        )
    return store


def test_cli_ambassadeurs_writes_rows_and_summary(tmp_path, reference, capsys):
    from geo.cli import main

    db = tmp_path / "register.sqlite"
    fill_store(db, reference).close()
    out = tmp_path / "keuze.csv"
    code = main(["ambassadeurs", "-k", "12", "--straal", "8", "--per-subregio",
                 "--vmbo-gewicht", "3", "--database", str(db), "--uitvoer", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the one Dutch CSV dialect
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert list(table.columns) == ["naam", "subregio", "scholen_bereik", "vmbo_scholen_bereik"]
    assert len(table) == 12
    assert table["naam"].str.startswith("Testbedrijf").all()
    assert (table["vmbo_scholen_bereik"] <= table["scholen_bereik"]).all()
    summary = (tmp_path / "keuze_samenvatting.txt").read_text(encoding="utf-8")
    assert summary.startswith("Samenvatting:") and "gewogen dekking" in summary
    assert printed.splitlines()[-2] == summary.strip()
    for value in PERSONAL.values():
        assert value not in printed
        assert value not in out.read_text(encoding="utf-8")
    # Same choice as the library gives on the same register.
    from geo.register.store import Store

    store = Store(db, reference)
    plan = optimise(store.organisations(), store.schools(), k=12, radius_km=8,
                        vmbo_weight=3, per_subregion=True, division=reference.default_division)
    assert sorted(table["naam"]) == sorted(plan.chosen["naam"])


def test_cli_ambassadeurs_dutch_errors(tmp_path, reference, capsys):
    from geo.cli import main

    empty = tmp_path / "leeg.sqlite"
    assert main(["ambassadeurs", "-k", "3", "--database", str(empty)]) == 1
    assert "geen kandidaat-partners" in capsys.readouterr().err
    db = tmp_path / "register.sqlite"
    fill_store(db, reference).close()
    assert main(["ambassadeurs", "-k", "2", "--per-subregio", "--database", str(db)]) == 1
    assert "minstens" in capsys.readouterr().err
    assert main(["ambassadeurs", "-k", "0", "--database", str(db)]) == 1
    assert "minstens 1" in capsys.readouterr().err


def test_cli_ambassadeurs_says_whether_others_are_as_good(tmp_path, reference, capsys):
    from geo.cli import main

    db = tmp_path / "register.sqlite"
    fill_store(db, reference).close()
    assert main(["ambassadeurs", "-k", "3", "--database", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("Even goede keuzes: ")
    assert "even goed" in lines[-2] or "de enige beste" in lines[-2]
