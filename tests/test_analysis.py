"""Tests of geo.analysis.indicators, .score and .scenario: indicators, white-spot score,
scenario, exports, CLI."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo.analysis import indicators as analysis
from geo.analysis import names
from geo.analysis.indicators import indicators
from geo.analysis.scenario import municipality_point, scenario
from geo.analysis.travel import StraightLineModel
from geo.errors import AddressError
from geo.output import tables
from geo.reference.data import REGIONS, Division, Reference

GEOD = Geod(ellps="WGS84")


def _geo_km(a, b) -> float:
    """Geodesic distance in km between two (lat, lon) points."""
    return GEOD.inv(a[1], a[0], b[1], b[0])[2] / 1000.0


# ---------------------------------------------------------------------------------------
# A tiny hand-made world with known answers
# ---------------------------------------------------------------------------------------

P_A1, P_A2 = (52.60, 4.70), (52.70, 4.80)  # municipality A (AM15, subregion Noord)
P_B1 = (52.65, 4.95)  # municipality B (AM15, Noord): nobody aged 10–19 lives here
P_C1 = (52.35, 4.90)  # municipality C (AM18, subregion Zuid)
MBO = (52.50, 4.85)


@pytest.fixture
def tiny() -> Reference:
    gemeenten = gpd.GeoDataFrame({
        "gemeentecode": ["GM9001", "GM9002", "GM9003"],
        "gemeentenaam": ["Aadorp", "Bedum", "Ceres"],
        "arbeidsmarktregio_code": ["AM15", "AM15", "AM18"],
        "arbeidsmarktregio": ["Noord-Holland Noord", "Noord-Holland Noord", "Groot Amsterdam"],
    }, geometry=gpd.points_from_xy([4.75, 4.95, 4.90], [52.65, 52.65, 52.35]), crs="EPSG:4326")
    pc4 = pd.DataFrame({
        "pc4": ["9001", "9002", "9003", "9004", "9999"],
        "gemeentecode": ["GM9001", "GM9001", "GM9002", "GM9003", "GM0000"],
        "lat_pos": [P_A1[0], P_A2[0], P_B1[0], P_C1[0], 53.0],
        "lon_pos": [P_A1[1], P_A2[1], P_B1[1], P_C1[1], 6.0],
        "inw_10_19": [100.0, 300.0, 0.0, 50.0, 1000.0],
        "inw_totaal_2021": [1000.0, 3000.0, 20.0, 500.0, 9000.0],
    })
    division = Division("test", pd.DataFrame({
        "gemeentecode": ["GM9001", "GM9002", "GM9003"], "subregio": ["Noord", "Noord", "Zuid"],
    }))
    return Reference(data_dir=Path("."), gemeenten=gemeenten, gemeenten_rd=None, regios=None,
                     pc4=pc4, scholen=None, mbo=None, default_division=division)


def tiny_indicators(level, *, reference, **options):
    """indicators() in the tiny world, which has no railway: the straight-line model."""
    options.setdefault("travel", StraightLineModel())
    return indicators(level, reference=reference, **options)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _school(code: str, gm: str, point, *, vmbo: bool = True) -> dict:
    return {"vestigingscode": code, "naam": f"School {code}", "gemeentecode": gm,
            "heeft_vmbo": vmbo, "lat": point[0], "lon": point[1]}


def _partner(naam: str, gm: str | None, point, **extra) -> dict:
    row = {"naam": naam, "soort": "aannemer", "actief": True, "donateur": False,
           "gemeentecode": gm, "lat": point[0] if point else np.nan,
           "lon": point[1] if point else np.nan}
    row.update(extra)
    return row


def _point_at(origin, km: float, azimuth: float = 90.0):
    lon, lat, _ = GEOD.fwd(origin[1], origin[0], azimuth, km * 1000.0)
    return (lat, lon)


def test_travel_indicators_match_geodesic(tiny):
    mbo = _frame([{"naam": "mbo", "lat": MBO[0], "lon": MBO[1]}])
    empty = _frame([_partner("x", "GM9001", None)]).iloc[:0]
    schools = _frame([_school("S1", "GM9001", P_A1)])
    table = tiny_indicators("gemeente", reference=tiny, partners=empty, schools=schools, mbo=mbo,
                       travel=StraightLineModel(detour=1.3)).set_index("code")
    d_a1, d_a2 = _geo_km(P_A1, MBO) * 1.3, _geo_km(P_A2, MBO) * 1.3
    a = table.loc["GM9001"]
    assert a["afstand_mbo_infra_km_gemiddeld"] == pytest.approx((100 * d_a1 + 300 * d_a2) / 400,
                                                               rel=0.01)
    assert a["afstand_mbo_infra_km_max"] == pytest.approx(max(d_a1, d_a2), rel=0.01)
    expected_min = 10 + (100 * d_a1 + 300 * d_a2) / 400 / 35 * 60
    assert a["reistijd_mbo_infra_min_gemiddeld"] == pytest.approx(expected_min, rel=0.01)
    # Nobody aged 10–19 in B: the plain mean of its areas is used.
    assert table.loc["GM9002", "afstand_mbo_infra_km_gemiddeld"] == pytest.approx(
        _geo_km(P_B1, MBO) * 1.3, rel=0.01)
    assert table.loc["GM9003", "inwoners_10_19"] == 50
    assert a["inwoners_10_19"] == 400  # the PC4 outside the three municipalities is ignored

    sub = tiny_indicators("subregio", reference=tiny, partners=empty, schools=schools, mbo=mbo)
    noord = sub.set_index("code").loc["Noord"]
    # B's uninhabited area counts neither in the weighted mean nor in the worst case.
    assert noord["afstand_mbo_infra_km_max"] == pytest.approx(max(d_a1, d_a2), rel=0.01)
    assert noord["inwoners_10_19"] == 400


def test_nearest_mbo_place_is_used(tiny):
    far = _point_at(P_C1, 80, azimuth=180)
    mbo = _frame([{"naam": "ver", "lat": far[0], "lon": far[1]},
                  {"naam": "dichtbij", "lat": MBO[0], "lon": MBO[1]},
                  {"naam": "zonder locatie", "lat": np.nan, "lon": np.nan}])
    table = tiny_indicators("gemeente", reference=tiny, partners=_frame([]), schools=_frame([]),
                       mbo=mbo, travel=StraightLineModel(detour=1.0)).set_index("code")
    assert table.loc["GM9003", "afstand_mbo_infra_km_gemiddeld"] == pytest.approx(
        min(_geo_km(P_C1, MBO), _geo_km(P_C1, far)), rel=0.01)


def test_partner_counting_rules(tiny):
    mbo = _frame([{"naam": "mbo", "lat": MBO[0], "lon": MBO[1]}])
    partners = _frame([
        _partner("telt", "GM9001", P_A1),
        _partner("donateur", "GM9001", P_A2, donateur=True),
        _partner("inactief", "GM9001", P_A1, actief=False),
        _partner("zonder locatie", "GM9001", None),
        _partner("gemeente", "GM9001", P_A1, soort="overheid", donateur=True),
        _partner("school", "GM9001", P_A1, soort="onderwijs"),
        _partner("in C", "GM9003", P_C1, soort="netbeheerder"),
        _partner("buiten werkgebied", "GM0999", (52.2, 5.3)),
    ])
    table = tiny_indicators("gemeente", reference=tiny, partners=partners, schools=_frame([]),
                       mbo=mbo).set_index("code")
    assert table.loc["GM9001", "partners"] == 2
    assert table.loc["GM9001", "donateurs"] == 2  # donors of any kind
    assert table.loc["GM9003", "partners"] == 1
    assert table.loc["GM9002", "partners"] == 0
    assert table.loc["GM9001", "partners_per_10k_jongeren"] == pytest.approx(2 / 400 * 10_000)
    everyone = tiny_indicators("gemeente", reference=tiny, partners=partners, schools=_frame([]),
                          mbo=mbo, kinds=None).set_index("code")
    assert everyone.loc["GM9001", "partners"] == 4


@pytest.mark.parametrize("radius, expected", [(10.0, 1.0), (8.0, 0.0)])
def test_school_with_partner_within_radius(tiny, radius, expected):
    mbo = _frame([{"naam": "mbo", "lat": MBO[0], "lon": MBO[1]}])
    schools = _frame([_school("S1", "GM9003", P_C1), _school("S2", "GM9003", P_C1, vmbo=False)])
    # 9 km east of the school, and just across the border of the area (not in any unit).
    partners = _frame([_partner("oost", "GM0999", _point_at(P_C1, 9.0))])
    table = tiny_indicators("gemeente", reference=tiny, partners=partners, schools=schools, mbo=mbo,
                       radius_km=radius).set_index("code")
    row = table.loc["GM9003"]
    assert row["scholen"] == 2 and row["scholen_vmbo"] == 1
    assert row["aandeel_scholen_met_partner"] == pytest.approx(expected)
    assert np.isnan(table.loc["GM9002", "aandeel_scholen_met_partner"])  # no schools


def test_levels_of_tiny_world(tiny):
    mbo = _frame([{"naam": "mbo", "lat": MBO[0], "lon": MBO[1]}])
    for level, n in (("gemeente", 3), ("subregio", 2), ("arbeidsmarktregio", 2)):
        table = tiny_indicators(level, reference=tiny, partners=_frame([]), schools=_frame([]),
                           mbo=mbo)
        assert len(table) == n
        assert list(table.columns[: len(names.TABLE_COLUMNS)]) == names.TABLE_COLUMNS
        assert sorted(table["rang"]) == sorted(table["score"].rank(ascending=False,
                                                                   method="min").astype(int))


# ---------------------------------------------------------------------------------------
# The real reference data
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mbo(reference):
    return analysis.reference_mbo_locations(reference)


@pytest.fixture(scope="module")
def schools(reference):
    return analysis.reference_schools(reference)


def _pc4_point(reference, pc4: str):
    row = reference.pc4.set_index("pc4").loc[pc4]
    return (float(row["lat_pos"]), float(row["lon_pos"]))


def _random_partners(reference, n: int, seed: int) -> pd.DataFrame:
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    pick = pc4.sample(n, weights=pc4["inw_totaal_2021"], replace=True, random_state=seed)
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "naam": [f"P{i}" for i in range(n)],
        "soort": rng.choice(["aannemer", "ingenieursbureau", "netbeheerder", "overheid"], n),
        "actief": rng.random(n) < 0.9, "donateur": rng.random(n) < 0.3,
        "gemeentecode": pick["gemeentecode"].to_numpy(),
        "lat": pick["lat_pos"].to_numpy() + rng.normal(0, 0.003, n),
        "lon": pick["lon_pos"].to_numpy() + rng.normal(0, 0.003, n),
    })


def test_mbo_places_are_located(mbo):
    assert len(mbo) == 2
    assert mbo["lat"].notna().all()
    assert set(mbo["gemeentecode"]) == {"GM1980", "GM0363"}  # Dijk en Waard, Amsterdam


def test_level_row_counts(reference, mbo, schools):
    partners = _random_partners(reference, 40, seed=1)
    totals = {}
    for level, n in (("gemeente", 46), ("subregio", 10), ("arbeidsmarktregio", 5)):
        table = indicators(level, reference=reference, partners=partners, schools=schools,
                           mbo=mbo)
        assert len(table) == n and table["code"].is_unique
        assert table["score"].between(0, 100).all()
        assert sorted(table["rang"])[0] == 1
        totals[level] = table[["partners", "donateurs", "inwoners_10_19", "scholen"]].sum()
    expected_people = reference.pc4.loc[
        reference.pc4["gemeentecode"].isin(reference.gemeentecodes), "inw_10_19"].sum()
    for level_totals in totals.values():
        assert level_totals["inwoners_10_19"] == pytest.approx(expected_people)
        assert level_totals["scholen"] == len(schools)
        pd.testing.assert_series_equal(level_totals, totals["gemeente"])
    regions = indicators("arbeidsmarktregio", reference=reference, partners=partners,
                         schools=schools, mbo=mbo)
    assert set(regions["code"]) == set(REGIONS)


MERGERS = [
    # (PC4 point, municipality, region)
    ("1703", "GM1980", "AM15"),  # Heerhugowaard → Dijk en Waard
    ("1381", "GM0363", "AM18"),  # Weesp → Amsterdam
    ("1462", "GM0439", "AM17"),  # Middenbeemster (Beemster) → Purmerend
    ("3641", "GM0736", "AM18"),  # Mijdrecht, De Ronde Venen (province of Utrecht)
    ("3755", "GM0317", "AM12"),  # Eemnes (province of Utrecht)
]


@pytest.mark.parametrize("pc4, gemeente, regio", MERGERS)
def test_mergers_and_out_of_province_counted_in_right_region(reference, mbo, schools, pc4,
                                                            gemeente, regio):
    point = _pc4_point(reference, pc4)
    # No gemeentecode given: it is derived from the location, as for a new import.
    partners = pd.DataFrame([{"naam": "Wegenbouw BV", "soort": "aannemer", "actief": True,
                              "donateur": True, "lat": point[0], "lon": point[1]}])
    by_gem = indicators("gemeente", reference=reference, partners=partners, schools=schools,
                        mbo=mbo).set_index("code")
    assert by_gem["partners"].sum() == 1
    assert by_gem.loc[gemeente, "partners"] == 1
    assert by_gem.loc[gemeente, "donateurs"] == 1
    by_region = indicators("arbeidsmarktregio", reference=reference, partners=partners,
                           schools=schools, mbo=mbo).set_index("code")
    assert by_region.loc[regio, "partners"] == 1
    assert by_region["partners"].sum() == 1
    # The young people of that PC4 count in the same municipality.
    young = reference.pc4.set_index("pc4").loc[pc4, "inw_10_19"]
    others = reference.pc4[(reference.pc4["gemeentecode"] == gemeente)
                           & (reference.pc4["pc4"] != pc4)]["inw_10_19"].sum()
    assert by_gem.loc[gemeente, "inwoners_10_19"] == pytest.approx(young + others)


def test_subregion_rederived_from_division(reference, mbo, schools):
    table = reference.default_division.table.copy()
    table.loc[table["gemeentecode"] == "GM0448", "subregio"] = "Texel"
    division = Division("eigen", table)
    texel = _pc4_point(reference, "1791")
    partners = pd.DataFrame([{"naam": "Texel Infra", "soort": "aannemer", "actief": True,
                              "donateur": False, "gemeentecode": "GM0448",
                              "subregio": "Kop van Noord-Holland",  # stale; must be ignored
                              "lat": texel[0], "lon": texel[1]}])
    result = indicators("subregio", reference=reference, division=division, partners=partners,
                        schools=schools, mbo=mbo).set_index("code")
    assert len(result) == 11
    assert result.loc["Texel", "partners"] == 1
    assert result.loc["Kop van Noord-Holland", "partners"] == 0


def test_share_of_schools_with_partner_against_geodesic(reference, mbo, schools):
    partners = _random_partners(reference, 25, seed=7)
    counted = analysis.active_partners(partners)
    radius = 5.0
    table = indicators("arbeidsmarktregio", reference=reference, partners=partners,
                       schools=schools, mbo=mbo, radius_km=radius).set_index("code")
    gem_region = reference.gemeenten.set_index("gemeentecode")["arbeidsmarktregio_code"]
    # Per region: schools surely within the radius, possibly within (1 % margin), all.
    near = {code: [0, 0, 0] for code in REGIONS}
    n_p = len(counted)
    _, _, dist_m = GEOD.inv(
        np.repeat(schools["lon"].to_numpy(), n_p), np.repeat(schools["lat"].to_numpy(), n_p),
        np.tile(counted["lon"].to_numpy(), len(schools)),
        np.tile(counted["lat"].to_numpy(), len(schools)),
    )
    nearest_km = dist_m.reshape(len(schools), n_p).min(axis=1) / 1000.0
    for gm, km in zip(schools["gemeentecode"], nearest_km, strict=True):
        region = gem_region[gm]
        near[region][0] += km <= radius * 0.99
        near[region][1] += km <= radius * 1.01
        near[region][2] += 1
    assert sum(v[0] for v in near.values()) > 20  # the check has something to check
    for code, (surely, possibly, total) in near.items():
        share = table.loc[code, "aandeel_scholen_met_partner"]
        assert surely / total - 1e-12 <= share <= possibly / total + 1e-12


def test_unknown_level_is_refused(reference, mbo, schools):
    with pytest.raises(ValueError, match="niveau"):
        indicators("provincie", reference=reference, partners=pd.DataFrame(), schools=schools,
                   mbo=mbo)


# ---------------------------------------------------------------------------------------
# Scenario
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["GM0400", "point"])
def test_scenario_den_helder_helps_kop_not_gooi(reference, mbo, schools, where):
    location = _pc4_point(reference, "1781") if where == "point" else where
    partners = _random_partners(reference, 20, seed=3)
    result = scenario("subregio", new_location=location, reference=reference,
                      partners=partners, schools=schools, mbo=mbo).set_index("code")
    assert len(result) == 10
    kop, gooi = result.loc["Kop van Noord-Holland"], result.loc["Gooi en Vechtstreek"]
    assert kop["reistijd_gemiddeld_verschil"] < -10
    assert kop["reistijd_max_wat_als"] < kop["reistijd_max_nu"]
    assert kop["score_wat_als"] < kop["score_nu"]
    assert kop["rang_wat_als"] >= kop["rang_nu"]
    assert gooi["reistijd_gemiddeld_verschil"] == pytest.approx(0.0)
    # The score is relative: Gooi's own figures stay, the others improve.
    assert gooi["score_wat_als"] >= gooi["score_nu"] - 1e-9
    # A new place never makes any trip longer, and Kop gains most.
    assert (result["reistijd_gemiddeld_verschil"] <= 1e-9).all()
    assert result.index[0] == "Kop van Noord-Holland"
    assert result.attrs["reistijd_werkgebied_wat_als"] < result.attrs["reistijd_werkgebied_nu"]


def test_scenario_in_gooi_moves_gooi(reference, mbo, schools):
    result = scenario("gemeente", new_location="GM0402", reference=reference,
                      partners=pd.DataFrame(), schools=schools, mbo=mbo).set_index("code")
    assert result.loc["GM0402", "reistijd_gemiddeld_verschil"] < 0  # Hilversum
    assert result.loc["GM0448", "reistijd_gemiddeld_verschil"] == pytest.approx(0)  # Texel
    assert list(result.reset_index().columns) == names.SCENARIO_COLUMNS


def test_scenario_rejects_bad_locations(reference, mbo, schools):
    with pytest.raises(AddressError):
        scenario("gemeente", new_location="GM9999", reference=reference,
                 partners=pd.DataFrame(), schools=schools, mbo=mbo)
    with pytest.raises(AddressError):
        scenario("gemeente", new_location=(48.85, 2.35), reference=reference,
                 partners=pd.DataFrame(), schools=schools, mbo=mbo)


def test_municipality_point_lies_in_municipality(reference):
    from geo.reference.regions import assign_areas

    for code in ("GM0400", "GM0363", "GM0448", "GM1980"):
        lat, lon = municipality_point(reference, code)
        assert assign_areas([lon], [lat], reference).iloc[0]["gemeentecode"] == code


# ---------------------------------------------------------------------------------------
# Exports and CLI
# ---------------------------------------------------------------------------------------


def test_csv_and_excel_round_trip(reference, mbo, schools):
    table = indicators("subregio", reference=reference, partners=pd.DataFrame(),
                       schools=schools, mbo=mbo)
    sheets = analysis.export_sheets(table)
    csv = pd.read_csv(io.BytesIO(tables.table_bytes(sheets, xlsx=False)), sep=";",
                      decimal=",", encoding="utf-8-sig")
    assert list(csv.columns[: len(names.TABLE_COLUMNS)]) == names.TABLE_COLUMNS
    assert list(csv["code"]) == list(table["code"])
    assert np.allclose(csv["score"], analysis.rounded(table)["score"], equal_nan=True)
    book = pd.read_excel(io.BytesIO(tables.table_bytes(sheets, xlsx=True)), sheet_name=None)
    assert set(book) == {"Witte vlekken", "Uitleg"}
    assert list(book["Witte vlekken"]["rang"]) == list(table["rang"])
    assert "score" in set(book["Uitleg"]["Kolom"])


def _store_with_partners(path, reference, points):
    from geo.register.store import Store

    store = Store(path, reference)
    for i, (lat, lon) in enumerate(points):
        store.save_organisation({"naam": f"Bedrijf {i}", "soort": "aannemer", "lat": lat,
                                 "lon": lon, "email": "geheim@example.nl"}, user="test")
    store.close()


def test_cli_witte_vlekken_writes_ranked_table(reference, settings, tmp_path, capsys):
    from geo.cli import main

    db = tmp_path / "register.sqlite"
    _store_with_partners(db, reference, [_pc4_point(reference, p) for p in
                                         ("1011", "1011", "2011", "1703")])
    out = tmp_path / "wv.csv"
    code = main(["witte-vlekken", "--niveau", "gemeente", "--straal", "5", "--omweg", "1.4",
                 "--database", str(db), "--uitvoer", str(out)], settings=settings)
    assert code == 0
    printed = capsys.readouterr().out
    assert "1. " in printed and "schatting" in printed
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig")
    assert list(table.columns[: len(names.TABLE_COLUMNS)]) == names.TABLE_COLUMNS
    assert len(table) == 46
    assert table["partners"].sum() == 4
    assert table.set_index("code").loc["GM0363", "partners"] == 2
    assert list(table["rang"]) == sorted(table["rang"])
    assert not any(c in table.columns for c in ("email", "contactpersoon", "telefoon"))
    assert "geheim" not in out.read_text(encoding="utf-8-sig")
    # The first unit printed is the first row written.
    assert table.iloc[0]["naam"] in printed.splitlines()[1]


def test_cli_witte_vlekken_levels_and_errors(settings, tmp_path, capsys):
    from geo.cli import main

    db = tmp_path / "leeg.sqlite"
    for level, n in (("subregio", 10), ("arbeidsmarktregio", 5)):
        out = tmp_path / f"{level}.xlsx"
        assert main(["witte-vlekken", "--niveau", level, "--database", str(db),
                     "--uitvoer", str(out)], settings=settings) == 0
        assert len(pd.read_excel(out)) == n
    assert "nog geen actieve partners" in capsys.readouterr().out
    assert main(["witte-vlekken", "--omweg", "0.8", "--database", str(db)],
                settings=settings) == 1
    assert "omweg" in capsys.readouterr().err


def test_no_located_mbo_place_gives_missing_travel(tiny):
    mbo = _frame([{"naam": "zonder locatie", "lat": np.nan, "lon": np.nan}])
    table = tiny_indicators("gemeente", reference=tiny, partners=_frame([]), schools=_frame([]),
                       mbo=mbo)
    assert table["afstand_mbo_infra_km_gemiddeld"].isna().all()
    assert table["reistijd_mbo_infra_min_max"].isna().all()
    # The score falls back on the parts it can compute: here only few partners (none
    # anywhere: every unit with young people ties, percentile 50); a unit with no young
    # people and no schools has no score, ranked last.
    table = table.set_index("code")
    assert table.loc["GM9001", "score"] == pytest.approx(50.0)
    assert np.isnan(table.loc["GM9002", "toegang_partners_per_10k_jongeren"])
    assert np.isnan(table.loc["GM9002", "score"])
    assert table.loc["GM9002", "rang"] == 3
