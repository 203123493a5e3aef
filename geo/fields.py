"""The register's vocabulary: every field and every kind of organisation, once.

Everything that names, labels, checks or shows a register field reads it from here:

* the store's column lists, the public view and the kind check
  (:mod:`geo.register.schema`) and the cleaning of records (:mod:`geo.register._records`);
* the importer's header synonyms and field labels (:mod:`geo.intake.rawtable`) and the
  records it makes (:mod:`geo.intake.records`);
* the Dutch export column names and their order (:mod:`geo.output.export`);
* the colours and legend labels of the kinds (:mod:`geo.output.maps`) and the kinds that
  count as partners (:mod:`geo.analysis.indicators`);
* the Beheer form (:mod:`geo.views.beheer`).
Adding a field
    Add a :class:`Field` to :data:`ORGANISATION_FIELDS` (or :data:`SCHOOL_FIELDS`) at its
    place in the export order, and a migration that adds its column
    (:func:`geo.register.schema.add_column`). The public view, the importer, the exports,
    the history and the Beheer form follow.
Adding a kind
    Add a :class:`Kind` to :data:`KINDS`. Nothing else: the register's kind check is
    rebuilt from this list whenever the register is opened.

Yes/no and names as people write them: :mod:`geo.vocabulary`. Both are pure, so every layer
may use them. Education places and activities: :mod:`geo.education_places`, :mod:`geo.activities`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from geo import vocabulary

TEXT = "text"
YES_NO = "yes_no"
NUMBER = "number"  #: a coordinate (float; NaN/None when unknown)
INTEGER = "integer"  #: an id or a version number
VOCABULARY = "vocabulary"  #: one of a fixed list (see :attr:`Field.vocabulary`)
POSTCODE = "postcode"
EMAIL = "email"
PHONE = "phone"
URL = "url"

#: Every field type.
FIELD_TYPES = (TEXT, YES_NO, NUMBER, INTEGER, VOCABULARY, POSTCODE, EMAIL, PHONE, URL)

#: Field types whose value is text as typed (checked or formatted, never converted).
TEXT_TYPES = frozenset({TEXT, VOCABULARY, POSTCODE, EMAIL, PHONE, URL})

# Who may read a field.
PUBLIC = "public"  #: anyone (the public view has it)
PERSONAL = "personal"  #: personal data (GDPR): staff only; the history never keeps its value
STAFF_NOTE = "staff_note"  #: free text staff write, which may mention people: staff only

# How a field gets its value.
INPUT = "input"  #: typed in a form or read from an import file
DERIVED = "derived"  #: computed by the store from other fields (areas, name key)
MANAGED = "managed"  #: kept by the store (id, version, timestamps, source)

# Which export has a field.
EXPORT_PUBLIC = "public"  #: every export
EXPORT_STAFF = "staff"  #: only the staff export (with contact data)

# Beheer form widgets.
TEXT_INPUT = "text_input"
TEXT_AREA = "text_area"
CHECKBOX = "checkbox"
KIND_CHOICE = "kind_choice"  #: a select box of the kinds
SUBREGION_CHOICE = "subregion_choice"  #: a select box of the subregions (or none)

#: Import verdicts stored with each organisation, from good to bad.
STATUSES = ("ok", "waarschuwing", "fout")


@dataclass(frozen=True)
class Field:
    """One field of the register (a column) or of an import file.

    Attributes
    ----------
    name : str
        The column name (a data name, Dutch like the columns of the register).
    label : str
        Short Dutch label for people: messages, the import preview, conflicts.
    type : str
        One of :data:`FIELD_TYPES`; decides how a value is cleaned and stored.
    access : str
        :data:`PUBLIC`, :data:`PERSONAL` or :data:`STAFF_NOTE`; only public fields are
        in the public view of the register.
    origin : str
        :data:`INPUT`, :data:`DERIVED` or :data:`MANAGED`; only input fields may be set
        by a caller.
    synonyms : tuple of str
        Column headers an import file may use for this field.
    weak_synonyms : tuple of str
        Headers that count only when no column matches a synonym (a bare ``Naam``).
    export : str or None
        :data:`EXPORT_PUBLIC`, :data:`EXPORT_STAFF` or None (never exported). Personal
        and staff-note fields can only be in the staff export.
    export_label : str
        The Dutch column name in exports; :attr:`label` when empty.
    widget : str or None
        The widget of the Beheer form (:data:`TEXT_INPUT`, ...); None: not on the form.
    form_label : str
        The label on the form; :attr:`label` when empty.
    form_row : str
        Fields with the same ``form_row`` that follow each other share a row of the
        form; empty: a row of its own.
    widget_key : str
        Suffix of the widget's session key; :attr:`name` when empty.
    placeholder : str
        Greyed text in an empty form field.
    history : bool
        Whether a change is written to the edit history (input fields only).
    vocabulary : str
        For :data:`VOCABULARY` fields: which list (see ``_records.allowed_values``).
    default : bool or None
        For yes/no fields read from a file: the value of an empty or unclear cell.
    nullable : bool
        Empty text is stored as NULL (no value) instead of ``""``.
    required : bool
        A record must have a non-empty value.
    """

    name: str
    label: str
    type: str = TEXT
    access: str = PUBLIC
    origin: str = INPUT
    synonyms: tuple[str, ...] = ()
    weak_synonyms: tuple[str, ...] = ()
    export: str | None = None
    export_label: str = ""
    widget: str | None = None
    form_label: str = ""
    form_row: str = ""
    widget_key: str = ""
    placeholder: str = ""
    history: bool = True
    vocabulary: str = ""
    default: bool | None = None
    nullable: bool = False
    required: bool = False

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        if self.access not in (PUBLIC, PERSONAL, STAFF_NOTE):
            raise ValueError(f"field {self.name}: unknown access {self.access!r}")
        if self.export == EXPORT_PUBLIC and self.access != PUBLIC:
            raise ValueError(f"field {self.name}: staff-only data in the public export")
        if self.type == VOCABULARY and not self.vocabulary:
            raise ValueError(f"field {self.name}: a vocabulary field names its vocabulary")

    @property
    def staff_only(self) -> bool:
        """True for personal data and staff notes: never in the public view."""
        return self.access != PUBLIC

    @property
    def settable(self) -> bool:
        """True when a caller may set the field (the rest is derived or managed)."""
        return self.origin == INPUT

    @property
    def column_label(self) -> str:
        """The Dutch column name in exports."""
        return self.export_label or self.label

    @property
    def in_history(self) -> bool:
        """True when a change of the field is written to the edit history."""
        return self.origin == INPUT and self.history


@dataclass(frozen=True)
class Kind:
    """A kind of organisation.

    Attributes
    ----------
    code : str
        Stored in the register (``soort``) and used in links and the CLI.
    label : str
        Dutch label for people (map legend, select boxes).
    colour : str
        Marker colour on the maps.
    partner : bool
        Counts as a partner in the white-spot analysis (the companies of the network;
        municipalities and schools are everywhere by nature).
    pattern : str
        Regular expression that recognises the kind in free text as offices write it
        (on casefolded text without accents or punctuation); empty: only its code.
    match_rank : int
        Patterns are tried from low to high rank; the first match wins.
    synonyms : tuple of str
        Words that only suggest the kind on import (:mod:`geo.intake.spelling`).
    """

    code: str
    label: str
    colour: str
    partner: bool
    pattern: str = ""
    match_rank: int = 0
    synonyms: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ kinds

#: The kinds of organisation, in the order people see them. Order of recognition: a
#: "gemeentelijk ingenieursbureau" is government, a "ROC" education, "drinkwater" a utility.
KINDS: tuple[Kind, ...] = (
    Kind("aannemer", "Aannemer", "#e36c0a", partner=True, match_rank=5,
         pattern=r"aannem|\bgww\b|wegenbouw|\bwegenbouwer|grondverzet|grondwerk"
                 r"|\bbouwbedrijf|\binfra\b|\binfrabedrijf|\bciviel|\bcivieltechn"
                 r"|bestrating|\bstratenmaker|\bsloop|\bbagger|\bleidingbouw"
                 r"|\bkabel|\bcunet|\bbouw\b|\bfunder|\bheiwerk|\bwaterbouw|\bspoorbouw",
         synonyms=("Riolering", "Rioleringswerken", "Straatwerk", "Asfalt")),
    Kind("ingenieursbureau", "Ingenieursbureau", "#1f5fa8", partner=True, match_rank=4,
         pattern=r"ingenieur|adviesbureau|\badvies|\badviseur|consultan"
                 r"|engineering|\bingenieurs?\b|\bprojectbureau",
         synonyms=("Landmeetkunde", "Ontwerpbureau", "Constructeur")),
    Kind("netbeheerder", "Netbeheerder", "#7b3294", partner=True, match_rank=1,
         pattern=r"netbeheer|\bnetwerkbedrijf|\bliander|\balliander|\bstedin\b"
                 r"|\benexis|\btennet\b|\bgasunie\b|\bpwn\b|\bwaternet\b|drinkwater"
                 r"|\bwaterbedrijf|\bwaterleiding|\bnutsbedrijf|\bnuts\b"),
    Kind("overheid", "Overheid", "#1a9850", partner=False, match_rank=2,
         pattern=r"\bgemeente|\bprovincie|\bprovinciaal|\bwaterschap|hoogheemraadschap"
                 r"|\brijkswaterstaat|\brws\b|\boverheid|\bministerie|\bomgevingsdienst"
                 r"|\bveiligheidsregio|\bprorail\b|\brijk\b"),
    Kind("onderwijs", "Onderwijs", "#00a0b0", partner=False, match_rank=3,
         pattern=r"\bschool|school\b|scholen|\broc\b|\bmbo\b|\bhbo\b|\bvmbo\b|\bvo\b"
                 r"|onderwijs|\bhogeschool|\buniversiteit|\bopleiding|\bcollege\b"
                 r"|\bpraktijkcollege|\bvakschool"),
    Kind("overig", "Overig", "#6b6b6b", partner=True),
)

#: The kind of an organisation whose kind is not recognised (or not given).
FALLBACK_KIND = "overig"


def kind_codes() -> tuple[str, ...]:
    """The codes of :data:`KINDS`, in order."""
    return tuple(kind.code for kind in KINDS)


def kind_labels() -> dict[str, str]:
    """Code → Dutch label of every kind, in order."""
    return {kind.code: kind.label for kind in KINDS}


def kind_label(code: object) -> str:
    """The Dutch label of a kind; an unknown code is shown as it is."""
    return kind_labels().get(str(code), str(code or ""))


def kind_colour(code: object) -> str:
    """The map colour of a kind; an unknown code gets the colour of the fallback kind."""
    colours = {kind.code: kind.colour for kind in KINDS}
    return colours.get(str(code), colours[FALLBACK_KIND])


def partner_kind_codes() -> tuple[str, ...]:
    """The kinds that count as partners in the analysis."""
    return tuple(kind.code for kind in KINDS if kind.partner)


@lru_cache(maxsize=8)
def _kind_patterns(kinds: tuple[Kind, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    ordered = sorted((k for k in kinds if k.pattern), key=lambda k: k.match_rank)
    return tuple((k.code, re.compile(k.pattern)) for k in ordered)


def normalise_kind(text: object) -> str:
    """Map a kind of organisation as offices write it to one of :data:`KINDS`.

    Parameters
    ----------
    text : object
        Free text such as ``"GWW-aannemer"``, ``"Wegenbouwer"``, ``"adviesbureau"``,
        ``"Gemeente"``, ``"ROC"`` or ``"Liander"``; case, accents and punctuation are
        ignored.

    Returns
    -------
    str
        A kind code; :data:`FALLBACK_KIND` when nothing is recognised or empty.

    Examples
    --------
    >>> normalise_kind("GWW-aannemer"), normalise_kind("Rijkswaterstaat")
    ('aannemer', 'overheid')
    >>> normalise_kind("drinkwaterbedrijf PWN"), normalise_kind("")
    ('netbeheerder', 'overig')
    """
    folded = vocabulary.fold_text(text)
    if folded in kind_codes():
        return folded
    for code, pattern in _kind_patterns(KINDS):
        if pattern.search(folded):
            return code
    return FALLBACK_KIND


# ------------------------------------------------------------------------------ fields

_ID = Field("id", "Nummer", INTEGER, origin=MANAGED, export=EXPORT_STAFF)
_NAME = Field(
    "naam", "Naam", required=True, export=EXPORT_PUBLIC, export_label="Organisatie",
    widget=TEXT_INPUT,
    synonyms=("Organisatie", "Naam organisatie", "Organisatienaam", "Naam van de organisatie",
              "Bedrijfsnaam", "Naam bedrijf", "Bedrijf", "Relatie", "Relatienaam", "Partner",
              "Partnernaam", "Donateur naam", "Schoolnaam", "Naam school", "School",
              "Vestigingsnaam", "Naam vestiging"),
    weak_synonyms=("Naam",),
)
_KIND = Field(
    "soort", "Soort", VOCABULARY, vocabulary="kinds", export=EXPORT_PUBLIC,
    widget=KIND_CHOICE, form_row="kind", history=False,  # recorded as soort_origineel
    synonyms=("Soort", "Type", "Categorie", "Branche", "Sector", "Soort organisatie",
              "Type organisatie", "Soort bedrijf"),
)
_KIND_AS_GIVEN = Field("soort_origineel", "Soort", export=EXPORT_PUBLIC,
                       export_label="Soort (zoals opgegeven)")
_DONOR = Field(
    "donateur", "Donateur", YES_NO, default=False, export=EXPORT_PUBLIC, widget=CHECKBOX,
    form_row="kind",
    synonyms=("Donateur", "Donor", "Donateur ja/nee", "Doneert", "Donateur (ja/nee)"),
)
_ACTIVE = Field("actief", "Actief", YES_NO, default=True, export=EXPORT_PUBLIC,
                widget=CHECKBOX, form_row="kind",
                synonyms=("Actief", "Actief (ja/nee)", "Actief ja/nee"))
_STREET = Field(
    "straat", "Straat", export=EXPORT_PUBLIC, export_label="Adres", widget=TEXT_INPUT,
    form_label="Straat en huisnummer",
    synonyms=("Adres", "Straat", "Straat + huisnr", "Straat + huisnummer",
              "Straat en huisnummer", "Straat huisnummer", "Straat/huisnummer",
              "Straat & huisnr", "Straatnaam", "Bezoekadres", "Vestigingsadres", "Adresregel",
              "Straat en huisnr"),
)
_POSTCODE = Field("postcode", "Postcode", POSTCODE, export=EXPORT_PUBLIC, widget=TEXT_INPUT,
                  form_row="place",
                  synonyms=("Postcode", "PC", "Post code", "Postcode bezoekadres"))
_PLACE = Field("plaats", "Plaats", export=EXPORT_PUBLIC, widget=TEXT_INPUT, form_row="place",
               synonyms=("Plaats", "Woonplaats", "Vestigingsplaats", "Plaatsnaam", "Stad",
                         "Plaats bezoekadres"))
_COUNTRY = Field("land", "Land", export=EXPORT_PUBLIC, widget=TEXT_INPUT, form_row="place",
                 placeholder="Nederland", synonyms=("Land", "Country"))
_WEBSITE = Field("website", "Website", URL, export=EXPORT_PUBLIC, widget=TEXT_INPUT,
                 synonyms=("Website", "Internet", "Internetadres", "Site", "Url", "Web",
                           "Homepage", "Www"))
_CONTACT = Field(
    "contactpersoon", "Contactpersoon", access=PERSONAL, export=EXPORT_STAFF,
    widget=TEXT_INPUT, form_row="contact",
    synonyms=("Contactpersoon", "Contact", "Naam contactpersoon", "Contactpersoon naam",
              "Contact persoon"),
)
_EMAIL = Field(
    "email", "E-mail", EMAIL, access=PERSONAL, export=EXPORT_STAFF, widget=TEXT_INPUT,
    form_row="contact",
    synonyms=("E-mail", "Email", "Mail", "E-mailadres", "Emailadres", "Mailadres",
              "E-mail adres", "E-mail contactpersoon"),
)
_PHONE = Field(
    "telefoon", "Telefoon", PHONE, access=PERSONAL, export=EXPORT_STAFF, widget=TEXT_INPUT,
    form_row="contact",
    synonyms=("Telefoon", "Tel", "Tel.", "Telefoonnummer", "Telefoonnr", "Tel nr", "Telnr",
              "Mobiel", "Telefoon nummer", "Telefoon contactpersoon"),
)
_NOTES = Field(
    "notities", "Notities", access=STAFF_NOTE, export=EXPORT_STAFF, widget=TEXT_AREA,
    synonyms=("Notities", "Notitie", "Opmerkingen", "Opmerking", "Toelichting",
              "Bijzonderheden"),
)
_AMBASSADOR = Field(
    "ambassadeur_voor", "Ambassadeur", nullable=True, export=EXPORT_PUBLIC,
    export_label="Ambassadeur voor", widget=SUBREGION_CHOICE,
    form_label="Ambassadeur voor subregio", widget_key="ambassadeur",
    synonyms=("Ambassadeur", "Ambassadeur voor", "Ambassadeur subregio"),
)
#: The areas the store derives from a location (:func:`geo.reference.regions.assign_areas`).
AREA_FIELDS: tuple[Field, ...] = (
    Field("gemeentecode", "Gemeentecode", origin=DERIVED, export=EXPORT_PUBLIC),
    Field("gemeentenaam", "Gemeente", origin=DERIVED, export=EXPORT_PUBLIC),
    Field("subregio", "Subregio", origin=DERIVED, export=EXPORT_PUBLIC),
    Field("arbeidsmarktregio_code", "Arbeidsmarktregio (code)", origin=DERIVED,
          export=EXPORT_PUBLIC),
    Field("arbeidsmarktregio", "Arbeidsmarktregio", origin=DERIVED, export=EXPORT_PUBLIC),
)
_LAT = Field("lat", "Locatie", NUMBER, export=EXPORT_PUBLIC, export_label="Breedtegraad")
_LON = Field("lon", "Locatie", NUMBER, export=EXPORT_PUBLIC, export_label="Lengtegraad")
_PRECISION = Field("nauwkeurigheid", "Nauwkeurigheid", VOCABULARY, vocabulary="precisions",
                   export=EXPORT_PUBLIC, export_label="Nauwkeurigheid locatie")
_STATUS = Field("status", "Status", VOCABULARY, vocabulary="statuses", export=EXPORT_STAFF,
                export_label="Status import")
_MESSAGE = Field("melding", "Melding", export=EXPORT_STAFF)
_EXAMPLE = Field("voorbeeld", "Voorbeeld", YES_NO, export=EXPORT_PUBLIC,
                 export_label="Voorbeeldgegevens")
_VERSION = Field("versie", "Versie", INTEGER, origin=MANAGED, export=EXPORT_STAFF)
_NAME_KEY = Field("importsleutel", "Importsleutel", origin=DERIVED)
_CREATED = Field("aangemaakt", "Aangemaakt", origin=MANAGED)
_CHANGED = Field("gewijzigd", "Laatst gewijzigd", origin=MANAGED, export=EXPORT_STAFF)

#: The fields of an organisation (table ``organisaties``), in export order.
ORGANISATION_FIELDS: tuple[Field, ...] = (
    _ID, _NAME, _KIND, _KIND_AS_GIVEN, _DONOR, _ACTIVE, _STREET, _POSTCODE, _PLACE, _COUNTRY,
    _WEBSITE, _CONTACT, _EMAIL, _PHONE, _NOTES, _AMBASSADOR, *AREA_FIELDS, _LAT, _LON, _PRECISION,
    _STATUS, _MESSAGE, _EXAMPLE, _VERSION, _NAME_KEY, _CREATED, _CHANGED,
)

#: The fields of a school (table ``scholen``), in the order of :meth:`Store.schools`.
SCHOOL_FIELDS: tuple[Field, ...] = (
    _ID,
    Field("vestigingscode", "Vestigingscode",
          synonyms=("Vestigingscode", "BRIN", "BRIN vestiging", "Brinvestigingsnummer",
                    "Vestigingsnummer")),
    _NAME, _STREET, _POSTCODE, _PLACE, *AREA_FIELDS,
    Field("onderwijsstructuur", "Onderwijsstructuur",
          synonyms=("Onderwijsstructuur", "Onderwijstype", "Schooltype")),
    Field("heeft_vmbo", "vmbo", YES_NO),
    _LAT, _LON, _PRECISION,
    Field("bron", "Bron", VOCABULARY, vocabulary="sources", origin=MANAGED),
    Field("heeft_vmbo_bk", "vmbo-bk", YES_NO),
    Field("heeft_vmbo_tl_mavo", "vmbo-tl/mavo", YES_NO),
    Field("heeft_havo", "havo", YES_NO),
    Field("heeft_vwo", "vwo", YES_NO),
    Field("heeft_pro", "praktijkonderwijs", YES_NO),
    _VERSION, _NAME_KEY,
)

#: Fields an import file may have that are not register columns: they are merged into
#: ``straat`` (house number and addition) or used as the place (municipality).
IMPORT_ONLY_FIELDS: tuple[Field, ...] = (
    Field("huisnummer", "Huisnummer",
          # Not "Nr" or "Nummer": offices use those for a running row number.
          synonyms=("Huisnummer", "Huisnr", "Huisnr.", "Huis nr")),
    Field("toevoeging", "Toevoeging",
          synonyms=("Toevoeging", "Huisnummertoevoeging", "Huisletter",
                    "Huisnummer toevoeging")),
    Field("gemeente", "Gemeente", synonyms=("Gemeente",)),
)

#: The register tables that have fields (places: geo.education_places; activities:
#: geo.activities, whose fields are no import fields of organisations or schools).
ORGANISATIONS, SCHOOLS, EDUCATION_PLACES = "organisaties", "scholen", "opleidingslocaties"
ACTIVITIES = "activiteiten"


def fields_of(table: str) -> tuple[Field, ...]:
    """The fields of ``organisaties``, ``scholen``, ``opleidingslocaties``, ``activiteiten``."""
    if table == ORGANISATIONS:  # asked for every row of an import: no imports, no dict
        return ORGANISATION_FIELDS
    from geo.activities import ACTIVITY_FIELDS  # both build on this module
    from geo.education_places import PLACE_FIELDS
    tables = {SCHOOLS: SCHOOL_FIELDS, EDUCATION_PLACES: PLACE_FIELDS, ACTIVITIES: ACTIVITY_FIELDS}
    if table not in tables:
        raise ValueError(f"no fields for table {table!r}")
    return tables[table]


def all_fields() -> tuple[Field, ...]:
    """Every field once: organisation, school-only, place-only, then import-only fields."""
    seen: dict[str, Field] = {}
    for item in (*ORGANISATION_FIELDS, *SCHOOL_FIELDS, *fields_of(EDUCATION_PLACES),
                 *IMPORT_ONLY_FIELDS):
        seen.setdefault(item.name, item)
    return tuple(seen.values())


def field_named(name: str) -> Field | None:
    """The field called ``name``, or None."""
    return next((item for item in all_fields() if item.name == name), None)


def field_labels() -> dict[str, str]:
    """Field name → short Dutch label, for every field."""
    return {item.name: item.label for item in all_fields()}


def import_fields() -> tuple[Field, ...]:
    """Every field an import file may have a column for (those with header synonyms)."""
    return tuple(item for item in all_fields() if item.synonyms or item.weak_synonyms)


def names(items: Iterable[Field]) -> tuple[str, ...]:
    """The names of ``items``, in order."""
    return tuple(item.name for item in items)


def export_fields(*, public: bool) -> tuple[Field, ...]:
    """The organisation fields of an export, in order: public or staff (with contacts)."""
    wanted = {EXPORT_PUBLIC} if public else {EXPORT_PUBLIC, EXPORT_STAFF}
    return tuple(item for item in ORGANISATION_FIELDS if item.export in wanted)


def export_labels() -> dict[str, str]:
    """Field name → Dutch export column name, for every exported organisation field."""
    return {item.name: item.column_label for item in ORGANISATION_FIELDS if item.export}
