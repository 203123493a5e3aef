"""The Keten page (pages/keten.py) through Streamlit's AppTest."""

from __future__ import annotations

import pytest

from geo.analysis.chain import CAVEATS_NL
from geo.analysis.suppression import SUPPRESSED
from geo.register.store import Store
from geo.text import md
from geo.views.keten import COLUMNS
from tests.app_pages import TEACHER, run_page, shown_text
from tests.map_payloads import layer


@pytest.fixture
def register(example_register, reference):
    """The pages' register, with Texel at 3 new students and every other municipality at 40."""
    with Store(example_register / "infrakaart.sqlite", reference) as store:
        store.inflow.delete_examples()
        store.inflow.apply_import(
            [{"schooljaar": "2024-2025", "bron": "ROC Test", "pc4": None, "gemeentecode": code,
              "aantal": 3 if code == "GM0448" else 40, "rij": i + 2}
             for i, code in enumerate(reference.gemeentecodes)],
            filename="instroom.csv", user="test", role="team")
    return example_register


def test_the_public_is_refused(register):
    at = run_page("keten.py", None)
    assert any("alleen voor het bestuur" in e.value for e in at.error)
    assert len(at.selectbox) == 0 and len(at.dataframe) == 0


@pytest.mark.parametrize("role", ["team", "bestuur"])
def test_staff_see_the_chain_its_map_and_caveats(register, role, shown_maps):
    at = run_page("keten.py", role)
    year = at.selectbox(key="keten_schooljaar")
    assert year.value == "2024-2025" and "2025-2026" in year.options
    table = at.dataframe[0].value
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == 10 + 1  # the subregions and the five regions together
    assert [i.value for i in at.info] == [md(text) for text in CAVEATS_NL]
    areas = layer(shown_maps["keten_kaart"], "areas", "ik-keten")
    assert len(areas["geojson"]["features"]) == 10

    at.selectbox(key="keten_niveau").set_value("gemeente").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("Code")
    assert table.loc["GM0448", "Instroom mbo infra"] == SUPPRESSED
    assert table.loc["GM0448", "Per 1.000 jongeren"] == ""
    assert table["Instroom mbo infra"].iloc[-1] == "1.800 tot 1.804"  # 45 × 40 and Texel
    features = layer(shown_maps["keten_kaart"], "areas", "ik-keten")["geojson"]["features"]
    texel = next(f["properties"] for f in features if f["properties"]["naam"] == "Texel")
    assert texel["instroom_tekst"] == SUPPRESSED and texel["per_1000_tekst"] == ""
    text = shown_text(at)
    assert TEACHER not in text and "Notitie" not in text
    assert at.download_button  # Excel and CSV

    year.set_value("2025-2026").run()
    assert not at.exception
    assert set(at.dataframe[0].value["Instroom mbo infra"]) == {""}
    assert any("zijn geen instroomcijfers" in c.value for c in at.caption)
