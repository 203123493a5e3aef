"""A map split for updates: the fixed map once, the layers that filters change as updates.

A page that redraws its whole map for every filter change re-sends and rebuilds the
borders, the land and the tiles each time. :func:`split_for_updates` separates a finished
map (from the builders in :mod:`geo.output.maps` and :mod:`geo.output.partner_maps`) into

* the **fixed map**: tiles, the offline land, the scale, the view and the layers marked
  ``fixed`` (the borders) — the same for every filter, so the browser keeps it;
* **update groups**: every other data layer (partners, schools, mbo places, a choropleth,
  a chosen area) in a ``folium.FeatureGroup`` of its own, named like the layer, and the
  legend as a :class:`~geo.output.map_layers.LegendLayer`;
* the **layer switcher**, rebuilt with the groups.

streamlit-folium sends the groups and the switcher as its ``feature_group_to_add`` and
``layer_control``: when only they change, the browser swaps those layers and keeps the map,
its position and its tiles. Nothing here carries text of its own: the groups hold the
already checked data layers (:func:`geo.output.map_layers.check_map` runs before the split).
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from folium.map import LayerControl

from geo.output.map_layers import Legend, LegendLayer, _DataLayer
from geo.output.map_render import add_when_shown, place_parts


class UpdateGroup(folium.FeatureGroup):
    """A feature group rendered like the data layers: its parts go in as text."""

    def render(self, **kwargs) -> None:
        """Join the map when shown; render into the page as text."""
        add_when_shown(self)
        place_parts(self, kwargs)


@dataclass
class SplitMap:
    """What :func:`split_for_updates` returns."""

    fixed: folium.Map
    groups: list[folium.FeatureGroup]
    layer_control: LayerControl | None


def split_for_updates(fmap: folium.Map) -> SplitMap:
    """Move the changing layers of ``fmap`` into update groups (``fmap`` is changed).

    Returns
    -------
    SplitMap
        ``fixed`` is ``fmap`` without the changing layers, the legend and the layer
        switcher; ``groups`` are the update groups in drawing order; ``layer_control`` the
        switcher (None when ``fmap`` had none).
    """
    groups: list[folium.FeatureGroup] = []
    control: LayerControl | None = None
    for key, child in list(fmap._children.items()):
        if isinstance(child, LayerControl):
            control = child
        elif isinstance(child, Legend):
            group = UpdateGroup(name="Legenda", control=False)
            group.add_child(LegendLayer(child), name="ik_legend_layer")
        elif isinstance(child, _DataLayer) and not child.fixed:
            group = UpdateGroup(name=child.layer_name, control=child.control, show=child.show)
            child.control, child.show = False, True  # the group is what the switcher shows
            group.add_child(child, name=key)
        else:
            continue
        del fmap._children[key]
        if not isinstance(child, LayerControl):
            groups.append(group)
    return SplitMap(fixed=fmap, groups=groups, layer_control=control)
