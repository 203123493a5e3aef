"""What a popup or tooltip on a map shows: lines of column values, sent as data.

:class:`Line` names a column and how to show it; :func:`text_payload` puts the columns a
layer's popups and tooltips need into its JSON payload, from which ``map_layers.js``
builds them with ``textContent`` (:mod:`geo.output.map_layers` explains why).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from geo.output.map_json import json_ready


@dataclass(frozen=True)
class Line:
    """One line of a popup or tooltip: the text of column ``col``, optionally labelled.

    Empty values are skipped in the browser, so optional fields need no special case.
    """

    col: str
    label: str = ""
    strong: bool = False
    em: bool = False

    def spec(self) -> dict:
        """The JSON form read by ``map_layers.js``."""
        spec: dict[str, object] = {"col": self.col}
        if self.label:
            spec["label"] = self.label
        if self.strong:
            spec["strong"] = True
        if self.em:
            spec["em"] = True
        return spec


def lines_spec(lines: Sequence[Line | str] | None) -> list[dict] | None:
    """The JSON form of popup or tooltip ``lines`` (a bare string is a column); None if none."""
    if not lines:
        return None
    return [(Line(line) if isinstance(line, str) else line).spec() for line in lines]


def column_values(frame: pd.DataFrame, names: Iterable[str]) -> dict[str, list]:
    """The values of the columns ``names`` of ``frame`` that exist, ready for JSON."""
    return {name: json_ready(frame[name].tolist()) for name in dict.fromkeys(names)
            if name in frame}


def used_columns(*specs: Sequence[Line | str] | None) -> list[str]:
    """The columns that popup or tooltip ``specs`` show, in order."""
    return [line if isinstance(line, str) else line.col
            for spec in specs if spec for line in spec]


def text_payload(frame: pd.DataFrame, tooltip, popup, popup_width: int) -> dict:
    """The part of a point layer's payload its tooltips and popups are built from."""
    payload: dict[str, object] = {
        "cols": column_values(frame, used_columns(tooltip, popup)),
        "tooltip": lines_spec(tooltip),
        "popup": lines_spec(popup),
    }
    if popup:
        payload["popupWidth"] = popup_width
    return payload
