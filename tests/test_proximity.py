"""Proximity: nearest-k and radius queries, checked against brute force on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo.analysis.proximity import (
    SKIPPED_PARTNERS,
    SKIPPED_SCHOOLS,
    nearest,
    nearest_partners,
    schools_near_partner,
    to_rd,
    within_radius,
)
from geo.analysis.travel import StraightLineModel
from geo.output import call_lists, partner_maps, tables
from geo.output.call_lists import call_list, no_partners_message
from tests.map_payloads import layer

GEOD = Geod(ellps="GRS80")
SOORTEN = ["aannemer", "ingenieursbureau", "netbeheerder", "overheid", "onderwijs", "overig"]


def schools_frame(reference) -> pd.DataFrame:
    """The DUO schools in the shape of Store.schools() (the columns proximity needs)."""
    s = reference.scholen
    return pd.DataFrame({
        "id": np.arange(1, len(s) + 1),
        "vestigingscode": s["vestigingscode"].to_numpy(),
        "naam": s["vestigingsnaam"].to_numpy(),
        "plaats": s["plaatsnaam"].str.title().to_numpy(),
        "heeft_vmbo": s["heeft_vmbo"].to_numpy(),
        "lat": s["lat"].to_numpy(),
        "lon": s["lon"].to_numpy(),
    })


def partner_frame(reference, n: int = 120, seed: int = 7) -> pd.DataFrame:
    """Synthetic partners at random PC4 points of the 46 municipalities."""
    rng = np.random.default_rng(seed)
    pc4 = reference.pc4[reference.pc4["gemeentecode"].isin(reference.gemeentecodes)]
    pick = pc4.iloc[rng.choice(len(pc4), size=n, replace=True)]
    return pd.DataFrame({
        "id": np.arange(1, n + 1),
        "naam": [f"Partner {i:03d}" for i in rng.permutation(n)],
        "soort": rng.choice(SOORTEN, size=n),
        "donateur": rng.random(n) < 0.3,
        "actief": rng.random(n) < 0.85,
        "gemeentenaam": pick["gemeentenaam"].to_numpy(),
        "lat": pick["lat_pos"].to_numpy(),
        "lon": pick["lon_pos"].to_numpy(),
    })


def geodesic_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Geodesic distance (GRS80) between every point 1 and every point 2, km."""
    la1, la2 = np.meshgrid(np.asarray(lat1, float), np.asarray(lat2, float), indexing="ij")
    lo1, lo2 = np.meshgrid(np.asarray(lon1, float), np.asarray(lon2, float), indexing="ij")
    _, _, metres = GEOD.inv(lo1, la1, lo2, la2)
    return np.asarray(metres) / 1000.0


def brute_nearest(schools, partners, k):
    """Per school: partner ids of the k geodesically nearest, ties by name; and distances."""
    d = geodesic_km(schools["lat"], schools["lon"], partners["lat"], partners["lon"])
    names = partners["naam"].str.casefold().to_numpy()
    name_rank = np.argsort(np.argsort(names, kind="stable"), kind="stable")
    ids = partners["id"].to_numpy()
    out = []
    for row in d:
        order = np.lexsort((name_rank, row))
        out.append((ids[order[:k]], row[order[: k + 1]]))
    return out


@pytest.fixture(scope="module")
def schools(reference):
    return schools_frame(reference)


@pytest.fixture(scope="module")
def partners(reference):
    return partner_frame(reference)


# --- low level --------------------------------------------------------------------------


def test_to_rd_hits_the_amersfoort_origin_and_keeps_missing_rows():
    # The RD base point (Onze Lieve Vrouwetoren, Amersfoort) is x=155000, y=463000.
    xy = to_rd([5.38720621, None, np.nan], [52.15517440, 52.0, 52.0])
    assert xy.shape == (3, 2)
    assert np.allclose(xy[0], [155000.0, 463000.0], atol=1.0)
    assert np.isnan(xy[1:]).all()


