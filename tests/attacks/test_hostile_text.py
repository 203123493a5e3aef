"""Every user-text field through every map, page, writer and command: text stays text.

One table of hostile strings (template syntax, HTML/JS, template literals, Markdown links
and images, spreadsheet formulas, terminal escapes, direction overrides, zero-width
characters, line breaks, very long text) is written into every text field of the register
(the list of fields is read from the field registry, so a new field is covered automatically), into
a school and into a subregion division. Then:

* every map builder in ``geo/`` (found by its return annotation) renders it as data only;
* every page in ``pages/`` (found in the folder), for every role, runs without error and
  shows it only as escaped Markdown;
* every command of the CLI (from ``geo.cli.COMMANDS``) prints no terminal control and
  writes only inert spreadsheets and maps.

A new map builder, page or command that is not covered fails the ``*_are_all_covered``
tests until it is added here.
"""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import activities, fields
from geo.cli import COMMANDS, main
from geo.errors import InfrakaartError, shown
from geo.output import partner_maps, tables
from geo.reference.data import Division
from geo.register.store import STAFF_ONLY_FIELDS, Store
from geo.text import md
from tests.attacks.test_roles import observe
from tests.map_payloads import all_texts

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(p for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))
ROLES = ("publiek", "team", "bestuur")

#: name → hostile text. Each is stored in every text field of one organisation.
HOSTILE = {
    "jinja": "{{ 7*191 }}Q",
    "jinja_block": "{% raw %}R{% endraw %}{% if 1 %}",
    "jinja_comment": "{# niets",
    "html": '<img src=x onerror="window.__xss=1">Bouw',
    "script": "</script><script>window.__xss=2</script>",
    "js_literal": "${window.__xss=3} `tick`",
    "md_link": "[klik](https://evil.invalid)",
    "md_image": "![pixel](https://evil.invalid/p.png)",
    "md_streamlit": ":red[rood] :material/warning: $x^2$ **vet** www.evil.invalid",
    "formula": '=HYPERLINK("http://evil.invalid","x")',
    "formula_dde": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula_plus": "+cmd|' /C calc'!A0",
    "terminal": "Grond\x1b[2J\x1b]0;pwned\x07werk",
    "rtl": "Wegen \u202eVB kwerdnorg\u202c",
    "zero_width": "Wa\u200bter\u200dbouw",
    "newline": "Regel een\n# Kop\r\nregel twee",
    "long": "Lang" * 700,
}

#: Markers that may never appear outside an escaped form: they prove that a hostile text
#: was interpreted (a template ran, HTML or Markdown was produced).
TEMPLATE_RAN = "1337Q"
RAW_HTML = "<img src=x"
RAW_MARKDOWN = ("](https://evil", ":red[rood]", "**vet**")
TERMINAL_UNSAFE = ("\x1b", "\x07", "\u202e")

#: Fields the store may refuse for a hostile value (they are checked vocabularies); every
#: other text field must accept any text and show it safely.
VOCABULARY_FIELDS = {"nauwkeurigheid", "status", "ambassadeur_voor", "soort"}

#: An activity's text fields the store checks (kind, status, a date, a school's or a
#: municipality's code); every other one takes any text.
CHECKED_ACTIVITY_FIELDS = {"soort", "status", "datum", "vestigingscode", "gemeentecode"}


def text_fields() -> list[str]:
    """Every free-text field a caller may set on an organisation, from the field registry."""
    return [f.name for f in fields.ORGANISATION_FIELDS
            if f.settable and f.type in fields.TEXT_TYPES]


def activity_text_fields() -> list[str]:
    """Every text field a caller may set on an activity, from the field registry."""
    return [f.name for f in fields.fields_of(fields.ACTIVITIES)
            if f.settable and f.type in fields.TEXT_TYPES]


