"""Education places as a managed register layer (issue 11, item 1).

The migration from a register that still has ``mbo_locaties``, the seed from the bundled
file, setting an address (PDOK, offline, refused) with its history and its effect on the
travel indicators, who may change a place, the Beheer section and ``infrakaart mbo``.
"""

from __future__ import annotations

import dataclasses
import socket
import sqlite3

import pytest

from geo import education_places
from geo.analysis.indicators import indicators
from geo.analysis.travel import StraightLineModel
from geo.cli import main
from geo.errors import AuthError, StoreError
from geo.intake.geocoding import OfflineGeocoder
from geo.reference.gazetteer import Gazetteer
from geo.register.places import address_update, find_place, place_lines, places_table
from geo.register.schema import SCHEMA_VERSION, apply_migrations
from geo.register.seed import SEED_USER
from geo.register.store import Store
from geo.views import education as view
from tests.fake_pdok import fake_pdok_fixture  # noqa: F401  (fixture "fake_pdok")
from tests.test_store import dump

AMSTERDAM = "ROC van Amsterdam (infra-opleidingen)"


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "register.sqlite"


@pytest.fixture
def store(db_path, reference):
    with Store(db_path, reference) as s:
        yield s


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


def place_named(store: Store, name: str) -> dict:
    return find_place(store.places.all(), name)


def run_cli(argv, settings, capsys):
    code = main(argv, settings=settings)
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def unreachable_pdok(settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return dataclasses.replace(settings, offline=False, pdok_url=f"http://127.0.0.1:{port}/",
                               pdok_retries=0, pdok_timeout_s=2.0)


# ------------------------------------------------------------------------- migration, seed


def test_upgrade_from_v5_keeps_the_places_their_ids_and_the_rest(db_path, reference):
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("BEGIN")
    apply_migrations(conn, target=5)
    conn.execute("INSERT INTO mbo_locaties (id, naam, instelling, plaats, lat, lon, "
                 "nauwkeurigheid, gemeentecode, gemeentenaam) VALUES (7, 'Oude Campus', "
                 "'ROC Oud', 'Hoorn', 52.64, 5.06, 'plaats', 'GM0405', 'Hoorn')")
    conn.execute("INSERT INTO mbo_locaties (id, naam, straat, postcode, plaats, lat, lon, "
                 "nauwkeurigheid) VALUES (9, 'Adres Campus', 'Bouwkade 12', '1703 AB', "
                 "'Heerhugowaard', 52.66, 4.83, 'adres')")
    conn.execute("INSERT INTO organisaties (naam, soort, aangemaakt, gewijzigd) VALUES "
                 "('Blijft B.V.', 'aannemer', '2024-01-01', '2024-01-01')")
    conn.execute("COMMIT")
    conn.close()

    with Store(db_path, reference) as store:
        assert store.schema_version == SCHEMA_VERSION >= 6
        places = store.places.all().set_index("id")
        assert list(places.index) == [7, 9]  # the same rows; the file does not seed again
        assert places.loc[7, "naam"] == "Oude Campus"
        assert places.loc[7, "lat"] == pytest.approx(52.64)
        assert places.loc[9, "straat"] == "Bouwkade 12"
        assert set(places["soort"]) == {"mbo_infra"}
        assert set(places["bron"]) == {education_places.BUNDLED_SOURCE}
        assert places["actief"].all() and set(places["versie"]) == {1}
        assert "alleen de plaats is bekend" in places.loc[7, "melding"]
        assert places.loc[9, "melding"] == ""  # it was already at an address
        assert list(store.organisations()["naam"]) == ["Blijft B.V."]
        assert len(store.mbo_locations()) == 2
        store.places.save({"id": 7, "straat": "Roode Steenkade 11"}, user="anna", role="team")
        assert store.places.get(7)["versie"] == 2
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'mbo_locaties'"
                        ).fetchone()[0] == 0
    conn.close()


def test_seed_is_honest_about_place_level_and_runs_once(db_path, reference):
    with Store(db_path, reference) as store:
        places = store.places.all()
        assert len(places) == len(reference.mbo) == 2
        assert set(places["nauwkeurigheid"]) == {"plaats"}
        assert set(places["bron"]) == {"meegeleverd"}
        assert places["melding"].str.contains("alleen de plaats is bekend").all()
        seeded = store.history(table="opleidingslocaties")
        assert list(seeded["gebruiker"]) == [SEED_USER, SEED_USER]
    before = dump(db_path)
    Store(db_path, reference).close()
    assert dump(db_path) == before  # reopening seeds nothing and writes nothing


