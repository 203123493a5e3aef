"""The verdicts and the register writes of a large messy import, pinned.

A generated partner list (``bench/bench_import.py``: real PC4 postcodes and place names,
misspelt places, letters for digits, invalid postcodes, duplicates, rows without a name)
plus hand-made rows for every branch of the per-row check (a PO box, an ambiguous
place, postcode and place in one cell, an address with its postcode, a place far from
its postcode, unclear flags, contact mistakes, register matches, a hand-placed
organisation) is checked offline. Everything a row's verdict holds, the suggestions
accepted afterwards and what importing writes to the register are reduced to one
digest each, taken with the per-row importer before it was vectorised: a faster
importer must give exactly these verdicts and write exactly these rows.

When a rule or a message changes on purpose, the digest changes with it: run this file,
check the differences the failing test names, and put the new digest here.
"""

from __future__ import annotations

import hashlib
import io
import json
import math

import pandas as pd
import pytest

from bench.bench_import import HEADER, partner_rows
from geo.addresses import parse_postcode
from geo.auth import LOCAL_ADMIN_ROLE
from geo.intake import batch
from geo.intake.geocoding import AddressQuery, OfflineGeocoder
from geo.intake.reading import read_table
from geo.intake.records import result_table, to_records
from geo.intake.spelling import place_index
from geo.intake.verdicts import ImportRun, accept_suggestions, check_rows, count_statuses
from geo.reference.gazetteer import Gazetteer
from geo.register import writes
from geo.register.store import Store

#: Columns of the file: the benchmark's, plus a municipality column.
COLUMNS = [*HEADER, "Gemeente"]

#: name, kind, street, postcode, place, country, donor, contact, e-mail, phone, municipality.
EDGE_ROWS = [
    ["Postbus Infra", "Aannemer", "Postbus 100", "1811 AB", "Alkmaar", "", "ja", "", "", "",
     ""],
    ["Bergen Groen", "Groen", "", "", "Bergen", "", "", "", "", "", ""],
    ["Oosterend Bouw", "", "", "", "Oosterend", "", "", "", "", "", ""],
    ["Atlantis BV", "", "Zeeweg 1", "", "Atlantis", "", "", "", "", "", ""],
    ["Eén Cel", "", "Kade 1", "1703 AB Heerhugowaard", "", "", "", "", "", "", ""],
    ["Plaatscel", "", "Kade 2", "", "1811 AB Alkmaar", "", "", "", "", "", ""],
    ["Adresregel", "", "Dorpsstraat 1, 1621 AB Hoorn", "", "", "", "", "", "", "", ""],
    ["Alleen Gemeente", "", "", "", "", "", "", "", "", "", "Alkmaar"],
    ["Onbekende PC4", "", "Weg 1", "1000 AA", "Amsterdam", "", "", "", "", "", ""],
    ["Verkeerde Plaats", "", "Weg 2", "1703 AB", "Alkmaar", "", "", "", "", "", ""],
    ["Ouddorp Bedoeld", "", "Weg 3", "1829 AB", "Ouddorp", "", "", "", "", "", ""],
    ["Lookalike", "Riolerin", "Weg 4", "17O3AB", "Heerhugowaad", "", "", "", "", "", ""],
    ["Twijfel Donateur", "", "Weg 5", "1811 AB", "Alkmaar", "", "misschien", "", "", "",
     ""],
    ["Contact Fout", "", "Weg 6", "1811 AB", "Alkmaar", "", "", "iemand@example.nl",
     "geen-mail", "12", ""],
    ["Nul Kwijt", "", "Weg 7", "1811 AB", "Alkmaar", "", "", "", "", "725551234", ""],
    ["Belgische Wegen", "", "Meir 1", "2000", "Antwerpen", "België", "", "", "", "", ""],
    ["Zonder Adres", "", "", "", "", "", "", "", "", "", ""],
    ["", "", "Weg 8", "1811 AB", "Alkmaar", "", "", "", "", "", ""],
    ["<b>Html</b> & Zn", "", "Weg 9", "1621 AB", "Hoorn", "", "", "", "", "", ""],
    ["Flevo Infra", "", "Stationsplein 1", "8211 AB", "Lelystad", "", "", "", "", "", ""],
    ["Wegenbouw Noord BV", "", "Weg 10", "1703 AB", "Heerhugowaard", "", "", "", "", "",
     ""],
    ["Wegenbouw Noordd", "", "Weg 10", "1703 AB", "Heerhugowaard", "", "", "", "", "", ""],
    ["Wegenbouw Noord B.V.", "", "Weg 11", "1811 AB", "Alkmaar", "", "", "", "", "", ""],
    ["Wegenbouw Noord", "", "Weg 10", "1703ab", "Heerhugowaard", "", "", "", "", "", ""],
    ["Bekend Bedrijf", "", "Markt 1", "1741 AB", "Schagen", "", "ja", "", "", "", ""],
    ["Handmatig Geplaatst", "", "Markt 2", "1741 AB", "Schagen", "", "", "", "", "", ""],
    ["Bijna Bekend", "", "Markt 3", "1741 AB", "Schagen", "", "", "", "", "", ""],
    ["Elders Bekend", "", "Markt 4", "1621 AB", "Hoorn", "", "", "", "", "", ""],
    ["Kapot \ufffd Teken", "", "Weg 12", "1811 AB", "Alkmaar", "", "", "", "", "", ""],
    ["Postcode Streepje", "", "Weg 13", "1811-ab", "Alkmaar", "", "", "", "", "", ""],
    ["Verboden Letters", "", "Weg 14", "1811 SS", "Alkmaar", "", "", "", "", "", ""],
    ["Alleen Cijfers", "", "Weg 15", "1811", "", "", "", "", "", "", ""],
]

