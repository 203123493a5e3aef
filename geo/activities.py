"""Activities: their fields, kinds, statuses and school years, in the style of :mod:`geo.fields`.

Infra Bindt's work is activities: guest lessons in secondary schools, vmbo guest lessons
at Tech Your Talent, information evenings, PET events for primary schools, open days,
fairs, network meetings. The register keeps each one (table ``activiteiten``, see
:mod:`geo.register.activity_tables`): its kind (:data:`ACTIVITY_KINDS`), date and
school year, the school (by DUO ``vestigingscode``) or the municipality and place when
it was not at a school, the partner organisations involved (a link table), the number
of pupils, its status (:data:`ACTIVITY_STATUSES`), and two staff-only fields: notes and
guest-teacher names.

Privacy (decision)
    ``gastdocenten`` are names of people: :data:`geo.fields.PERSONAL` (staff only; the
    history records that they changed, never the names). ``notities`` are staff notes
    (:data:`geo.fields.STAFF_NOTE`). Neither is in the public view
    ``activiteiten_publiek`` nor in anything derived from it; a message never quotes
    them.

School years (decision)
    A school year runs from 1 August to 31 July and is written ``"2024-2025"``
    (:func:`school_year`); the register derives it from the date, nobody types it.

Adding a kind
    Add an :class:`ActivityKind` to :data:`ACTIVITY_KINDS`. The register's kind check
    (triggers) and the year overview follow; no migration is needed.

Like :mod:`geo.fields` this module is pure; it imports only :mod:`geo.fields` and
:mod:`geo.vocabulary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from geo import fields, vocabulary


@dataclass(frozen=True)
class ActivityKind:
    """A kind of activity.

    Attributes
    ----------
    code : str
        Stored in the register (``soort``).
    label : str
        Dutch label for one activity (lists, messages, select boxes).
    plural : str
        Dutch label for a count of them (the year overview: "gastlessen VO").
    synonyms : tuple of str
        Other ways a planning sheet names the kind (case, accents and punctuation do not
        matter; see :func:`kind_from_text`).
    """

    code: str
    label: str
    plural: str
    synonyms: tuple[str, ...] = ()


#: The kinds of activity, in the order of the year overview.
ACTIVITY_KINDS: tuple[ActivityKind, ...] = (
    ActivityKind("gastles_vo", "gastles VO", "gastlessen VO",
                 ("gastles", "gastlessen", "gastles voortgezet onderwijs", "gastles havo",
                  "gastles vwo", "gastles mavo")),
    ActivityKind("gastles_vmbo", "gastles vmbo (Tech Your Talent)",
                 "gastlessen vmbo (Tech Your Talent)",
                 ("gastles vmbo", "gastlessen vmbo", "tech your talent", "tyt",
                  "gastles tech your talent", "gastles tyt", "vmbo gastles")),
    ActivityKind("voorlichting", "voorlichting", "voorlichtingen",
                 ("voorlichtingen", "voorlichtingsavond", "voorlichtingsbijeenkomst",
                  "informatieavond", "infoavond", "ouderavond", "voorlichtingsavonden")),
    ActivityKind("pet_event", "PET-event (primair onderwijs)", "PET-events (primair onderwijs)",
                 ("pet", "pet event", "pet events", "pet evenement", "pet-event",
                  "po event", "event primair onderwijs", "primair onderwijs")),
    ActivityKind("snuffelstage", "snuffelstage", "snuffelstages",
                 ("snuffelstages", "meeloopdag", "meeloopstage", "snuffeldag")),
    ActivityKind("open_dag", "open dag", "open dagen", ("opendag", "open dagen")),
    ActivityKind("beurs", "beurs", "beurzen",
                 ("beurzen", "banenbeurs", "onderwijsbeurs", "informatiemarkt")),
    ActivityKind("netwerkbijeenkomst", "netwerkbijeenkomst", "netwerkbijeenkomsten",
                 ("netwerkbijeenkomsten", "netwerkavond", "netwerkmiddag",
                  "netwerkochtend")),
    ActivityKind("anders", "anders", "andere activiteiten",
                 ("overig", "overige", "ander", "andere activiteit")),
)

#: The kind of a guest lesson in secondary school: the one with a yearly maximum
#: (:attr:`geo.settings.Defaults.max_guest_lessons_vo`).
GUEST_LESSON_VO = "gastles_vo"

#: The statuses of an activity, code → Dutch label (here the code is the Dutch word).
ACTIVITY_STATUSES: dict[str, str] = {
    "gepland": "gepland",
    "gegeven": "gegeven",
    "geannuleerd": "geannuleerd",
}

#: Only given activities count in figures (the year overview, reach).
GIVEN = "gegeven"

#: Other words planning sheets use for a status.
_STATUS_WORDS: dict[str, str] = {
    "ingepland": "gepland", "planning": "gepland", "nog te doen": "gepland",
    "gepland nog niet gegeven": "gepland", "afgesproken": "gepland",
    "uitgevoerd": "gegeven", "gedaan": "gegeven", "afgerond": "gegeven",
    "geweest": "gegeven", "klaar": "gegeven", "ja": "gegeven",
    "afgezegd": "geannuleerd", "vervallen": "geannuleerd", "gecanceld": "geannuleerd",
    "geannuleerd": "geannuleerd", "afgelast": "geannuleerd",
    "niet doorgegaan": "geannuleerd", "nee": "geannuleerd",
}


def activity_kind_codes() -> tuple[str, ...]:
    """The codes of :data:`ACTIVITY_KINDS`, in order."""
    return tuple(kind.code for kind in ACTIVITY_KINDS)


def activity_kind_label(code: object) -> str:
    """The Dutch label of a kind of activity; an unknown code is shown as it is."""
    labels = {kind.code: kind.label for kind in ACTIVITY_KINDS}
    return labels.get(str(code), str(code or ""))


def activity_kind_labels() -> str:
    """Every kind's label in one Dutch list, for messages ("gastles VO, …, anders")."""
    return ", ".join(kind.label for kind in ACTIVITY_KINDS)


