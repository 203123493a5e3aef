"""How Infrakaart's map elements go into the page: rendered once, placed as text.

branca's ``MacroElement.render`` wraps each rendered part (header, html, script) in a new
``Element``, which compiles it as a Jinja template once more (:mod:`geo.output.map_layers`
says why that matters). :func:`place_parts` does the same placing without the second
compile: the parts go in as text, so a payload is never read by Jinja and a large one
costs no time. The data layers (:mod:`geo.output.map_layers`), the update groups
(:mod:`geo.output.map_updates`) and :class:`AddTo` render this way.
"""

from __future__ import annotations

from branca.element import Element, MacroElement, Template
from folium.map import Layer


class _Rendered(Element):
    """A rendered part of an element, placed in the page as it is: never a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def place_parts(element: MacroElement, kwargs: dict) -> None:
    """Render ``element`` and its children into the page, as branca's ``MacroElement``."""
    figure = element.get_root()
    for part, box in (("header", figure.header), ("html", figure.html),
                      ("script", figure.script)):
        macro = element._template.module.__dict__.get(part)
        if macro is not None:
            box.add_child(_Rendered(macro(element, kwargs)), name=element.get_name())
    for child in element._children.values():
        child.render(**kwargs)


class AddTo(MacroElement):
    """``<layer>.addTo(<parent>)``, named at render time (folium's ``ElementAddToElement``).

    Carries no text: only the two generated variable names.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this.layer.get_name() }}.addTo({{ this.layer._parent.get_name() }});"
        "{% endmacro %}"
    )

    def __init__(self, layer: Layer) -> None:
        super().__init__()
        self.layer = layer

    def render(self, **kwargs) -> None:
        """Render into the page as text (:func:`place_parts`)."""
        place_parts(self, kwargs)


def add_when_shown(layer: Layer) -> None:
    """Have a shown ``layer`` join its parent on the map."""
    if layer.show:
        layer.add_child(AddTo(layer), name=layer.get_name() + "_add")