def _hostile_activities(store, refused: dict[str, set[str]]) -> None:
    """One activity per hostile text in every text field, its partners the hostile ones."""
    partners = store.organisations()
    hostile_ids = [int(i) for i in partners.loc[partners["naam"].isin(HOSTILE.values()), "id"]]
    for key, text in HOSTILE.items():
        record = {name: text for name in activity_text_fields()}
        for name in CHECKED_ACTIVITY_FIELDS:  # refused: try, then a valid value
            try:
                store.activities.save({"soort": "beurs", "datum": "2024-10-03", name: text},
                                      user="test", role="team")
            except InfrakaartError:
                refused.setdefault(name, set()).add(key)
        record.update(soort="gastles_vo", datum="03-10-2024", status="gegeven",
                      vestigingscode="", gemeentecode="GM0361", aantal_leerlingen=20,
                      partners=hostile_ids)
        store.activities.save(record, user="test", role="team")
    school = store.schools()[lambda s: s["heeft_vmbo"]].iloc[0]
    store.activities.save({"soort": "gastles_vmbo", "datum": "2025-01-10",
                           "vestigingscode": school["vestigingscode"], "status": "gegeven",
                           "gastdocenten": HOSTILE["html"], "partners": hostile_ids},
                          user="test", role="team")


def _places(reference, n: int) -> list[tuple[float, float]]:
    """``n`` points in the five regions, spread over the example postcodes' area."""
    pc4 = reference.pc4.dropna(subset=["lat_pos"])
    pc4 = pc4[pc4["pc4"].astype(str).str.match(r"^1[0-9]{3}$")].iloc[::25]
    return [(float(r.lat_pos), float(r.lon_pos)) for r in pc4.head(n).itertuples()]


@pytest.fixture(scope="module")
def hostile_register(tmp_path_factory, reference):
    """A register with one organisation per hostile text in every text field."""
    var = tmp_path_factory.mktemp("hostile")
    path = var / "infrakaart.sqlite"
    refused: dict[str, set[str]] = {}
    with Store(path, reference) as store:
        for (key, text), (lat, lon) in zip(HOSTILE.items(), _places(reference, len(HOSTILE)),
                                           strict=True):
            record = {field: text for field in text_fields()}
            record.update(lat=lat, lon=lon, nauwkeurigheid="adres", donateur=True)
            for field in VOCABULARY_FIELDS:  # refused or normalised: try, then drop
                try:
                    store.save_organisation({"naam": f"probe {key}", field: text},
                                            user="test", role="bestuur")
                except InfrakaartError:
                    refused.setdefault(field, set()).add(key)
                    record.pop(field, None)
            store.save_organisation(record, user="test", role="bestuur")
        school = store.schools().iloc[0]
        store.save_school({"vestigingscode": "99ZZ00", "naam": HOSTILE["html"] + " school",
                           "plaats": HOSTILE["md_link"], "lat": float(school["lat"]),
                           "lon": float(school["lon"]), "heeft_vmbo": True}, user="test")
        for key, text in HOSTILE.items():  # an education place per text in every text field
            place = {f.name: text for f in fields.fields_of(fields.EDUCATION_PLACES)
                     if f.settable and f.type == fields.TEXT}
            store.places.save({**place, "naam": f"{text} {key}", "lat": float(school["lat"]),
                               "lon": float(school["lon"])}, user="test", role="team")
        activity_refused: dict[str, set[str]] = {}
        _hostile_activities(store, activity_refused)
        for key, text in HOSTILE.items():  # an inflow set per text, in every free-text field
            record = {"schooljaar": "2024-2025", "pc4": "1811", "gemeentecode": "GM0361",
                      "aantal": 7, "rij": 2, **dict.fromkeys(inflow_text_fields(), text)}
            store.inflow.apply_import([{**record, "bron": f"{text} {key}"}],
                                      filename=f"{text}.csv", user="test", role="team")
    refused.update({f"activiteit.{k}": v for k, v in activity_refused.items()})
    return path, refused


def inflow_text_fields() -> tuple[str, ...]:
    """Every free-text field of an inflow row, from the inflow import's fields."""
    from geo.intake.inflow import FREE_TEXT_FIELDS

    return FREE_TEXT_FIELDS