def test_nearest_equals_brute_force_on_random_points_with_many_ties():
    rng = np.random.default_rng(3)
    targets = rng.integers(0, 15, size=(400, 2)).astype(float)  # many exact ties
    sources = rng.integers(0, 15, size=(150, 2)).astype(float)
    dist, idx = nearest(sources, targets, k=6)
    full = np.hypot(*(sources[:, None, :] - targets[None, :, :]).transpose(2, 0, 1))
    tie = np.broadcast_to(np.arange(len(targets)), full.shape)
    expected = np.lexsort((tie, full), axis=-1)[:, :6]
    assert (idx == expected).all()
    assert np.allclose(dist, np.take_along_axis(full, expected, axis=1))


def test_nearest_marks_missing_neighbours_and_ignores_nan_rows():
    targets = np.array([[0.0, 0.0], [np.nan, np.nan], [300.0, 0.0], [5000.0, 0.0]])
    sources = np.array([[100.0, 0.0], [np.nan, 1.0]])
    dist, idx = nearest(sources, targets, k=4, max_distance_m=300.0)
    assert idx[0].tolist() == [0, 2, -1, -1]
    assert dist[0, :2].tolist() == [100.0, 200.0]
    assert np.isinf(dist[0, 2:]).all()
    assert (idx[1] == -1).all() and np.isinf(dist[1]).all()


def test_within_radius_matches_pairwise_distances(schools, partners):
    s_xy = to_rd(schools["lon"], schools["lat"])
    p_xy = to_rd(partners["lon"], partners["lat"])
    got = within_radius(s_xy, p_xy, 7500.0).toarray()
    full = np.hypot(*(s_xy[:, None, :] - p_xy[None, :, :]).transpose(2, 0, 1))
    assert got.shape == (len(schools), len(partners))
    assert got.any() and not got.all()
    assert (got == (full <= 7500.0)).all()


# --- nearest_partners ------------------------------------------------------------------


def test_nearest_partners_equals_geodesic_brute_force(schools, partners):
    k = 5
    result = nearest_partners(schools, partners, k=k)
    assert len(result) == len(schools) * k
    brute = brute_nearest(schools, partners, k)
    geo = geodesic_km(schools["lat"], schools["lon"], partners["lat"], partners["lon"])
    col = {pid: j for j, pid in enumerate(partners["id"])}
    for i, (school_id, group) in enumerate(result.groupby("school_id", sort=False)):
        assert school_id == schools["id"].iloc[i]
        assert group["rang"].tolist() == list(range(1, k + 1))
        ids, brute_d = brute[i]
        got_geo = geo[i, [col[p] for p in group["partner_id"]]]
        # Distances agree with the geodesic ones within 0.5 %.
        assert np.allclose(group["afstand_km"], got_geo, rtol=0.005, atol=1e-6)
        assert np.allclose(group["afstand_km"], brute_d[:k], rtol=0.005, atol=1e-6)
        # Same partners in the same order, unless two geodesic distances are so close
        # (< 0.5 %) that RD New and the ellipsoid may legitimately order them differently.
        gaps = np.diff(brute_d) > 0.005 * np.maximum(brute_d[1:], 1e-9)
        clear = gaps[:k] & np.concatenate([[True], gaps[: k - 1]])
        assert (group["partner_id"].to_numpy()[clear] == ids[clear]).all()


def test_ties_are_broken_by_name_independent_of_input_order(schools):
    school = schools.iloc[[0]]
    spot = school[["lat", "lon"]].iloc[0] + [0.01, 0.0]
    names = ["Charlie bv", "alfa & zn", "Bravo", "Delta"]
    tied = pd.DataFrame({
        "id": [11, 12, 13, 14], "naam": names, "soort": "aannemer", "donateur": False,
        "actief": True, "lat": spot["lat"], "lon": spot["lon"],
    })
    for seed in range(3):
        shuffled = tied.sample(frac=1, random_state=seed)
        got = nearest_partners(school, shuffled, k=3)
        assert got["naam"].tolist() == ["alfa & zn", "Bravo", "Charlie bv"]
        assert got["afstand_km"].nunique() == 1


