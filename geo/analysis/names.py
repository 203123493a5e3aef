"""The analysis's names for people and programs, as plain constants.

Travel modes, the columns of the indicator and scenario tables with their Dutch
descriptions (generated from :data:`geo.settings.DEFAULTS` where they quote a default), and
the indicators a map can be coloured by. Nothing here imports numpy or pandas, so the
command line builds its options from these names without loading the analysis itself.
"""

from __future__ import annotations

from geo.settings import DEFAULTS
from geo.text import decimal_comma


def share_column(threshold_min: float) -> str:
    """Column name of the share of young people beyond ``threshold_min`` minutes."""
    return f"aandeel_jongeren_boven_{threshold_min:g}_min"


#: The share columns, one per :attr:`geo.settings.Defaults.travel_thresholds_min`.
SHARE_COLUMNS: list[str] = [share_column(t) for t in DEFAULTS.travel_thresholds_min]
_STEP = decimal_comma(DEFAULTS.weight_step)
_MINUTES = " en ".join(decimal_comma(t) for t in DEFAULTS.travel_thresholds_min)

#: Travel modes, code → Dutch label. The codes are what users type (``--reiswijze``).
MODES: dict[str, str] = {"fiets": "fiets", "ov_auto": "OV/auto"}

#: The columns of an indicator table, in order: the CLI contract first, then the
#: supporting columns.
TABLE_COLUMNS: list[str] = [
    "code", "naam", "arbeidsmarktregio_code", "partners", "donateurs", "inwoners_10_19",
    "partners_per_10k_jongeren", "scholen", "scholen_vmbo", "aandeel_scholen_met_partner",
    "afstand_mbo_infra_km_gemiddeld", "afstand_mbo_infra_km_max",
    "reistijd_mbo_infra_min_gemiddeld", "score", "rang",
]
EXTRA_COLUMNS: list[str] = [
    "arbeidsmarktregio", "scholen_met_partner", "reistijd_mbo_infra_min_max",
    "deelscore_schaarste", "deelscore_reistijd", "deelscore_scholen", "rang_min", "rang_max",
    "toegang_partners_per_10k_jongeren", *SHARE_COLUMNS, "scholen_vmbo_zonder_partner",
    "aandeel_vmbo_zonder_partner", "scholen_vmbo_niet_bereikt", "aandeel_vmbo_niet_bereikt",
]

#: The columns of a "wat als" scenario table, in order.
SCENARIO_COLUMNS: list[str] = [
    "code", "naam", "arbeidsmarktregio_code", "inwoners_10_19",
    "reistijd_gemiddeld_nu", "reistijd_gemiddeld_wat_als", "reistijd_gemiddeld_verschil",
    "reistijd_max_nu", "reistijd_max_wat_als",
    "afstand_gemiddeld_nu", "afstand_gemiddeld_wat_als", "afstand_gemiddeld_verschil",
    "afstand_max_nu", "afstand_max_wat_als",
    "score_nu", "score_wat_als", "rang_nu", "rang_wat_als", "rang_verschil",
]