def test_a_corrected_place_is_not_overwritten_by_the_file(db_path, reference, gazetteer):
    with Store(db_path, reference) as store:
        place = place_named(store, AMSTERDAM)
        update = address_update(OfflineGeocoder(gazetteer), street="", postcode="1102",
                                place="Amsterdam", offline=True)
        store.places.save({"id": place["id"], **update}, user="anna", role="team")
    with Store(db_path, reference) as again:
        assert len(again.places.all()) == 2
        assert again.places.get(place["id"])["nauwkeurigheid"] == "postcode4"


# ------------------------------------------------------------------ setting an address


def test_setting_an_address_changes_precision_and_travel_times(store, reference, gazetteer):
    def travel():
        table = indicators("gemeente", reference=reference, partners=store.organisations(),
                           schools=store.schools(), mbo=store.mbo_locations(),
                           travel=StraightLineModel())
        return table.set_index("naam")["reistijd_mbo_infra_min_gemiddeld"]

    before = travel()
    place = place_named(store, AMSTERDAM)
    update = address_update(OfflineGeocoder(gazetteer), street="", postcode="1102 AB",
                            place="Amsterdam", offline=True)
    assert update["nauwkeurigheid"] == "postcode4" and update["bron"] == "offline"
    store.places.save({"id": place["id"], **update}, user="anna", role="team",
                      expected_version=place["versie"])
    after = travel()
    saved = store.places.get(place["id"])
    assert saved["nauwkeurigheid"] == "postcode4"
    assert saved["postcode"] == "1102 AB" and saved["versie"] == 2
    assert "Nog niet op het exacte adres" in saved["melding"]
    # Zuidoost is closer to Diemen than the canal belt: its young people travel less.
    assert after["Diemen"] < before["Diemen"]
    assert after["Den Helder"] == pytest.approx(before["Den Helder"])  # nearest: Heerhugowaard


def test_the_history_names_who_changed_what(store, gazetteer):
    place = place_named(store, AMSTERDAM)
    update = address_update(OfflineGeocoder(gazetteer), street="Dijkgracht 30-3",
                            postcode="1012 KL", place="Amsterdam", offline=True)
    store.places.save({"id": place["id"], **update}, user="kees", role="bestuur")
    rows = store.history(place["id"], table="opleidingslocaties")
    changed = rows[rows["gebruiker"] == "kees"]
    assert {"straat", "postcode", "nauwkeurigheid", "bron"} <= set(changed["veld"])
    precision = changed[changed["veld"] == "nauwkeurigheid"].iloc[0]
    assert (precision["oud"], precision["nieuw"]) == ("plaats", "postcode4")


def test_invalid_postcode_or_unplaceable_address_changes_nothing(store, db_path, gazetteer):
    before = dump(db_path)
    with pytest.raises(StoreError, match="geen geldige Nederlandse postcode"):
        address_update(OfflineGeocoder(gazetteer), street="Kade 1", postcode="12345",
                       place="Amsterdam", offline=True)
    with pytest.raises(StoreError, match="Er is niets gewijzigd"):
        address_update(OfflineGeocoder(gazetteer), street="Kade 1", postcode="",
                       place="Nergenshuizen", offline=True)
    assert dump(db_path) == before


def test_other_kinds_are_shown_but_are_no_travel_destination(store):
    new_id = store.places.save({"naam": "Infra-opleidingscentrum", "soort": "opleidingscentrum",
                                "plaats": "Heerhugowaard", "lat": 52.67, "lon": 4.84},
                               user="anna", role="team")
    assert len(store.places.all()) == 3
    assert new_id not in set(store.mbo_locations()["id"])
    new = store.places.get(new_id)
    assert (new["bron"], new["nauwkeurigheid"]) == ("handmatig", "handmatig")
    row = places_table(store.places.all()).set_index("Nr").loc[new_id]
    assert (row["Soort"], row["Telt mee in reistijd"]) == ("infra-opleidingscentrum", "nee")
    with pytest.raises(StoreError):
        store.places.save({"naam": "X", "soort": "kroeg"}, user="anna", role="team")
    amsterdam = place_named(store, AMSTERDAM)
    store.places.save({"id": amsterdam["id"], "actief": False}, user="anna", role="team")
    assert list(store.mbo_locations()["naam"]) == [
        place_named(store, "Heerhugowaard")["naam"]]


