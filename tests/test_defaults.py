"""One Defaults: every function, option, help text and explanation starts from DEFAULTS.

A default changed in one place only (a weight in :class:`ScoreWeights`, the CLI's
``--omweg``, a mode in one function) or a text that still says the old value fails here;
so does a radius that stops being inclusive.
"""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from geo.analysis import (
    access,
    coverage,
    indicators,
    plans,
    proximity,
    scenario,
    score,
    year_overview,
)
from geo.analysis.names import CHOROPLETH_INDICATORS, MODES
from geo.analysis.score import ScoreWeights, score_caption_nl, score_explanation_nl
from geo.analysis.travel import StraightLineModel
from geo.cli import build_parser
from geo.reference.levels import LEVELS
from geo.settings import DEFAULTS, Defaults
from geo.text import decimal_comma


def _options(command: str) -> dict[str, object]:
    """``--option`` → its argparse action, for one subcommand."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "opdracht")
    return {s: action for action in sub.choices[command]._actions
            for s in action.option_strings}


def _default(function, name: str):
    return inspect.signature(function).parameters[name].default


def test_defaults_are_frozen_and_documented():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULTS.radius_km = 5.0  # type: ignore[misc]
    doc = Defaults.__doc__ or ""
    for field in dataclasses.fields(Defaults):
        assert f"{field.name} :" in doc, f"{field.name} is not documented"
    assert DEFAULTS.area_mode in MODES and DEFAULTS.nearby_mode in MODES
    assert DEFAULTS.level in LEVELS
    assert DEFAULTS.choropleth in CHOROPLETH_INDICATORS


def test_the_documented_values():
    """The values the Over page, the README and the help promise (change them on purpose)."""
    assert (DEFAULTS.radius_km, DEFAULTS.detour, DEFAULTS.vmbo_weight) == (10.0, 1.3, 2.0)
    assert (DEFAULTS.weight_scarcity, DEFAULTS.weight_travel, DEFAULTS.weight_schools) == (
        0.3, 0.4, 0.3)
    assert DEFAULTS.weight_step == 0.1 and DEFAULTS.travel_thresholds_min == (45.0, 60.0)
    assert DEFAULTS.access_catchment_km == 20.0
    assert (DEFAULTS.area_mode, DEFAULTS.nearby_mode) == ("ov_auto", "fiets")
    assert DEFAULTS.nearest_count == 5 and DEFAULTS.level == "subregio"
    assert DEFAULTS.max_guest_lessons_vo == 180  # the strategy's maximum per school year


def test_library_defaults_read_defaults():
    weights = ScoreWeights()
    assert (weights.scarcity, weights.travel, weights.schools) == (
        DEFAULTS.weight_scarcity, DEFAULTS.weight_travel, DEFAULTS.weight_schools)
    assert _default(score.white_spot_score, "step") == DEFAULTS.weight_step
    assert _default(indicators.indicators, "catchment_km") == DEFAULTS.access_catchment_km
    assert _default(access.two_step_fca, "catchment_km") == DEFAULTS.access_catchment_km
    assert _default(access.access_and_trips_by_unit, "thresholds_min") == (
        DEFAULTS.travel_thresholds_min)
    assert StraightLineModel().detour == DEFAULTS.detour
    for function in (indicators.indicators, scenario.scenario):
        assert _default(function, "radius_km") == DEFAULTS.radius_km
        assert _default(function, "mode") == DEFAULTS.area_mode
    assert _default(indicators.pc4_travel, "mode") == DEFAULTS.area_mode
    for function in (proximity.nearest_partners, proximity.schools_near_partner):
        assert _default(function, "travel_mode") == DEFAULTS.nearby_mode
    assert _default(proximity.travel_minutes, "mode") == DEFAULTS.nearby_mode
    assert _default(coverage.coverage, "radius_km") == DEFAULTS.radius_km
    from geo.views.jaaroverzicht import year_overview_view

    for function in (year_overview.year_overview, year_overview_view):
        assert _default(function, "maximum") == DEFAULTS.max_guest_lessons_vo
    assert _default(coverage.coverage, "vmbo_weight") == DEFAULTS.vmbo_weight
    for function in (plans.optimal_plan, plans.evaluate, plans.coverage_curve):
        assert _default(function, "time_limit_s") == DEFAULTS.solver_time_limit_s
    assert _default(score.top_units_text, "n") == DEFAULTS.top_units


def test_cli_defaults_and_their_help_follow_defaults():
    white = _options("witte-vlekken")
    assert white["--omweg"].default == DEFAULTS.detour
    assert f"(standaard {decimal_comma(DEFAULTS.detour)})" in white["--omweg"].help
    assert white["--straal"].default == DEFAULTS.radius_km
    assert f"(standaard {decimal_comma(DEFAULTS.radius_km)})" in white["--straal"].help
    assert white["--reiswijze"].default == DEFAULTS.area_mode
    assert f"(standaard {DEFAULTS.area_mode})" in white["--reiswijze"].help
    assert white["--niveau"].default == DEFAULTS.level
    assert white["--top"].default == DEFAULTS.top_units
    amb = _options("ambassadeurs")
    assert amb["--straal"].default == DEFAULTS.radius_km
    assert amb["--vmbo-gewicht"].default == DEFAULTS.vmbo_weight
    assert f"(standaard {decimal_comma(DEFAULTS.vmbo_weight)})" in amb["--vmbo-gewicht"].help
    kaart = _options("kaart")
    assert kaart["--niveau"].default == DEFAULTS.level
    assert kaart["--kleurkaart"].default == DEFAULTS.choropleth
    assert f"(standaard {DEFAULTS.nearest_count};" in _options("dichtbij")["-n"].help


def test_cli_without_omweg_uses_the_default_detour(settings, capsys):
    from geo.cli import main

    db = settings.var_dir / "leeg.sqlite"
    assert main(["witte-vlekken", "--database", str(db)], settings=settings) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert f"omwegfactor {decimal_comma(DEFAULTS.detour)}," in first  # 1,3: Dutch
    assert f"straal {decimal_comma(DEFAULTS.radius_km)} km" in first
    assert f"reiswijze {DEFAULTS.area_mode})" in first


def test_score_texts_follow_the_weights():
    weights = ScoreWeights(scarcity=0.55, travel=0.25, schools=0.2)
    caption = score_caption_nl(weights)
    assert "weinig partners (0,55)" in caption and "(0,25)" in caption
    assert f"({decimal_comma(DEFAULTS.weight_travel)})" not in caption
    assert f"gewicht {decimal_comma(DEFAULTS.weight_step)} verschuift" in caption
    text = score_explanation_nl(weights)
    assert "weinig partners 0,55, lange reis 0,25" in text
    assert f"binnen {decimal_comma(DEFAULTS.access_catchment_km)} km hemelsbreed" in text
    assert "meer dan 45 of 60 minuten" in text
    assert f"{decimal_comma(DEFAULTS.weight_step)} omhoog of omlaag" in text
    default = score_caption_nl()
    for value in (DEFAULTS.weight_scarcity, DEFAULTS.weight_travel, DEFAULTS.weight_schools):
        assert f"({decimal_comma(value)})" in default
    assert score.SCORE_EXPLANATION_NL == score_explanation_nl(ScoreWeights())


def test_export_explains_the_weights_the_table_used(reference):
    weights = ScoreWeights(scarcity=0.7, travel=0.2, schools=0.1)
    table = indicators.indicators(
        "arbeidsmarktregio", reference=reference, partners=pd.DataFrame(),
        schools=indicators.reference_schools(reference), mbo=pd.DataFrame(
            {"naam": ["mbo"], "lat": [52.66], "lon": [4.83]}), weights=weights)
    notes = indicators.export_sheets(table)["Uitleg"].set_index("Kolom")["Betekenis"]
    assert "weinig partners 0,7" in notes["Witte-vlekscore"]


# --- an inclusive radius -----------------------------------------------------------------

SCHOOL = (52.60, 4.80)  # (lat, lon), Alkmaar
PARTNER = (52.65, 4.90)


def _exact_radius_km() -> float:
    """The straight-line distance school → partner in km, exact in floating point."""
    xy = proximity.to_rd([SCHOOL[1], PARTNER[1]], [SCHOOL[0], PARTNER[0]])
    metres = float(np.hypot(*(xy[1] - xy[0])))
    km = metres / 1000.0
    assert km * 1000.0 == metres  # the test would prove nothing otherwise
    return km


def test_partner_exactly_at_the_radius_is_within_it_for_proximity():
    radius = _exact_radius_km()
    xy = proximity.to_rd([SCHOOL[1], PARTNER[1]], [SCHOOL[0], PARTNER[0]])
    _, idx = proximity.nearest(xy[:1], xy[1:], k=1, max_distance_m=radius * 1000.0)
    assert idx[0, 0] == 0
    assert proximity.within_radius(xy[:1], xy[1:], radius * 1000.0)[0, 0]
    school = pd.DataFrame([{"id": 1, "naam": "School", "lat": SCHOOL[0], "lon": SCHOOL[1],
                            "heeft_vmbo": True}])
    partner = pd.DataFrame([{"id": 7, "naam": "Partner", "soort": "aannemer", "donateur": False,
                             "actief": True, "lat": PARTNER[0], "lon": PARTNER[1]}])
    found = proximity.nearest_partners(school, partner, k=None, radius_km=radius)
    assert list(found["partner_id"]) == [7]
    assert len(proximity.schools_near_partner(partner.iloc[0], school, radius_km=radius)) == 1
    assert proximity.nearest_partners(school, partner, k=None, radius_km=radius * 0.999).empty


def test_partner_exactly_at_the_radius_counts_for_indicators_and_ambassadors(reference):
    radius = _exact_radius_km()
    schools = pd.DataFrame([{"vestigingscode": "T1", "naam": "School", "gemeentecode": "GM0361",
                             "heeft_vmbo": True, "lat": SCHOOL[0], "lon": SCHOOL[1]}])
    partners = pd.DataFrame([{"id": 7, "naam": "Partner", "soort": "aannemer", "actief": True,
                              "donateur": False, "gemeentecode": "GM0361",
                              "lat": PARTNER[0], "lon": PARTNER[1]}])
    mbo = pd.DataFrame([{"naam": "mbo", "lat": 52.66, "lon": 4.83}])
    options = dict(reference=reference, partners=partners, schools=schools, mbo=mbo)
    at = indicators.indicators("gemeente", radius_km=radius, **options).set_index("code")
    assert at.loc["GM0361", "scholen_met_partner"] == 1
    inside = indicators.indicators("gemeente", radius_km=radius * 0.999, **options)
    assert inside.set_index("code").loc["GM0361", "scholen_met_partner"] == 0
    cov = coverage.coverage(partners, schools, radius_km=radius,
                            division=reference.default_division)
    assert cov.matrix[0, 0]


def test_cli_parser_does_not_load_the_heavy_libraries():
    """``infrakaart waar`` and ``--help`` start without folium, pandas or matplotlib."""
    code = ("import sys, geo.cli; geo.cli.build_parser(); "
            "print(sorted(m for m in ('folium', 'branca', 'pandas', 'geopandas', "
            "'matplotlib', 'pulp') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_every_travel_threshold_has_a_column_and_a_description():
    from geo.analysis.names import COLUMN_DESCRIPTIONS_NL, EXTRA_COLUMNS, share_column

    texts = " ".join(COLUMN_DESCRIPTIONS_NL.values())
    for threshold in DEFAULTS.travel_thresholds_min:
        assert share_column(threshold) in EXTRA_COLUMNS
        assert share_column(threshold) in COLUMN_DESCRIPTIONS_NL
        assert f"{decimal_comma(threshold)} minuten" in texts
    assert decimal_comma(DEFAULTS.weight_step) in COLUMN_DESCRIPTIONS_NL["rang_min"]


@pytest.mark.parametrize(("value", "decimals", "trim", "expected"), [
    (1234567.891, 2, False, "1.234.567,89"),
    (0.5, 1, False, "0,5"),
    (-0.04, 1, False, "0,0"),      # never "-0,0"
    (-1234.5, 0, False, "-1.234"),  # round half to even, as Python does
    (2.50, 2, True, "2,5"),
    (10.0, 1, True, "10"),
])
def test_numbers_for_people_use_the_dutch_separators(value, decimals, trim, expected):
    from geo.text import nl_number

    assert nl_number(value, decimals, trim=trim) == expected


def test_formats_counts_and_differences_for_people():
    from geo.text import count_noun, nl_format, signed_decimal

    assert nl_format("{:.1f}", 12345.67) == "12.345,7"
    assert nl_format("{:.0%}", 0.256) == "26%"
    assert nl_format("{:.1%}", 0.2563) == "25,6%"
    assert [count_noun(n, "rij", "rijen") for n in (0, 1, 2, 1000)] == [
        "0 rijen", "1 rij", "2 rijen", "1.000 rijen"]
    assert [signed_decimal(v) for v in (-0.04, 0.04, 2.06, -2.1)] == ["0", "0", "+2,1", "-2,1"]


def test_no_code_says_singular_or_plural_with_brackets():
    """People read "1 rij" or "3 rijen", never "rij(en)" or "partner(s)"."""
    import re
    from pathlib import Path

    pattern = re.compile(r'["\'][^"\']*(?:^|[\s"\'(])[\w-]*[a-zë]\((?:s|en|n|len|e|ën)\)'
                         r'[\s.,;:)!?][^"\']*["\']')
    replacement_field = re.compile(r"\{[^{}]*\}")  # f-string code, e.g. nl_number(n)
    root = Path(__file__).resolve().parent.parent
    offenders = []
    for path in [*(root / "geo").rglob("*.py"), *(root / "pages").glob("*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("#") or "log." in line or "logger." in line:
                continue
            if pattern.search(replacement_field.sub("", line)):
                offenders.append(f"{path.relative_to(root)}:{number}: {stripped}")
    assert offenders == []
