"""The review queue's logic (geo/views/review.py), without Streamlit."""

from __future__ import annotations

import pytest

from geo.register.store import Store
from geo.views import review


@pytest.fixture
def store(tmp_path, reference):
    with Store(tmp_path / "register.sqlite", reference) as s:
        yield s


@pytest.mark.parametrize(("ids", "current", "expected"), [
    ([3, 1, 2], 3, 1),      # the one after it
    ([3, 1, 2], 2, 3),      # after the last: round to the first
    ([3, 1, 2], 9, 3),      # not (or no longer) in the queue: the first
    ([4], 4, None),         # nothing else waits
    ([], 4, None),
])
def test_next_after(ids, current, expected):
    assert review.next_after(ids, current) == expected


def _rough(store: Store, name: str, **values) -> int:
    row = {"naam": name, "plaats": "Purmerend", "lat": 52.50, "lon": 4.95,
           "nauwkeurigheid": "plaats", "status": "waarschuwing", **values}
    return store.save_organisation(row, user="test")


def test_queue_order_position_and_caption(store):
    error = _rough(store, "Zeta", status="fout", lat=None, lon=None, nauwkeurigheid="geen")
    warned = _rough(store, "Alfa")
    store.save_organisation({"naam": "Precies", "plaats": "Hoorn", "lat": 52.64, "lon": 5.06,
                             "nauwkeurigheid": "adres", "status": "ok"}, user="test")
    queue = review.review_section(store)
    assert queue.ids == [error, warned]  # errors first, precise and ok rows not at all
    assert queue.position(warned) == "Organisatie 2 van 2"
    assert queue.caption().startswith("2 organisaties ")
    assert "Precies" not in set(queue.table()["naam"])
    assert "id" not in queue.table().columns
    assert queue.labels[error] == "Zeta — Purmerend (fout)"
    store.delete_organisation(error, user="test")
    assert review.review_section(store).caption().startswith("1 organisatie ")


def test_confirming_a_rough_location_hands_it_over_to_people(store):
    org_id = _rough(store, "Alfa [BV]")
    message = review.mark_checked(store, store.get_organisation(org_id), user="anna")
    assert message.kind == "success" and "Alfa \\[BV\\]" in message.text
    saved = store.get_organisation(org_id)
    assert (saved["status"], saved["nauwkeurigheid"]) == ("ok", "handmatig")
    assert (saved["lat"], saved["lon"]) == (52.50, 4.95)  # the point itself is kept
    assert review.review_section(store).empty


def test_confirming_a_precise_location_keeps_its_precision(store):
    org_id = store.save_organisation({"naam": "Adres BV", "plaats": "Hoorn", "lat": 52.64,
                                      "lon": 5.06, "nauwkeurigheid": "adres",
                                      "status": "waarschuwing"}, user="test")
    review.mark_checked(store, store.get_organisation(org_id), user="anna")
    saved = store.get_organisation(org_id)
    assert (saved["status"], saved["nauwkeurigheid"]) == ("ok", "adres")


def test_an_organisation_without_a_location_cannot_be_confirmed(store):
    org_id = _rough(store, "Nergens", lat=None, lon=None, nauwkeurigheid="geen",
                    status="fout")
    org = store.get_organisation(org_id)
    assert not review.can_confirm(org)
    message = review.mark_checked(store, org, user="anna")
    assert message.kind == "error" and "nog geen locatie" in message.text
    assert store.get_organisation(org_id)["status"] == "fout"
    assert review.review_section(store).ids == [org_id]


def test_precision_text_is_dutch(store):
    org_id = _rough(store, "Alfa")
    text = review.precision_text(store.get_organisation(org_id))
    assert text.startswith("Nu: ") and "plaats" in text.lower()