# ------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("role", ["team", "bestuur"])
def test_team_and_board_may_change_a_place(store, role):
    place = place_named(store, AMSTERDAM)
    store.places.save({"id": place["id"], "instelling": "ROC"}, user="u", role=role)
    assert store.places.get(place["id"])["instelling"] == "ROC"


@pytest.mark.parametrize("role", [None, "", "publiek", "admin"])
def test_nobody_else_may_change_a_place(store, db_path, role):
    place = place_named(store, AMSTERDAM)
    before = dump(db_path)
    with pytest.raises(AuthError):
        store.places.save({"id": place["id"], "instelling": "Gekaapt"}, user="u", role=role)
    message = view.save_place(store, {**place, "instelling": "Gekaapt"}, current=place,
                              coordinates="", geocoder_factory=None, offline=True, user="u",
                              role=role)
    assert message.kind == "error"
    assert dump(db_path) == before
    assert view.places_section(store, role=role).may_edit is False


# ------------------------------------------------------------------------- Beheer section


def offline_factory(gazetteer):
    return lambda *, offline: OfflineGeocoder(gazetteer)


def test_beheer_section_warns_and_saves_an_address(store, gazetteer):
    section = view.places_section(store, role="team")
    assert section.may_edit and section.choices[0] == view.NEW_PLACE
    assert "plaatsniveau" in section.notice and "Heerhugowaard" in section.notice
    place = view.current_place(store, place_named(store, "Heerhugowaard")["id"])
    assert "midden van de woonkern" in view.place_summary(place)
    form = {**place, "straat": "Bouwkade 12", "postcode": "1703AB"}
    message = view.save_place(store, form, current=place, coordinates="",
                              geocoder_factory=offline_factory(gazetteer), offline=True,
                              user="anna", role="team")
    assert message.kind == "warning" and "postcodegebied" in message.text  # not exact yet
    saved = store.places.get(place["id"])
    assert (saved["straat"], saved["postcode"]) == ("Bouwkade 12", "1703 AB")
    unchanged = view.save_place(store, dict(saved), current=saved, coordinates="",
                                geocoder_factory=offline_factory(gazetteer), offline=True,
                                user="anna", role="team")
    assert unchanged.kind == "info"
    by_hand = view.save_place(store, dict(saved), current=saved, coordinates="52.6601, 4.8265",
                              geocoder_factory=offline_factory(gazetteer), offline=True,
                              user="anna", role="team")
    assert by_hand.kind == "success"
    assert store.places.get(place["id"])["nauwkeurigheid"] == "handmatig"
    assert not view.place_history(store, place["id"]).empty


def test_beheer_section_refuses_pdok_down_without_offline(store, db_path, gazetteer):
    def down(*, offline):
        return OfflineGeocoder(gazetteer)  # answers as the fallback does when PDOK is down

    place = place_named(store, AMSTERDAM)
    before = dump(db_path)
    message = view.save_place(store, {**place, "postcode": "1102 AB"}, current=place,
                              coordinates="", geocoder_factory=down, offline=False,
                              user="anna", role="team")
    assert message.kind == "error" and "PDOK is nu niet bereikbaar" in message.text
    assert dump(db_path) == before


# ------------------------------------------------------------------------- the CLI


def test_cli_lijst_shows_precision_and_source_in_dutch(settings, capsys, tmp_path):
    out_file = tmp_path / "mbo.csv"
    code, out, _ = run_cli(["mbo", "lijst", "--uitvoer", str(out_file)], settings, capsys)
    assert code == 0
    assert AMSTERDAM in out
    assert "Nauwkeurigheid: plaats (midden van de woonkern" in out
    assert "bron: meegeleverd bestand" in out
    assert education_places.PLACE_LEVEL_NOTE in out
    assert "Nauwkeurigheid" in out_file.read_text(encoding="utf-8-sig")