@pytest.fixture(scope="module")
def hostile_division(reference) -> Division:
    """The bundled division with subregions renamed to the hostile texts a division takes."""
    table = reference.default_division.table.copy()
    names = [HOSTILE[k] for k in ("jinja", "html", "md_link", "js_literal", "jinja_block")]
    for old, new in zip(table["subregio"].unique(), names, strict=False):
        table.loc[table["subregio"] == old, "subregio"] = new
    return Division("vijandig.csv", table)


def test_free_text_fields_take_any_text(hostile_register):
    """Only checked vocabularies may refuse a text; names, places, notes and contacts don't."""
    _, refused = hostile_register
    assert set(refused) <= VOCABULARY_FIELDS | {f"activiteit.{name}"
                                                for name in CHECKED_ACTIVITY_FIELDS}
    assert {"naam", "plaats", "website", "notities", "contactpersoon"} <= set(text_fields())
    # An activity's free text (place, notes, guest teachers) is walked too, and every
    # checked field refused a hostile value.
    assert {"plaats", "notities", "gastdocenten"} <= set(activity_text_fields())
    assert {f"activiteit.{name}" for name in CHECKED_ACTIVITY_FIELDS} <= set(refused)


def test_inflow_free_text_is_stored_as_given(hostile_register, reference):
    path, _ = hostile_register
    assert {"bron", "opleiding", "locatie", "opmerking"} <= set(inflow_text_fields())
    with Store(path, reference) as store:
        rows = store.inflow.rows()
        files = set(store.inflow.imports()["bestand"])
    for field in set(inflow_text_fields()) - {"bron"}:
        assert set(HOSTILE.values()) <= set(rows[field]), field
    # The source names a set: its spaces are normalised, the rest is kept.
    assert {" ".join(f"{t} {k}".split()) for k, t in HOSTILE.items()} == set(rows["bron"])
    assert {f"{t}.csv" for t in HOSTILE.values()} == files


# --------------------------------------------------------------------------- maps


def _map_builders() -> set[str]:
    """``module.function`` of every public function in geo/ that makes a folium map.

    A function that returns a ``folium.Map`` without taking one is a builder; those that
    take one (``finish_map``, ``check_map``, ``use_assets``) only finish or check it.
    """
    found = set()
    for path in (ROOT / "geo").rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (not isinstance(node, ast.FunctionDef) or node.name.startswith("_")
                    or node.returns is None or "folium.Map" not in ast.unparse(node.returns)):
                continue
            arguments = [*node.args.args, *node.args.kwonlyargs]
            if not any(a.annotation is not None and "folium.Map" in ast.unparse(a.annotation)
                       for a in arguments):
                found.add(f"{path.stem}.{node.name}")
    return found


def _data(path, reference):
    with Store(path, reference) as store:
        return (store.organisations(include_personal=True), store.schools(),
                store.mbo_locations())


