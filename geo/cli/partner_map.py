"""``infrakaart kaart``: the partner map as one HTML file that opens offline."""

from __future__ import annotations

import argparse
import sys

from geo.analysis.names import CHOROPLETH_INDICATORS
from geo.cli._common import (
    add_database_option,
    add_division_option,
    add_school_year_option,
    open_store,
    school_year_of,
    selected_division,
)
from geo.reference.levels import LEVELS
from geo.settings import DEFAULTS, Settings


def add(sub: argparse._SubParsersAction) -> None:
    """Declare ``infrakaart kaart`` and its options."""
    p = sub.add_parser(
        "kaart",
        help="De partnerkaart als los HTML-bestand (opent ook zonder internet).",
        description="Schrijf de partnerkaart (grenzen, kleurkaart, scholen, mbo-infra, actieve "
        "partners) als één HTML-bestand dat in elke browser opent, ook offline (alleen de "
        "achtergrondtegels hebben internet nodig). De scholen kleuren naar bereik in het "
        "schooljaar (een gegeven activiteit), partners die er een gaven hebben een groene "
        "rand. Met --publiek zonder persoonsgegevens.",
    )
    p.add_argument("--uitvoer", required=True, metavar="KAART.html", help="het HTML-bestand")
    p.add_argument("--publiek", action="store_true",
                   help="zonder contactpersonen, e-mailadressen en telefoonnummers (om te delen)")
    p.add_argument("--niveau", choices=LEVELS, default=DEFAULTS.level,
                   help=f"niveau van de kleurkaart (standaard {DEFAULTS.level})")
    p.add_argument("--kleurkaart", choices=[k for k in CHOROPLETH_INDICATORS if k],
                   default=DEFAULTS.choropleth,
                   help=f"indicator voor de kleurkaart (standaard {DEFAULTS.choropleth})")
    add_school_year_option(p)
    add_division_option(p)
    add_database_option(p)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run ``infrakaart kaart``; returns the exit code."""
    from geo.analysis import indicators as analysis
    from geo.analysis.names import REACH_INDICATOR
    from geo.analysis.reach import partner_activity, reach_by_unit, reach_year, school_reach
    from geo.output import partner_maps
    from geo.output.assets import standalone_html
    from geo.output.files import write_file_atomically
    from geo.output.map_cache import map_parts
    from geo.output.reach_maps import with_partner_activity, with_school_reach

    year = school_year_of(args)
    with open_store(args, settings) as store:  # the reference from var/cache when current
        reference = store.reference
        division = selected_division(args, reference)  # before any work: a bad file stops here
        organisations = store.organisations(include_personal=not args.publiek)
        schools, mbo = store.schools(), store.mbo_locations()
        places = store.places.all(active_only=True)  # on the map: every kind
        year = school_year_of(args, store)
        done = store.activities.all(school_year=year)  # the public view: no guest teachers
    active = organisations[organisations["actief"]]
    table = analysis.indicators(args.niveau, reference=reference, division=division,
                                partners=active, schools=schools, mbo=mbo,
                                reach=reach_year(done, year))
    if args.kleurkaart == REACH_INDICATOR:
        table = reach_by_unit(args.niveau, reference=reference, division=division,
                              activities_frame=done, schools=schools, school_year=year)
    label, fmt = CHOROPLETH_INDICATORS[args.kleurkaart]
    label = label.replace("het schooljaar", year)
    parts = map_parts(reference, settings.cache_dir)  # base layers, from var/cache if current
    fmap = partner_maps.build_partner_map(
        layers=parts.boundary_layers(division),
        partners=with_partner_activity(active, partner_activity(done, school_year=year), year),
        schools=with_school_reach(school_reach(done, schools, school_year=year), year),
        mbo=places, show_personal=not args.publiek,
        choropleth=(parts.unit_polygons(args.niveau, division), table, args.kleurkaart, label,
                    fmt),
        school_year=year,
    )
    try:
        html = standalone_html(fmap, settings.static_dir)
    except RuntimeError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return 1
    # The staff map has contact data in its pop-ups: readable by its owner only.
    out = write_file_atomically(args.uitvoer, html.encode("utf-8"), private=not args.publiek)
    placed = int(active["lat"].notna().sum())
    print(f"Kaart geschreven naar {out} ({len(html) // 1024} kB): {placed} actieve "
          f"organisaties, {len(schools)} scholen, {len(mbo)} mbo-infra-locaties; kleurkaart "
          f"'{label}' per {args.niveau}; scholen gekleurd naar bereik in {year}.")
    if not args.publiek:
        print("Let op: deze kaart bevat persoonsgegevens in de pop-ups; gebruik --publiek om "
              "te delen.")
    return 0