#: Dutch description of every column of both tables, for the Excel "Uitleg" sheet.
COLUMN_DESCRIPTIONS_NL: dict[str, str] = {
    "code": "Code van het gebied (GM-code, subregionaam of AM-code)",
    "naam": "Naam van het gebied",
    "arbeidsmarktregio_code": "Arbeidsmarktregio (CBS-code)",
    "partners": "Actieve partners met een bekende locatie in het gebied (zie uitleg)",
    "donateurs": "Actieve donateurs met een bekende locatie in het gebied (elke soort)",
    "inwoners_10_19": "Inwoners van 10 tot 20 jaar (CBS postcodecijfers 2021)",
    "partners_per_10k_jongeren": "Partners per 10.000 inwoners van 10 tot 20 jaar",
    "scholen": "Vestigingen voortgezet onderwijs (DUO) in het gebied",
    "scholen_vmbo": "Waarvan met vmbo (basis/kader of gemengd/theoretisch)",
    "aandeel_scholen_met_partner": (
        "Aandeel (0–1) van de scholen met minstens één partner binnen de straal (hemelsbreed)"
    ),
    "afstand_mbo_infra_km_gemiddeld": (
        "Geschatte reisafstand (km) naar de dichtstbijzijnde mbo-infralocatie, gewogen "
        "gemiddelde over de postcodegebieden naar aantal jongeren"
    ),
    "afstand_mbo_infra_km_max": "Grootste geschatte reisafstand (km) vanuit een postcodegebied",
    "reistijd_mbo_infra_min_gemiddeld": (
        "Geschatte reistijd (minuten) naar de dichtstbijzijnde mbo-infralocatie, gewogen "
        "gemiddelde naar aantal jongeren"
    ),
    "score": "Witte-vlekscore 0–100: hoe hoger, hoe meer aandacht nodig",
    "rang": "Rang op de witte-vlekscore (1 = meeste aandacht nodig)",
    "arbeidsmarktregio": "Naam van de arbeidsmarktregio",
    "scholen_met_partner": "Scholen met minstens één partner binnen de straal",
    "reistijd_mbo_infra_min_max": "Langste geschatte reistijd (minuten) vanuit een postcodegebied",
    "deelscore_schaarste": (
        "Deel 'weinig partners': percentiel (0–100) van de partnertoegang, minder toegang = "
        "hoger"
    ),
    "deelscore_reistijd": (
        "Deel 'lange reis': gemiddelde van de percentielen (0–100) van de gemiddelde reistijd, "
        f"de aandelen jongeren boven {_MINUTES} minuten en de langste reistijd"
    ),
    "deelscore_scholen": (
        "Deel 'vmbo-scholen zonder partner' of, als het schooljaar gegeven activiteiten heeft, "
        "'vmbo-scholen niet bereikt': percentiel (0–100) van dat aandeel; leeg zonder "
        "vmbo-school"
    ),
    "rang_min": f"Beste rang als elk gewicht {_STEP} omhoog of omlaag gaat",
    "rang_max": f"Slechtste rang als elk gewicht {_STEP} omhoog of omlaag gaat",
    "toegang_partners_per_10k_jongeren": (
        "Partners binnen bereik per 10.000 jongeren (two-step floating catchment: elke "
        "partner verdeeld over de jongeren binnen de reikwijdte, dichterbij telt zwaarder)"
    ),
    **{share_column(t): (
        f"Aandeel (0–1) van de jongeren met meer dan {decimal_comma(t)} minuten geschatte "
        "reistijd naar de dichtstbijzijnde mbo-infralocatie"
    ) for t in DEFAULTS.travel_thresholds_min},
    "scholen_vmbo_zonder_partner": "Vmbo-scholen zonder partner binnen de straal",
    "aandeel_vmbo_zonder_partner": (
        "Aandeel (0–1) van de vmbo-scholen zonder partner binnen de straal; leeg zonder "
        "vmbo-school"
    ),
    "scholen_vmbo_niet_bereikt": "Vmbo-scholen zonder gegeven activiteit in het schooljaar",
    "aandeel_vmbo_niet_bereikt": (
        "Aandeel (0–1) van de vmbo-scholen zonder gegeven activiteit in het schooljaar; leeg "
        "zonder vmbo-school"
    ),
    "activiteiten": (
        "Gegeven activiteiten in het schooljaar, geteld in de gemeente van de school of plaats"
    ),
    "activiteiten_per_1000_jongeren": "Gegeven activiteiten per 1.000 inwoners van 10 tot 20 jaar",
    "scholen_bereikt": "Scholen met minstens één gegeven activiteit in het schooljaar",
    "aandeel_scholen_bereikt": "Aandeel (0–1) van de scholen dat is bereikt",
    "scholen_vmbo_bereikt": "Vmbo-scholen met minstens één gegeven activiteit in het schooljaar",
    "aandeel_vmbo_bereikt": (
        "Aandeel (0–1) van de vmbo-scholen dat in het schooljaar is bereikt; leeg zonder "
        "vmbo-school"
    ),
    "gastlessen_vo": "Gegeven gastlessen VO in het schooljaar",
    "gastlessen_vo_evenredig_deel": (
        f"Evenredig deel van het maximum van {DEFAULTS.max_guest_lessons_vo} gastlessen VO: "
        "het maximum verdeeld naar het aantal scholen (een maatstaf, geen doel)"
    ),
    "gastlessen_vo_van_evenredig_deel": "Gegeven gastlessen VO als aandeel (0–1) van dat deel",
    "reistijd_gemiddeld_nu": "Geschatte reistijd (min) naar mbo-infra, gewogen gemiddelde, nu",
    "reistijd_gemiddeld_wat_als": "Idem, met de nieuwe locatie",
    "reistijd_gemiddeld_verschil": "Verschil in minuten (negatief = korter)",
    "reistijd_max_nu": "Langste geschatte reistijd (min) vanuit een postcodegebied, nu",
    "reistijd_max_wat_als": "Idem, met de nieuwe locatie",
    "afstand_gemiddeld_nu": "Geschatte reisafstand (km), gewogen gemiddelde, nu",
    "afstand_gemiddeld_wat_als": "Idem, met de nieuwe locatie",
    "afstand_gemiddeld_verschil": "Verschil in km (negatief = korter)",
    "afstand_max_nu": "Grootste geschatte reisafstand (km) vanuit een postcodegebied, nu",
    "afstand_max_wat_als": "Idem, met de nieuwe locatie",
    "score_nu": "Witte-vlekscore nu",
    "score_wat_als": "Witte-vlekscore met de nieuwe locatie",
    "rang_nu": "Rang nu (1 = meeste aandacht nodig)",
    "rang_wat_als": "Rang met de nieuwe locatie",
    "rang_verschil": "Verandering van de rang (positief = minder urgent)",
}

