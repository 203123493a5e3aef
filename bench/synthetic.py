"""Synthetic registers for the benchmarks: scattered copies of the example partners.

Made by the benchmarks themselves, never committed. :func:`scattered` copies a partner
table until it has ``size`` rows, each copy moved a little (about 2 km) around the
original place and named ``"<name> (<copy>)"``; :func:`fill_register` writes such copies
into a register through its own API (:meth:`geo.register.store.Store.apply_import`), so
the app reads them like any other partner.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from geo import fields

#: The random seed of every synthetic register: the same copies in every run.
SEED = 7

#: Fields a copy keeps from its original (``ambassadeur_voor`` is the board's to set, the
#: place is derived from the new coordinates, ``voorbeeld`` would mark it as example data).
_SKIPPED = {"ambassadeur_voor", "voorbeeld", "nauwkeurigheid", "status", "melding"}


def scattered(partners: pd.DataFrame, size: int, *, seed: int = SEED) -> pd.DataFrame:
    """``size`` partners made from ``partners``: copies, scattered around their places."""
    rng = np.random.default_rng(seed)
    copies = []
    for i in range(-(-size // len(partners))):
        copy = partners.copy()
        copy["lat"] = copy["lat"] + rng.normal(0, 0.02, len(copy))
        copy["lon"] = copy["lon"] + rng.normal(0, 0.03, len(copy))
        copy["naam"] = copy["naam"] + f" ({i})"
        copies.append(copy)
    return pd.concat(copies, ignore_index=True).head(size)


def _value(value):
    """A cell as a plain Python value for a record; None when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return None if value is pd.NA or value is pd.NaT else value


def fill_register(store, total: int, *, user: str = "bench") -> int:
    """Add scattered copies of the register's organisations until it holds ``total``.

    Contact data is copied too (staff pages show it). Written in one import transaction
    through :meth:`~geo.register.store.Store.apply_import`; returns how many were added.
    """
    current = store.organisations(include_personal=True)
    missing = total - len(current)
    if missing <= 0:
        return 0
    settable = [f.name for f in fields.ORGANISATION_FIELDS
                if f.settable and f.name not in _SKIPPED and f.name in current.columns]
    copies = scattered(current[settable], missing)
    records = []
    for row in copies.itertuples(index=False):
        record = {name: _value(value) for name, value in zip(settable, row, strict=True)}
        records.append({k: v for k, v in record.items() if v is not None})
    result = store.apply_import(records, user=user)
    return int(result["nieuw"])
