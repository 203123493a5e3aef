"""The education places' fields and vocabulary, in the style of :mod:`geo.fields`.

The register keeps the places of the education chain the team shows on the map (table
``opleidingslocaties``): the mbo infra places, and room for others such as an infra
training centre or hbo civil engineering. Each place has a kind (:data:`PLACE_KINDS`),
an exact address when someone set it, a location with its precision (the codes of
:data:`geo.reference.gazetteer.PRECISIONS`) and a source (:data:`PLACE_SOURCES`).

Which places are destinations (decision)
    Only an *active* place of a kind with ``destination=True`` — today only ``mbo_infra`` —
    counts as a destination in the travel analysis (indicators, score, "wat als"): the
    question is how far young people live from mbo infra education, the first step of the
    chain. The other kinds are shown, never averaged into the travel time. Adding a kind
    is one :class:`PlaceKind` here; a kind that should count gets ``destination=True``.

Like :mod:`geo.fields` this module is pure; it imports only :mod:`geo.fields`.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo import fields


@dataclass(frozen=True)
class PlaceKind:
    """A kind of education place.

    Attributes
    ----------
    code : str
        Stored in the register (``soort``) and used on the command line.
    label : str
        Dutch label for people (lists, pop-ups, select boxes).
    destination : bool
        Counts as a destination in the travel analysis (see the module notes).
    """

    code: str
    label: str
    destination: bool


#: The kinds of education place, in the order people see them.
PLACE_KINDS: tuple[PlaceKind, ...] = (
    PlaceKind("mbo_infra", "mbo infra", destination=True),
    PlaceKind("opleidingscentrum", "infra-opleidingscentrum", destination=False),
    PlaceKind("hbo_civiel", "hbo civiele techniek", destination=False),
    PlaceKind("overig", "andere opleiding", destination=False),
)

#: The kind of the bundled places and of a new place unless another is chosen.
DEFAULT_PLACE_KIND = "mbo_infra"

#: Where a place's location came from: code → Dutch label.
PLACE_SOURCES: dict[str, str] = {
    "meegeleverd": "meegeleverd bestand",
    "pdok": "PDOK",
    "offline": "offline (CBS-postcodes)",
    "handmatig": "handmatig",
}

#: The source of the bundled places (``data/mbo_infra_locaties.csv``, the seed).
BUNDLED_SOURCE = "meegeleverd"

#: The precision of a place known only by its place name.
PLACE_LEVEL = "plaats"

#: What the map, the lists and Beheer say about a place that is only place-level.
PLACE_LEVEL_NOTE = ("Nog alleen op plaatsniveau: het exacte adres is niet ingevuld, de stip "
                    "staat in het midden van de woonkern en kan kilometers afwijken.")


def place_kind_codes() -> tuple[str, ...]:
    """The codes of :data:`PLACE_KINDS`, in order."""
    return tuple(kind.code for kind in PLACE_KINDS)


def place_kind_label(code: object) -> str:
    """The Dutch label of a kind of place; an unknown code is shown as it is."""
    labels = {kind.code: kind.label for kind in PLACE_KINDS}
    return labels.get(str(code), str(code or ""))


def destination_kind_codes() -> tuple[str, ...]:
    """The kinds whose active places are destinations in the travel analysis."""
    return tuple(kind.code for kind in PLACE_KINDS if kind.destination)


def place_source_label(code: object) -> str:
    """The Dutch label of a source; an unknown code is shown as it is."""
    return PLACE_SOURCES.get(str(code), str(code or ""))


# ------------------------------------------------------------------------------ fields

_INSTITUTION = fields.Field("instelling", "Instelling", export=fields.EXPORT_PUBLIC)
_PLACE_KIND = fields.Field("soort", "Soort", fields.VOCABULARY, vocabulary="place_kinds",
                           export=fields.EXPORT_PUBLIC)
_PLACE_SOURCE = fields.Field("bron", "Bron", fields.VOCABULARY, vocabulary="place_sources",
                             export=fields.EXPORT_PUBLIC, export_label="Bron locatie")
_NOTE = fields.Field("melding", "Toelichting", export=fields.EXPORT_PUBLIC)


def _shared(name: str) -> fields.Field:
    """The organisation field ``name`` (places store it the same way)."""
    return next(item for item in fields.ORGANISATION_FIELDS if item.name == name)


#: The fields of an education place (table ``opleidingslocaties``), in the order of
#: :meth:`geo.register.store.Store.education_places`. No field is personal.
PLACE_FIELDS: tuple[fields.Field, ...] = (
    _shared("id"), _shared("naam"), _INSTITUTION, _PLACE_KIND, _shared("actief"),
    _shared("straat"), _shared("postcode"), _shared("plaats"), _shared("lat"),
    _shared("lon"), _shared("nauwkeurigheid"), _PLACE_SOURCE, _NOTE,
    *fields.AREA_FIELDS[:2],  # gemeentecode, gemeentenaam
    _shared("versie"), _shared("importsleutel"), _shared("aangemaakt"), _shared("gewijzigd"),
)