def _build_maps(path, reference, division) -> dict[str, list]:
    from geo.analysis import indicators as analysis
    from geo.analysis import proximity
    from geo.analysis.coverage import coverage
    from geo.analysis.names import BIVARIATE
    from geo.analysis.plans import optimal_plan
    from geo.output import maps
    from geo.output.plans import plan_map
    from geo.reference.regions import unit_polygons

    partners, schools, mbo = _data(path, reference)
    public = partners.drop(columns=list(STAFF_ONLY_FIELDS), errors="ignore")
    hostile_school = schools[schools["vestigingscode"] == "99ZZ00"]
    nearest = proximity.nearest_partners(hostile_school, partners, k=len(HOSTILE))
    partner = partners.dropna(subset=["lat"]).iloc[0]
    near = proximity.schools_near_partner(partner, schools, radius_km=30)
    table = analysis.indicators("subregio", reference=reference, division=division,
                                partners=partners, schools=schools, mbo=mbo)
    choropleth = (unit_polygons("subregio", reference, division), table, "score", "Score",
                  "{:.0f}")
    bivariate = (choropleth[0], table, BIVARIATE, "Twee delen", "")
    layers = maps.boundary_layers(reference, division)
    plan = optimal_plan(coverage(partners, schools, radius_km=10, division=division), k=3)
    reach = _reach_maps(path, reference, division, layers)
    return {
        **reach,
        "maps.base_map": [maps.finish_map(maps.base_map(), legend=[
            ("punt", "#000", text) for text in HOSTILE.values()], title=HOSTILE["jinja"])],
        "partner_maps.build_partner_map": [
            partner_maps.build_partner_map(layers=layers, partners=frame, schools=schools, mbo=mbo,
                                   show_personal=personal, choropleth=areas)
            for frame, personal, areas in ((public, False, choropleth),
                                           (partners, True, choropleth),
                                           (public, False, bivariate))
        ] + reach["partner_maps.build_partner_map"],
        "partner_maps.school_partners_map": [
            partner_maps.school_partners_map(hostile_school.iloc[0], nearest, show_personal=p)
            for p in (False, True)],
        "partner_maps.partner_schools_map": [
            partner_maps.partner_schools_map(partner, near, radius_km=30, show_personal=p)
            for p in (False, True)],
        "plans.plan_map": [plan_map(plan, reference=reference)],
        "chain_maps.chain_map": [_chain_map(path, reference, division)],
    }


def _reach_maps(path, reference, division, layers) -> dict[str, list]:
    """The Kaart with a school year's reach, and the Bereik map of every subregion."""
    from geo.analysis.reach import partner_activity, school_reach
    from geo.output import reach_maps
    from geo.views.bereik import subregion_reach

    with Store(path, reference) as store:
        done = store.activities.all(school_year="2024-2025")
        partners = store.organisations(include_personal=True)
        schools = store.schools()
        mbo = store.mbo_locations()
        bereik = [subregion_reach(store, reference=reference, division=division,
                                  subregion=name, school_year="2024-2025", k=len(HOSTILE),
                                  include_personal=personal,
                                  areas=layers["subregio"]).fmap
                  for name in division.subregions for personal in (False, True)]
    active = reach_maps.with_partner_activity(
        partners, partner_activity(done, school_year="2024-2025"), "2024-2025")
    reached = reach_maps.with_school_reach(school_reach(done, schools, school_year="2024-2025"),
                                           "2024-2025")
    assert active["activiteiten"].sum() > 0 and reached["bereikt"].any()
    kaart = partner_maps.build_partner_map(layers=layers, partners=active, schools=reached,
                                           mbo=mbo, show_personal=True,
                                           school_year="2024-2025")
    return {"reach_maps.subregion_reach_map": bereik,
            "partner_maps.build_partner_map": [kaart]}


def _chain_map(path, reference, division):
    """The chain map of the hostile register: hostile subregion names, places and sources."""
    from geo.views.keten import chain_view

    with Store(path, reference) as store:
        view = chain_view(store, reference=reference, division=division,
                          school_year="2024-2025")
        return view.map(reference=reference, division=division,
                        mbo=store.places.all(active_only=True))


def assert_inert_html(html: str) -> None:
    assert TEMPLATE_RAN not in html
    assert RAW_HTML not in html
    assert "<script>window.__xss" not in html
    assert "${window" not in html


def test_every_map_builder_is_covered(hostile_register, reference, hostile_division):
    covered = set(_build_maps(hostile_register[0], reference, hostile_division))
    assert covered == _map_builders()


def test_every_map_shows_hostile_text_as_data_only(hostile_register, reference,
                                                   hostile_division):
    path, _ = hostile_register
    seen: set[str] = set()
    for fmaps in _build_maps(path, reference, hostile_division).values():
        for fmap in fmaps:
            html = fmap.get_root().render()
            assert_inert_html(html)
            seen |= {t for t in all_texts(html) if t in HOSTILE.values()}
    # The texts really reached the maps (as data, shown with textContent).
    assert set(HOSTILE.values()) <= seen | {HOSTILE["long"]}


