"""The year overview (Jaaroverzicht): the strategy's facts and figures for a school year.

Pure functions on the register's frames: the activities
(:meth:`geo.register.activities.Activities.all`, public columns are enough) and the
schools (:meth:`geo.register.store.Store.schools`). One school year is computed beside
the year before it, so the board sees the change.

What counts (decisions)
    * Only activities with status ``gegeven`` count; planned and cancelled ones are
      shown as their own rows, never added to the figures.
    * **Gastlessen VO** are counted against the maximum the network can give in a year
      (:attr:`geo.settings.Defaults.max_guest_lessons_vo`, 180), as a percentage.
    * **Scholen bereikt**: distinct schools (by ``vestigingscode``) with at least one
      given activity of any kind.
    * **Partners die activiteiten gaven**: distinct organisations linked to a given
      activity.
    * **Leerlingen bereikt**: the sum of ``aantal_leerlingen`` over the given
      activities. A pupil at two activities counts twice, and activities without a
      number add nothing: :attr:`YearFigures.pupils_unknown` says how many lack one.
    * **vmbo-scholen niet bereikt**: the schools in the register that offer vmbo
      (``heeft_vmbo``) without any given activity in the year.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo import activities
from geo.settings import DEFAULTS

#: The first column of :meth:`YearOverview.table`.
TOPIC = "Onderwerp"
#: The last column: this year minus the year before.
CHANGE = "Verschil"


@dataclass(frozen=True)
class YearFigures:
    """The figures of one school year.

    Attributes
    ----------
    school_year : str
        ``"2024-2025"``.
    given : dict
        Kind code → number of given activities, every kind of
        :data:`geo.activities.ACTIVITY_KINDS` present (0 when none).
    planned, cancelled : int
        Activities still ``gepland`` and ``geannuleerd``.
    schools_reached : int
        Distinct schools with a given activity.
    partners_active : int
        Distinct partner organisations of the given activities.
    pupils : int
        Sum of the pupils of the given activities.
    pupils_unknown : int
        Given activities without a number of pupils.
    vmbo_schools : int
        Schools in the register that offer vmbo.
    vmbo_not_reached : tuple of str
        The ``vestigingscode`` of each vmbo school without a given activity.
    """

    school_year: str
    given: dict[str, int]
    planned: int
    cancelled: int
    schools_reached: int
    partners_active: int
    pupils: int
    pupils_unknown: int
    vmbo_schools: int
    vmbo_not_reached: tuple[str, ...]

    @property
    def guest_lessons_vo(self) -> int:
        """Given guest lessons in secondary schools."""
        return self.given[activities.GUEST_LESSON_VO]

    def share_of_maximum(self, maximum: int) -> float:
        """Given guest lessons VO as a percentage of ``maximum`` (0 when it is 0)."""
        return 100.0 * self.guest_lessons_vo / maximum if maximum else 0.0


def year_figures(frame: pd.DataFrame, schools: pd.DataFrame, *,
                 school_year: str) -> YearFigures:
    """The figures of ``school_year`` from the register's activities and schools.

    Parameters
    ----------
    frame : pandas.DataFrame
        Activities with ``soort``, ``schooljaar``, ``status``, ``vestigingscode``,
        ``aantal_leerlingen`` and ``partner_ids`` (other years are ignored).
    schools : pandas.DataFrame
        The register's schools (``vestigingscode``, ``heeft_vmbo``).
    school_year : str
        The school year, e.g. ``"2024-2025"``.

    Returns
    -------
    YearFigures
    """
    year = activities.parse_school_year(school_year)
    in_year = frame[frame["schooljaar"] == year]
    given = in_year[in_year["status"] == activities.GIVEN]
    counts = given["soort"].value_counts()
    reached = {str(c) for c in given["vestigingscode"] if str(c or "")}
    partners = {int(p) for ids in given["partner_ids"] for p in ids}
    pupils = pd.to_numeric(given["aantal_leerlingen"], errors="coerce")
    vmbo = schools[schools["heeft_vmbo"].astype(bool) & (schools["vestigingscode"] != "")]
    return YearFigures(
        school_year=year,
        given={code: int(counts.get(code, 0)) for code in activities.activity_kind_codes()},
        planned=int((in_year["status"] == "gepland").sum()),
        cancelled=int((in_year["status"] == "geannuleerd").sum()),
        schools_reached=len(reached),
        partners_active=len(partners),
        pupils=int(pupils.fillna(0).sum()),
        pupils_unknown=int(pupils.isna().sum()),
        vmbo_schools=len(vmbo),
        vmbo_not_reached=tuple(sorted(set(vmbo["vestigingscode"].astype(str)) - reached)),
    )


def _capital(text: str) -> str:
    """``text`` with a capital first letter only ("gastlessen VO" → "Gastlessen VO")."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class YearOverview:
    """A school year beside the one before, and the maximum of guest lessons VO."""

    current: YearFigures
    previous: YearFigures
    maximum: int

    def rows(self) -> list[tuple[str, float, float]]:
        """``(Dutch label, this year, the year before)`` in the order of the strategy."""
        kinds = {kind.code: kind for kind in activities.ACTIVITY_KINDS}
        first = _capital(kinds[activities.GUEST_LESSON_VO].plural)
        out: list[tuple[str, float, float]] = [
            (f"{first} gegeven", self.current.guest_lessons_vo,
             self.previous.guest_lessons_vo),
            (f"{first}: % van het maximum ({self.maximum})",
             round(self.current.share_of_maximum(self.maximum), 1),
             round(self.previous.share_of_maximum(self.maximum), 1)),
        ]
        out += [(_capital(kind.plural), self.current.given[code], self.previous.given[code])
                for code, kind in kinds.items() if code != activities.GUEST_LESSON_VO]
        pairs = (
            ("Scholen bereikt", "schools_reached"),
            ("Partners die activiteiten gaven", "partners_active"),
            ("Leerlingen bereikt", "pupils"),
            (f"vmbo-scholen niet bereikt (van {self.current.vmbo_schools})", "not_reached"),
            ("Activiteiten nog gepland", "planned"),
            ("Activiteiten geannuleerd", "cancelled"),
        )
        for label, name in pairs:
            now, before = (len(f.vmbo_not_reached) if name == "not_reached"
                           else getattr(f, name) for f in (self.current, self.previous))
            out.append((label, now, before))
        return out

    def table(self) -> pd.DataFrame:
        """The overview as a table: :data:`TOPIC`, this year, the year before, :data:`CHANGE`.

        Numbers stay numbers (the writer of :mod:`geo.output.tables` gives them a decimal
        comma); the change of the percentage is in percentage points.
        """
        rows = [{TOPIC: label, self.current.school_year: now,
                 self.previous.school_year: before, CHANGE: round(now - before, 1)}
                for label, now, before in self.rows()]
        return pd.DataFrame(rows, columns=[TOPIC, self.current.school_year,
                                           self.previous.school_year, CHANGE])


def year_overview(frame: pd.DataFrame, schools: pd.DataFrame, *, school_year: str,
                  maximum: int = DEFAULTS.max_guest_lessons_vo) -> YearOverview:
    """The year overview of ``school_year`` beside the school year before it.

    Parameters
    ----------
    frame, schools : pandas.DataFrame
        As for :func:`year_figures` (all school years at once).
    school_year : str
        The school year asked for (``"2024-2025"``, also ``2024/2025``).
    maximum : int
        The most guest lessons VO in a school year.

    Raises
    ------
    ValueError
        In Dutch, when ``school_year`` is not a school year.
    """
    year = activities.parse_school_year(school_year)
    return YearOverview(
        current=year_figures(frame, schools, school_year=year),
        previous=year_figures(frame, schools,
                              school_year=activities.previous_school_year(year)),
        maximum=int(maximum),
    )
