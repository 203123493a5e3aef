"""Reach: which schools the activities of a school year reached, per school and per unit.

Pure functions on the register's frames: the activities
(:meth:`geo.register.activities.Activities.all`; the public columns are enough, so no
guest teacher or note ever enters a figure) and the schools
(:meth:`geo.register.store.Store.schools`). Units are those of the indicators
(:mod:`geo.analysis.units`): a school or an activity counts in the unit of its
``gemeentecode``.

What counts (decisions)
    * **Reached**: a school (by ``vestigingscode``) with at least one activity of the
      school year with status ``gegeven`` (of the kinds asked; every kind by default).
      Planned and cancelled activities never reach a school.
    * **Schools**: the register's schools with a ``vestigingscode`` (an activity names
      its school by it), each in the unit of its municipality; a vmbo school is one with
      ``heeft_vmbo``. The shares are "reached / schools" per unit, empty (NaN) for a unit
      without such a school.
    * **Activities per 1,000 young people**: the given activities of the year (the
      kinds asked) in the unit of their municipality (the school's, or the place's for
      an activity elsewhere) per 1,000 inhabitants of 10 to 20 years, counted as the
      indicators count them (:func:`geo.analysis.units.young_people`). An activity
      without a municipality (an online network meeting) counts in no unit, but in the
      network's total.
    * **Guest lessons VO against the maximum**: the maximum
      (:attr:`geo.settings.Defaults.max_guest_lessons_vo`) is what the whole network can
      give in a school year, not a quota per area. A unit is compared with its *even
      share* of it: the maximum spread over the units in proportion to their number of
      schools (guest lessons VO are given at schools), so the shares add up to the
      maximum. It is a yardstick, not a target: a unit at 100 % got as many guest
      lessons as an even spread of the maximum would give it. The network's own figure
      (given against the whole maximum) is in ``attrs`` and in the year overview.
    * **The white-spot score** switches its school part to "vmbo schools not reached"
      (:class:`ReachYear`, :func:`reach_year`) only when the school year has at least
      one given activity: without any, every school would be "not reached" and the part
      would say nothing; the score then keeps "vmbo schools without a partner".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import activities
from geo.analysis.units import gemeentecodes, units_of, young_people
from geo.reference.data import Division, Reference
from geo.settings import DEFAULTS

#: Per-school columns :func:`school_reach` adds.
SCHOOL_COLUMNS = ("bereikt", "activiteiten", "soorten")

#: The columns of :func:`reach_by_unit`, in order.
REACH_COLUMNS = [
    "code", "naam", "arbeidsmarktregio_code", "inwoners_10_19", "activiteiten",
    "activiteiten_per_1000_jongeren", "scholen", "scholen_bereikt", "aandeel_scholen_bereikt",
    "scholen_vmbo", "scholen_vmbo_bereikt", "scholen_vmbo_niet_bereikt", "aandeel_vmbo_bereikt",
    "gastlessen_vo", "gastlessen_vo_evenredig_deel", "gastlessen_vo_van_evenredig_deel",
]

#: ``attrs`` keys of :func:`reach_by_unit`: the school year, the maximum, the network's
#: given guest lessons VO (also those in no unit).
SCHOOL_YEAR, MAXIMUM, GUEST_LESSONS_TOTAL = "schooljaar", "maximum", "gastlessen_vo_totaal"


@dataclass(frozen=True)
class ReachYear:
    """The schools reached in a school year, for the white-spot score's school part.

    Attributes
    ----------
    school_year : str
        ``"2025-2026"``.
    reached : frozenset of str
        The ``vestigingscode`` of every school with a given activity (any kind).
    """

    school_year: str
    reached: frozenset[str]


def given(frame: pd.DataFrame, *, school_year: str,
          kinds: Collection[str] | None = None) -> pd.DataFrame:
    """The activities of ``school_year`` with status ``gegeven`` (of ``kinds``, else all)."""
    year = activities.parse_school_year(school_year)
    keep = (frame["schooljaar"] == year) & (frame["status"] == activities.GIVEN)
    if kinds is not None:
        keep &= frame["soort"].isin(list(kinds))
    return frame.loc[keep]


def reach_year(frame: pd.DataFrame, school_year: str) -> ReachYear | None:
    """The reach of ``school_year`` for the score; None when it has no given activity."""
    done = given(frame, school_year=school_year)
    if done.empty:
        return None
    return ReachYear(activities.parse_school_year(school_year),
                     frozenset(_codes(done["vestigingscode"])))


def _codes(values: Iterable[object]) -> list[str]:
    return [str(v) for v in values if isinstance(v, str) and v]


def school_reach(frame: pd.DataFrame, schools: pd.DataFrame, *, school_year: str,
                 kinds: Collection[str] | None = None) -> pd.DataFrame:
    """Every school with whether the year's given activities reached it, and how.

    Parameters
    ----------
    frame : pandas.DataFrame
        Activities (``soort``, ``schooljaar``, ``status``, ``vestigingscode``).
    schools : pandas.DataFrame
        The schools (``vestigingscode``).
    school_year : str
        ``"2025-2026"`` (also ``2025/2026``).
    kinds : collection of str, optional
        Only these kinds of activity reach a school; every kind when omitted.

    Returns
    -------
    pandas.DataFrame
        A copy of ``schools`` with ``bereikt`` (bool), ``activiteiten`` (the number of
        given activities at the school) and ``soorten`` (a tuple of the kind codes of
        those activities, in the order of :data:`geo.activities.ACTIVITY_KINDS`).
    """
    done = given(frame, school_year=school_year, kinds=kinds)
    done = done.loc[done["vestigingscode"].map(lambda v: isinstance(v, str) and bool(v))
                    .astype(bool)]
    counts = done.groupby("vestigingscode").size()
    order = {code: i for i, code in enumerate(activities.activity_kind_codes())}
    kinds_at = done.groupby("vestigingscode")["soort"].agg(
        lambda s: tuple(sorted(set(s), key=lambda k: order.get(k, len(order)))))
    out = schools.copy()
    codes = out["vestigingscode"].fillna("").astype(str)
    out["activiteiten"] = codes.map(counts).fillna(0).astype(int)
    out["bereikt"] = out["activiteiten"] > 0
    out["soorten"] = [kinds_at.get(code, ()) for code in codes]
    return out


def reach_text(kinds: Iterable[str], count: int, school_year: str) -> str:
    """How a map or list says a school's reach: ``"Bereikt in 2025-2026: gastles VO (2)"``.

    ``kinds`` are the kind codes of its given activities (:func:`school_reach`), ``count``
    their number; no partner and no person is named.
    """
    kinds = list(kinds)
    if not count:
        return f"Niet bereikt in {school_year}"
    labels = ", ".join(activities.activity_kind_label(k) for k in kinds)
    return f"Bereikt in {school_year}: {labels} ({count})"


def partner_activity(frame: pd.DataFrame, *, school_year: str,
                     kinds: Collection[str] | None = None) -> dict[int, int]:
    """Organisation id → the number of given activities of the year it took part in."""
    done = given(frame, school_year=school_year, kinds=kinds)
    counts: dict[int, int] = {}
    for ids in done["partner_ids"]:
        for org_id in set(ids):
            counts[int(org_id)] = counts.get(int(org_id), 0) + 1
    return counts


def vmbo_not_reached_by_unit(unit: pd.Series, schools: pd.DataFrame,
                             reached: Collection[str]) -> pd.DataFrame:
    """Per unit: the vmbo schools not reached and their share of the unit's vmbo schools.

    Parameters
    ----------
    unit : pandas.Series
        The unit code of every school (aligned with ``schools``; NaN outside the units).
    schools : pandas.DataFrame
        ``vestigingscode`` and ``heeft_vmbo``.
    reached : collection of str
        The ``vestigingscode`` of the schools reached.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit: ``scholen_vmbo_niet_bereikt`` (int) and
        ``aandeel_vmbo_niet_bereikt`` (0–1, NaN without a vmbo school), only for units
        with schools.
    """
    codes = schools["vestigingscode"].fillna("").astype(str)
    vmbo = schools["heeft_vmbo"].fillna(False).astype(bool) & (codes != "")
    stats = pd.DataFrame({"unit": unit.to_numpy(), "vmbo": vmbo.to_numpy(),
                          "missed": (vmbo & ~codes.isin(set(reached))).to_numpy()})
    grouped = stats.groupby("unit")[["vmbo", "missed"]].sum()
    share = grouped["missed"] / grouped["vmbo"].where(grouped["vmbo"] > 0)
    return pd.DataFrame({"scholen_vmbo_niet_bereikt": grouped["missed"].astype(int),
                         "aandeel_vmbo_niet_bereikt": share.astype(float)})


def reach_by_unit(level: str, *, reference: Reference, activities_frame: pd.DataFrame,
                  schools: pd.DataFrame, school_year: str, division: Division | None = None,
                  kinds: Collection[str] | None = None,
                  maximum: int = DEFAULTS.max_guest_lessons_vo) -> pd.DataFrame:
    """The reach of a school year per unit (see the module notes for what counts).

    Parameters
    ----------
    level : {"gemeente", "subregio", "arbeidsmarktregio"}
    reference : Reference
        Units and young people.
    activities_frame : pandas.DataFrame
        The activities (``soort``, ``schooljaar``, ``status``, ``vestigingscode``,
        ``gemeentecode``); other years are ignored.
    schools : pandas.DataFrame
        The register's schools (``vestigingscode``, ``gemeentecode``, ``heeft_vmbo``).
    school_year : str
        ``"2025-2026"``.
    division : Division, optional
        The subregion division; the bundled proposal when omitted.
    kinds : collection of str, optional
        Only these kinds reach a school and count as activities; every kind when omitted.
    maximum : int
        The most guest lessons VO the network gives in a school year.

    Returns
    -------
    pandas.DataFrame
        :data:`REACH_COLUMNS`, one row per unit, by code. ``attrs`` holds
        :data:`SCHOOL_YEAR`, :data:`MAXIMUM` and :data:`GUEST_LESSONS_TOTAL`.
    """
    year = activities.parse_school_year(school_year)
    units, code_of = units_of(level, reference, division)
    table = units.set_index("code")
    youth = young_people(reference)
    table["inwoners_10_19"] = (youth.groupby(youth["gemeentecode"].map(code_of))["inw_10_19"]
                               .sum().reindex(table.index, fill_value=0.0))
    done = given(activities_frame, school_year=year, kinds=kinds)
    table["activiteiten"] = _count(done["gemeentecode"].map(code_of), table.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["activiteiten_per_1000_jongeren"] = np.where(
            table["inwoners_10_19"] > 0,
            table["activiteiten"] / table["inwoners_10_19"] * 1000.0, np.nan)

    counted = schools[schools["vestigingscode"].fillna("").astype(str) != ""]
    per_school = school_reach(activities_frame, counted, school_year=year, kinds=kinds)
    unit = gemeentecodes(per_school, reference).map(code_of)
    vmbo = per_school["heeft_vmbo"].fillna(False).astype(bool)
    reached = per_school["bereikt"]
    table["scholen"] = _count(unit, table.index)
    table["scholen_bereikt"] = _count(unit[reached], table.index)
    table["scholen_vmbo"] = _count(unit[vmbo], table.index)
    table["scholen_vmbo_bereikt"] = _count(unit[vmbo & reached], table.index)
    table["scholen_vmbo_niet_bereikt"] = table["scholen_vmbo"] - table["scholen_vmbo_bereikt"]
    table["aandeel_scholen_bereikt"] = _share(table["scholen_bereikt"], table["scholen"])
    table["aandeel_vmbo_bereikt"] = _share(table["scholen_vmbo_bereikt"], table["scholen_vmbo"])

    lessons = done[done["soort"] == activities.GUEST_LESSON_VO]
    table["gastlessen_vo"] = _count(lessons["gemeentecode"].map(code_of), table.index)
    total_schools = int(table["scholen"].sum())
    table["gastlessen_vo_evenredig_deel"] = (
        float(maximum) * table["scholen"] / total_schools if total_schools else 0.0)
    table["gastlessen_vo_van_evenredig_deel"] = _share(table["gastlessen_vo"],
                                                       table["gastlessen_vo_evenredig_deel"])
    out = table.reset_index()[REACH_COLUMNS]
    out.attrs.update({SCHOOL_YEAR: year, MAXIMUM: int(maximum),
                      GUEST_LESSONS_TOTAL: int(len(lessons))})
    return out


def _count(unit: pd.Series, index: pd.Index) -> pd.Series:
    """How many rows fall in each unit of ``index`` (NaN units are left out)."""
    return unit.dropna().value_counts().reindex(index, fill_value=0).astype(int)


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """``part / whole``, NaN where ``whole`` is 0."""
    return (part / whole.where(whole > 0)).astype(float)