def test_cli_zet_offline_places_on_the_postcode(settings, capsys, reference):
    code, out, err = run_cli(["mbo", "zet", "Heerhugowaard", "--adres", "Bouwkade 12",
                              "--postcode", "1703AB", "--offline"], settings, capsys)
    assert code == 0, err
    assert "Bouwkade 12, 1703 AB Heerhugowaard" in out
    assert "postcodegebied (4 cijfers" in out
    with Store(settings.database_path, reference) as store:
        place = place_named(store, "Heerhugowaard")
        assert place["nauwkeurigheid"] == "postcode4" and place["bron"] == "offline"
        who = store.history(place["id"], table="opleidingslocaties")["gebruiker"]
        assert who.iloc[0].startswith("cli")


def test_cli_zet_with_pdok_places_at_the_exact_address(settings, capsys, fake_pdok):
    online = dataclasses.replace(settings, offline=False, pdok_url=fake_pdok.url)
    code, out, err = run_cli(["mbo", "zet", "Heerhugowaard", "--adres", "Bouwkade 12",
                              "--postcode", "1703 AB"], online, capsys)
    assert code == 0, err
    assert "Nauwkeurigheid: adres (exact gebouw) · bron: PDOK" in out
    assert fake_pdok.request_count >= 1


def test_cli_zet_unknown_name_changes_nothing(settings, capsys, reference):
    Store(settings.database_path, reference).close()
    before = dump(settings.database_path)
    code, _, err = run_cli(["mbo", "zet", "Zwolle", "--postcode", "1703AB", "--offline"],
                           settings, capsys)
    assert code == 1
    assert "Geen opleidingslocatie heet 'Zwolle'" in err
    code, _, err = run_cli(["mbo", "zet", "infra", "--postcode", "1703AB", "--offline"],
                           settings, capsys)
    assert code == 1 and "meer dan één opleidingslocatie" in err
    assert dump(settings.database_path) == before


def test_cli_zet_with_pdok_down_changes_nothing(settings, capsys, reference):
    Store(settings.database_path, reference).close()
    before = dump(settings.database_path)
    code, _, err = run_cli(["mbo", "zet", "Heerhugowaard", "--adres", "Bouwkade 12",
                            "--postcode", "1703AB"], unreachable_pdok(settings), capsys)
    assert code == 1
    assert "PDOK is nu niet bereikbaar, er is niets gewijzigd" in err
    assert "--offline" in err
    assert dump(settings.database_path) == before


def test_place_lines_name_every_place(store):
    text = "\n".join(place_lines(store.places.all()))
    assert text.count("telt mee in reistijd: ja") == 2


def test_the_map_says_how_each_place_was_located(store, gazetteer):
    from geo.output import maps
    from tests.map_payloads import layer

    place = place_named(store, AMSTERDAM)
    update = address_update(OfflineGeocoder(gazetteer), street="", postcode="1102 AB",
                            place="Amsterdam", offline=True)
    store.places.save({"id": place["id"], **update}, user="anna", role="team")
    fmap = maps.base_map()
    assert maps.add_mbo(fmap, store.mbo_locations()) == 2
    maps.finish_map(fmap)
    badges = layer(fmap.get_root().render(), "badges", "ik-mbo")["cols"]
    by_name = dict(zip(badges["naam"], range(len(badges["naam"])), strict=True))
    amsterdam, other = by_name[AMSTERDAM], 1 - by_name[AMSTERDAM]
    assert badges["adres_tekst"][amsterdam] == "1102 AB Amsterdam"
    assert badges["bron_tekst"][amsterdam] == "Bron: offline (CBS-postcodes)"
    assert badges["plaatsniveau"][amsterdam] is None
    assert badges["plaatsniveau"][other] == education_places.PLACE_LEVEL_NOTE
    assert badges["soort_tekst"] == ["mbo infra", "mbo infra"]


def test_other_kinds_get_a_map_layer_of_their_own(store):
    from geo.output import maps
    from tests.map_payloads import layer

    store.places.save({"naam": "Hbo Civiel", "soort": "hbo_civiel", "plaats": "Alkmaar",
                       "lat": 52.63, "lon": 4.75}, user="anna", role="team")
    fmap = maps.base_map()
    assert maps.add_mbo(fmap, store.places.all(active_only=True)) == 3
    html = fmap.get_root().render()
    assert len(layer(html, "badges", "ik-mbo")["lat"]) == 2
    assert layer(html, "badges", "ik-opleiding")["cols"]["naam"] == ["Hbo Civiel"]