#: The register the file is checked against (``Store.organisations()`` columns used).
EXISTING = pd.DataFrame([
    {"id": 501, "versie": 3, "naam": "Bekend Bedrijf", "postcode": "1741 AB",
     "plaats": "Schagen", "straat": "Markt 1", "nauwkeurigheid": "postcode4", "bron": ""},
    {"id": 502, "versie": 1, "naam": "Handmatig Geplaatst", "postcode": "1741 AB",
     "plaats": "Schagen", "straat": "Markt 2", "nauwkeurigheid": "handmatig", "bron": ""},
    {"id": 503, "versie": 2, "naam": "Bijna Bekendd", "postcode": "1741 AB",
     "plaats": "Schagen", "straat": "Markt 9", "nauwkeurigheid": "postcode4", "bron": ""},
    {"id": 504, "versie": 1, "naam": "Elders Bekend", "postcode": "1811 AB",
     "plaats": "Alkmaar", "straat": "Ergens 1", "nauwkeurigheid": "postcode4", "bron": ""},
])

#: Digests of the per-row importer (see the module notes).
VERDICTS_DIGEST = "ac34eb07034fed0b2ecb6cd7f6900019d4dc85afcd395649b054b5a33feec8ef"
ACCEPTED_DIGEST = "d88942f1e49d66bbe7ded23a29213b0e2c63b6d3477ec9887a4c7fc963892a2a"
REGISTER_DIGEST = "8a86ea2462abc5750b5b901feae86c3ba91fbab235c9534134ca089a94a662e4"


def messy_csv(reference) -> bytes:
    """The generated rows and the edge rows as one semicolon CSV with a title row."""
    rows = [[*row, ""] for row in partner_rows(reference, 600, seed=5)] + EDGE_ROWS
    out = io.StringIO()
    out.write("Partnerlijst;;;\n")
    pd.DataFrame(rows, columns=COLUMNS).to_csv(out, sep=";", index=False)
    return out.getvalue().encode("utf-8")


def _plain(value):
    """A JSON-able form of a verdict's value (floats exactly, dataclasses as dicts)."""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if value is None or isinstance(value, str | int | bool):
        return value
    return _plain(value.item()) if hasattr(value, "item") else repr(value)


def canonical(verdicts) -> list[dict]:
    """Every field of every verdict, and its status and message."""
    return [{**_plain(v), "status": v.status, "message": v.message} for v in verdicts]


