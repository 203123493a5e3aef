"""geo.views.kaart: the map and ranking of the page "Kaart", without Streamlit."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.analysis.score import score_caption_nl
from geo.output import maps
from geo.register.store import Store
from geo.settings import DEFAULTS
from geo.views.kaart import RANKING_COLUMNS, MapChoices, map_view
from tests.small_register import CONTACT, small_register


@pytest.fixture(scope="module")
def store(tmp_path_factory, reference):
    path = small_register(tmp_path_factory.mktemp("kaart") / "register.sqlite", reference)
    with Store(path, reference) as opened:
        yield opened


@pytest.fixture(scope="module")
def boundaries(reference):
    return maps.boundary_layers(reference, reference.default_division)


def _view(store, reference, boundaries, *, personal=False, **choices):
    return map_view(store, reference=reference, division=reference.default_division,
                    choices=MapChoices(**choices), show_personal=personal,
                    boundaries=boundaries)


def test_default_view_ranks_the_subregions(store, reference, boundaries):
    view = _view(store, reference, boundaries)
    assert list(view.ranking.columns) == RANKING_COLUMNS
    assert len(view.ranking) == len(reference.default_division.subregions)
    assert list(view.ranking["rang"]) == sorted(view.ranking["rang"])
    assert view.ranking.attrs == {}
    assert view.ranking_title == "Rangorde per subregio"
    assert view.score_caption == score_caption_nl()
    # Each part and the rank range are shown; the range holds the rank.
    for _, row in view.ranking.iterrows():
        low, _, high = row["rang_bereik"].partition("–")
        assert int(low) <= row["rang"] <= int(high or low)
    assert view.example_notice is None
    # Five located active partners drawn; the unplaced one is counted.
    assert view.map_caption.startswith("5 organisaties op de kaart · 270 scholen")
    assert view.map_caption.endswith("· 1 organisaties nog niet geplaatst")
    assert view.file_stem == f"witte-vlekken-{DEFAULTS.level}"


def test_filters_use_the_one_partner_filter(store, reference, boundaries):
    donors = _view(store, reference, boundaries, donors="ja")
    assert donors.map_caption.startswith("2 organisaties op de kaart")
    kinds = _view(store, reference, boundaries, kinds=["aannemer"], active_only=False)
    assert kinds.map_caption.startswith("3 organisaties op de kaart")  # incl. the inactive
    regions = _view(store, reference, boundaries, regions=["AM18"])  # Groot Amsterdam
    assert regions.map_caption.startswith("1 organisaties op de kaart")
    # The filters change the drawing only; the ranking counts every active partner.
    pd.testing.assert_frame_equal(donors.ranking, _view(store, reference, boundaries).ranking)


def test_level_and_radius_change_the_ranking(store, reference, boundaries):
    municipalities = _view(store, reference, boundaries, level="gemeente")
    assert len(municipalities.ranking) == 46
    assert municipalities.ranking_title == "Rangorde per gemeente"
    near = _view(store, reference, boundaries, level="arbeidsmarktregio", radius_km=2)
    far = _view(store, reference, boundaries, level="arbeidsmarktregio", radius_km=30)
    share = "aandeel_scholen_met_partner"
    assert (near.ranking.set_index("naam")[share].sort_index()
            <= far.ranking.set_index("naam")[share].sort_index()).all()


def test_downloads_hold_the_table_and_no_contact_data(store, reference, boundaries):
    view = _view(store, reference, boundaries, personal=True)
    csv = view.csv.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("code;naam;arbeidsmarktregio_code;partners")
    book = pd.read_excel(io.BytesIO(view.xlsx), sheet_name=None)
    assert list(book) == ["Witte vlekken", "Uitleg"]
    for value in CONTACT.values():
        assert value not in csv


def test_contact_data_only_on_the_staff_map(store, reference, boundaries):
    public = _view(store, reference, boundaries).fmap.get_root().render()
    staff = _view(store, reference, boundaries, personal=True).fmap.get_root().render()
    assert CONTACT["email"] not in public
    assert CONTACT["email"] in staff
    assert "<b>Noord</b>" not in public  # names reach the map as data, not HTML


def test_default_map_is_few_partners_times_long_trip(store, reference, boundaries):
    from tests.map_payloads import layer

    html = _view(store, reference, boundaries).fmap.get_root().render()
    legend = layer(html, "legend")
    labels = [item["label"] for item in legend["items"]]
    assert labels[0] == "ver én weinig partners"
    assert "dichtbij, veel partners" in labels
    assert "vergeleken met de andere gebieden" in legend["title"]
    areas = layer(html, "areas", "ik-kleurkaart")["geojson"]["features"]
    assert len(areas) == len(reference.default_division.subregions)
    darkest = [f for f in areas if f["properties"]["klasse"] == "ver én weinig partners"]
    assert all(f["properties"]["ik_style"]["weight"] == 3 for f in darkest)
    single = _view(store, reference, boundaries, indicator="score").fmap.get_root().render()
    assert "Kleurkaart: Witte-vlekscore" in single


def test_a_ranking_row_points_the_map_at_its_area(store, reference, boundaries):
    from shapely.geometry import Point, shape

    view = _view(store, reference, boundaries, level="gemeente")
    units = view.ranking_units
    assert list(units["naam"]) == list(view.ranking["naam"])  # row i is unit i
    for position in (0, len(units) - 1):
        focus = view.ranking_focus(position)
        name = view.ranking["naam"].iloc[position]
        assert focus.label == f"Gekozen: {name}" and focus.kind == "gekozen"
        area = shape(focus.outline)
        assert area.contains(Point(focus.lon, focus.lat))
        (south, west), (north, east) = focus.bounds
        assert (west, south, east, north) == pytest.approx(area.bounds)
        # The outline is this row's municipality: its own CBS point lies inside it.
        code = units["code"].iloc[position]
        gemeente = reference.gemeenten.set_index("gemeentecode").loc[code]
        inside = reference.pc4[reference.pc4["gemeentecode"] == code].iloc[0]
        assert gemeente["gemeentenaam"] == name
        assert area.buffer(0.01).contains(Point(inside["lon_pos"], inside["lat_pos"]))
    assert view.ranking_focus(None) is None
    assert view.ranking_focus(len(units)) is None  # the rows changed since the choice


def test_the_ranking_key_changes_with_its_rows(store, reference, boundaries):
    subregions = _view(store, reference, boundaries)
    again = _view(store, reference, boundaries, kinds=["aannemer"])  # the map, not the ranking
    municipalities = _view(store, reference, boundaries, level="gemeente")
    assert subregions.ranking_key == again.ranking_key
    assert subregions.ranking_key != municipalities.ranking_key


def test_a_filter_reuses_the_indicators_and_a_register_change_does_not(tmp_path, reference):
    """The indicator cache: keyed by content, so a filter hits it and an edit misses it."""
    from geo.output import maps
    from geo.register.examples import load_example_data
    from geo.register.store import Store
    from geo.views.kaart import IndicatorCache, MapChoices, map_view

    calls = []

    class CountingCache(IndicatorCache):
        def table(self, key, compute):
            def counted():
                calls.append(key)
                return compute()
            return super().table(key, counted)

    cache = CountingCache(max_entries=4)
    boundaries = maps.boundary_layers(reference)
    with Store(tmp_path / "r.sqlite", reference) as store:
        load_example_data(store)

        def view(**changes):
            choices = dict(level="subregio", indicator="score", radius_km=10, kinds=None,
                           donors="alle", active_only=True, regions=None, show_schools=True,
                           vmbo_only=False, school_year="2025-2026", reach_kinds=None)
            return map_view(store, reference=reference, division=reference.default_division,
                            choices=MapChoices(**{**choices, **changes}),
                            show_personal=False, boundaries=boundaries, cache=cache)

        first = view()
        again = view(vmbo_only=True, donors="ja")
        assert len(calls) == 1
        pd.testing.assert_frame_equal(first.ranking, again.ranking)
        uncached = map_view(store, reference=reference, division=reference.default_division,
                            choices=MapChoices(level="subregio", indicator="score",
                                               radius_km=10, school_year="2025-2026"),
                            show_personal=False, boundaries=boundaries)
        pd.testing.assert_frame_equal(first.ranking, uncached.ranking)
        # Staff see the same figures from the same entry.
        staff = map_view(store, reference=reference, division=reference.default_division,
                         choices=MapChoices(level="subregio", indicator="score",
                                            radius_km=10, school_year="2025-2026"),
                         show_personal=True, boundaries=boundaries, cache=cache)
        assert len(calls) == 1
        pd.testing.assert_frame_equal(first.ranking, staff.ranking)
        view(radius_km=5)
        assert len(calls) == 2
        partner = store.organisations().iloc[0]
        store.delete_organisation(int(partner["id"]), user="test")
        view()
        assert len(calls) == 3  # the register changed: computed again


def test_the_page_draws_the_ranking_and_the_map_apart_as_one_view(store, reference, boundaries):
    """pages/kaart.py draws ranking_view in the full run and kaart_map in its fragment."""
    from geo.views.kaart import kaart_map, ranking_view
    from tests.map_payloads import layer

    choices = MapChoices(indicator="score", donors="ja", vmbo_only=True, kinds=["aannemer"])
    whole = _view(store, reference, boundaries, indicator="score", donors="ja",
                  vmbo_only=True, kinds=["aannemer"])
    division = reference.default_division
    ranking = ranking_view(store, reference=reference, division=division, choices=choices,
                           boundaries=boundaries)
    drawn = kaart_map(store, reference=reference, division=division, choices=choices,
                      indicator_table=ranking.indicators, show_personal=False,
                      boundaries=boundaries)
    pd.testing.assert_frame_equal(ranking.ranking, whole.ranking)
    assert drawn.map_caption == whole.map_caption
    assert (layer(drawn.fmap.get_root().render(), "areas", "ik-kleurkaart")
            == layer(whole.fmap.get_root().render(), "areas", "ik-kleurkaart"))
    # The map's filters never reach the ranking.
    plain = ranking_view(store, reference=reference, division=division, choices=MapChoices(),
                         boundaries=boundaries)
    pd.testing.assert_frame_equal(plain.ranking, ranking.ranking)
