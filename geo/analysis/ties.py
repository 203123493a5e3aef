"""Ties in the ambassador choice: which other partners would have been just as good.

Often several partners reach equally many (weighted) schools, and the optimum is then
one of several equally good sets. The board should know that, and why the planner took
the one it shows. :func:`disclose_ties` looks at every chosen ambassador in turn: which
candidates could take its place with the same weighted coverage (under the same rule,
e.g. still one per subregion)? And what decided between them (the order of
:mod:`geo.analysis.optimise`): more vmbo schools that few partners reach, more schools
that few partners reach, or only the name order.

It counts exchanges of one ambassador at a time; exchanging two at once can give still
more equally good sets, so the count is a lower bound and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.analysis.coverage import Coverage
from geo.analysis.optimise import Solution, covered_by, swap_allowed, swap_keys
from geo.text import count_noun

#: Why a chosen ambassador was preferred over its equally good alternatives (Dutch).
REASONS = {
    "vmbo": "bereikt meer vmbo-scholen die weinig andere partners kunnen bereiken",
    "scholen": "bereikt meer scholen die weinig andere partners kunnen bereiken",
    "naam": "even goed in alles; gekozen op volgorde van naam",
}
#: Columns of :attr:`Ties.table`.
TABLE_COLUMNS = ["ambassadeur", "subregio", "even_goede_alternatieven", "alternatieven",
                 "waarom_deze"]
#: At most this many alternative names in one cell.
NAMES_SHOWN = 8


@dataclass(frozen=True)
class Ties:
    """The equally good alternatives of a plan.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per chosen ambassador that has an equally good alternative:
        ``ambassadeur``, ``subregio``, ``even_goede_alternatieven`` (number),
        ``alternatieven`` (their names), ``waarom_deze`` (Dutch reason).
    alternatives : pandas.DataFrame
        One row per alternative (public fields): ``id``, ``naam``, ``soort``, ``plaats``,
        ``subregio``, ``lat``, ``lon``, ``in_plaats_van`` (the ambassador it could replace).
    """

    table: pd.DataFrame
    alternatives: pd.DataFrame

    @property
    def n_alternatives(self) -> int:
        """Number of distinct partners that could replace one of the ambassadors."""
        return int(self.alternatives["id"].nunique()) if len(self.alternatives) else 0

    @property
    def n_sets(self) -> int:
        """A lower bound on the equally good sets: this one and each single exchange."""
        return 1 + int(self.table["even_goede_alternatieven"].sum()) if len(self.table) else 1

    def sentence(self) -> str:
        """One Dutch sentence for the board (plain words, no method names)."""
        if self.table.empty:
            return ("Deze keuze is de enige beste: geen andere partner kan een ambassadeur "
                    "vervangen met evenveel bereik.")
        return (
            f"Bij {count_noun(len(self.table), 'ambassadeur', 'ambassadeurs')} is een andere "
            f"partner even goed ({count_noun(self.n_alternatives, 'partner', 'partners')} in "
            "totaal; er zijn dus minstens "
            f"{self.n_sets} even goede keuzes). Bij gelijk bereik kiest de planner de "
            "partner die de meeste vmbo-scholen bereikt die weinig andere partners kunnen "
            "bereiken, dan hetzelfde voor alle scholen, en pas daarna op naam."
        )


def disclose_ties(cov: Coverage, solution: Solution) -> Ties:
    """For each chosen ambassador, the candidates that would be just as good in its place.

    Parameters
    ----------
    cov : Coverage
        The coverage the solution was computed on.
    solution : Solution
        From :func:`geo.analysis.optimise.solve_mclp`.

    Returns
    -------
    Ties
    """
    classes, scores, rule = solution.classes, solution.scores, solution.rule
    counts = np.asarray(solution.counts)
    current = np.array(scores.key(covered_by(classes, counts)))
    names = cov.partners["naam"].astype(str).to_numpy()
    rows_out, alternatives = [], []
    for row in solution.rows:
        own = int(classes.owner[row])
        keys = swap_keys(classes, counts, scores, own)
        equal = swap_allowed(classes, counts, rule, own) & np.isclose(
            keys[:, 0], current[0], rtol=0, atol=1e-9)
        alt_rows = [int(r) for r in classes.members[own][int(counts[own]):]]
        reason = "naam" if alt_rows else "vmbo"
        for other in np.flatnonzero(equal):
            alt_rows.extend(int(r) for r in classes.members[other][int(counts[other]):])
            reason = _weaker(reason, _reason(keys[other], current))
        if not alt_rows:
            continue
        alt_rows = sorted(set(alt_rows), key=lambda r: classes.name_rank[classes.owner[r]])
        shown = ", ".join(names[alt_rows[:NAMES_SHOWN]])
        if len(alt_rows) > NAMES_SHOWN:
            shown += f" en {len(alt_rows) - NAMES_SHOWN} meer"
        rows_out.append({"ambassadeur": names[row], "subregio": cov.partners["subregio"][row],
                         "even_goede_alternatieven": len(alt_rows), "alternatieven": shown,
                         "waarom_deze": REASONS[reason]})
        frame = cov.partners.iloc[alt_rows][["id", "naam", "soort", "plaats", "subregio",
                                             "lat", "lon"]].copy()
        frame["in_plaats_van"] = names[row]
        alternatives.append(frame)
    table = pd.DataFrame(rows_out, columns=TABLE_COLUMNS)
    alt = (pd.concat(alternatives, ignore_index=True) if alternatives else pd.DataFrame(
        columns=["id", "naam", "soort", "plaats", "subregio", "lat", "lon", "in_plaats_van"]))
    return Ties(table=table, alternatives=alt)


def _reason(alternative: np.ndarray, current: np.ndarray) -> str:
    """What the chosen set has over the set with this alternative (keys of equal coverage)."""
    if alternative[1] < current[1]:
        return "vmbo"
    if alternative[2] < current[2]:
        return "scholen"
    return "naam"


def _weaker(first: str, second: str) -> str:
    """The reason that holds against every alternative: the later one in :data:`REASONS`."""
    order = list(REASONS)
    return order[max(order.index(first), order.index(second))]
