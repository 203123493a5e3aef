"""The white-spot score: three parts as percentiles, combined openly, with its stability.

:func:`white_spot_score` turns an indicator table (:func:`geo.analysis.indicators.indicators`)
into a ranking. Two questions are kept apart and then combined:

- **few partners** (``deelscore_schaarste``): partner access per young person with
  distance decay (:mod:`geo.analysis.access`), fewer = more attention;
- **long trip** (``deelscore_reistijd``): the mean travel time to the nearest mbo infra
  place, the shares of young people beyond
  :attr:`~geo.settings.Defaults.travel_thresholds_min` and the longest trip from a PC4 area;
- and **schools** (``deelscore_scholen``): the share of vmbo schools not reached this school
  year (``aandeel_vmbo_niet_bereikt``) when the table has it — the indicators add it when
  the school year has given activities (:mod:`geo.analysis.reach`) — else the share of vmbo
  schools without an active partner within the radius; "no data" for a unit without a vmbo
  school. :func:`school_share_column` says which, :func:`reach_year_of` for which year.

Each part is a percentile among the units of the level (0 = least attention, 100 = most),
so no part swamps another by its spread; the score is the weighted mean of the parts a unit
has. ``rang_min``/``rang_max`` say how far a unit's rank moves when each weight moves by
:attr:`~geo.settings.Defaults.weight_step`. :class:`ScoreWeights` holds the weights; every
text that names them is generated from them (:func:`score_explanation_nl`,
:func:`score_caption_nl`), so the caption next to a ranking always says what it used.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.analysis.names import EXTRA_COLUMNS, TABLE_COLUMNS, share_column
from geo.settings import DEFAULTS
from geo.text import count_noun, decimal_comma, md

#: The three parts of the score, column → Dutch name (in the order of the weights). The
#: school part's name with a school year's reach: :func:`part_names`.
PARTS: dict[str, str] = {
    "deelscore_schaarste": "weinig partners",
    "deelscore_reistijd": "lange reis naar mbo-infra",
    "deelscore_scholen": "vmbo-scholen zonder partner",
}

#: The school part's share: vmbo schools without a partner within the radius, or (when the
#: school year has given activities) vmbo schools not reached that school year.
PARTNER_SHARE, REACH_SHARE = "aandeel_vmbo_zonder_partner", "aandeel_vmbo_niet_bereikt"
#: Their counts, beside them in an indicator table.
PARTNER_COUNT, REACH_COUNT = "scholen_vmbo_zonder_partner", "scholen_vmbo_niet_bereikt"

#: ``attrs`` key of an indicator table: the school year whose reach the school part uses.
REACH_YEAR = "bereik_schooljaar"


def school_share_column(table: pd.DataFrame) -> str:
    """The share the school part reads: :data:`REACH_SHARE` when present, else the other."""
    return REACH_SHARE if REACH_SHARE in table.columns else PARTNER_SHARE


def reach_year_of(table: pd.DataFrame) -> str | None:
    """The school year of the reach the table's school part uses; None: partners nearby."""
    if REACH_SHARE not in table.columns:
        return None
    return str(table.attrs.get(REACH_YEAR) or "dit schooljaar")


def school_part_name(school_year: str | None = None) -> str:
    """The Dutch name of the school part: without or with a school year's reach."""
    if school_year is None:
        return PARTS["deelscore_scholen"]
    return f"vmbo-scholen niet bereikt in {school_year}"


def part_names(school_year: str | None = None) -> dict[str, str]:
    """:data:`PARTS` with the school part named for ``school_year`` (see above)."""
    return {**PARTS, "deelscore_scholen": school_part_name(school_year)}


