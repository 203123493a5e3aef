"""Reach on the command line: ``witte-vlekken`` and ``kaart`` follow a school year's reach."""

from __future__ import annotations

import pytest

from geo.cli import main
from geo.register.examples import load_example_data
from geo.register.store import Store
from tests.map_payloads import layer


@pytest.fixture(scope="module")
def register(tmp_path_factory, reference):
    path = tmp_path_factory.mktemp("bereik_cli") / "register.sqlite"
    with Store(path, reference) as store:
        load_example_data(store)
    return path


def test_white_spots_count_vmbo_schools_not_reached_in_a_year_with_activities(
        register, settings, capsys):
    assert main(["witte-vlekken", "--schooljaar", "2024/2025", "--database", str(register)],
                settings=settings) == 0
    printed = capsys.readouterr().out
    assert "vmbo-scholen niet bereikt in 2024-2025:" in printed
    assert "vmbo-scholen niet bereikt in 2024-2025 (0,3)" in printed
    assert "nog geen gegeven activiteiten" not in printed


def test_white_spots_keep_partners_nearby_in_a_year_without(register, settings, capsys):
    assert main(["witte-vlekken", "--schooljaar", "2030-2031", "--database", str(register)],
                settings=settings) == 0
    printed = capsys.readouterr().out
    assert "vmbo-scholen zonder partner:" in printed
    assert "Schooljaar 2030-2031 heeft nog geen gegeven activiteiten" in printed


def test_a_wrong_school_year_is_a_dutch_error(register, settings, capsys):
    assert main(["witte-vlekken", "--schooljaar", "volgend jaar", "--database",
                 str(register)], settings=settings) == 1
    assert "--schooljaar: 'volgend jaar' is geen schooljaar" in capsys.readouterr().err


def test_the_map_file_colours_schools_by_reach(register, settings, tmp_path, capsys):
    out = tmp_path / "bereik.html"
    assert main(["kaart", "--uitvoer", str(out), "--publiek", "--schooljaar", "2024-2025",
                 "--kleurkaart", "aandeel_vmbo_bereikt", "--niveau", "gemeente",
                 "--database", str(register)], settings=settings) == 0
    assert "scholen gekleurd naar bereik in 2024-2025" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "Kleurkaart: Bereik vmbo-scholen (aandeel bereikt in 2024-2025)" in html
    schools = layer(html, "points", "ik-school")
    reached = sum(style >= 2 for style in schools["style"])
    assert 0 < reached < len(schools["style"])
    assert any(text.startswith("Bereikt in 2024-2025: ")
               for text in schools["cols"]["bereik_tekst"])
    for name in ("Carla Fictief", "Fictief voorbeeld"):  # guest teachers and notes
        assert name not in html


def test_school_year_of_gives_the_default_it_is_given_without_the_option():
    from argparse import Namespace

    from geo.cli._common import school_year_of
    from geo.errors import InfrakaartError
    from geo.intake.inflow import parse_school_year

    missing = Namespace(schooljaar=None)
    assert school_year_of(missing, default=None) is None
    assert school_year_of(missing, default="2023-2024") == "2023-2024"
    assert school_year_of(missing, "store", default=lambda store: f"{store}!") == "store!"
    assert school_year_of(Namespace(schooljaar="2024/25"), default=None) == "2024-2025"
    with pytest.raises(InfrakaartError, match="^--schooljaar: '2024' is één jaartal"):
        school_year_of(Namespace(schooljaar="2024"), default=None, parse=parse_school_year)
    with pytest.raises(InfrakaartError, match="^--schooljaar: '2024' is geen schooljaar"):
        school_year_of(Namespace(schooljaar="2024"), default=None)
