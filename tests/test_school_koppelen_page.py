"""AppTest of the page "School koppelen": results, messages, and no personal data in public."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.output.call_lists import CALL_LIST_COLUMNS, SCHOOL_COLUMNS, heading
from geo.register.store import Store

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "school_koppelen.py")
#: The contact columns as people see them (Dutch headings).
PERSONAL = [heading(c) for c in ("contactpersoon", "email", "telefoon")]


@pytest.fixture
def register(tmp_path, monkeypatch, reference):
    """A tmp register with partners around the first school, seen by the page."""
    path = tmp_path / "register.sqlite"
    store = Store(path, reference)
    school = store.schools().iloc[0]
    rng = np.random.default_rng(5)
    for i in range(8):
        store.save_organisation(
            {
                "naam": f"Bouwer <i>{i}</i>",
                "soort": "aannemer" if i % 2 else "netbeheerder",
                "donateur": i == 3,
                "actief": True,
                "lat": school["lat"] + rng.uniform(-0.08, 0.08),
                "lon": school["lon"] + rng.uniform(-0.1, 0.1),
                "contactpersoon": f"Mevrouw Geheim {i}",
                "email": f"geheim{i}@bedrijf.nl",
                "telefoon": "020-7654321",
            },
            user="test",
        )
    store.close()
    monkeypatch.setenv("INFRAKAART_DATABASE_PATH", str(path))
    st.cache_resource.clear()  # get_settings() and get_store() are cached per process
    yield school
    st.cache_resource.clear()


def _run(role: str | None = None, school_query: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if role:
        at.session_state["rol"] = role
    at.run()
    if school_query is not None:
        at.text_input(key="koppel_zoek").input(school_query).run()
    return at


@pytest.fixture
def downloads(monkeypatch):
    """Bytes of every file the page offers for download, by file name."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def _by_suffix(files: dict[str, bytes], suffix: str, prefix: str = "partners-bij-") -> bytes:
    found = [data for name, data in files.items()
             if name.endswith(suffix) and name.startswith(prefix)]
    assert found, f"no {prefix}*{suffix} download offered"
    return found[-1]


def _table(at: AppTest, index: int = 0) -> pd.DataFrame:
    return at.dataframe[index].value


def test_public_view_lists_nearest_partners_without_contact_data(register):
    at = _run(school_query=register["naam"][:25])
    assert not at.exception
    assert at.selectbox(key="koppel_school").value == register["id"]
    table = _table(at)
    assert table.columns.tolist() == [heading(c) for c in CALL_LIST_COLUMNS]
    assert len(table) == 5
    assert table[heading("afstand_km")].is_monotonic_increasing
    assert not set(PERSONAL) & set(table.columns)
    text = " ".join(str(e.value) for e in at.markdown) + table.to_csv()
    assert "geheim" not in text.lower()


def test_public_exports_contain_no_personal_data(register, downloads):
    at = _run(school_query=register["naam"][:25])
    assert not at.exception
    csv = _by_suffix(downloads, ".csv").decode("utf-8-sig")
    assert csv.splitlines()[0] == ";".join(heading(c) for c in SCHOOL_COLUMNS + CALL_LIST_COLUMNS)
    assert "geheim" not in csv.lower()
    excel = pd.read_excel(io.BytesIO(_by_suffix(downloads, ".xlsx")))
    assert not set(PERSONAL) & set(excel.columns)
    assert len(excel) == 5


def test_staff_view_and_exports_include_contact_data(register, downloads):
    at = _run(role="team", school_query=register["naam"][:25])
    assert not at.exception
    table = _table(at)
    assert table.columns.tolist()[-3:] == PERSONAL
    assert table[heading("email")].str.startswith("geheim").all()
    excel = pd.read_excel(io.BytesIO(_by_suffix(downloads, ".xlsx")))
    assert excel.columns.tolist()[-3:] == PERSONAL
    assert "geheim" in _by_suffix(downloads, ".csv").decode("utf-8-sig")


def test_filters_and_radius_without_results_show_a_dutch_message(register):
    at = _run(school_query=register["naam"][:25])
    at.radio(key="koppel_op").set_value("straal").run()
    at.slider(key="koppel_straal").set_value(1).run()
    at.multiselect(key="koppel_soort").set_value(["overheid"]).run()
    assert not at.exception
    messages = [i.value for i in at.info]
    assert any(m.startswith("Geen partners die aan de filters voldoen binnen 1 km van")
               for m in messages)
    at.multiselect(key="koppel_soort").set_value(["aannemer"]).run()
    at.slider(key="koppel_straal").set_value(50).run()
    table = _table(at)
    assert len(table) == 4 and set(table["Soort"]) == {"aannemer"}
    at.checkbox(key="koppel_donateur").check().run()
    table = _table(at)
    assert table["Donateur"].tolist() == ["ja"]


def test_search_without_match_says_so(register):
    at = _run(school_query="qqqxxx-bestaat-niet")
    assert any("Geen school gevonden" in i.value for i in at.info)


def test_partner_to_schools_lists_vmbo_first(register, downloads):
    at = _run()
    assert not at.exception
    at.slider(key="koppel_partner_straal").set_value(25).run()
    tables = [d.value for d in at.dataframe]
    schools = next(t for t in tables if "vmbo" in t.columns)
    assert len(schools) > 0
    vmbo = (schools["vmbo"] == "ja").to_numpy()
    assert vmbo[: vmbo.sum()].all()
    assert (schools[heading("afstand_km")] <= 25).all()
    assert not set(PERSONAL) & set(schools.columns)
    exported = pd.read_csv(io.BytesIO(_by_suffix(downloads, ".csv", "scholen-bij-")),
                           sep=";", decimal=",", encoding="utf-8-sig")
    assert exported["School"].tolist() == schools["School"].tolist()


def test_user_added_school_can_be_linked(register, reference, tmp_path):
    import os

    store = Store(os.environ["INFRAKAART_DATABASE_PATH"], reference)
    store.save_school(
        {"naam": "Zelfbedachte <Vakschool>", "plaats": "Nergenshuizen", "heeft_vmbo": True,
         "lat": register["lat"] + 0.01, "lon": register["lon"]},
        user="test",
    )
    store.close()
    at = _run(school_query="zelfbedachte")
    assert not at.exception
    assert len(at.selectbox(key="koppel_school").options) == 1
    table = _table(at)
    assert len(table) == 5 and table[heading("afstand_km")].is_monotonic_increasing