@dataclass(frozen=True)
class ScoreWeights:
    """Weights of the three parts of the white-spot score (see :func:`white_spot_score`).

    Parameters
    ----------
    scarcity : float
        Weight of few partners (``deelscore_schaarste``).
    travel : float
        Weight of the long trip to the nearest mbo infra place (``deelscore_reistijd``).
    schools : float
        Weight of vmbo schools without a partner within the radius (``deelscore_scholen``).

    The defaults are those of :data:`geo.settings.DEFAULTS`.
    """

    scarcity: float = DEFAULTS.weight_scarcity
    travel: float = DEFAULTS.weight_travel
    schools: float = DEFAULTS.weight_schools

    def __post_init__(self) -> None:
        values = self.as_array()
        if (not np.isfinite(values).all()) or (values < 0).any() or values.sum() <= 0:
            raise ValueError("De gewichten moeten 0 of groter zijn en niet allemaal 0.")

    def as_array(self) -> np.ndarray:
        """The weights in the order of :data:`PARTS`."""
        return np.array([self.scarcity, self.travel, self.schools], dtype=float)


def percentile(values: np.ndarray | pd.Series) -> np.ndarray:
    """Mid-rank percentile (0–100) of every value among the finite values; NaN stays NaN.

    The lowest value gets 0, the highest 100, equal values share the mean of their
    ranks (so a part that is equal everywhere is 50 everywhere), a single value 50.
    """
    v = np.asarray(values, dtype=float)
    out = np.full(len(v), np.nan)
    finite = np.isfinite(v)
    n = int(finite.sum())
    if n == 1:
        out[finite] = 50.0
    elif n > 1:
        ranks = pd.Series(v[finite]).rank(method="average").to_numpy()
        out[finite] = 100.0 * (ranks - 1.0) / (n - 1.0)
    return out


def travel_columns() -> list[str]:
    """The travel figures of the long-trip part: mean, shares beyond thresholds, longest."""
    return ["reistijd_mbo_infra_min_gemiddeld",
            *(share_column(t) for t in DEFAULTS.travel_thresholds_min),
            "reistijd_mbo_infra_min_max"]


def part_scores(table: pd.DataFrame) -> pd.DataFrame:
    """The three parts (percentiles, higher = more attention), aligned with ``table``.

    - ``deelscore_schaarste``: percentile of −``toegang_partners_per_10k_jongeren``;
    - ``deelscore_reistijd``: mean of the percentiles of the :func:`travel_columns` present;
    - ``deelscore_scholen``: percentile of the :func:`school_share_column` among the
      units that have a vmbo school (NaN for the others).
    """
    access = table["toegang_partners_per_10k_jongeren"].to_numpy(float)
    travel = [percentile(table[c]) for c in travel_columns() if c in table.columns]
    stacked = np.column_stack(travel) if travel else np.full((len(table), 1), np.nan)
    counted = np.isfinite(stacked).sum(axis=1)
    with np.errstate(invalid="ignore"):
        travel_part = np.where(counted > 0, np.nansum(stacked, axis=1) / np.maximum(counted, 1),
                               np.nan)
    return pd.DataFrame({
        "deelscore_schaarste": percentile(-access),
        "deelscore_reistijd": travel_part,
        "deelscore_scholen": percentile(table[school_share_column(table)]),
    }, index=table.index)


