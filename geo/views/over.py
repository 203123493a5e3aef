"""The page "Over": the explanations that are generated from the code and the defaults."""

from __future__ import annotations

from dataclasses import dataclass

from geo.analysis.indicators import PARTNER_EXPLANATION_NL, POPULATION_EXPLANATION_NL
from geo.analysis.score import score_explanation_nl
from geo.analysis.travel import assumptions_nl
from geo.reference.gazetteer import PRECISION_LABELS
from geo.text import md


@dataclass(frozen=True)
class AboutView:
    """The generated parts of "Over", as Markdown.

    Attributes
    ----------
    division : str
        The name of the division in use, escaped.
    precision : str
        A Markdown list of the precision codes of a location and their meaning.
    travel, score, partners, population : str
        How travel is estimated, how the score is made (with the default weights),
        who counts as a partner and where the population figures come from.
    """

    division: str
    precision: str
    travel: str
    score: str
    partners: str
    population: str


def about_view(*, division_name: str) -> AboutView:
    """What "Over" shows besides its fixed text, for the division in use.

    Parameters
    ----------
    division_name : str
        Name of the session's subregion division (may be a user's file name).

    Returns
    -------
    AboutView
    """
    return AboutView(
        division=md(division_name),
        precision="\n".join(f"* **{code}** — {label}" for code, label in PRECISION_LABELS.items()),
        travel=assumptions_nl(),
        score=score_explanation_nl(),
        partners=PARTNER_EXPLANATION_NL,
        population=POPULATION_EXPLANATION_NL,
    )