def digest(items) -> str:
    text = json.dumps(items, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture(scope="module")
def gazetteer(reference):
    return Gazetteer(reference)


@pytest.fixture(scope="module")
def table(reference):
    return read_table(messy_csv(reference), "rommelig.csv")


@pytest.fixture(scope="module")
def verdicts(table, gazetteer, reference):
    return check_rows(table, geocoder=OfflineGeocoder(gazetteer), reference=reference,
                      existing=EXISTING)


def test_the_file_is_messy_in_every_way(table, verdicts):
    assert len(table.rows) == 600 + len(EDGE_ROWS)
    counts = count_statuses(verdicts)
    assert counts["ok"] > 400 and counts["waarschuwing"] > 50 and counts["fout"] > 10
    messages = " ".join(v.message for v in verdicts)
    for part in ("Postbus", "Meerdere plaatsen", "is onbekend", "geen geldige Nederlandse",
                 "Dubbel in het bestand", "Mogelijk dubbel", "Staat al in het register",
                 "handmatig geplaatste", "niet begrepen", "ongeldig e-mailadres",
                 "buiten de vijf", "onleesbare tekens", "ligt in Heerhugowaard"):
        assert part in messages, part
    assert sum(bool(v.suggestions) for v in verdicts) > 5
    assert {s.field for v in verdicts for s in v.suggestions} == {"postcode", "plaats",
                                                                   "soort"}


def pinned(items, expected: str, path) -> None:
    """Assert the digest of ``items``; on a difference, write them to ``path`` to compare."""
    found = digest(items)
    if found != expected:
        path.write_text(json.dumps(items, sort_keys=True, ensure_ascii=False, indent=1),
                        encoding="utf-8")
    assert found == expected, f"differs from the pinned import; written to {path}"


def test_verdicts_are_those_of_the_per_row_importer(verdicts, tmp_path):
    pinned(canonical(verdicts), VERDICTS_DIGEST, tmp_path / "verdicts.json")


def test_accepted_suggestions_are_those_of_the_per_row_importer(table, gazetteer, reference,
                                                                tmp_path):
    geocoder = OfflineGeocoder(gazetteer)
    run = ImportRun(table)
    check_rows(table, geocoder=geocoder, reference=reference, existing=EXISTING, run=run)
    assert accept_suggestions(run) > 5
    again = check_rows(table, geocoder=geocoder, reference=reference, existing=EXISTING,
                       run=run)
    assert any(v.accepted for v in again)
    pinned(canonical(v for v in again if v.accepted), ACCEPTED_DIGEST,
           tmp_path / "accepted.json")


def _register_rows(store: Store) -> dict:
    """The organisations and the history, without the times they were written."""
    organisations = store.organisations(include_personal=True).drop(
        columns=["aangemaakt", "gewijzigd"], errors="ignore")
    history = store.history().drop(columns=["wanneer"])
    return {"organisaties": _plain(organisations.to_dict("records")),
            "historie": _plain(history.to_dict("records"))}


@pytest.mark.parametrize("held", [None, 50])
def test_register_writes_are_those_of_the_per_row_importer(tmp_path, table, verdicts,
                                                           reference, held, monkeypatch):
    """Also when the new rows held back are written in many small groups."""
    if held is not None:
        monkeypatch.setattr(writes, "HELD_ROWS", held)
    records = to_records(verdicts, fields=table.fields, reference=reference)
    with Store(tmp_path / "r.sqlite", reference) as store:
        # The register the verdicts were checked against, as far as the file goes.
        for row in EXISTING.to_dict("records"):
            store.save_organisation({k: row[k] for k in ("naam", "postcode", "plaats",
                                                         "straat")}, user="eerder")
        by_name = store.organisations().set_index("naam")["id"].to_dict()
        for record in records:
            if "id" in record:  # ids and versions of this register, not of EXISTING
                name = EXISTING.set_index("id").loc[record["id"], "naam"]
                record["id"] = int(by_name[name])
                record.pop("versie", None)
        outcome = store.apply_import(records, user="test", role=LOCAL_ADMIN_ROLE)
        assert outcome["nieuw"] > 500 and not outcome["conflicten"]
        again = store.apply_import(records, user="test", role=LOCAL_ADMIN_ROLE)
        assert again["ongewijzigd"] == len(records)
        rows = _register_rows(store)
    assert result_table(verdicts)["rij"].tolist() == [v.row for v in verdicts]
    pinned(rows, REGISTER_DIGEST, tmp_path / "register.json")


# ------------------------------------------------------------- many rows at once = one by one


class OneByOne:
    """The offline geocoder without ``geocode_many``: check_rows then goes row by row."""

    def __init__(self, inner: OfflineGeocoder) -> None:
        self.inner = inner

    def geocode(self, query):
        return self.inner.geocode(query)


def test_many_rows_at_once_give_the_verdicts_of_one_row_at_a_time(table, gazetteer,
                                                                  reference, verdicts):
    geocoder = OfflineGeocoder(gazetteer)
    one_by_one = check_rows(table, geocoder=OneByOne(geocoder), reference=reference,
                            existing=EXISTING)
    assert one_by_one == verdicts
    # Also for rows checked again with their accepted suggestions.
    runs = [ImportRun(table), ImportRun(table)]
    for run, used in zip(runs, (geocoder, OneByOne(geocoder)), strict=True):
        check_rows(table, geocoder=used, reference=reference, existing=EXISTING, run=run)
        accept_suggestions(run)
    again = [check_rows(table, geocoder=used, reference=reference, existing=EXISTING, run=run)
             for run, used in zip(runs, (geocoder, OneByOne(geocoder)), strict=True)]
    assert again[0] == again[1]


def test_a_stop_request_is_heard_between_rows_of_a_batch(table, gazetteer, reference,
                                                        verdicts):
    run = ImportRun(table)
    steps: list[int] = []
    partial = check_rows(table, geocoder=OfflineGeocoder(gazetteer), reference=reference,
                         existing=EXISTING, run=run, should_stop=lambda: run.done >= 7,
                         progress=lambda done, total: steps.append(done))
    assert run.done == 7 and steps == list(range(1, 8)) and len(partial) == 7
    resumed = check_rows(table, geocoder=OfflineGeocoder(gazetteer), reference=reference,
                         existing=EXISTING, run=run)
    assert run.complete and resumed == verdicts


TRICKY_POSTCODES = [
    "1811 AB", "1811ab", " 1811-ab ", "1811 - AB", "1811\tAB", "1811\u2009ab", "1811",
    "1811 SS", "1811 sa", "0123 AB", "18 11 AB", "1811ABC", "1811 A", "", "   ", "ABCD",
    "17O3AB", "1811 AB Alkmaar", "1811 AB\n", "\u00a01811 AB", "９９９９ AB", "9999 ZZ",
]


def test_postcodes_parsed_at_once_as_one_by_one():
    digits, letters = batch.postcode_parts(TRICKY_POSTCODES)
    for text, pc4, pair in zip(TRICKY_POSTCODES, digits, letters, strict=True):
        parsed = parse_postcode(text)
        assert (pc4, pair) == ((parsed.pc4, parsed.letters) if parsed else (None, None)), text
    assert [list(part) for part in batch.postcode_parts([])] == [[], []]


def test_placed_at_once_as_one_by_one(table, gazetteer):
    geocoder = OfflineGeocoder(gazetteer)
    queries = [AddressQuery(street=row.values.get("straat", ""),
                            postcode=row.values.get("postcode", ""),
                            place=row.values.get("plaats", ""), country=row.values.get("land", ""))
               for row in table.rows]
    queries += [AddressQuery(postcode=text, place=place) for text in TRICKY_POSTCODES
                for place in ("", "Alkmaar", "Atlantis")]
    assert geocoder.geocode_many(queries) == [geocoder.geocode(q) for q in queries]
    assert geocoder.geocode_many([]) == []


def test_place_and_postcode_agree_at_once_as_one_by_one(table, reference):
    places = place_index(reference)
    pairs = [(row.values.get("plaats", ""), row.values.get("postcode", ""))
             for row in table.rows]
    pairs += [(place, text) for text in TRICKY_POSTCODES
              for place in ("", "Alkmaar", "alkmaar ", "Bergen (NH.)", "Oudorp", "Atlantis")]
    digits, _ = batch.postcode_parts([postcode for _, postcode in pairs])
    found = batch.agreement(places, [place for place, _ in pairs], digits)
    assert found == [places.agrees(place, postcode) for place, postcode in pairs]
    assert None in found and True in found and False in found


def test_a_record_matches_a_row_written_earlier_in_the_same_import(tmp_path, reference):
    record = {"rij": 2, "naam": "Dubbel BV", "postcode": "1811 AB", "plaats": "Alkmaar"}
    with Store(tmp_path / "r.sqlite", reference) as store:
        outcome = store.apply_import(
            [record, {**record, "rij": 3},
             {**record, "rij": 4, "naam": "Dubbel B.V.", "straat": "Anders 1"}], user="test")
        assert (outcome["nieuw"], outcome["ongewijzigd"]) == (1, 1)
        (conflict,) = outcome["conflicten"]
        assert (conflict.row, conflict.reason, conflict.users) == (4, "bestaat_al", ("test",))
        assert len(set(outcome["ids"])) == 1 and store.organisation_count() == 1
