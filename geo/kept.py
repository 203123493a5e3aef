"""Results kept by key in this process: the latest few, shared by every thread.

The maps ask for the same slow results at every run (dissolved regions, simplified
borders, their GeoJSON, escaped payloads). Each such memo is a :class:`Kept`: a small
least-recently-used table, safe between the threads of the Streamlit server. A value is
shared between callers, so callers treat it as read-only (or copy it).

:meth:`Kept.recording` lists what a piece of code asked for, so
:mod:`geo.output.map_cache` can keep those results on disk and :meth:`Kept.seed` can put
them back in a new process (keys are content hashes: a seeded entry only answers the
question it was made for).
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator


class Kept:
    """The latest ``size`` values by key (least recently used go first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._recorders = threading.local()

    def get(self, key: Hashable):
        """The value kept for ``key``, or ``None``."""
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
        if found is not None:
            self._record(key, found)
        return found

    def put(self, key: Hashable, value) -> None:
        """Keep ``value`` for ``key`` (the oldest entry goes when the table is full)."""
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        self._record(key, value)

    def seed(self, entries: dict) -> None:
        """Keep every entry of ``entries`` (e.g. read back from a cache file)."""
        for key, value in entries.items():
            self.put(key, value)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._values.clear()

    def values(self) -> list:
        """The kept values, least recently used first (a new list)."""
        with self._lock:
            return list(self._values.values())

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._values

    @contextlib.contextmanager
    def recording(self) -> Iterator[dict]:
        """Collect, in a dict, every entry this thread gets or puts inside the block."""
        entries: dict = {}
        stack = getattr(self._recorders, "stack", None)
        if stack is None:
            stack = self._recorders.stack = []
        stack.append(entries)
        try:
            yield entries
        finally:
            stack.pop()

    def _record(self, key: Hashable, value) -> None:
        for entries in getattr(self._recorders, "stack", ()):
            entries[key] = value