def test_radius_without_partners_gives_empty_frame_and_dutch_message(schools, partners):
    texel = schools[schools["plaats"].str.casefold() == "den burg"].iloc[[0]]
    amsterdam = partners.assign(lat=52.37, lon=4.90)  # all far from Texel
    result = nearest_partners(texel, amsterdam, k=5, radius_km=5)
    assert result.empty
    assert {"rang", "naam", "afstand_km", "reistijd_min"} <= set(result.columns)
    assert call_list(result).columns.tolist() == call_lists.CALL_LIST_COLUMNS
    message = no_partners_message(texel["naam"].iloc[0], radius_km=5)
    assert message.startswith("Geen partners binnen 5 km van ")
    assert texel["naam"].iloc[0] in message


def test_radius_only_returns_every_partner_within_reach(schools, partners):
    result = nearest_partners(schools, partners, k=None, radius_km=6)
    s_xy = to_rd(schools["lon"], schools["lat"])
    p_xy = to_rd(partners["lon"], partners["lat"])
    expected = within_radius(s_xy, p_xy, 6000.0)
    assert len(result) == expected.nnz
    assert (result["afstand_km"] <= 6.0 + 1e-9).all()
    assert result.groupby("school_id")["afstand_km"].apply(
        lambda s: s.is_monotonic_increasing).all()


@pytest.mark.parametrize(
    "filters",
    [{"kinds": ["aannemer", "netbeheerder"]}, {"donor": True}, {"active": True},
     {"kinds": ["overheid"], "donor": False, "active": True}],
)
def test_filters_equal_brute_force_on_the_filtered_partners(schools, partners, filters):
    result = nearest_partners(schools, partners, k=3, **filters)
    keep = pd.Series(True, index=partners.index)
    if "kinds" in filters:
        keep &= partners["soort"].isin(filters["kinds"])
    for flag, column in (("donor", "donateur"), ("active", "actief")):
        if flag in filters:
            keep &= partners[column] == filters[flag]
    subset = partners[keep]
    assert 0 < len(subset) < len(partners)
    assert result["partner_id"].isin(subset["id"]).all()
    brute = brute_nearest(schools, subset, 3)
    for i, (_, group) in enumerate(result.groupby("school_id", sort=False)):
        assert np.allclose(group["afstand_km"], brute[i][1][:3], rtol=0.005)


def test_rows_without_location_are_skipped_and_counted(schools, partners):
    partial_p = partners.copy()
    partial_p.loc[partial_p.index[:4], ["lat", "lon"]] = np.nan
    partial_s = schools.iloc[:10].copy()
    partial_s.loc[partial_s.index[:2], "lat"] = None
    result = nearest_partners(partial_s, partial_p, k=2)
    assert result.attrs[SKIPPED_PARTNERS] == 4
    assert result.attrs[SKIPPED_SCHOOLS] == 2
    assert result["school_id"].nunique() == 8
    assert not result["partner_id"].isin(partners["id"].iloc[:4]).any()
    assert "4 partners en 2 scholen" in call_lists.skipped_message(result)


def test_travel_time_uses_the_travel_model(schools, partners):
    model = StraightLineModel(detour=1.5, speed_bike_kmh=12.0)
    result = nearest_partners(schools.iloc[:20], partners, k=2, travel=model)
    assert np.allclose(result["reistijd_min"], result["afstand_km"] * 1.5 / 12.0 * 60.0)
    ov = nearest_partners(schools.iloc[:20], partners, k=2, travel=model, travel_mode="ov_auto")
    expected = (model.wait_transit_car_min
                + ov["afstand_km"] * 1.5 / model.speed_transit_car_kmh * 60)
    assert np.allclose(ov["reistijd_min"], expected)


def test_call_list_has_contact_columns_only_when_asked(schools, partners):
    staff = partners.assign(contactpersoon="Jan Jansen", email="jan@example.nl",
                            telefoon="0612345678")
    result = nearest_partners(schools.iloc[[0]], staff, k=3)
    public = call_list(result)
    assert public.columns.tolist() == call_lists.CALL_LIST_COLUMNS
    assert "jan@example.nl" not in public.to_csv()
    private = call_list(result, include_personal=True)
    assert private.columns.tolist()[-3:] == ["contactpersoon", "email", "telefoon"]
    assert private["afstand_km"].is_monotonic_increasing


