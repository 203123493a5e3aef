"""geo.kept.Kept: the latest few results by key, shared by threads, recorded on request."""

from __future__ import annotations

import threading

from geo.kept import Kept


def test_the_least_recently_used_entry_goes_first():
    kept = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the latest used
    kept.put("c", 3)
    assert "b" not in kept and kept.get("a") == 1 and kept.get("c") == 3
    assert len(kept) == 2 and kept.values() == [1, 3]
    assert kept.get("b") is None


def test_recording_lists_what_this_thread_got_or_put_inside_the_block():
    kept = Kept(8)
    kept.put("before", 0)
    kept.put("old", 1)
    other_thread = threading.Thread(target=lambda: kept.put("other", 2))
    with kept.recording() as outer:
        kept.get("old")
        kept.put("new", 3)
        kept.get("missing")
        other_thread.start()
        other_thread.join()
        with kept.recording() as inner:
            kept.put("inner", 4)
    kept.put("after", 5)
    assert outer == {"old": 1, "new": 3, "inner": 4}
    assert inner == {"inner": 4}


def test_seed_puts_back_what_was_recorded():
    source, target = Kept(8), Kept(8)
    with source.recording() as entries:
        source.put("x", [1, 2])
    target.seed(entries)
    assert target.get("x") == [1, 2]
    target.clear()
    assert len(target) == 0
