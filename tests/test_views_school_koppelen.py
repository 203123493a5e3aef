"""geo.views.school_koppelen: both directions of "School koppelen", without Streamlit."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from geo.output.call_lists import CALL_LIST_COLUMNS, SCHOOL_COLUMNS, SCHOOL_LIST_COLUMNS, heading
from geo.register.store import Store
from geo.settings import DEFAULTS
from geo.text import md
from geo.views.school_koppelen import school_linking, slug
from tests.small_register import CONTACT, small_register

CALL_HEADINGS = [heading(c) for c in CALL_LIST_COLUMNS]


@pytest.fixture(scope="module")
def store(tmp_path_factory, reference):
    path = small_register(tmp_path_factory.mktemp("koppelen") / "register.sqlite", reference)
    with Store(path, reference) as opened:
        yield opened


@pytest.fixture(scope="module")
def public(store):
    return school_linking(store, staff=False)


def _alkmaar_school(linking):
    found = linking.search("alkmaar")
    assert found.message is None and found.index == 0
    return next(iter(found.options))


def test_search_finds_by_place_and_preselects_a_shared_code(public):
    found = public.search("  ALKMAAR ")
    assert len(found.options) > 3
    assert all("ALKMAAR" in label.upper() for label in found.options.values())
    school = public.schools[public.schools["id"] == list(found.options)[2]].iloc[0]
    shared = public.search("alkmaar", wanted_code=school["vestigingscode"])
    assert shared.index == 2
    missing = public.search("[qqq](x)")
    assert missing.options == {} and missing.message.startswith("Geen school gevonden voor")
    assert "](" not in missing.message  # the query is escaped


def test_nearest_partners_public(public):
    answer = public.partners_of(_alkmaar_school(public))
    assert answer.message is None and answer.warning is None
    assert list(answer.table.columns) == CALL_HEADINGS
    assert len(answer.table) == DEFAULTS.nearest_count
    assert answer.table["Afstand (km, hemelsbreed)"].is_monotonic_increasing
    assert "Gestopt Bouw" not in set(answer.table["Partner"])  # active only by default
    assert set(answer.table["Reiswijze"]) == {"fiets"}
    assert answer.heading.startswith("Partners bij ")
    school = public.schools.set_index("id").loc[_alkmaar_school(public)]
    code = school["vestigingscode"]
    assert md(f"({code})") in answer.heading
    assert answer.download.stem.endswith(f"-{code.lower()}")
    csv = answer.download.csv.decode("utf-8-sig")
    assert csv.splitlines()[0] == ";".join([heading(c) for c in SCHOOL_COLUMNS] + CALL_HEADINGS)
    first = csv.splitlines()[1].split(";")
    assert first[:2] == [school["naam"], code] and school["straat"] in first[2]
    for value in CONTACT.values():
        assert value not in csv and value not in answer.fmap.get_root().render()
    assert answer.note == md("1 partner zonder bekende locatie overgeslagen.")


def test_staff_get_contact_columns(store):
    staff = school_linking(store, staff=True)
    answer = staff.partners_of(_alkmaar_school(staff), k=2)
    assert list(answer.table.columns[-3:]) == [heading(c) for c in CONTACT]
    excel = pd.read_excel(io.BytesIO(answer.download.xlsx))
    assert excel["E-mail"].tolist() == [CONTACT["email"]] * 2


def test_filters_and_an_empty_radius_give_a_dutch_message(public):
    school = _alkmaar_school(public)
    empty = public.partners_of(school, k=None, radius_km=1, kinds=["overheid"])
    assert empty.table is None
    assert empty.message.startswith("Geen partners die aan de filters voldoen binnen 1 km")
    donors = public.partners_of(school, k=None, radius_km=50, donors_only=True)
    assert set(donors.table["Donateur"]) == {"ja"} and len(donors.table) == 2
    everyone = public.partners_of(school, k=10, active_only=False)
    assert "Gestopt Bouw" in set(everyone.table["Partner"])


def test_partner_to_schools_vmbo_first(public):
    options = public.partner_options()
    assert "Nog niet geplaatst" not in " ".join(options.values())  # no location, no choice
    assert list(options.values()) == sorted(options.values(), key=str.casefold)
    partner_id = next(pid for pid, label in options.items() if label.startswith("Ingenieurs"))
    answer = public.schools_of(partner_id, radius_km=15)
    assert list(answer.table.columns) == [heading(c) for c in SCHOOL_LIST_COLUMNS]
    vmbo = (answer.table["vmbo"] == "ja").to_numpy()
    assert vmbo[: vmbo.sum()].all() and (answer.table["Afstand (km, hemelsbreed)"] <= 15).all()
    assert answer.heading.startswith(f"**{len(answer.table)}** scholen binnen 15 km")
    assert answer.download.stem.startswith("scholen-bij-ingenieurs-heerhugowaard-")
    only_vmbo = public.schools_of(partner_id, radius_km=15, vmbo_only=True)
    assert (only_vmbo.table["vmbo"] == "ja").all()


def test_a_partner_far_from_schools_is_named_escaped(public):
    options = public.partner_options()
    partner_id = next(pid for pid, label in options.items() if "<b>" in label)
    answer = public.schools_of(partner_id, radius_km=0.01)
    assert answer.table is None
    assert answer.message == md("Geen scholen binnen 0,01 km van Grondwerk <b>Noord</b>.")


def test_slug():
    assert slug("Grondwerk <b>Noord</b> B.V.") == "grondwerk-b-noord-b-b-v"
    assert slug("???") == "lijst"


def test_search_by_municipality_finds_its_villages(public):
    """Julianadorp is a village of the municipality Den Helder: searching the one finds it."""
    found = public.search("Den Helder")
    schools = public.schools.set_index("id").loc[list(found.options)]
    assert "JULIANADORP" in set(schools["plaats"].str.upper())
    assert set(schools["gemeentenaam"]) == {"Den Helder"}
    narrowed = public.search("zee julianadorp")  # every word must match
    assert 0 < len(narrowed.options) < len(found.options)


def test_school_labels_tell_locations_apart(public):
    """Several locations of one school have one name; street and code make each unique."""
    found = public.search("Den Helder")
    labels = list(found.options.values())
    assert len(set(labels)) == len(labels)
    for sid, label in found.options.items():
        school = public.schools.set_index("id").loc[sid]
        assert label.endswith(f"({school['vestigingscode']})")
        assert school["straat"] in label
    by_code = public.search(public.schools.iloc[0]["vestigingscode"].lower())
    assert list(by_code.options) == [public.schools.iloc[0]["id"]]


def test_a_chosen_partner_row_points_the_map_at_that_partner(public):
    answer = public.partners_of(_alkmaar_school(public))
    names = list(answer.table["Partner"])
    assert len(answer.points) == len(names)
    for position, name in enumerate(names):
        focus = answer.row_focus(position)
        partner = public.partners[public.partners["naam"] == name].iloc[0]
        assert (focus.lat, focus.lon) == pytest.approx((partner["lat"], partner["lon"]))
        assert focus.label.startswith(f"Gekozen: {position + 1}. {name} — ")
        assert focus.label.endswith(" km") and focus.kind == "gekozen"
    assert answer.row_focus(None) is None and answer.row_focus(len(names)) is None
    nearer = public.partners_of(_alkmaar_school(public), k=2)
    assert nearer.table_key != answer.table_key  # other rows: a page forgets the choice
    assert public.partners_of(_alkmaar_school(public)).table_key == answer.table_key


def test_a_chosen_school_row_points_the_map_at_that_school(public):
    partner_id = next(iter(public.partner_options()))
    answer = public.schools_of(partner_id, radius_km=25)
    schools = public.schools.set_index("vestigingscode")
    assert len(answer.table) > 2
    for position in (0, 1, len(answer.table) - 1):
        focus = answer.row_focus(position)
        row = answer.table.iloc[position]
        school = schools.loc[row[heading("vestigingscode")]]
        assert (focus.lat, focus.lon) == pytest.approx((school["lat"], school["lon"]))
        assert focus.label.startswith(f"Gekozen: {row['School']} — ")
