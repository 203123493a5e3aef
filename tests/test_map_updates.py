"""A map split for updates (geo.output.map_updates): filters swap layers, the map stays."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit_folium

from geo.output import maps, partner_maps
from geo.output.map_layers import JINJA_MARKERS, check_map
from geo.output.map_updates import split_for_updates
from tests.map_payloads import payloads


@pytest.fixture(scope="module")
def layers(reference):
    return maps.boundary_layers(reference)


def _partners(name: str = "Bouw & Zn"):
    return pd.DataFrame({
        "naam": [name, "Polder"], "soort": ["aannemer", "ingenieursbureau"],
        "donateur": [True, False], "plaats": ["Hoorn", "Edam"],
        "gemeentenaam": ["Hoorn", "Edam-Volendam"], "website": ["", ""],
        "ambassadeur_voor": [None, None], "lat": [52.64, 52.51], "lon": [5.06, 5.05],
        "nauwkeurigheid": ["adres", "postcode4"],
    })


MBO = pd.DataFrame({"naam": ["Campus"], "instelling": ["X"], "plaats": ["Heerhugowaard"],
                    "lat": [52.66], "lon": [4.83], "nauwkeurigheid": ["plaats"]})


def _schools(reference):
    return reference.scholen.rename(columns={"vestigingsnaam": "naam", "plaatsnaam": "plaats"})


def _split(reference, layers, *, vmbo_only: bool, name: str = "Bouw & Zn"):
    fmap = partner_maps.build_partner_map(
        layers=layers, partners=_partners(name), schools=_schools(reference),
        mbo=MBO, vmbo_only=vmbo_only)
    return split_for_updates(check_map(fmap))


def _sent(split) -> tuple[str, str, str]:
    """What streamlit-folium sends: the map's component key, the groups, the switcher."""
    fmap = split.fixed
    fmap.get_root().render()
    script = streamlit_folium._get_map_string(fmap)
    key = streamlit_folium.generate_js_hash(script, "kaart", False)
    groups = "".join(streamlit_folium._get_feature_group_string(group, map=fmap, idx=i)
                     for i, group in enumerate(split.groups))
    control = streamlit_folium._get_layer_control_string(split.layer_control, fmap)
    return key, groups, control


def test_a_filter_changes_the_updates_not_the_map(reference, layers):
    all_schools = _sent(_split(reference, layers, vmbo_only=False))
    vmbo_only = _sent(_split(reference, layers, vmbo_only=True))
    assert all_schools[0] == vmbo_only[0]  # the same component: the browser keeps the map
    assert all_schools[1] != vmbo_only[1]
    n_vmbo = int(reference.scholen["heeft_vmbo"].astype(bool).sum())
    [schools] = [p for kind, p in payloads(vmbo_only[1])
                 if kind == "points" and p["className"] == "ik-school"]
    assert len(schools["lat"]) == n_vmbo


def test_the_fixed_map_keeps_borders_and_land_the_groups_take_the_rest(reference, layers):
    split = _split(reference, layers, vmbo_only=False)
    fixed = [kind for kind, _ in payloads(split.fixed.get_root().render())]
    assert fixed.count("areas") == 3 and "offlineBase" in fixed
    assert not {"points", "badges", "legend", "legendLayer"} & set(fixed)
    assert [g.layer_name for g in split.groups] == [
        "Middelbare scholen", "Mbo-infra-opleidingen", "Partners", "Legenda"]
    assert [g.control for g in split.groups] == [True, True, True, False]
    _, groups, control = _sent(split)
    assert [kind for kind, _ in payloads(groups)] == ["points", "badges", "points",
                                                     "legendLayer"]
    for name in ("Middelbare scholen", "Partners", "Gemeenten", "OpenStreetMap"):
        assert f'"{name}"' in control  # the switcher lists the groups and the fixed layers
    assert '"Legenda"' not in control


def test_updates_carry_text_as_data_only(reference, layers):
    hostile = "{{ 'uit' ~ 'gevoerd' }}<b>{% raw %}"
    _, groups, _ = _sent(_split(reference, layers, vmbo_only=False, name=hostile))
    assert "uitgevoerd" not in groups and not any(m in groups for m in JINJA_MARKERS)
    [partners] = [p for kind, p in payloads(groups)
                  if kind == "points" and p["className"] == "ik-partner"]
    assert hostile in partners["cols"]["naam"]