# --- schools_near_partner ----------------------------------------------------------------


def test_schools_near_partner_lists_vmbo_first_then_by_distance(schools, partners):
    partner = partners.iloc[0]
    result = schools_near_partner(partner, schools, radius_km=15)
    assert result["heeft_vmbo"].any() and not result["heeft_vmbo"].all()
    vmbo = result["heeft_vmbo"].to_numpy()
    first_other = np.argmin(vmbo)
    assert vmbo[:first_other].all() and not vmbo[first_other:].any()
    for flag in (True, False):
        part = result[result["heeft_vmbo"] == flag]
        assert part["afstand_km"].is_monotonic_increasing
    assert result["rang"].tolist() == list(range(1, len(result) + 1))
    geo = geodesic_km([partner["lat"]], [partner["lon"]], schools["lat"], schools["lon"])[0]
    inside = set(schools["id"][geo <= 15 * 0.995]) | (
        set(schools["id"][geo <= 15 * 1.005]) & set(result["id"]))
    assert set(result["id"]) == inside
    only_vmbo = schools_near_partner(partner, schools, radius_km=15, vmbo_only=True)
    assert only_vmbo["heeft_vmbo"].all() and len(only_vmbo) == int(vmbo.sum())


def test_schools_near_partner_without_location_is_empty(schools):
    result = schools_near_partner({"naam": "X", "lat": None, "lon": None}, schools,
                                  radius_km=10)
    assert result.empty


# --- maps ------------------------------------------------------------------------------


def test_school_map_draws_a_line_per_partner_and_escapes_names(schools, partners):
    evil = partners.assign(naam=partners["naam"] + " <script>alert(1)</script>")
    result = nearest_partners(schools.iloc[[0]], evil, k=4)
    fmap = partner_maps.school_partners_map(schools.iloc[0], result)
    page = fmap.get_root().render()
    assert "<script>alert(1)</script>" not in page
    lines = layer(page, "lines", "ik-lijn")
    assert len(lines["paths"]) == 4
    assert all(text.endswith(" km") and "<script>alert(1)</script>" in text
               for text in lines["cols"]["lijn_tekst"])  # data, shown with textContent


def test_partner_map_shows_the_schools_in_reach(schools, partners):
    near = schools_near_partner(partners.iloc[0], schools, radius_km=10)
    page = partner_maps.partner_schools_map(partners.iloc[0], near, radius_km=10) \
        .get_root().render()
    assert len(layer(page, "points", "ik-school")["lat"]) == len(near)
    assert layer(page, "circles")["radius_m"] == [10_000.0]


# --- CLI `infrakaart dichtbij` -----------------------------------------------------------

#: The file of ``dichtbij``: the school in front, then the call list, with Dutch headings.
CLI_COLUMNS = [call_lists.heading(c)
               for c in call_lists.SCHOOL_COLUMNS + call_lists.CALL_LIST_COLUMNS]
RANK, NAME, KM = (call_lists.heading(c) for c in ("rang", "naam", "afstand_km"))


@pytest.fixture
def filled_store(settings, reference):
    """A tmp register with 12 partners (with contact data) around the first DUO school."""
    from geo.register.store import Store

    store = Store(settings.database_path, reference)
    school = store.schools().sort_values("vestigingscode").iloc[0]
    rng = np.random.default_rng(11)
    for i in range(12):
        store.save_organisation(
            {
                "naam": f"Bedrijf {chr(65 + i)}",
                "soort": SOORTEN[i % 3],
                "donateur": i % 4 == 0,
                "actief": i != 5,
                "lat": school["lat"] + rng.uniform(-0.15, 0.15),
                "lon": school["lon"] + rng.uniform(-0.2, 0.2),
                "contactpersoon": f"Persoon {i}",
                "email": f"persoon{i}@voorbeeld.nl",
                "telefoon": f"06-1234567{i % 10}",
            },
            user="test",
        )
    yield store, school
    store.close()


def _read_csv(path):
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")


