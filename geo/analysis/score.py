"""The white-spot score: weights, the computation and its explanation in Dutch.

:func:`white_spot_score` turns an indicator table (:func:`geo.analysis.indicators.indicators`)
into a ranking; :class:`ScoreWeights` holds its weights, by default those of
:data:`geo.settings.DEFAULTS`. Every text that names the weights is generated from a
:class:`ScoreWeights` (:func:`score_explanation_nl`, :func:`score_caption_nl`), so the
caption next to a ranking always says what the ranking used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.analysis.names import EXTRA_COLUMNS, TABLE_COLUMNS
from geo.settings import DEFAULTS
from geo.text import decimal_comma


@dataclass(frozen=True)
class ScoreWeights:
    """Weights and anchor of the white-spot score (see :func:`white_spot_score`).

    Parameters
    ----------
    scarcity : float
        Weight of partner scarcity (``deelscore_schaarste``).
    travel : float
        Weight of the travel burden to the nearest mbo infra place (``deelscore_reistijd``).
    schools : float
        Weight of schools without a partner within the radius (``deelscore_scholen``).
    travel_cap_min : float
        Mean travel time (minutes, one way) at which the travel burden reaches 100.

    The defaults are those of :data:`geo.settings.DEFAULTS`.
    """

    scarcity: float = DEFAULTS.weight_scarcity
    travel: float = DEFAULTS.weight_travel
    schools: float = DEFAULTS.weight_schools
    travel_cap_min: float = DEFAULTS.travel_cap_min

    def __post_init__(self) -> None:
        values = (self.scarcity, self.travel, self.schools)
        if any((not np.isfinite(v)) or v < 0 for v in values) or sum(values) <= 0:
            raise ValueError("De gewichten moeten 0 of groter zijn en niet allemaal 0.")
        if not np.isfinite(self.travel_cap_min) or self.travel_cap_min <= 0:
            raise ValueError("De maximale reistijd moet groter dan 0 minuten zijn.")


def score_explanation_nl(weights: ScoreWeights | None = None) -> str:
    """Dutch explanation of the white-spot score with the given weights (Markdown)."""
    w = weights or ScoreWeights()
    return (
        "De **witte-vlekscore** (0–100, hoger = meer aandacht nodig) is het gewogen "
        "gemiddelde van drie deelscores, elk van 0 tot 100:\n\n"
        "- **Partnerschaarste** = 100 × G / (G + P). Hierin is P het aantal partners per "
        "10.000 jongeren (10–19 jaar) in het gebied en G hetzelfde getal voor het hele "
        "werkgebied. Geen partners geeft 100, precies gemiddeld geeft 50, ver boven "
        "gemiddeld gaat naar 0. Zijn er nergens partners, dan is de deelscore overal 100.\n"
        "- **Reisbelasting** = 100 × gemiddelde geschatte reistijd naar de dichtstbijzijnde "
        f"mbo-infralocatie / {decimal_comma(w.travel_cap_min)} minuten, met een maximum van "
        "100.\n"
        "- **Scholen zonder partner** = 100 × (1 − aandeel scholen met minstens één partner "
        "binnen de straal).\n\n"
        f"Gewichten: partnerschaarste {decimal_comma(w.scarcity)}, reisbelasting "
        f"{decimal_comma(w.travel)}, scholen zonder partner {decimal_comma(w.schools)}. De "
        "score is Σ gewicht × deelscore / Σ gewicht; een deelscore die niet te berekenen is "
        "(bijvoorbeeld een gemeente zonder school) telt niet mee.\n\n"
        "Meer partners in een gebied laat de score van dat gebied dalen of gelijk; een "
        "langere reistijd laat hem stijgen of gelijk. De deelscores gebruiken vaste "
        "ijkpunten in plaats van het beste en slechtste gebied, zodat een nieuwe locatie in "
        "de ene regio de reisbelasting van een andere regio niet verandert (wel de rang)."
    )


def score_caption_nl(weights: ScoreWeights | None = None) -> str:
    """One-line Dutch explanation of the score with its weights, for a caption."""
    w = weights or ScoreWeights()
    return (
        "Witte-vlekscore 0–100 (hoger = meer aandacht nodig): gewogen gemiddelde van "
        f"partnerschaarste ({decimal_comma(w.scarcity)}), geschatte reistijd naar de "
        f"dichtstbijzijnde mbo-infralocatie ({decimal_comma(w.travel)}) en scholen zonder "
        f"partner binnen de straal ({decimal_comma(w.schools)}). Uitleg op de pagina Over."
    )


#: The score explanation with the default weights, for the "Over" page.
SCORE_EXPLANATION_NL = score_explanation_nl()


def white_spot_score(table: pd.DataFrame, *, weights: ScoreWeights | None = None) -> pd.DataFrame:
    """Add the three partial scores, ``score`` and ``rang`` to an indicator table.

    ``score = Σ w_k · term_k / Σ w_k`` over the terms that can be computed, with

    - ``deelscore_schaarste = 100 · G / (G + P)``, P the unit's partners per 10,000
      young people and G the same for all units together (100 everywhere when G = 0);
    - ``deelscore_reistijd = 100 · min(1, t / travel_cap_min)``, t the unit's
      population-weighted mean travel time;
    - ``deelscore_scholen = 100 · (1 − aandeel_scholen_met_partner)``.

    The anchors are fixed or (G) move with the unit's own count in the same direction,
    so one more partner in a unit never raises its score and a longer travel time never
    lowers it, and changes elsewhere leave a unit's travel and schools terms alone.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit (all units of a level) with ``code``, ``partners``,
        ``inwoners_10_19``, ``reistijd_mbo_infra_min_gemiddeld`` and
        ``aandeel_scholen_met_partner``.
    weights : ScoreWeights, optional

    Returns
    -------
    pandas.DataFrame
        A copy with the added columns, columns in :data:`TABLE_COLUMNS` +
        :data:`EXTRA_COLUMNS` order (others after), sorted by ``rang`` then ``code``.
    """
    w = weights or ScoreWeights()
    out = table.copy()
    partners = out["partners"].to_numpy(float)
    people = out["inwoners_10_19"].to_numpy(float)
    total_people = people[people > 0].sum()
    total_partners = partners[people > 0].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        if total_partners <= 0 or total_people <= 0:
            scarcity = np.where(people > 0, 100.0, np.nan)
        else:
            # 100·G/(G+P) = 100 / (1 + P/G), P/G = (partners/people)/(Σpartners/Σpeople)
            ratio = (partners / people) / (total_partners / total_people)
            scarcity = np.where(people > 0, 100.0 / (1.0 + ratio), np.nan)
    minutes = out["reistijd_mbo_infra_min_gemiddeld"].to_numpy(float)
    travel = 100.0 * np.minimum(1.0, np.maximum(minutes, 0.0) / w.travel_cap_min)
    share = out["aandeel_scholen_met_partner"].to_numpy(float)
    schools = 100.0 * (1.0 - np.clip(share, 0.0, 1.0))
    out["deelscore_schaarste"] = scarcity
    out["deelscore_reistijd"] = travel
    out["deelscore_scholen"] = schools

    terms = np.column_stack([scarcity, travel, schools])
    weight = np.array([w.scarcity, w.travel, w.schools], dtype=float)
    usable = np.isfinite(terms) & (weight > 0)
    num = np.where(usable, terms * weight, 0.0).sum(axis=1)
    den = np.where(usable, weight, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["score"] = np.where(den > 0, num / den, np.nan)
    out["rang"] = out["score"].rank(ascending=False, method="min", na_option="bottom")
    out["rang"] = out["rang"].astype(int)
    order = [c for c in TABLE_COLUMNS + EXTRA_COLUMNS if c in out.columns]
    out = out[order + [c for c in out.columns if c not in order]]
    return out.sort_values(["rang", "code"], kind="stable").reset_index(drop=True)


def top_units_text(table: pd.DataFrame, *, n: int = DEFAULTS.top_units) -> list[str]:
    """Dutch lines explaining the ``n`` units that need most attention."""
    lines = []
    for row in table.sort_values(["rang", "code"]).head(n).itertuples(index=False):
        terms = {
            "weinig partners": row.deelscore_schaarste,
            "lange reistijd naar mbo-infra": row.deelscore_reistijd,
            "scholen zonder partner in de buurt": row.deelscore_scholen,
        }
        reasons = [k for k, v in sorted(terms.items(), key=lambda kv: -np.nan_to_num(kv[1]))
                   if pd.notna(v) and v >= 50]
        reason = ", ".join(reasons) if reasons else "geen uitschieter; relatief hoogste score"
        share = ("—" if pd.isna(row.aandeel_scholen_met_partner)
                 else f"{row.aandeel_scholen_met_partner:.0%}")
        lines.append(
            f"{row.rang}. {row.naam} — score {row.score:.1f} ({reason}); "
            f"{row.partners} partner{'' if row.partners == 1 else 's'}, "
            f"{row.partners_per_10k_jongeren:.1f} per 10.000 jongeren; "
            f"reistijd mbo-infra gem. {row.reistijd_mbo_infra_min_gemiddeld:.0f} min (schatting); "
            f"scholen met partner: {share}"
        )
    return lines