#: The key of :data:`CHOROPLETH_INDICATORS` for the two-variable map (partner access ×
#: travel burden, :func:`geo.output.choropleth.add_bivariate`).
BIVARIATE = "partners_x_reistijd"

#: The indicator of :data:`CHOROPLETH_INDICATORS` taken from the reach of the chosen school
#: year (:func:`geo.analysis.reach.reach_by_unit`), not from the indicator table.
REACH_INDICATOR = "aandeel_vmbo_bereikt"

#: Indicators a map can be coloured by: column → (Dutch label, number format). The
#: empty key means "no colouring"; :data:`BIVARIATE` the two-variable map.
CHOROPLETH_INDICATORS: dict[str, tuple[str, str]] = {
    "": ("Geen kleurkaart", ""),
    "partners_x_reistijd": ("Weinig partners × lange reis (vergeleken met de andere gebieden)",
                            ""),
    "score": ("Witte-vlekscore (hoger = meer aandacht nodig)", "{:.0f}"),
    "partners_per_10k_jongeren": ("Partners per 10.000 jongeren (10–19 jr)", "{:.1f}"),
    "toegang_partners_per_10k_jongeren": ("Partners binnen bereik per 10.000 jongeren",
                                          "{:.1f}"),
    SHARE_COLUMNS[-1]: (f"Aandeel jongeren > {decimal_comma(DEFAULTS.travel_thresholds_min[-1])} "
                        "min van mbo-infra (schatting)", "{:.0%}"),
    "partners": ("Aantal partners", "{:.0f}"),
    "donateurs": ("Aantal donateurs", "{:.0f}"),
    "aandeel_scholen_met_partner": ("Aandeel scholen met partner binnen straal", "{:.0%}"),
    REACH_INDICATOR: ("Bereik vmbo-scholen (aandeel bereikt in het schooljaar)", "{:.0%}"),
    "afstand_mbo_infra_km_gemiddeld": ("Afstand tot mbo-infra, gemiddeld (km, schatting)",
                                       "{:.1f}"),
    "reistijd_mbo_infra_min_gemiddeld": ("Reistijd tot mbo-infra, gemiddeld (min, schatting)",
                                         "{:.0f}"),
}
