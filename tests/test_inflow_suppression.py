"""Inflow per unit: small counts suppressed, no total gives one away, rates by hand.

The central property: whatever is published — the municipality table, the tables of any
number of divisions, the labour-market regions and the totals — every hidden count
could still be 0, 1, 2, 3 or 4. A hidden count is "recovered" when subtracting shown
figures from shown totals pins it (or narrows it); the checks below would catch that,
as the naive secondary suppression at the end shows.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.analysis.inflow import inflow_by_unit, municipality_inflow, youth_by_municipality
from geo.analysis.suppression import (
    SUPPRESSED,
    combine,
    count_text,
    parse_count_text,
    publish,
    rate_text,
)
from geo.reference.data import Division
from geo.reference.levels import LEVELS


def _rows(counts: dict[str, int]) -> pd.DataFrame:
    """Register rows counted by municipality."""
    return pd.DataFrame({"pc4": [None] * len(counts), "gemeentecode": list(counts),
                         "aantal": list(counts.values())})


def _division(reference, groups: list[int]) -> Division:
    codes = reference.gemeentecodes
    return Division("test", pd.DataFrame({"gemeentecode": codes,
                                          "subregio": [f"Deel {g}" for g in groups]}))


def _published(reference, counts: dict[str, int], divisions: list[Division]) -> tuple[
        list[tuple[frozenset[str], int, int]], set[str]]:
    """Every figure a reader can see, as (municipalities, lowest, highest), and the hidden.

    Read back from the texts people see (:func:`parse_count_text`), not from the numbers
    behind them.
    """
    rows = _rows(counts)
    seen: list[tuple[frozenset[str], int, int]] = []
    hidden: set[str] = set()
    tables = [("gemeente", None), ("arbeidsmarktregio", None),
              *(("subregio", d) for d in divisions)]
    for level, division in tables:
        table = inflow_by_unit(level, rows, reference=reference, division=division)
        members = _members(reference, level, division)
        for code, text in zip(table["code"], table["instroom"], strict=True):
            low, high = parse_count_text(text)
            if low == high:
                assert low >= 5, (level, code, text)  # no exact count below five is shown
            seen.append((members[code], low, high))
            if level == "gemeente" and text == SUPPRESSED:
                hidden.add(code)
        totaal = table.attrs["totaal"]["instroom"]
        seen.append((frozenset(reference.gemeentecodes), *parse_count_text(totaal)))
    return seen, hidden


def _members(reference, level: str, division: Division | None) -> dict[str, frozenset[str]]:
    from geo.analysis.indicators import units_of

    _, code_of = units_of(level, reference, division)
    found: dict[str, set[str]] = {}
    for gemeente, unit in code_of.items():
        found.setdefault(unit, set()).add(gemeente)
    return {unit: frozenset(codes) for unit, codes in found.items()}


def _consistent(world: dict[str, int], seen) -> bool:
    """Whether a world of municipality counts agrees with every published figure."""
    return all(low <= sum(world[c] for c in members) <= high for members, low, high in seen)


def _recoverable(counts: dict[str, int], seen, hidden: set[str]) -> list[str]:
    """Hidden municipalities whose count the published figures pin or narrow.

    For every value 0..4 the world with *every* hidden count set to that value must
    agree with all that is shown: then each hidden count can be each value.
    """
    assert _consistent(counts, seen), "the published figures contradict the real counts"
    bad = []
    for value in range(5):
        world = {c: (value if c in hidden else n) for c, n in counts.items()}
        if not _consistent(world, seen):
            bad.append(f"alle afgeschermde = {value}")
    return bad


# --------------------------------------------------------------------------- the rule


def test_counts_below_five_show_as_suppressed_and_totals_as_ranges():
    assert [count_text(n, n) for n in (0, 1, 4, 5, 1250)] == ["<5", "<5", "<5", "5", "1.250"]
    assert count_text(0, 4) == "<5"
    assert count_text(53, 61) == "53 tot 61"
    assert count_text(0, 8) == "hoogstens 8"
    for text in ("<5", "5", "53 tot 61", "hoogstens 8", "1.250"):
        assert count_text(*parse_count_text(text)) == text


def test_rates_are_shown_only_for_counts_of_five_or_more():
    assert rate_text(0, 4, 1000) == ""
    assert rate_text(0, 12, 1000) == ""  # nothing of the total is shown
    assert rate_text(12, 12, 1000) == "12,0"
    assert rate_text(20, 28, 4000) == "5,0 tot 7,0"
    assert rate_text(12, 12, 0) == ""


def test_totals_are_built_from_published_bounds_only():
    counts = pd.Series({"A": 3, "B": 10, "C": 0, "D": 7})
    published = publish(counts)
    assert list(published["laag"]) == [0, 10, 0, 7]
    assert list(published["hoog"]) == [4, 10, 4, 7]
    totals = combine(published, {"A": "x", "B": "x", "C": "y", "D": "y"})
    assert totals.loc["x"].tolist() == [10, 14, 1]  # 10 shown + a hidden one: 10 tot 14
    assert totals.loc["y"].tolist() == [7, 11, 1]
    # The hidden 3 and 0 are nowhere in the totals: they only know "0 to 4".
    assert combine(publish(pd.Series({"A": 0, "B": 10})), {"A": "x", "B": "x"}).equals(
        combine(publish(pd.Series({"A": 4, "B": 10})), {"A": "x", "B": "x"}))


# --------------------------------------------------------------------------- no recovery


_COUNTS = st.lists(st.one_of(st.integers(0, 4), st.integers(0, 60)), min_size=46, max_size=46)
_GROUPS = st.lists(st.integers(0, 9), min_size=46, max_size=46)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=_COUNTS, first=_GROUPS, second=_GROUPS)
def test_no_hidden_count_is_recoverable_from_any_tables(reference, values, first, second):
    """Municipalities, regions, totals and two divisions of anyone's choosing together."""
    counts = dict(zip(reference.gemeentecodes, values, strict=True))
    divisions = [_division(reference, first), _division(reference, second),
                 reference.default_division]
    seen, hidden = _published(reference, counts, divisions)
    assert hidden == {c for c, n in counts.items() if n < 5}
    assert _recoverable(counts, seen, hidden) == []


