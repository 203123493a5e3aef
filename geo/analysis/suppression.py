"""Small counts for people: fewer than five shows as "<5", and no total gives one away.

Counts of people in small areas (the inflow into mbo infra per municipality) are shown
only through this module. The rule, for every table, file and page:

1. **Primary suppression.** A count at the base level (a municipality) below
   :data:`THRESHOLD` is shown as ``"<5"`` (:data:`SUPPRESSED`) — 0 too, or "<5" would
   say "1 to 4". Its rate per 1,000 young people is not shown either.
2. **Totals come from what is shown.** A total (a subregion, a labour-market region,
   the five regions together) is never computed from hidden counts: :func:`combine`
   only sees the published bounds of its members (a shown count ``n`` is ``[n, n]``, a
   hidden one ``[0, 4]``). A total without hidden members is exact; one with ``k``
   hidden members is shown as the range its shown members already imply,
   ``S tot S + 4k`` (``"53 tot 61"``), or ``"hoogstens 4k"`` when nothing of it is shown
   (``"<5"`` for one hidden member). Its rate is a range too, or empty.

Why not secondary suppression (hiding a second municipality when one of a subregion is
hidden)? Because subregions are not fixed: anyone may upload an own division on the
Kaart page or pass ``--indeling``. A municipality hidden to protect one subregion is
shown under another division, and the exact subregion total minus it gives the hidden
count back (``tests/test_inflow_suppression.py`` shows it). Totals built only from
published bounds hold for any division, level and combination of tables: every hidden
count could be 0, 1, 2, 3 or 4 given everything that is shown (tested with hypothesis).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.text import nl_number

#: Counts below this are hidden at the base level.
THRESHOLD = 5

#: What people see instead of a hidden count.
SUPPRESSED = "<5"

#: The columns of :func:`publish` and :func:`combine`: lowest and highest possible count
#: given what is shown, and the number of hidden base units inside.
BOUND_COLUMNS = ("laag", "hoog", "afgeschermd")


def publish(counts: pd.Series) -> pd.DataFrame:
    """The base level as published: each count exact, or ``[0, 4]`` when below five.

    Parameters
    ----------
    counts : pandas.Series
        Whole numbers (0 or more) by base unit (municipality code).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``counts``: :data:`BOUND_COLUMNS` (``afgeschermd`` 1 for a hidden
        count). Nothing else: from here on the hidden values are gone.
    """
    values = counts.astype("int64")
    hidden = values < THRESHOLD
    return pd.DataFrame({
        "laag": values.where(~hidden, 0),
        "hoog": values.where(~hidden, THRESHOLD - 1),
        "afgeschermd": hidden.astype("int64"),
    }, index=counts.index)


def combine(published: pd.DataFrame, group_of: Mapping[str, str] | pd.Series,
            groups: list[str] | pd.Index | None = None) -> pd.DataFrame:
    """Totals of groups of published units: the sums of their bounds.

    Parameters
    ----------
    published : pandas.DataFrame
        From :func:`publish` (or an earlier :func:`combine`): :data:`BOUND_COLUMNS`.
    group_of : mapping or pandas.Series
        Unit → group; units without a group are left out.
    groups : list of str, optional
        The groups to return, in order (a group without units gets ``[0, 0]``); every
        group found when omitted.

    Returns
    -------
    pandas.DataFrame
        Indexed by group: :data:`BOUND_COLUMNS`.
    """
    bounds = published[list(BOUND_COLUMNS)]
    keys = pd.Series(published.index, index=published.index).map(group_of)
    summed = bounds[keys.notna()].groupby(keys[keys.notna()]).sum()
    if groups is not None:
        summed = summed.reindex(groups, fill_value=0)
    return summed.astype("int64")


def total(published: pd.DataFrame) -> tuple[int, int, int]:
    """The total of all rows of ``published``: ``(laag, hoog, afgeschermd)``."""
    sums = published[list(BOUND_COLUMNS)].sum()
    return int(sums["laag"]), int(sums["hoog"]), int(sums["afgeschermd"])


def count_text(low: int, high: int) -> str:
    """A count as people see it: ``"12"``, ``"<5"``, ``"53 tot 61"``, ``"hoogstens 8"``.

    Examples
    --------
    >>> count_text(12, 12), count_text(0, 4), count_text(53, 61), count_text(0, 8)
    ('12', '<5', '53 tot 61', 'hoogstens 8')
    """
    if high < THRESHOLD:
        return SUPPRESSED
    if low == high:
        return nl_number(low)
    if low == 0:
        return f"hoogstens {nl_number(high)}"
    return f"{nl_number(low)} tot {nl_number(high)}"


def exact_rate(low: int, high: int, people: float, *, per: float = 1000.0) -> float:
    """Count per ``per`` people, only for an exact count of five or more; else NaN."""
    if low != high or low < THRESHOLD or not people or people <= 0:
        return float("nan")
    return low / people * per


def rate_text(low: int, high: int, people: float, *, per: float = 1000.0,
              decimals: int = 1) -> str:
    """The rate as people see it: ``"3,4"``, ``"3,3 tot 3,9"``, or empty.

    Empty for a hidden count, a total of which nothing is shown (lower bound 0) and
    an area without people.
    """
    if not people or people <= 0 or not np.isfinite(people) or low < THRESHOLD:
        return ""
    if low == high:
        return nl_number(low / people * per, decimals)
    return (f"{nl_number(low / people * per, decimals)} tot "
            f"{nl_number(high / people * per, decimals)}")


def parse_count_text(text: str) -> tuple[int, int]:
    """The bounds a shown count text gives away (what a reader can know from it).

    The inverse of :func:`count_text`, for tests and for anyone who checks a table.
    """
    text = str(text).strip()
    if text == SUPPRESSED:
        return 0, THRESHOLD - 1
    if text.startswith("hoogstens "):
        return 0, int(text.removeprefix("hoogstens ").replace(".", ""))
    if " tot " in text:
        low, high = text.split(" tot ")
        return int(low.replace(".", "")), int(high.replace(".", ""))
    value = int(text.replace(".", ""))
    return value, value
