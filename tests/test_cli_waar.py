"""`infrakaart waar`: the answer for the foundation's cases, text and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from geo.cli import main


def test_example_from_the_issue(capsys, settings):
    assert main(["waar", "1911ab"], settings=settings) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "Uitgeest (GM0450) · Regio Alkmaar · Noord-Holland Noord (AM15) · "
        "nauwkeurigheid postcode4"
    )


@pytest.mark.parametrize(("text", "code", "region_code"), [
    (["Heerhugowaard"], "GM1980", "AM15"),
    (["Weesp"], "GM0363", "AM18"),
    (["Zuidoostbeemster"], "GM0439", "AM17"),
    (["Eemnes"], "GM0317", "AM12"),
    (["De", "Ronde", "Venen"], "GM0736", "AM18"),
    (["Castricum"], "GM0383", "AM15"),
])
def test_json_answer(capsys, settings, text, code, region_code):
    assert main(["waar", *text, "--json"], settings=settings) == 0
    answer = json.loads(capsys.readouterr().out)
    assert set(answer) == {"invoer", "gemeentecode", "gemeentenaam", "subregio",
                           "arbeidsmarktregio_code", "arbeidsmarktregio", "nauwkeurigheid",
                           "lat", "lon"}
    assert answer["invoer"] == " ".join(text)
    assert answer["gemeentecode"] == code
    assert answer["arbeidsmarktregio_code"] == region_code
    assert answer["nauwkeurigheid"] == "plaats"


def test_outside_work_area(capsys, settings):
    assert main(["waar", "Almere", "--json"], settings=settings) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["subregio"] == "buiten werkgebied"
    assert answer["arbeidsmarktregio_code"] is None


@pytest.mark.parametrize("text", ["0123", "Atlantis"])
def test_unplaceable_exits_1_with_dutch_message(capsys, settings, text):
    assert main(["waar", text], settings=settings) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("Fout: ")


def test_console_script_is_installed(tmp_path):
    env = {**os.environ, "INFRAKAART_VAR_DIR": str(tmp_path)}  # its place index goes there
    for _ in range(2):  # builds the index, then reads it
        result = subprocess.run([sys.executable, "-m", "geo.cli", "waar", "1703", "--json"],
                                capture_output=True, text=True, check=True, env=env)
        assert json.loads(result.stdout)["gemeentenaam"] == "Dijk en Waard"
    assert (tmp_path / "cache" / "plaatsindex.json").is_file()