def _run_cli(argv, settings, capsys):
    from geo.cli import main

    code = main(argv, settings=settings)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_dichtbij_writes_the_nearest_partners_sorted_without_personal_data(
    filled_store, settings, capsys, tmp_path
):
    store, school = filled_store
    target = tmp_path / "lijst.csv"
    code, out, err = _run_cli(
        ["dichtbij", "--school", school["vestigingscode"].lower(), "-n", "4",
         "--uitvoer", str(target)], settings, capsys)
    assert code == 0, err
    table = _read_csv(target)
    assert table.columns.tolist() == CLI_COLUMNS
    assert table[RANK].tolist() == [1, 2, 3, 4]
    assert table[KM].is_monotonic_increasing
    assert set(table["Vestigingscode"]) == {school["vestigingscode"]}
    assert set(table["Reiswijze"]) == {"fiets"}
    partners = store.organisations()
    active = partners[partners["actief"]]
    geo = geodesic_km([school["lat"]], [school["lon"]], active["lat"], active["lon"])[0]
    expected = active["naam"].to_numpy()[np.argsort(geo)[:4]]
    assert table[NAME].tolist() == expected.tolist()
    assert np.allclose(table[KM], np.sort(geo)[:4], rtol=0.005, atol=0.01)
    text = target.read_text(encoding="utf-8") + out
    assert "persoon" not in text.lower() and "@" not in text and "06-" not in text
    assert "Bedrijf" in out  # the list is printed too


def test_cli_dichtbij_filters_by_soort_and_radius(filled_store, settings, capsys, tmp_path):
    _, school = filled_store
    target = tmp_path / "lijst.csv"
    code, _, err = _run_cli(
        ["dichtbij", "--school", school["vestigingscode"], "--straal", "12",
         "--soort", "aannemer", "--database", str(settings.database_path),
         "--uitvoer", str(target)], settings, capsys)
    assert code == 0, err
    table = _read_csv(target)
    assert len(table) > 0
    assert set(table["Soort"]) == {"aannemer"}
    assert (table[KM] <= 12.0).all()


def test_cli_dichtbij_unknown_school_exits_1_with_dutch_message(filled_store, settings,
                                                                 capsys):
    code, _, err = _run_cli(["dichtbij", "--school", "ZZZZ99"], settings, capsys)
    assert code == 1
    assert "geen school met vestigingscode 'ZZZZ99'" in err


def test_cli_dichtbij_unknown_soort_exits_1(filled_store, settings, capsys):
    _, school = filled_store
    code, _, err = _run_cli(["dichtbij", "--school", school["vestigingscode"],
                             "--soort", "bakker"], settings, capsys)
    assert code == 1 and "onbekende soort" in err


def test_cli_dichtbij_nothing_in_radius_exits_0_with_header_only_file(
    filled_store, settings, capsys, tmp_path
):
    _, school = filled_store
    target = tmp_path / "leeg.csv"
    code, out, err = _run_cli(
        ["dichtbij", "--school", school["vestigingscode"], "--straal", "0.01",
         "--uitvoer", str(target)], settings, capsys)
    assert code == 0, err
    assert "Geen partners binnen 0,01 km van" in out
    assert target.read_text(encoding="utf-8-sig").strip() == ";".join(CLI_COLUMNS)


def test_call_list_csv_defuses_formulas_but_keeps_numbers(schools, partners, tmp_path):
    named = partners.assign(naam="=HYPERLINK(\"http://x\")", gemeentenaam="-5")
    table = call_list(nearest_partners(schools.iloc[[0]], named, k=2))
    target = tmp_path / "lijst.csv"
    tables.write_table(target, table, private=False)
    safe = pd.read_csv(target, sep=";", decimal=",", encoding="utf-8-sig", dtype={
        "gemeentenaam": str})
    assert safe["naam"].tolist() == ["'=HYPERLINK(\"http://x\")"] * 2
    assert safe["gemeentenaam"].tolist() == ["-5", "-5"]
    assert safe["afstand_km"].tolist() == table["afstand_km"].tolist()
    assert table["naam"].iloc[0].startswith("=")  # the input is left alone