def test_chosen_table_rows_show_hostile_names_on_the_map_as_data_only(
        hostile_register, reference, hostile_division):
    """A chosen row labels the map with its partner's, school's or area's name: as data."""
    from geo.output import maps
    from geo.output.focus import CHOSEN
    from geo.views.kaart import MapChoices, map_view
    from geo.views.map_search import FocusState
    from geo.views.school_koppelen import school_linking

    path, _ = hostile_register
    with Store(path, reference) as store:
        linking = school_linking(store, staff=True)
        kaart = map_view(store, reference=reference, division=hostile_division,
                         choices=MapChoices(), show_personal=True,
                         boundaries=maps.boundary_layers(reference, hostile_division))
    school_id = int(linking.schools.loc[linking.schools["vestigingscode"] == "99ZZ00",
                                        "id"].iloc[0])
    partner_id = int(linking.partners.loc[linking.partners["naam"] == HOSTILE["html"],
                                          "id"].iloc[0])
    answers = [(linking.partners_of(school_id, k=len(HOSTILE)), None),
               (linking.schools_of(partner_id, radius_km=30), None), (None, kaart)]
    labels: list[str] = []
    seen: set[str] = set()
    for answer, view in answers:
        rows = len(answer.table) if answer is not None else len(view.ranking)
        fmap = maps.base_map()  # every row's mark on one map: one render per table
        for position in range(rows):
            focus = (answer.row_focus(position) if answer is not None
                     else view.ranking_focus(position))
            FocusState(row=focus, last=CHOSEN).apply(fmap)
            labels.append(focus.label)
        html = fmap.get_root().render()
        assert_inert_html(html)
        seen |= set(all_texts(html))
    assert set(labels) <= seen  # every label reached the map, as data
    chosen = " ".join(labels)
    assert all(HOSTILE[key] in chosen for key in ("jinja", "html", "script", "js_literal"))


# --------------------------------------------------------------------------- pages


MARKDOWN_KINDS = ("markdown", "caption", "info", "warning", "error", "success", "title",
                  "header", "subheader")


def _markdown_sources(at: AppTest) -> list[str]:
    sources = [str(e.value) for kind in MARKDOWN_KINDS for e in getattr(at, kind)]
    sources += [str(e.label) for e in at.expander]
    sources += [str(o) for radio in at.radio for o in radio.options]
    sources += [str(w.label) for kind in ("button", "checkbox", "toggle", "selectbox")
                for w in getattr(at, kind)]
    return sources


def _run_page(page: Path, role: str, path: Path) -> AppTest:
    at = AppTest.from_file(str(page), default_timeout=120)
    at.session_state["rol"] = role
    if role != "publiek":
        at.session_state["gebruiker"] = "test"
    at.run()
    return at


