"""Dutch postcode, street and place-name parsing (with property tests)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.addresses import address_line, is_po_box, parse_postcode, place_key, split_street


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1703ab", "1703 AB"),
        (" 1703 AB ", "1703 AB"),
        ("1703-ab", "1703 AB"),
        ("1703", "1703"),
        (1703, "1703"),
        (1703.0, "1703"),
        ("1118CP", "1118 CP"),
    ],
)
def test_valid_postcodes(raw, expected):
    assert str(parse_postcode(raw)) == expected


@pytest.mark.parametrize(
    "raw", ["", None, "0123 AB", "123 AB", "12345", "1703 A", "1703 ABC", "1703 SS", "1703 SA",
            "AB 1703", "17O3 AB", float("nan"), 1703.5, "B-1000"],
)
def test_invalid_postcodes(raw):
    assert parse_postcode(raw) is None


def test_pc6_has_no_space():
    assert parse_postcode("1703 ab").pc6 == "1703AB"
    assert parse_postcode("1703").pc6 is None


digits = st.integers(min_value=1000, max_value=9999)
letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRTUVWXYZ", min_size=2, max_size=2)
spaces = st.text(alphabet=" \t", max_size=3)


@given(digits, letters, spaces, spaces, spaces, st.booleans())
def test_postcode_spacing_and_case_never_matter(number, pair, lead, mid, tail, lower):
    text = f"{lead}{number}{mid}{pair.lower() if lower else pair}{tail}"
    parsed = parse_postcode(text)
    assert parsed is not None
    assert parsed.pc6 == f"{number}{pair}"


@given(st.text(max_size=12))
def test_parser_never_crashes_and_round_trips(text):
    parsed = parse_postcode(text)
    if parsed is not None:
        assert parse_postcode(str(parsed)) == parsed


@pytest.mark.parametrize(
    ("line", "street", "number", "addition"),
    [
        ("Dorpsstraat 12a", "Dorpsstraat", 12, "A"),
        ("Dorpsstraat 12 A", "Dorpsstraat", 12, "A"),
        ("Kade 3-bis", "Kade", 3, "BIS"),
        ("Bouwkade 12/2", "Bouwkade", 12, "2"),
        ("Laan 1940-1945 12", "Laan 1940-1945", 12, ""),
        ("Markt, nr. 5", "Markt", 5, ""),
        ("Plein 1945 7", "Plein 1945", 7, ""),
        ("Binnenweg", "Binnenweg", None, ""),
    ],
)
def test_split_street(line, street, number, addition):
    parsed = split_street(line)
    assert (parsed.name, parsed.number, parsed.addition) == (street, number, addition)


def test_po_box():
    assert is_po_box("Postbus 123")
    assert is_po_box("  postbus 9")
    assert is_po_box("Antwoordnummer 10")
    assert not is_po_box("Postbusweg 3")
    assert not is_po_box("Dorpsstraat 1")


def test_place_key_joins_cbs_and_duo_spellings():
    assert place_key("Bergen (NH.)") == place_key("BERGEN NH") == "bergen"
    assert place_key("Laren (NH.)") == place_key("laren")
    assert place_key("Den Hoorn") != place_key("Hoorn")
    assert place_key("Egmond-Binnen") == place_key("egmond binnen")


def test_address_line_joins_what_is_known_the_dutch_way():
    assert address_line({"straat": " Akkerbouwstraat  1", "postcode": "1787ar",
                         "plaats": "Julianadorp"}) == "Akkerbouwstraat 1, 1787 AR Julianadorp"
    assert address_line({"straat": float("nan"), "postcode": None,
                         "plaats": "Den Helder"}) == "Den Helder"
    assert address_line({"straat": "Havenweg 3"}) == "Havenweg 3"
    assert address_line({}) == ""
