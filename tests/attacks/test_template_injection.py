"""Finding 1 of the audit: server-side code execution from a name (template injection).

folium/branca compile rendered map scripts as Jinja templates; any text reaching a map ran
on the server. Each test feeds the attack through the real path and asserts it is inert.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.cli import main
from geo.register.examples import load_example_data
from geo.register.store import Store
from tests.map_payloads import all_texts, layer

ROOT = Path(__file__).resolve().parents[2]
KAART = str(ROOT / "pages" / "kaart.py")

ARITHMETIC = "{{ 7*191 }}Q"
RAW = "Grondwerk {% raw %} B.V."


def _shell_name(canary: Path) -> str:
    return ("{{ cycler.__init__.__globals__.os.popen('touch " + str(canary) + "').read() }}")


@pytest.fixture
def hostile_register(app_env, reference):
    path = app_env / "infrakaart.sqlite"
    canary = app_env / "popen-ran"
    with Store(path, reference) as store:
        load_example_data(store)
        for i, naam in enumerate((ARITHMETIC, RAW, _shell_name(canary))):
            store.save_organisation(
                {"naam": naam, "soort": "aannemer", "plaats": naam, "website": naam,
                 "lat": 52.40 + i / 100, "lon": 4.90, "nauwkeurigheid": "adres"},
                user="test")
    return path, canary


def test_partner_named_arithmetic_is_not_evaluated_in_kaart_publiek(hostile_register,
                                                                      tmp_path, settings):
    """A partner named `{{ 7*191 }}Q` shows up as `1337Q` in `infrakaart kaart --publiek`."""
    path, canary = hostile_register
    out = tmp_path / "publiek.html"
    assert main(["kaart", "--uitvoer", str(out), "--publiek", "--database", str(path)],
                settings=settings) == 0
    html = out.read_text(encoding="utf-8")
    assert "1337Q" not in html
    names = layer(html, "points", "ik-partner")["cols"]["naam"]
    assert ARITHMETIC in names and RAW in names  # shown literally, as text


def test_partner_name_cannot_run_a_shell_command(hostile_register, tmp_path, settings):
    """A name built from `cycler.__init__.__globals__.os.popen(...)` ran a shell command."""
    path, canary = hostile_register
    for extra in ([], ["--publiek"]):
        out = tmp_path / f"kaart{len(extra)}.html"
        assert main(["kaart", "--uitvoer", str(out), "--database", str(path), *extra],
                    settings=settings) == 0
        assert _shell_name(canary) in all_texts(out.read_text(encoding="utf-8"))
    assert not canary.exists()


def test_raw_tag_in_a_name_does_not_break_the_public_kaart_page(hostile_register):
    """A name containing `{% raw %}` crashes the public Kaart page for every visitor."""
    _, canary = hostile_register
    at = AppTest.from_file(KAART, default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not canary.exists()


def test_anonymous_division_upload_cannot_inject_into_the_map(hostile_register, reference,
                                                              tmp_path, settings):
    """An anonymous visitor can upload a division whose subregion names reach the map."""
    table = reference.default_division.table.copy()
    first = table["subregio"].iloc[0]
    table.loc[table["subregio"] == first, "subregio"] = ARITHMETIC
    at = AppTest.from_file(KAART, default_timeout=90)
    at.run()
    at.file_uploader(key="indeling_upload_0").set_value(
        ("eigen.csv", table.to_csv(index=False, sep=";").encode("utf-8"), "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(row == ARITHMETIC for row in at.dataframe[0].value["naam"])

    from geo.output import maps
    from geo.reference.divisions import read_division

    division = read_division(table.to_csv(index=False).encode("utf-8"),
                             reference.gemeentecodes, name="eigen.csv")
    fmap = maps.base_map()
    maps.add_boundaries(fmap, maps.boundary_layers(reference, division))
    html = maps.finish_map(fmap).get_root().render()
    assert "1337Q" not in html
    assert ARITHMETIC in all_texts(html)


# --------------------------------------------------------------------------- map search

#: What someone may type into a map's search box.
HOSTILE_SEARCHES = ("{{7*7}}", "<img src=x onerror=alert(1)>", ARITHMETIC,
                    "{% raw %}Bouwkade 12, Heerhugowaard", "[klik](https://evil.invalid)")


@pytest.mark.parametrize("text", HOSTILE_SEARCHES)
def test_search_text_shows_literally_and_never_reaches_a_template(app_env, shown_maps, text):
    """Typed into the Kaart's search box, hostile text is a Dutch message, shown as typed."""
    import re

    from geo.text import md

    at = AppTest.from_file(KAART, default_timeout=90)
    at.run()
    at.text_input(key="kaart_map_zoek").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    messages = [m.value for m in (*at.warning, *at.success)]
    if "Heerhugowaard" in text:  # an address: placed on its place, the text not repeated
        assert [m.value for m in at.success][0].startswith(
            "Gevonden offline, in de CBS-postcodegegevens: **Heerhugowaard")
    else:
        assert [m.value for m in at.warning][0].startswith(f"Niets gevonden voor '{md(text)}'")
    for message in messages:
        assert "49" not in message and "1337Q" not in message
        assert not re.search(r"(?<!\\)[<{\[]", message.split("Typ een")[0])  # all escaped
    html = shown_maps["kaart_map"]
    assert "1337Q" not in html and "<img src=x" not in html
    assert all(text not in t for t in all_texts(html))  # the typed text is no map data


@pytest.mark.parametrize("label", ["{{ 7*191 }}Q", '<img src=x onerror="window.__xss=1">',
                                   "{% raw %}", "</script><script>window.__xss=2</script>"])
def test_a_found_place_with_a_hostile_name_reaches_the_map_as_data(label):
    """PDOK's name of a found address is put on the map (``Gezocht: …``) as data only."""
    from geo.intake.geocoding import GeocodeResult
    from geo.output import maps
    from geo.reference.data import load_reference
    from geo.reference.gazetteer import Gazetteer, Location
    from geo.settings import Settings
    from geo.text import md
    from geo.views.map_search import next_state, search_place

    class Answering:
        def geocode(self, query):
            return GeocodeResult(Location(52.66, 4.82, "adres", label), "pdok")

    gazetteer = Gazetteer(load_reference(Settings().data_dir))
    found = search_place("Bouwkade 12, Heerhugowaard", gazetteer=gazetteer,
                         geocoder_factory=lambda *, offline: Answering())
    assert f"**{md(label)}**" in found.message
    state = next_state(None, text=found.query, row=None, search=lambda query: found)
    html = state.apply(maps.finish_map(maps.base_map())).get_root().render()
    assert "1337Q" not in html and "<img src=x" not in html
    assert "<script>window.__xss" not in html
    assert f"Gezocht: {label}" in all_texts(html)