def _kind_words() -> dict[str, str]:
    words: dict[str, str] = {}
    for kind in ACTIVITY_KINDS:
        for word in (kind.code, kind.label, kind.plural, *kind.synonyms):
            words.setdefault(vocabulary.fold_text(word), kind.code)
    return words


def kind_words() -> Mapping[str, str]:
    """Folded code, label, plural and synonym of every kind → its code."""
    return _kind_words()


def kind_from_text(text: object) -> str | None:
    """The kind code a planning sheet means, or None when it is not recognised.

    Examples
    --------
    >>> kind_from_text("Gastles VO"), kind_from_text("Tech Your Talent")
    ('gastles_vo', 'gastles_vmbo')
    >>> kind_from_text("PET-event"), kind_from_text("Excursie") is None
    ('pet_event', True)
    """
    return _kind_words().get(vocabulary.fold_text(text))


def status_from_text(text: object) -> str | None:
    """The status code a planning sheet means (``"uitgevoerd"`` → gegeven), or None."""
    folded = vocabulary.fold_text(text)
    if folded in ACTIVITY_STATUSES:
        return folded
    return _STATUS_WORDS.get(folded)


def status_for_date(day: date, today: date) -> str:
    """The status of an activity nobody gave one: given when its date has passed."""
    return GIVEN if day < today else "gepland"


# ------------------------------------------------------------------------------ dates

_MONTHS = {name: number for number, names in enumerate((
    ("januari", "jan"), ("februari", "feb"), ("maart", "mrt", "mar"), ("april", "apr"),
    ("mei",), ("juni", "jun"), ("juli", "jul"), ("augustus", "aug"),
    ("september", "sep", "sept"), ("oktober", "okt", "oct"), ("november", "nov"),
    ("december", "dec")), start=1) for name in names}

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DUTCH = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_SHORT_YEAR = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2}")
_WORDS = re.compile(r"(?:[a-z]+\s+)?(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})")

#: How a date may be written, for messages.
DATE_FORMATS = "dd-mm-jjjj (bijvoorbeeld 03-10-2024), 3 oktober 2024 of jjjj-mm-dd"


def parse_date(text: object) -> date:
    """A date as a planning sheet writes it.

    Parameters
    ----------
    text : object
        ``"03-10-2024"``, ``"3-10-2024"``, ``"3/10/2024"``, ``"3.10.2024"``,
        ``"3 oktober 2024"``, ``"do 3 okt 2024"``, ``"2024-10-03"`` (also with a time, as
        a spreadsheet's date cell is read), or a :class:`~datetime.date`.

    Returns
    -------
    datetime.date

    Raises
    ------
    ValueError
        With a Dutch reason (the text is quoted: a date is no personal data) for an
        empty text, a two-digit year, another format or a day that does not exist.

    Examples
    --------
    >>> parse_date("03-10-2024") == parse_date("2024-10-03") == parse_date("3 okt 2024")
    True
    """
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    given = " ".join(str(text or "").split())
    folded = given.casefold()
    if not folded:
        raise ValueError("geen datum ingevuld")
    parts: tuple[int, int, int] | None = None
    if match := _ISO.fullmatch(folded):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := _DUTCH.fullmatch(folded):
        parts = (int(match[3]), int(match[2]), int(match[1]))
    elif (match := _WORDS.fullmatch(folded)) and match[2] in _MONTHS:
        parts = (int(match[3]), _MONTHS[match[2]], int(match[1]))
    elif _SHORT_YEAR.fullmatch(folded):
        raise ValueError(f"'{given}' heeft een jaartal van twee cijfers; schrijf het jaar "
                         "voluit (03-10-2024)")
    if parts is None:
        raise ValueError(f"'{given}' is geen datum; schrijf {DATE_FORMATS}")
    try:
        return date(*parts)
    except ValueError as err:
        raise ValueError(f"'{given}' bestaat niet als datum") from err