def combine(parts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of the parts each unit has (NaN parts and zero weights left out).

    Parameters
    ----------
    parts : numpy.ndarray
        Shape ``(units, 3)``.
    weights : numpy.ndarray
        Shape ``(3,)`` or ``(combinations, 3)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(units,)`` or ``(units, combinations)``; NaN where no weighted part exists.
    """
    w = np.atleast_2d(weights).T  # (3, combinations)
    have = np.isfinite(parts).astype(float)
    num = np.nan_to_num(parts) @ w
    den = have @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(den > 0, num / den, np.nan)
    return score[:, 0] if np.ndim(weights) == 1 else score


def weight_grid(weights: ScoreWeights, *, step: float = DEFAULTS.weight_step) -> np.ndarray:
    """Every combination of the three weights moved by −step, 0 or +step (none below 0).

    Returns
    -------
    numpy.ndarray
        Shape ``(combinations, 3)``; combinations whose weights are all 0 are left out.
    """
    base = weights.as_array()
    grid = np.array([np.maximum(base + np.array(d) * step, 0.0)
                     for d in itertools.product((-1, 0, 1), repeat=3)])
    grid = grid[grid.sum(axis=1) > 0]
    return np.unique(grid, axis=0)


def _ranks(scores: np.ndarray) -> np.ndarray:
    """Rank per column (1 = highest score; ties share the best rank; NaN last)."""
    frame = pd.DataFrame(scores)
    return frame.rank(ascending=False, method="min", na_option="bottom").to_numpy(int)


def white_spot_score(
    table: pd.DataFrame,
    *,
    weights: ScoreWeights | None = None,
    step: float = DEFAULTS.weight_step,
) -> pd.DataFrame:
    """Add the three parts, ``score``, ``rang``, ``rang_min`` and ``rang_max``.

    ``score = Σ w_k · part_k / Σ w_k`` over the parts the unit has (a unit without a vmbo
    school is scored on the other two; the parts are percentiles, so leaving one out
    neither raises nor lowers the scale of the others). ``rang_min``–``rang_max`` is the
    range of the unit's rank over :func:`weight_grid`.

    One more partner in a unit (higher access, the rest unchanged) never raises its
    score; a longer trip never lowers it. The score is relative: a change in one unit
    can move another unit's percentile.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per unit (all units of a level) with ``code``,
        ``toegang_partners_per_10k_jongeren``, the :func:`travel_columns` and
        ``aandeel_vmbo_zonder_partner`` (or ``aandeel_vmbo_niet_bereikt``, which then wins).
    weights : ScoreWeights, optional
    step : float
        Weight step of the stability range (default ``DEFAULTS.weight_step``).

    Returns
    -------
    pandas.DataFrame
        A copy with the added columns, columns in :data:`TABLE_COLUMNS` +
        :data:`EXTRA_COLUMNS` order (others after), sorted by ``rang`` then ``code``.
    """
    w = weights or ScoreWeights()
    out = table.copy()
    parts = part_scores(out)
    for column in PARTS:
        out[column] = parts[column].to_numpy()
    matrix = parts[list(PARTS)].to_numpy(float)
    out["score"] = combine(matrix, w.as_array())
    out["rang"] = _ranks(out["score"].to_numpy()[:, None])[:, 0]
    grid_ranks = _ranks(combine(matrix, weight_grid(w, step=step)))
    out["rang_min"] = grid_ranks.min(axis=1)
    out["rang_max"] = grid_ranks.max(axis=1)
    order = [c for c in TABLE_COLUMNS + EXTRA_COLUMNS if c in out.columns]
    out = out[order + [c for c in out.columns if c not in order]]
    return out.sort_values(["rang", "code"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# Texts for people (generated from the weights and the defaults)
# ---------------------------------------------------------------------------------------


def _minutes_text() -> str:
    values = [decimal_comma(t) for t in DEFAULTS.travel_thresholds_min]
    return " of ".join(values) if len(values) <= 2 else ", ".join(values)


def _school_part_text(school_year: str | None) -> str:
    """The explanation's bullet on the school part (see :func:`school_share_column`)."""
    missing = ("Een gebied zonder vmbo-school heeft hier geen gegeven; zijn score is het "
               "gewogen gemiddelde van de andere twee delen.")
    if school_year is None:
        return ("- **Vmbo-scholen zonder partner**: het aandeel vmbo-scholen zonder actieve "
                "partner binnen de straal. Staan er voor het schooljaar gegeven activiteiten "
                "in het register, dan telt hier het aandeel vmbo-scholen dat dat schooljaar "
                f"*niet is bereikt* (geen gegeven activiteit). {missing}")
    return (f"- **Vmbo-scholen niet bereikt in {school_year}**: het aandeel vmbo-scholen waar "
            f"in schooljaar {school_year} geen activiteit met de status 'gegeven' was "
            "(gastles, voorlichting, snuffelstage, …). Zonder gegeven activiteiten in een "
            "schooljaar telt hier het aandeel vmbo-scholen zonder actieve partner binnen de "
            f"straal. {missing}")


def score_explanation_nl(weights: ScoreWeights | None = None, *,
                         school_year: str | None = None) -> str:
    """Dutch explanation of the white-spot score with the given weights (Markdown).

    ``school_year``: the school part counts the vmbo schools not reached in that school
    year (:func:`reach_year_of` of the table); None: those without a partner nearby.
    """
    w = weights or ScoreWeights()
    part = school_part_name(school_year)
    return (
        "De **witte-vlekscore** (0–100, hoger = meer aandacht nodig) houdt twee vragen eerst "
        "apart — *zijn er weinig partners?* en *is de reis naar een mbo-infra-opleiding "
        "lang?* — en telt ze daarna open bij elkaar op, met een derde deel voor "
        + ("vmbo-scholen zonder partner in de buurt" if school_year is None else
           f"vmbo-scholen die in schooljaar {school_year} niet zijn bereikt") + ":\n\n"
        "- **Weinig partners**: de partnertoegang per jongere (two-step floating catchment). "
        "Elke partner wordt verdeeld over de jongeren (10–19 jaar) die binnen "
        f"{decimal_comma(DEFAULTS.access_catchment_km)} km hemelsbreed wonen, dichterbij "
        "telt zwaarder; elk postcodegebied telt de delen van de partners binnen zijn bereik "
        "op. Per gebied is dat gemiddeld, gewogen naar jongeren, het aantal *partners per "
        "10.000 jongeren binnen bereik*. Zo telt een partner ook voor jongeren net over de "
        "gemeentegrens, en maakt één partner in een kleine gemeente niet het verschil "
        "tussen 'geen' en 'veel'.\n"
        "- **Lange reis**: de gemiddelde geschatte reistijd naar de dichtstbijzijnde "
        f"mbo-infralocatie, het aandeel jongeren dat er meer dan {_minutes_text()} minuten "
        "over doet en de langste reis vanuit een postcodegebied met jongeren; dit deel is "
        "het gemiddelde van hun vier percentielen.\n"
        f"{_school_part_text(school_year)}\n\n"
        "Elk deel is een **percentiel** onder de gebieden van hetzelfde niveau: 0 = minste "
        "aandacht, 100 = meeste; gelijke waarden delen hun plaats. Zo overstemt geen deel "
        "de andere doordat zijn getallen verder uiteenlopen.\n\n"
        f"Gewichten: weinig partners {decimal_comma(w.scarcity)}, lange reis "
        f"{decimal_comma(w.travel)}, {part} {decimal_comma(w.schools)}. "
        "De score is Σ gewicht × deel / Σ gewicht over de delen die een gebied heeft.\n\n"
        "**Hoe vast is een rang?** Bij elke rang staat het bereik van rangen als elk gewicht "
        f"{decimal_comma(DEFAULTS.weight_step)} omhoog of omlaag gaat (alle combinaties). "
        "Een smal bereik betekent dat de rang niet afhangt van de precieze gewichten.\n\n"
        "De score is relatief: hij zegt welk gebied meer aandacht nodig heeft dan de andere, "
        "niet hoeveel partners genoeg is. Meer partners in een gebied laat zijn score dalen "
        "of gelijk; een langere reis laat hem stijgen of gelijk."
    )


def score_caption_nl(weights: ScoreWeights | None = None, *,
                     school_year: str | None = None) -> str:
    """One-line Dutch explanation of the score with its weights, for a caption."""
    w = weights or ScoreWeights()
    part = ("vmbo-scholen zonder partner binnen de straal" if school_year is None
            else school_part_name(school_year))
    return (
        "Witte-vlekscore 0–100 (hoger = meer aandacht nodig): gewogen gemiddelde van de "
        f"percentielen van weinig partners ({decimal_comma(w.scarcity)}), lange reis naar "
        f"mbo-infra ({decimal_comma(w.travel)}) en {part} ({decimal_comma(w.schools)}). "
        "'Rang bij andere gewichten': de rangen als elk "
        f"gewicht {decimal_comma(DEFAULTS.weight_step)} verschuift. Uitleg op de pagina Over."
    )


#: The score explanation with the default weights, for the "Over" page.
SCORE_EXPLANATION_NL = score_explanation_nl()


def rank_range_text(rank_min: int, rank_max: int) -> str:
    """``"3"`` when the rank does not move with the weights, else ``"2–4"``."""
    return f"{rank_min}" if rank_min == rank_max else f"{rank_min}–{rank_max}"


def _stability_text(rank_min: int, rank_max: int) -> str:
    if rank_min == rank_max:
        return f"rang {rank_min} ook bij andere gewichten"
    return f"rang {rank_range_text(rank_min, rank_max)} bij andere gewichten"


def _part_text(value: float) -> str:
    return "geen gegeven" if pd.isna(value) else f"{value:.0f}"


def _share_text(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.0%}"


def top_units_text(table: pd.DataFrame, *, n: int = DEFAULTS.top_units) -> list[str]:
    """Dutch lines explaining the ``n`` units that need most attention: parts, stability."""
    lines = []
    shares = [share_column(t) for t in DEFAULTS.travel_thresholds_min]
    year = reach_year_of(table)
    missed = PARTNER_COUNT if year is None else REACH_COUNT
    for row in table.sort_values(["rang", "code"]).head(n).to_dict("records"):
        parts = ", ".join(f"{label} {_part_text(row[column])}"
                          for column, label in part_names(year).items())
        trips = ", ".join(f"{_share_text(row.get(c))} boven {decimal_comma(t)} min"
                          for c, t in zip(shares, DEFAULTS.travel_thresholds_min, strict=True))
        partners = int(row["partners"])
        lines.append(
            f"{row['rang']}. {row['naam']} — score {row['score']:.0f}, "
            f"{_stability_text(row['rang_min'], row['rang_max'])} "
            f"(delen: {parts}); {partners} partner{'' if partners == 1 else 's'}, "
            f"{decimal_comma(round(row['toegang_partners_per_10k_jongeren'], 1))} per "
            "10.000 jongeren binnen bereik; reistijd mbo-infra gem. "
            f"{row['reistijd_mbo_infra_min_gemiddeld']:.0f} min ({trips}; schatting); "
            f"{school_part_name(year)}: {int(row[missed])} van {int(row['scholen_vmbo'])}"
        )
    return lines


def _percentile_step(values: pd.Series, value: float, *, higher_is_more: bool = True) -> str:
    """How a percentile comes about, in Dutch: 100 × (better + ½ × equal) / others."""
    v = values.dropna().to_numpy(float)
    if not np.isfinite(value) or len(v) == 0:
        return "geen gegeven"
    others = len(v) - 1
    if others == 0:
        return "het enige gebied met dit gegeven → percentiel 50"
    better = int((v < value).sum() if higher_is_more else (v > value).sum())
    equal = int((v == value).sum()) - 1
    result = 100.0 * (better + equal / 2) / others
    fig = decimal_comma
    tie = f" en {equal} gelijk" if equal else ""
    formula = f"100 × ({better} + ½ × {equal}) / {others}" if equal else (
        f"100 × {better} / {others}")
    return (f"{better} van de {others} andere gebieden zijn gunstiger{tie}: {formula} = "
            f"{fig(round(result, 1))}")


def worked_example_nl(table: pd.DataFrame, code: str,
                      weights: ScoreWeights | None = None) -> str:
    """The score of one unit worked out step by step, in Dutch Markdown, from ``table``.

    Every number is taken from ``table``; each percentile is shown as
    ``100 × (more favourable + ½ × equal) / other units``, as :func:`percentile` computes it.

    Parameters
    ----------
    table : pandas.DataFrame
        All units of one level, as :func:`geo.analysis.indicators.indicators` returns them.
    code : str
        The unit to explain.
    weights : ScoreWeights, optional
        The weights ``table`` was scored with; ``table.attrs["gewichten"]`` or the defaults.
    """
    w = weights or table.attrs.get("gewichten") or ScoreWeights()
    row = table.set_index("code").loc[code]
    name = md(str(row["naam"]))  # a subregion name may come from a user's division file
    fig = decimal_comma

    def step(label: str, column: str, shown: str, *, more_is_worse: bool = True) -> str:
        how = _percentile_step(table[column], row[column], higher_is_more=more_is_worse)
        return f"   - {label}: **{shown}** — {how}\n"

    shares = [(t, share_column(t)) for t in DEFAULTS.travel_thresholds_min]
    travel = (
        step("gemiddelde reistijd", "reistijd_mbo_infra_min_gemiddeld",
             f"{row['reistijd_mbo_infra_min_gemiddeld']:.0f} min")
        + "".join(step(f"jongeren boven {fig(t)} min", c, f"{row[c]:.0%}") for t, c in shares)
        + step("langste reis", "reistijd_mbo_infra_min_max",
               f"{row['reistijd_mbo_infra_min_max']:.0f} min")
    )
    parts = {c: row[c] for c in PARTS}
    used = [(c, wt) for c, wt in zip(PARTS, w.as_array(), strict=True) if pd.notna(parts[c])]
    sum_text = " + ".join(f"{fig(wt)} × {fig(round(parts[c], 1))}" for c, wt in used)
    weight_sum = fig(round(sum(wt for _, wt in used), 2))
    year = reach_year_of(table)
    share = school_share_column(table)
    missed = PARTNER_COUNT if year is None else REACH_COUNT
    schools = (
        step(f"aandeel {school_part_name(year)}", share,
             f"{int(row[missed])} van {int(row['scholen_vmbo'])}")
        if pd.notna(row[share])
        else "   - geen vmbo-school: geen gegeven; de score gebruikt de andere twee delen\n"
    )
    return (
        f"**Voorbeeld: {name}** (rang {row['rang']} van {len(table)}), berekend uit de "
        "huidige gegevens.\n\n"
        "1. **Weinig partners.** "
        f"{name} heeft {count_noun(int(row['partners']), 'partner', 'partners')} en "
        f"{fig(round(row['toegang_partners_per_10k_jongeren'], 2))} partners binnen bereik per "
        "10.000 jongeren:\n"
        + step("toegang", "toegang_partners_per_10k_jongeren",
               fig(round(row["toegang_partners_per_10k_jongeren"], 2)), more_is_worse=False)
        + f"   Deel weinig partners = **{fig(round(parts['deelscore_schaarste'], 1))}**.\n"
        "2. **Lange reis.** Vier cijfers, elk een percentiel:\n" + travel
        + f"   Deel lange reis = gemiddelde = **{fig(round(parts['deelscore_reistijd'], 1))}**.\n"
        f"3. **{school_part_name(year).capitalize()}.**\n" + schools
        + ("" if pd.isna(parts["deelscore_scholen"]) else
           f"   Deel vmbo-scholen = **{fig(round(parts['deelscore_scholen'], 1))}**.\n")
        + f"4. **Score** = ({sum_text}) / {weight_sum} = **{fig(round(row['score'], 1))}**, "
        f"rang {row['rang']}. Als elk gewicht {fig(DEFAULTS.weight_step)} verschuift, wordt "
        f"de rang {rank_range_text(row['rang_min'], row['rang_max'])}.\n"
    )
