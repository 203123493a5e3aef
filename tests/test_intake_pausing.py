"""The cyclic garbage collector is paused for an import and comes back as it was."""

from __future__ import annotations

import gc

import pytest

from geo.intake.pausing import paused_gc


@pytest.fixture(autouse=True)
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_back_on_after():
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_blocks_keep_it_paused_until_the_last_ends():
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_on_after_an_error():
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("stop")
    assert gc.isenabled()


def test_left_off_when_it_was_off():
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_usable_as_a_decorator():
    @paused_gc()
    def state() -> bool:
        return gc.isenabled()

    assert state() is False and gc.isenabled()