def test_the_check_catches_a_leak_of_naive_secondary_suppression(reference):
    """Secondary suppression per division leaks once a second division is published.

    Division 1 puts A (3) with B (10) and hides B as well; division 2 puts A with C (20)
    and hides C instead, showing B. B from division 2 and the exact total of A and B from
    division 1 give A = 3. The check above finds it.
    """
    a, b, c = reference.gemeentecodes[:3]
    counts = {code: 50 for code in reference.gemeentecodes} | {a: 3, b: 10, c: 20}
    everyone = frozenset(reference.gemeentecodes)
    seen = [  # what the naive scheme would publish (exact totals, shown members)
        (frozenset({a, b}), 13, 13), (frozenset({c}), 20, 20),  # division 1, A and B hidden
        (frozenset({a, c}), 23, 23), (frozenset({b}), 10, 10),  # division 2, A and C hidden
        (everyone, sum(counts.values()), sum(counts.values())),
        *((frozenset({g}), 50, 50) for g in reference.gemeentecodes[3:]),
    ]
    assert _recoverable(counts, seen, {a}) != []


def test_the_bundled_division_and_example_like_counts_leak_nothing(reference):
    counts = {code: (i * 7) % 13 for i, code in enumerate(reference.gemeentecodes)}
    seen, hidden = _published(reference, counts, [reference.default_division])
    assert hidden and _recoverable(counts, seen, hidden) == []


# --------------------------------------------------------------------------- rates


def test_the_rate_per_1000_of_alkmaar_by_hand(reference):
    """Alkmaar: 12 + 7 (two postcodes) + 6 (a municipality row) = 25 new students."""
    path = reference.data_dir / "pc4_nl.csv"
    with path.open(encoding="utf-8") as handle:
        young = sum(float(r["inw_10_19"] or 0) for r in csv.DictReader(handle)
                    if r["gemeentecode"] == "GM0361")
    assert young == 11755  # inhabitants aged 10-19 in Alkmaar's PC4 areas (CBS 2021)
    rows = pd.DataFrame({"pc4": ["1811", "1812", None], "aantal": [12, 7, 6],
                         "gemeentecode": ["GM0400", "GM0361", "GM0361"]})  # 1811: stale code
    table = inflow_by_unit("gemeente", rows, reference=reference).set_index("code")
    alkmaar = table.loc["GM0361"]
    assert alkmaar["jongeren"] == 11755
    assert alkmaar["instroom"] == "25"
    assert alkmaar["per_1000"] == pytest.approx(25 / 11755 * 1000)  # 2.127 per 1,000
    assert alkmaar["per_1000_tekst"] == "2,1"
    # The PC4 counts where the reference puts it, not where the row said.
    assert table.loc["GM0400", "instroom"] == SUPPRESSED


def test_rows_outside_the_five_regions_count_nowhere(reference):
    rows = pd.DataFrame({"pc4": ["3511", None], "gemeentecode": ["GM0344", "GM0344"],
                         "aantal": [40, 40]})
    counts = municipality_inflow(rows, reference)
    assert counts.sum() == 0 and "GM0344" not in counts.index
    assert len(counts) == 46


def test_young_people_add_up_over_every_level(reference):
    youth = youth_by_municipality(reference)
    rows = _rows({"GM0361": 25})
    for level in LEVELS:
        table = inflow_by_unit(level, rows, reference=reference)
        assert table["jongeren"].sum() == pytest.approx(youth.sum(), abs=len(table))
        assert table.attrs["totaal"]["jongeren"] == round(youth.sum())


def test_a_subregion_with_a_hidden_municipality_is_a_range_with_a_rate_range(reference):
    division = reference.default_division
    members = division.table.groupby("subregio")["gemeentecode"].apply(list)
    name = next(n for n, codes in members.items() if len(codes) >= 2)
    first, *rest = members[name]
    rows = _rows({first: 2, **dict.fromkeys(rest, 10)})
    row = inflow_by_unit("subregio", rows, reference=reference).set_index("code").loc[name]
    shown = 10 * len(rest)
    assert row["instroom"] == f"{shown} tot {shown + 4}"
    assert row["afgeschermd"] == 1
    assert pd.isna(row["per_1000"])
    low, high = row["per_1000_tekst"].split(" tot ")
    assert float(low.replace(",", ".")) < float(high.replace(",", "."))
