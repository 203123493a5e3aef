"""Offline location by postcode or place name, and the offline geocoder."""

from __future__ import annotations

import pytest

from geo.errors import AddressError
from geo.intake.geocoding import AddressQuery, OfflineGeocoder
from geo.reference.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


def test_pc4_point_is_the_bundled_point_on_surface(gazetteer, reference):
    loc = gazetteer.postcode("1911 AB")
    row = reference.pc4.set_index("pc4").loc["1911"]
    assert (loc.lat, loc.lon) == (row["lat_pos"], row["lon_pos"])
    assert loc.precision == "postcode4"
    assert "vier cijfers" in loc.note


def test_place_is_case_insensitive_and_exact(gazetteer):
    hoorn = gazetteer.locate("HOORN")
    den_hoorn = gazetteer.locate("den hoorn")
    assert hoorn.precision == den_hoorn.precision == "plaats"
    assert "Den Hoorn" not in hoorn.label
    assert den_hoorn.label.startswith("Den Hoorn")
    # Hoorn (NH) and Den Hoorn (Texel) are tens of kilometres apart.
    assert abs(hoorn.lat - den_hoorn.lat) > 0.2


def test_ambiguous_place_prefers_work_area_and_says_so(gazetteer):
    loc = gazetteer.locate("Den Hoorn")
    assert "Texel" in loc.label
    assert "Midden-Delfland" in loc.note
    other = gazetteer.locate("Den Hoorn (Midden-Delfland)")
    assert "Midden-Delfland" in other.label
    assert other.lat < 52.1


def test_municipality_name_is_a_place(gazetteer):
    loc = gazetteer.locate("Dijk en Waard")
    assert loc.precision == "plaats"


@pytest.mark.parametrize(("text", "message"), [
    ("", "Geef"), ("0123", "geen geldige"), ("9999 ZZ Nergens", "geen geldige"),
    ("Atlantis", "onbekend"), ("1000", "bestaat niet"),
])
def test_unplaceable_input_gives_dutch_message(gazetteer, text, message):
    with pytest.raises(AddressError, match=message):
        gazetteer.locate(text)


def test_offline_geocoder_prefers_postcode_then_place(gazetteer):
    geocoder = OfflineGeocoder(gazetteer)
    by_postcode = geocoder.geocode(AddressQuery(street="Dorpsstraat 1", postcode="1911AB",
                                                place="Amsterdam"))
    assert by_postcode.precision == "postcode4"
    assert by_postcode.location.label.endswith("Uitgeest")
    by_place = geocoder.geocode(AddressQuery(postcode="12345", place="Castricum"))
    assert by_place.precision == "plaats"
    assert "geen geldige" in by_place.message
    foreign = geocoder.geocode(AddressQuery(postcode="1000", place="Brussel", country="België"))
    assert foreign.location is None and "Buitenlands" in foreign.message
    nothing = geocoder.geocode(AddressQuery())
    assert nothing.precision == "geen"


@pytest.mark.parametrize("keys", [["plaats_certegis", "gemeentecode"], ["gemeentecode"]])
def test_representative_points_of_all_groups_at_once_match_the_definition(reference, keys):
    from bench.bench_gazetteer import representatives_by_loop
    from geo.reference.gazetteer import representatives

    pc4 = reference.pc4[reference.pc4["plaats_certegis"] != ""]
    fast = representatives(pc4, keys).set_index(keys)
    assert len(fast) == pc4.groupby(keys).ngroups > 300
    by_loop = representatives_by_loop(pc4, keys)
    for key, group in pc4.groupby(keys):
        row = fast.loc[key if len(keys) > 1 else key[0]]
        assert (row["lat"], row["lon"]) == pytest.approx(by_loop[key], abs=1e-12), key
        assert row["gemeentenaam"] == group["gemeentenaam"].iloc[0]
        assert row["inwoners"] == pytest.approx(group["inw_totaal_2021"].sum())


def test_a_group_without_inhabitants_uses_the_plain_mean():
    import pandas as pd

    from geo.reference.gazetteer import representatives

    pc4 = pd.DataFrame({"gemeentecode": ["GM1", "GM1", "GM1"], "gemeentenaam": ["A"] * 3,
                        "lat_pos": [52.0, 52.1, 52.2], "lon_pos": [5.0, 5.0, 5.0],
                        "inw_totaal_2021": [0.0, None, 0.0]})
    row = representatives(pc4, ["gemeentecode"]).iloc[0]
    assert (row["lat"], row["inwoners"]) == (52.1, 0.0)
