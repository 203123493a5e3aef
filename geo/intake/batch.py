"""Many import rows at once: the per-file work of an offline check, vectorised.

:func:`geo.intake.verdicts.check_rows` reads and judges every row by the rules of
:mod:`geo.intake.row_check`. What those rules look up, this module looks up for a whole
batch of rows, with the same answers as the per-row functions:

* :func:`postcode_parts` parses every postcode of a column
  (:func:`geo.addresses.parse_postcode`, which remembers the texts it parsed);
* :func:`place_offline` places the rows on their PC4 point by one index look-up
  (:attr:`geo.reference.gazetteer.Gazetteer.pc4_points`) instead of a look-up per row;
  rows without a known postcode go through the per-row
  :meth:`~geo.intake.geocoding.OfflineGeocoder.geocode` (place names, messages);
* :func:`agreement` says for every row whether its place lies in the municipality of
  its postcode (:meth:`geo.intake.spelling.PlaceIndex.agrees_many`): the offline check
  and the question which rows need spelling help;
* :func:`suggestions` asks :func:`geo.intake.spelling.row_suggestions` only for the
  rows that need a suggestion for their postcode or place; a kind's suggestion is looked
  up once per distinct text.

Place names and kinds repeat within a file, so per-value work (a place key, a kind) is
done once per distinct value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.addresses import parse_postcode, place_key
from geo.intake.geocoding import AddressQuery, GeocodeResult, OfflineGeocoder
from geo.intake.spelling import PlaceIndex, Suggestion, row_suggestions, suggest_kind
from geo.reference.gazetteer import Location

if TYPE_CHECKING:
    from geo.intake.row_check import RowRead

#: The message of a full postcode placed offline on its four digits.
PC4_MESSAGE = "Offline geplaatst op de vier cijfers van de postcode."


def postcode_parts(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The four digits and the two letters of many postcodes (None where there are none).

    Where :func:`geo.addresses.parse_postcode` gives None, both are None.
    """
    # parse_postcode itself, remembered per text (the rows' postcodes are parsed in
    # several steps of an import, and a file repeats them).
    parsed = [parse_postcode(text) for text in texts]
    digits = np.array([None if p is None else p.pc4 for p in parsed], dtype=object)
    letters = np.array([None if p is None else p.letters for p in parsed], dtype=object)
    return digits, letters


def _per_value(texts: Sequence[str], work) -> list:
    """``[work(t) for t in texts]``, computing ``work`` once per distinct text."""
    done = {text: work(text) for text in dict.fromkeys(texts)}
    return [done[text] for text in texts]


def place_offline(geocoder: OfflineGeocoder, queries: Sequence[AddressQuery]
                  ) -> list[GeocodeResult]:
    """:meth:`OfflineGeocoder.geocode` of every query, the postcodes looked up at once."""
    table = getattr(geocoder.gazetteer, "pc4_points", None)
    if table is None:  # a place index without the table (infrakaart waar's): one by one
        return [geocoder.geocode(query) for query in queries]
    digits, letters = postcode_parts([q.postcode for q in queries])
    points = table.reindex(
        pd.Index(np.where(pd.isna(digits), "", digits), dtype=object))
    lat, lon = points["lat"].tolist(), points["lon"].tolist()
    names = points["name"].tolist()
    shared: dict[tuple[str, bool], GeocodeResult] = {}  # frozen: one per PC4 and form
    results = []
    for i, query in enumerate(queries):
        if lat[i] != lat[i] or not query.is_dutch:  # NaN: no such PC4
            results.append(geocoder.geocode(query))  # by place name, or why not
            continue
        key = (digits[i], letters[i] is not None)
        found = shared.get(key)
        if found is None:
            location = Location(lat=lat[i], lon=lon[i], precision="postcode4",
                                label=f"{digits[i]} · {names[i]}")
            found = shared[key] = GeocodeResult(location, geocoder.source,
                                                PC4_MESSAGE if key[1] else "")
        results.append(found)
    return results


def agreement(places: PlaceIndex, place_texts: Sequence[str],
              digits: Sequence[str | None]) -> list[bool | None]:
    """:meth:`PlaceIndex.agrees` of every row's place and postcode.

    ``digits`` are the four digits of the postcodes (:func:`postcode_parts`).
    """
    return places.agrees_many(_per_value(place_texts, place_key), list(digits))


def suggestions(places: PlaceIndex, reads: Sequence[RowRead], digits: Sequence[str | None],
                agrees: Sequence[bool | None]) -> list[tuple[Suggestion, ...]]:
    """:func:`row_suggestions` of every read row.

    ``digits`` are the four digits of the rows' postcode texts (:func:`postcode_parts`),
    ``agrees`` comes from :func:`agreement`.
    """
    kinds = _per_value([r.kind for r in reads], suggest_kind)
    known = _per_value([r.place for r in reads], places.known)
    out = []
    for i, read in enumerate(reads):
        place = read.place.strip()
        needs = (bool(read.accepted) or place != read.place
                 or (read.postcode_text.strip() and digits[i] is None)
                 or (place and not (known[i] and agrees[i] is not False)))
        if needs:  # the whole rule, as for one row
            out.append(row_suggestions(places, postcode=read.postcode_text, place=read.place,
                                       kind=read.kind, skip=read.corrected))
        else:
            out.append((kinds[i],) if kinds[i] is not None else ())
    return out
