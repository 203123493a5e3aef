/*
 * Infrakaart map layers: turn the JSON payloads of geo/map_layers.py into Leaflet layers.
 *
 * Every text in a payload is data. It only ever reaches the page through textContent,
 * never as markup, so a name with HTML, script or template syntax shows literally.
 * This file is placed into the map by geo/map_layers.py; it must never contain a
 * Jinja marker (two opening braces, a brace with a percent sign or a hash), which a
 * test checks.
 */
(function () {
  "use strict";
  if (window.ikmap) {
    return;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  function present(value) {
    return value !== null && value !== undefined && value !== "";
  }

  /* Popup or tooltip content for row i: spec is a list of lines
     [{col, label, strong, em}], values from the columns cols. */
  function content(spec, cols, i, className) {
    var box = el("div", className);
    spec.forEach(function (line) {
      var value = cols[line.col] ? cols[line.col][i] : null;
      if (!present(value)) {
        return;
      }
      var row = el("div", "ik-line");
      if (line.label) {
        row.appendChild(el("span", "ik-label", line.label + ": "));
      }
      row.appendChild(el(line.strong ? "b" : (line.em ? "i" : "span"), null, value));
      box.appendChild(row);
    });
    return box;
  }

  function propertyColumns(features) {
    /* GeoJSON properties as columns, so areas share the popup/tooltip builder. */
    var cols = {};
    features.forEach(function (feature, i) {
      var props = feature.properties || {};
      Object.keys(props).forEach(function (key) {
        if (!cols[key]) {
          cols[key] = [];
        }
        cols[key][i] = props[key];
      });
    });
    return cols;
  }

  function bindTexts(layer, payload, cols, i) {
    if (payload.tooltip) {
      layer.bindTooltip(function () {
        return content(payload.tooltip, cols, i, "ik-tooltip");
      }, payload.tooltipOptions || {});
    }
    if (payload.popup) {
      layer.bindPopup(function () {
        return content(payload.popup, cols, i, "ik-popup");
      }, { maxWidth: payload.popupWidth || 300 });
    }
  }

  function group(payload) {
    if (payload.cluster && L.markerClusterGroup) {
      var options = Object.assign({ chunkedLoading: true }, payload.cluster);
      return L.markerClusterGroup(options);
    }
    return L.featureGroup();
  }

  function styleOf(payload, i) {
    var index = Array.isArray(payload.style) ? payload.style[i] : (payload.style || 0);
    return Object.assign({}, payload.styles[index]);
  }

  /* Circle markers (radius in pixels) at lat/lon, styled from a style table. */
  function points(payload) {
    var layer = group(payload);
    var cols = payload.cols || {};
    var markers = [];
    for (var i = 0; i < payload.lat.length; i += 1) {
      var options = styleOf(payload, i);
      options.className = payload.className || "";
      var marker = L.circleMarker([payload.lat[i], payload.lon[i]], options);
      bindTexts(marker, payload, cols, i);
      markers.push(marker);
    }
    if (layer.addLayers) {
      layer.addLayers(markers);
    } else {
      markers.forEach(function (marker) { layer.addLayer(marker); });
    }
    return layer;
  }

  /* Labelled badges (a DivIcon whose text is set through textContent). */
  function badges(payload) {
    var layer = L.featureGroup();
    var cols = payload.cols || {};
    for (var i = 0; i < payload.lat.length; i += 1) {
      var size = payload.size || 26;
      var icon = L.divIcon({
        className: "ik-badge-icon",
        html: el("div", payload.className, payload.badge),
        iconSize: [size, size],
        iconAnchor: [size / 2, size / 2]
      });
      var marker = L.marker([payload.lat[i], payload.lon[i]], { icon: icon });
      bindTexts(marker, payload, cols, i);
      layer.addLayer(marker);
    }
    return layer;
  }

  /* Circles with a radius in metres. */
  function circles(payload) {
    var layer = L.featureGroup();
    var cols = payload.cols || {};
    for (var i = 0; i < payload.lat.length; i += 1) {
      var options = styleOf(payload, i);
      options.radius = payload.radius_m[i];
      options.className = payload.className || "";
      var circle = L.circle([payload.lat[i], payload.lon[i]], options);
      bindTexts(circle, payload, cols, i);
      layer.addLayer(circle);
    }
    return layer;
  }

  /* Straight lines, each a list of [lat, lon]. */
  function lines(payload) {
    var layer = L.featureGroup();
    var cols = payload.cols || {};
    payload.paths.forEach(function (path, i) {
      var options = styleOf(payload, i);
      options.className = payload.className || "";
      var line = L.polyline(path, options);
      bindTexts(line, payload, cols, i);
      layer.addLayer(line);
    });
    return layer;
  }

  /* A packed geometry (geo.output.map_json.packed: rings as delta-coded integers) as
     GeoJSON coordinates again. */
  function unpackRing(flat, scale) {
    var ring = [], x = 0, y = 0;
    for (var i = 0; i + 1 < flat.length; i += 2) {
      x += flat[i];
      y += flat[i + 1];
      ring.push([x / scale, y / scale]);
    }
    return ring;
  }

  function unpackPart(part, scale) {
    if (part.length === 0 || typeof part[0] === "number") {
      return unpackRing(part, scale);
    }
    return part.map(function (inner) { return unpackPart(inner, scale); });
  }

  function unpacked(geojson) {
    (geojson.features || []).forEach(function (feature) {
      var g = feature.geometry;
      if (g && g.packed) {
        feature.geometry = { type: g.type,
          coordinates: unpackPart(g.packed, Math.pow(10, g.digits)) };
      }
    });
    return geojson;
  }

  /* Polygons from GeoJSON; each feature may carry its own style in ik_style. */
  function areas(payload) {
    unpacked(payload.geojson);
    var features = payload.geojson.features || [];
    var cols = propertyColumns(features);
    var base = payload.styles[0] || {};
    var index = 0;
    var layer = L.geoJSON(payload.geojson, {
      style: function (feature) {
        return Object.assign({ className: payload.className || "" }, base,
          (feature.properties && feature.properties.ik_style) || {});
      },
      onEachFeature: function (feature, shape) {
        var i = index;
        index += 1;
        bindTexts(shape, payload, cols, i);
        if (payload.highlight) {
          shape.on("mouseover", function () { shape.setStyle(payload.highlight); });
          shape.on("mouseout", function () { layer.resetStyle(shape); });
        }
      }
    });
    return layer;
  }

  /* A foldable legend (details/summary) in the lower left corner; folded on a narrow map. */
  function legendControl(map, payload) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = el("details", "ik-legend");
      // The screen, not the map: a map inside a page is laid out after this runs.
      box.open = (window.screen.width || map.getSize().x) >= (payload.openMinWidth || 0);
      box.appendChild(el("summary", "ik-legend-title", payload.title || "Legenda"));
      payload.items.forEach(function (item) {
        var row = el("div", "ik-legend-row");
        var swatch = el("span", "ik-swatch ik-swatch-" + item.kind);
        if (item.kind === "lijn") {
          swatch.style.borderTopColor = item.color;
        } else {
          swatch.style.backgroundColor = item.color;
        }
        row.appendChild(swatch);
        row.appendChild(el("span", null, item.label));
        box.appendChild(row);
      });
      if (payload.attribution) {
        box.appendChild(el("div", "ik-legend-source", payload.attribution));
      }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  function legend(map, payload) {
    return legendControl(map, payload).addTo(map);
  }

  /* The legend as a layer: shown while the layer is on the map, gone when it is removed
     (a map part that a page updates without redrawing the map, geo/output/map_updates.py). */
  var LegendLayer = L.Layer.extend({
    initialize: function (payload) { this.payload = payload; },
    onAdd: function (map) { this.control = legendControl(map, this.payload).addTo(map); },
    onRemove: function (map) {
      if (this.control) { map.removeControl(this.control); }
      this.control = null;
    }
  });

  function legendLayer(payload) {
    return new LegendLayer(payload);
  }

  /* The land under the tiles: municipalities of the five regions and the rest of the
     country in a pane below the tile pane, on a water-coloured map. When tiles load they
     cover it; without internet it is the map (coastline, lakes and municipality borders). */
  function offlineBase(map, payload) {
    var pane = map.createPane("ikBasis");
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    map.getContainer().classList.add("ik-basis-kaart");
    L.geoJSON(unpacked(payload.geojson), {
      pane: "ikBasis",
      interactive: false,
      style: function (feature) {
        return Object.assign({ className: "ik-basis" }, payload.style,
          (feature.properties && feature.properties.ik_style) || {});
      }
    }).addTo(map);
  }

  /* Where the map looks: fit the bounds, or a centre at a zoom (numbers only). The map
     opens there at once, without zooming in from where folium put it. */
  function view(map, payload) {
    if (payload.bounds) {
      map.fitBounds(payload.bounds,
        { padding: [24, 24], maxZoom: payload.maxZoom || 16, animate: false });
    } else {
      map.setView([payload.lat, payload.lon], payload.zoom, { animate: false });
    }
  }

  /* The layers built for the latest updates, by the content key Python gives each one
     (geo/output/map_layers.py, payload_key). A page that changes one filter sends every
     update layer again; one whose key is kept and that is off the map is given back as it
     is, so two thousand partners are not built again because a school filter changed. */
  var KEPT_LAYERS = 24;
  var kept = {};
  var keptOrder = [];

  function reusing(build) {
    return function (payload, key) {
      var layer = key ? kept[key] : null;
      if (layer && !layer._map) {
        return layer;
      }
      layer = build(payload);
      layer.ikClass = payload.className || "";  /* which layer it is, for tests */
      if (key) {
        var at = keptOrder.indexOf(key);
        if (at >= 0) {
          keptOrder.splice(at, 1);
        }
        kept[key] = layer;
        keptOrder.push(key);
        while (keptOrder.length > KEPT_LAYERS) {
          delete kept[keptOrder.shift()];
        }
      }
      return layer;
    };
  }

  window.ikmap = {
    offlineBase: offlineBase,
    view: view,
    points: reusing(points),
    badges: reusing(badges),
    circles: reusing(circles),
    lines: reusing(lines),
    areas: reusing(areas),
    legend: legend,
    legendLayer: reusing(legendLayer)
  };
}());