@pytest.fixture
def pages_env(hostile_register, monkeypatch, tmp_path):
    import streamlit as st

    path, _ = hostile_register
    monkeypatch.setenv("INFRAKAART_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("INFRAKAART_DATABASE_PATH", str(path))
    monkeypatch.setenv("INFRAKAART_OFFLINE", "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield path
    st.cache_resource.clear()
    st.cache_data.clear()


def assert_markdown_inert(sources: list[str]) -> None:
    for source in sources:
        assert TEMPLATE_RAN not in source
        assert RAW_HTML not in source, source[:200]
        for marker in RAW_MARKDOWN:
            assert marker not in source, source[:200]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_page_shows_hostile_text_only_as_text(pages_env, page, role):
    at = _run_page(page, role, pages_env)
    assert not at.exception, [e.value for e in at.exception]
    assert_markdown_inert(_markdown_sources(at))
    # Every element as sent to the browser, maps (component arguments) included.
    blob = observe(at).blob
    assert TEMPLATE_RAN not in blob
    assert "ikmap." in blob or page.stem not in ("kaart", "school_koppelen", "wat_als")


def test_the_activity_form_on_bereik_shows_hostile_text_only_as_text(pages_env, reference):
    """Bereik's form for one activity, filled with hostile stored values: text, never code."""
    with Store(pages_env, reference) as store:
        stored = store.activities.all(school_year="2024-2025", include_staff=True)
    chosen = {key: int(stored.loc[stored["notities"] == HOSTILE[key], "id"].iloc[0])
              for key in ("jinja", "html", "script", "md_link", "md_streamlit", "newline")}
    at = _run_page(ROOT / "pages" / "bereik.py", "team", pages_env)
    at.selectbox(key="bereik_schooljaar").set_value("2024-2025").run()
    options = at.selectbox(key="bereik_activiteit_keuze").options
    assert len(options) == len(stored) + 1  # every activity and "Nieuwe activiteit"
    for key, activity_id in chosen.items():
        at.selectbox(key="bereik_activiteit_keuze").set_value(activity_id).run()
        assert not at.exception, [e.value for e in at.exception]
        areas = {a.label: a.value for a in at.text_area}
        assert areas["Gastdocenten"] == areas["Notities"] == HOSTILE[key]
        assert_markdown_inert(_markdown_sources(at))
        assert TEMPLATE_RAN not in observe(at).blob


def test_hostile_names_in_messages_are_escaped(pages_env, reference):
    """The partner → schools message names the partner: escaped, so it shows as typed."""
    with Store(pages_env, reference) as store:
        partners = store.organisations()
    at = _run_page(ROOT / "pages" / "school_koppelen.py", "publiek", pages_env)
    named = []
    for key in HOSTILE:
        org_id = int(partners.loc[partners["naam"] == HOSTILE[key], "id"].iloc[0])
        at.selectbox(key="koppel_partner").select(org_id).run()
        at.slider(key="koppel_partner_straal").set_value(1).run()
        assert not at.exception
        sources = _markdown_sources(at)
        assert_markdown_inert(sources)
        # Partners without a school within 1 km get a message that names them.
        named += [key for s in sources if md(HOSTILE[key]) in s]
    assert named, "no message named a partner: the check above proved nothing"


#: Hostile column headers for the column-mapping step of Beheer → Importeren.
HOSTILE_HEADERS = ["{{7*7}}", "[x](http://e.invalid)", "=1+1", *HOSTILE.values()]


def test_hostile_headers_in_the_column_mapping_show_literally(app_env, reference):
    """Unknown headers become select box labels, messages and remembered pairs: as text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Organisatie", "Plaats", *HOSTILE_HEADERS])
    writer.writerow(["Kop Grondwerk", "Hoorn", *(f"waarde {i}" for i in
                                                 range(len(HOSTILE_HEADERS)))])
    at = AppTest.from_file(str(ROOT / "pages" / "beheer.py"), default_timeout=120)
    at.session_state["rol"] = "team"
    at.session_state["gebruiker"] = "test"
    at.run()
    at.file_uploader(key="beheer_upload").set_value(
        ("koppen.csv", out.getvalue().encode(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    labels = {box.label: box for box in at.selectbox if box.label.startswith("Kolom '")}
    for header in HOSTILE_HEADERS:  # each escaped, so Markdown shows it as typed
        assert f"Kolom '{md(shown(header, 60))}' is:" in labels, header
    assert_markdown_inert(_markdown_sources(at))
    assert TEMPLATE_RAN not in observe(at).blob

    for header, name in (("{{7*7}}", "notities"), ("[x](http://e.invalid)", "website"),
                         ("=1+1", "contactpersoon")):
        box = next(b for b in at.selectbox if b.label == f"Kolom '{md(header)}' is:")
        box.set_value(name).run()
        assert not at.exception, [e.value for e in at.exception]
    assert_markdown_inert(_markdown_sources(at))
    at.button(key="beheer_importeren").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with Store(app_env / "infrakaart.sqlite", reference) as store:
        assert {m.header for m in store.column_mappings.all()} == {
            "{{7*7}}", "[x](http://e.invalid)", "=1+1"}
        org = store.organisations(include_personal=True).set_index("naam").loc["Kop Grondwerk"]
    assert (org["notities"], org["website"], org["contactpersoon"]) == (
        "waarde 0", "waarde 1", "waarde 2")
    sources = _markdown_sources(at)
    assert_markdown_inert(sources)
    remembered = [s for s in sources if s.startswith("'") and " → " in s]
    assert sorted(remembered)[0].startswith(f"'{md('=1+1')}' → Contactpersoon")
    assert any(md("{{7*7}}") in s and "Notities" in s for s in remembered)
    assert TEMPLATE_RAN not in observe(at).blob


def test_hostile_division_on_the_kaart_page(pages_env, hostile_division):
    """An anonymous visitor's division: its names reach the ranking and the map as text."""
    at = AppTest.from_file(str(ROOT / "pages" / "kaart.py"), default_timeout=120)
    at.run()
    data = tables.csv_bytes(hostile_division.table)
    at.file_uploader(key="indeling_upload_0").set_value(("vijandig.csv", data, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert_markdown_inert(_markdown_sources(at))
    assert HOSTILE["jinja"] in set(at.dataframe[0].value["naam"])


# --------------------------------------------------------------------------- command line


def _csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


def _xlsx_cells(data: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


def assert_inert_file(path: Path) -> None:
    data = path.read_bytes()
    if path.suffix == ".csv":
        cells = _csv_cells(data)
    elif path.suffix == ".xlsx":
        cells = _xlsx_cells(data)
    elif path.suffix == ".html":
        return assert_inert_html(data.decode("utf-8"))
    else:  # GeoJSON and the summary text are data for programs and people, not code
        return None
    live = [c for c in cells if tables.neutralise_cell(c) != c]
    assert live == [], live[:3]


def _commands(path: Path, out: Path, school: str, division: Path, source: Path):
    db = ["--database", str(path)]
    return {
        "waar": [["waar", HOSTILE["terminal"]], ["waar", "1811"]],
        "import": [["import", str(source), "--offline", "--droog", *db,
                    "--uitvoer", str(out / "import.csv")]],
        "gebruiker": [["gebruiker", "lijst"]],
        "dichtbij": [["dichtbij", "--school", school, "-n", str(len(HOSTILE)), *db,
                      "--uitvoer", str(out / "dichtbij.csv")]],
        "ambassadeurs": [["ambassadeurs", "-k", "3", "--indeling", str(division), *db,
                          "--uitvoer", str(out / "ambassadeurs.csv")]],
        "witte-vlekken": [["witte-vlekken", "--indeling", str(division), *db,
                           "--uitvoer", str(out / f"witte-vlekken{suffix}")]
                          for suffix in (".csv", ".xlsx")],
        "kaart": [["kaart", "--indeling", str(division), *db, *publiek,
                   "--uitvoer", str(out / f"kaart{len(publiek)}.html")]
                  for publiek in ([], ["--publiek"])],
        "export": [["export", "--formaat", fmt, *db, *publiek,
                    "--uitvoer", str(out / f"export{len(publiek)}.{fmt}")]
                   for fmt in ("csv", "xlsx", "geojson") for publiek in ([], ["--publiek"])],
        "voorbeeld": [["voorbeeld", "--alleen-als-leeg", *db]],
        "backup": [["backup", *db, "--naar", str(out.parent / "backups")]],
        "herstel": [["herstel", str(path), "--database", str(out.parent / "hersteld.sqlite")]],
        "status": [["status", *db]],
        "activiteiten": [
            ["activiteiten", "import", str(source.with_name("planning.csv")), "--droog", *db,
             "--uitvoer", str(out / "planning_resultaat.csv")],
            ["activiteiten", "lijst", *db, "--uitvoer", str(out / "activiteiten.xlsx")],
            ["activiteiten", "lijst", "--schooljaar", HOSTILE["terminal"], *db]],
        "jaaroverzicht": [["jaaroverzicht", "--schooljaar", "2024-2025", *db,
                           "--uitvoer", str(out / f"jaaroverzicht{suffix}")]
                          for suffix in (".csv", ".xlsx")],
        "mbo": [["mbo", "lijst", *db, "--uitvoer", str(out / "mbo.csv")],
                ["mbo", "zet", HOSTILE["terminal"], "--postcode", "1703AB", "--offline", *db],
                ["mbo", "zet", "1", "--adres", HOSTILE["terminal"], "--postcode", "1703AB",
                 "--plaats", HOSTILE["md_link"], "--offline", *db]],
        "instroom": [["instroom", "import", str(source.with_name("instroom.csv")), "--droog",
                      "--bron", HOSTILE["terminal"], *db, "--uitvoer",
                      str(out / "instroom-import.csv")],
                     *(["instroom", "overzicht", "--niveau", "subregio", "--indeling",
                        str(division), *db, "--uitvoer", str(out / f"instroom{suffix}")]
                       for suffix in (".csv", ".xlsx")),
                     ["instroom", "historie", *db]],
        "keten": [["keten", "--niveau", niveau, "--indeling", str(division), *db,
                   "--uitvoer", str(out / f"keten-{niveau}{suffix}")]
                  for niveau, suffix in (("subregio", ".csv"), ("subregio", ".xlsx"),
                                         ("subregio", ".html"), ("gemeente", ".xlsx"))],
    }


def test_every_command_is_covered(tmp_path):
    assert set(_commands(tmp_path, tmp_path, "", tmp_path, tmp_path)) == set(COMMANDS)


def test_every_command_prints_and_writes_hostile_text_inertly(hostile_register, reference,
                                                              hostile_division, settings,
                                                              tmp_path, capsys):
    path, _ = hostile_register
    out = tmp_path / "uit"
    division = tmp_path / "indeling.csv"
    # Through the file, the intake keeps names it accepts: these are the map-dangerous ones.
    division.write_bytes(tables.csv_bytes(hostile_division.table))
    source = tmp_path / "import.csv"
    source.write_bytes(tables.csv_bytes(pd.DataFrame({
        "Organisatie": list(HOSTILE.values()), "Postcode": ["1811 AB"] * len(HOSTILE),
        "Plaats": ["Alkmaar"] * len(HOSTILE), "Notities": list(HOSTILE.values())})))
    # A planning sheet with a hostile text in every column it has.
    planning = {f.synonyms[0]: list(HOSTILE.values())
                for f in activities.activity_import_fields()}
    planning["Datum"][0], planning["Soort activiteit"][0] = "03-10-2024", "Gastles VO"
    source.with_name("planning.csv").write_bytes(tables.csv_bytes(pd.DataFrame(planning)))
    source.with_name("instroom.csv").write_bytes(tables.csv_bytes(pd.DataFrame({
        "Schooljaar": ["2024-2025"] * len(HOSTILE), "Postcode": list(HOSTILE.values()),
        "Gemeente": list(HOSTILE.values()), "Aantal": ["7"] * len(HOSTILE),
        "Opleiding": list(HOSTILE.values()), "Bron": list(HOSTILE.values())})))
    for command, runs in _commands(path, out, "99ZZ00", division, source).items():
        for argv in runs:
            code = main(argv, settings=settings)
            printed = capsys.readouterr()
            text = printed.out + printed.err
            assert code in (0, 1), (argv, printed.err)
            for marker in (*TERMINAL_UNSAFE, TEMPLATE_RAN):
                assert marker not in text, (command, marker)
    written = sorted(out.iterdir())
    assert {p.suffix for p in written} >= {".csv", ".xlsx", ".html", ".geojson"}
    assert {"instroom.csv", "instroom.xlsx", "instroom-import.csv"} <= {p.name for p in written}
    assert {"keten-subregio.csv", "keten-subregio.xlsx", "keten-subregio.html"} <= {
        p.name for p in written}
    for file in written:
        assert_inert_file(file)
    names = {f["properties"]["Organisatie"] for f in json.loads(
        (out / "export1.geojson").read_text(encoding="utf-8"))["features"]}
    assert HOSTILE["jinja"] in names  # data files keep the text as it is