def school_year(day: date | str) -> str:
    """The school year of a date: 1 August to 31 July, written ``"2024-2025"``.

    Examples
    --------
    >>> school_year(date(2024, 7, 31)), school_year(date(2024, 8, 1))
    ('2023-2024', '2024-2025')
    """
    if isinstance(day, str):
        day = date.fromisoformat(day)
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


_SCHOOL_YEAR = re.compile(r"(\d{4})\s*[-/–]\s*(\d{2}|\d{4})")


def parse_school_year(text: object) -> str:
    """A school year as people write it, canonical: ``"2024/2025"``, ``"2024-25"`` → 2024-2025.

    Raises
    ------
    ValueError
        In Dutch, when the text is not two consecutive years.
    """
    given = str(text or "").strip()
    match = _SCHOOL_YEAR.fullmatch(given)
    if match:
        start = int(match[1])
        end = int(match[2])
        if end == start + 1 or (len(match[2]) == 2 and end == (start + 1) % 100):
            return f"{start}-{start + 1}"
    raise ValueError(f"'{given}' is geen schooljaar; schrijf het als 2024-2025 (1 augustus "
                     "tot en met 31 juli)")


def previous_school_year(year: str) -> str:
    """The school year before ``year`` (``"2024-2025"`` → ``"2023-2024"``)."""
    start = int(parse_school_year(year)[:4])
    return f"{start - 1}-{start}"


def school_year_choices(known: Iterable[str], today: date) -> list[str]:
    """The school years to choose from: ``known`` ones and the current one, newest first."""
    return sorted({*known, school_year(today)}, reverse=True)


def first_school_year(known: Iterable[str], today: date) -> str:
    """The school year a page or command shows first.

    The current one (:func:`school_year` of ``today``) when it has activities, else the
    latest earlier one that has (a new school year starts empty, and the example
    activities lie in the past), else the current one.
    """
    years = sorted(set(known))
    current = school_year(today)
    if current in years or not years:
        return current
    earlier = [y for y in years if y <= current]
    return max(earlier) if earlier else min(years)


def school_year_bounds(year: str) -> tuple[date, date]:
    """The first and last day of a school year (1 August, 31 July)."""
    start = int(parse_school_year(year)[:4])
    return date(start, 8, 1), date(start + 1, 7, 31)


def school_code(text: object) -> str:
    """A DUO vestigingscode as stored: no spaces, capitals (``"12ab 01"`` → ``12AB01``)."""
    return "".join(str(text or "").split()).upper()


def dutch_date(iso: object) -> str:
    """``"2024-10-03"`` → ``"03-10-2024"``, how people read a date; "" when empty."""
    text = str(iso or "")
    return f"{text[8:10]}-{text[5:7]}-{text[:4]}" if len(text) == 10 else text


def import_key(record: Mapping[str, object]) -> tuple[str, str, str, str, str]:
    """What makes two activities "the same" in an import: kind, date, school or place.

    The municipality and place count only without a school (they follow the school).
    ``datum`` is compared as given: pass the ISO date.
    """
    school = school_code(record.get("vestigingscode"))
    place = "" if school else vocabulary.fold_text(record.get("plaats"))
    town = "" if school else str(record.get("gemeentecode") or "")
    return (str(record.get("soort") or ""), str(record.get("datum") or ""), school, town,
            place)


def activity_title(row: Mapping[str, object]) -> str:
    """How the history and messages name an activity: kind, date and school or place.

    Never a staff-only value (notes, guest teachers).
    """
    where = str(row.get("vestigingscode") or row.get("plaats") or "").strip()
    title = f"{activity_kind_label(row.get('soort'))} op {row.get('datum') or '?'}"
    return f"{title} ({where})" if where else title


# ------------------------------------------------------------------------------ fields


