// The national map: one GeoJSON request per visible layer for the current viewport, redrawn after each move.
// Basemap-free on purpose: the districts are the background, so the map works with no internet.
(function () {
  "use strict";
  const RED = "#FF0000", ORANGE = "#F4A718", GREEN = "#99FF00";  // IMAS TN 07.11/01 (closed: CMYK 40 0 100 0)
  const element = document.getElementById("map");
  const detailed = element.dataset.detailed === "true";
  const words = JSON.parse(document.getElementById("map-words").textContent);  // the page's language
  const _ = (text) => words[text] || text;
  const map = L.map(element, {preferCanvas: false}).setView([40.0, 46.8], 8);

  function hazardStyle(f) {
    const p = f.properties;
    const outline = {open: RED, worked_on: ORANGE, closed: GREEN}[p.work_status] || RED;
    return {fillColor: p.hazard_class === "cha" ? RED : ORANGE, fillOpacity: 0.5, color: outline, weight: 2,
            opacity: 1, dashArray: p.work_status === "worked_on" ? "6 4" : null,
            className: "hazard hazard-" + p.hazard_class + " status-" + p.work_status};
  }
  function outputStyle(f) {
    const o = f.properties.outcome;
    return {color: "#2E7D32", weight: 1.5, fillColor: o === "cleared" ? GREEN : o === "reduced" ? "#C5E1A5" : "#FFFFFF",
            fillOpacity: o === "cancelled" ? 0.2 : 0.5, dashArray: o === "cancelled" ? "2 3" : null,
            className: "output output-" + o};
  }
  function pointLayer(colour) {
    return function (f, latlng) {
      const p = f.properties;
      if (p.records !== undefined) {  // a grid count: the circle grows with what it holds
        const n = p.quantity || p.records;
        return L.circleMarker(latlng, {radius: Math.min(28, 5 + 3 * Math.log2(1 + n)), color: colour,
                                       fillColor: colour, fillOpacity: 0.45, weight: 1, className: "aggregate"})
          .bindTooltip(describeAggregate(p), {permanent: false});
      }
      return L.circleMarker(latlng, {radius: 5, color: "#222", weight: 1, fillColor: colour, fillOpacity: 0.9});
    };
  }
  function describeAggregate(p) {
    if (p.killed !== undefined) {
      return `${p.records} ${_("incidents")}: ${p.killed} ${_("killed")}, ${p.injured} ${_("injured")}`;
    }
    return `${p.quantity || p.records} ${_("items found")}`;
  }

  // Minefield records by how far their latest verification says they can be trusted.
  const RECORD_COLOURS = {accurate: "#2E7D32", shifted: "#1565C0", partially_accurate: "#F4A718",
                          inaccurate: "#B71C1C", not_verifiable: "#757575", unverified: "#000000"};
  function recordStyle(f) {
    const c = f.properties.verification_class || "unverified";
    return {color: RECORD_COLOURS[c] || "#000", weight: 2, fill: false, dashArray: c === "unverified" ? "4 4" : null,
            className: "record record-" + c};
  }

  const specs = {
    districts: {title: _("Districts"), style: {color: "#555", weight: 1, fill: true, fillColor: "#f4f1ea", fillOpacity: 1,
                                           className: "district"}, on: true},
    hazards: {title: _("Hazard areas"), style: hazardStyle, on: true},
    outputs: {title: _("Land released"), style: outputStyle, on: true},
    projects: {title: _("Planned projects"), style: {color: "#1565C0", weight: 3, dashArray: "8 4", fillOpacity: 0.1},
               on: true},
    items: {title: _("Items found"), point: pointLayer("#6A1B9A"), on: true},
    incidents: {title: _("Incidents"), point: pointLayer("#000000"), on: true},
    records: {title: _("Minefield records"), style: recordStyle, on: detailed},
  };
  const layers = {}, overlays = {};
  for (const [name, spec] of Object.entries(specs)) {
    const group = L.geoJSON(null, {style: spec.style, pointToLayer: spec.point,
                                   onEachFeature: (f, layer) => bindDetails(f, layer)});
    layers[name] = group;
    overlays[spec.title] = group;
    if (spec.on) group.addTo(map);
  }
  L.control.layers(null, overlays, {collapsed: false}).addTo(map);

  // The time filter: items found, land released and incidents of a period (empty: all).
  const period = {from: "", to: ""};
  const TimeFilter = L.Control.extend({
    onAdd: function () {
      const box = L.DomUtil.create("div", "leaflet-bar time-filter");
      box.innerHTML = `<label>${_("From")} <input type="date" id="filter-from"></label>` +
                      `<label>${_("to")} <input type="date" id="filter-to"></label>`;
      L.DomEvent.disableClickPropagation(box);
      box.querySelectorAll("input").forEach((input) => input.addEventListener("change", () => {
        period.from = box.querySelector("#filter-from").value;
        period.to = box.querySelector("#filter-to").value;
        refresh();
      }));
      return box;
    },
  });
  new TimeFilter({position: "topleft"}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);

  let generation = 0;
  async function refresh() {
    const mine = ++generation;  // a slow answer for an old viewport must not overwrite a newer one
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
    await Promise.all(Object.entries(layers).filter(([, g]) => map.hasLayer(g)).map(async ([name, group]) => {
      const dates = (period.from ? `&from=${period.from}` : "") + (period.to ? `&to=${period.to}` : "");
      const response = await fetch(`/map/layers/${name}?bbox=${bbox}&zoom=${map.getZoom()}${dates}`,
                                   {credentials: "same-origin"});
      if (!response.ok || mine !== generation) return;
      const data = await response.json();
      group.clearLayers();
      group.addData(data);
      group.meta = {count: data.features.length, aggregated: data.aggregated, truncated: data.truncated};
    }));
    if (layers.districts) layers.districts.bringToBack();
    element.dataset.loaded = String(mine);
  }

  function bindDetails(feature, layer) {
    const p = feature.properties;
    if (!p.register_kind || !p.code) return;
    layer.on("click", () => showDetails(p.register_kind, p.code));
  }

  const panel = document.getElementById("details");
  panel.querySelector(".close").addEventListener("click", () => { panel.hidden = true; });
  async function showDetails(kind, code) {
    const base = `/api/${encodeURIComponent(kind)}/${encodeURIComponent(code)}`;
    const [record, history] = await Promise.all([fetch(base).then((r) => r.json()),
                                                 fetch(base + "/history").then((r) => r.json())]);
    const content = panel.querySelector(".content");
    content.replaceChildren();
    const title = document.createElement("h2");
    title.textContent = code;
    content.append(title, table(Object.entries(record).filter(([k]) => k !== "wkt")));
    const heading = document.createElement("h3");
    heading.textContent = _("History");
    content.append(heading, table((Array.isArray(history) ? history : []).map(
      (e) => [String(e.at).slice(0, 10), `${e.action} by ${e.actor}: ${e.detail}`])));
    panel.hidden = false;
  }
  function table(pairs) {  // textContent only: record values are user data and must never become markup
    const t = document.createElement("table");
    for (const [k, v] of pairs) {
      const row = t.insertRow();
      row.insertCell().textContent = k;
      row.insertCell().textContent = v === null ? "" : String(v);
    }
    return t;
  }

  map.on("moveend overlayadd", refresh);
  refresh().then(() => {
    // Start on the hazards when there are any in view of the first, national request.
    const bounds = layers.hazards.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.5), {maxZoom: 15});
  });
  window.demine = {map, layers, detailed, period, refresh};
})();
