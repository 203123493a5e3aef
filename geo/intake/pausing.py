"""The cyclic garbage collector paused while an import builds many long-lived objects.

An import of 20,000 rows keeps every row's cells, verdict and record alive until it is
written. Python's cyclic collector, triggered by the number of objects made, walks all of
them again and again (a quarter of the offline import's CPU time, bench/bench_import.py);
almost none of them are garbage, and reference counting frees the rest. :func:`paused_gc`
turns it off for a block and back on after it (when it was on): nested and from several
threads at once, the collector runs again when the last block ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
#: [blocks running now, whether the collector was on before the first of them].
_STATE: list = [0, False]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block without the cyclic garbage collector (see the module notes)."""
    with _LOCK:
        if _STATE[0] == 0:
            _STATE[1] = gc.isenabled()
            gc.disable()
        _STATE[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STATE[0] -= 1
            if _STATE[0] == 0 and _STATE[1]:
                gc.enable()