def _shared(name: str, table: tuple[fields.Field, ...] = fields.ORGANISATION_FIELDS
            ) -> fields.Field:
    """The field ``name`` of another table (activities store it the same way)."""
    return next(item for item in table if item.name == name)


_KIND = fields.Field(
    "soort", "Soort activiteit", fields.VOCABULARY, vocabulary="activity_kinds",
    export=fields.EXPORT_PUBLIC, required=True,
    synonyms=("Soort activiteit", "Activiteit", "Soort", "Type activiteit", "Type",
              "Activiteitsoort", "Wat"))
_DATE = fields.Field("datum", "Datum", export=fields.EXPORT_PUBLIC, required=True,
                     synonyms=("Datum", "Datum activiteit", "Dag", "Wanneer"))
_SCHOOL_YEAR_FIELD = fields.Field("schooljaar", "Schooljaar", origin=fields.DERIVED,
                                  export=fields.EXPORT_PUBLIC, synonyms=("Schooljaar",))
_MUNICIPALITY = fields.Field("gemeentecode", "Gemeentecode", nullable=True,
                             export=fields.EXPORT_PUBLIC,
                             synonyms=("Gemeentecode", "GM-code", "CBS-code gemeente"))
_PLACE = fields.Field("plaats", "Plaats", export=fields.EXPORT_PUBLIC,
                      synonyms=("Plaats", "Locatie", "Waar", "Plaats activiteit",
                                "Vestigingsplaats", "Plaats school"))
_PUPILS = fields.Field("aantal_leerlingen", "Aantal leerlingen", fields.INTEGER,
                       nullable=True, export=fields.EXPORT_PUBLIC,
                       synonyms=("Aantal leerlingen", "Leerlingen", "Aantal deelnemers",
                                 "Deelnemers", "Aantal", "Bereik", "Aantal lln"))
_STATUS = fields.Field("status", "Status", fields.VOCABULARY, vocabulary="activity_statuses",
                       export=fields.EXPORT_PUBLIC, synonyms=("Status", "Stand"))
_GUEST_TEACHERS = fields.Field(
    "gastdocenten", "Gastdocenten", access=fields.PERSONAL, export=fields.EXPORT_STAFF,
    synonyms=("Gastdocent", "Gastdocenten", "Docent", "Docenten", "Naam gastdocent",
              "Namen gastdocenten", "Uitvoerder", "Uitvoerders"))

#: The fields of an activity (table ``activiteiten``), in the order of
#: :meth:`geo.register.activities.Activities.all`. ``notities`` and ``gastdocenten`` are
#: staff only.
ACTIVITY_FIELDS: tuple[fields.Field, ...] = (
    _shared("id"), _KIND, _DATE, _SCHOOL_YEAR_FIELD,
    _shared("vestigingscode", fields.SCHOOL_FIELDS), _MUNICIPALITY, _PLACE, _PUPILS,
    _STATUS, _shared("notities"), _GUEST_TEACHERS, _shared("voorbeeld"), _shared("versie"),
    _shared("aangemaakt"), _shared("gewijzigd"),
)

#: Columns a planning sheet may have that are no column of ``activiteiten``: the school's
#: name (matched with the place), the partner organisations (matched by name in the
#: register) and the municipality (name or GM code).
ACTIVITY_IMPORT_ONLY_FIELDS: tuple[fields.Field, ...] = (
    fields.Field("school", "School",
                 synonyms=("School", "Schoolnaam", "Naam school", "Vestiging",
                           "Vestigingsnaam", "Naam vestiging", "School (vestiging)")),
    fields.Field("partners", "Partners",
                 synonyms=("Partner", "Partners", "Organisatie", "Organisaties", "Bedrijf",
                           "Bedrijven", "Partnerorganisatie", "Partnerorganisaties",
                           "Uitvoerende partner", "Partner(s)")),
    fields.Field("gemeente", "Gemeente", synonyms=("Gemeente", "Gemeentenaam")),
)

#: The key of a record's partner organisations (a list of organisation ids).
PARTNERS = "partners"


def activity_import_fields() -> tuple[fields.Field, ...]:
    """Every field a planning sheet may have a column for (those with header synonyms)."""
    return tuple(item for item in (*ACTIVITY_FIELDS, *ACTIVITY_IMPORT_ONLY_FIELDS)
                 if item.synonyms)


def activity_labels() -> dict[str, str]:
    """Field name → Dutch label of every activity and planning-sheet field."""
    return {item.name: item.label for item in (*ACTIVITY_FIELDS,
                                               *ACTIVITY_IMPORT_ONLY_FIELDS)}
