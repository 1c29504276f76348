// The contamination risk layer on the national map, for signed-in readers only: the published risk cells in view
// (GET /api/risk/cells), coloured from pale yellow (low) to dark red (high). Off until asked for: a risk map beside
// the register's own layers is a planning aid, not a record, and a low risk is not land release.
(function () {
  "use strict";
  const demine = window.demine;
  if (!demine || !demine.detailed) return;  // the public map never shows it
  const map = demine.map;
  const RAMP = ["#FFFFB2", "#FED976", "#FEB24C", "#FD8D3C", "#F03B20", "#BD0026"];
  const colour = (risk) => RAMP[Math.min(RAMP.length - 1, Math.floor(risk * RAMP.length))];

  const layer = L.geoJSON(null, {
    style: (f) => ({stroke: false, fillColor: colour(f.properties.risk), fillOpacity: 0.65,
                    className: "risk-cell"}),
    onEachFeature: (f, cell) => {
      const p = f.properties;
      const text = p.cells !== undefined
        ? `risk up to ${p.risk.toFixed(2)} (mean ${p.mean_risk.toFixed(2)}, ${p.cells} cells)`
        : `risk ${p.risk.toFixed(2)}` + (p.risk_explained ? `: ${p.risk_explained}` : "");
      cell.bindTooltip(text);
    },
  });
  const state = {on: false, message: "", count: 0, aggregated: false};

  const Toggle = L.Control.extend({
    onAdd: function () {
      const box = L.DomUtil.create("div", "leaflet-bar risk-toggle");
      box.style.cssText = "background: #fff; padding: 4px 8px; white-space: nowrap";
      box.innerHTML = '<label style="display: inline"><input type="checkbox" id="risk-toggle"> ' +
                      'Contamination risk (model)</label>' +
                      '<div class="risk-note" id="risk-note"></div>';
      L.DomEvent.disableClickPropagation(box);
      box.querySelector("input").addEventListener("change", (event) => {
        state.on = event.target.checked;
        if (state.on) { layer.addTo(map); refresh(); } else { map.removeLayer(layer); note(""); }
      });
      return box;
    },
  });
  new Toggle({position: "topright"}).addTo(map);

  function note(text) {
    state.message = text;
    document.getElementById("risk-note").textContent = text;  // text only: never markup from an answer
  }

  let generation = 0;
  async function refresh() {
    if (!state.on) return;
    const mine = ++generation;
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
    const response = await fetch(`/api/risk/cells?bbox=${bbox}&zoom=${map.getZoom()}&limit=5000`,
                                 {credentials: "same-origin"});
    if (mine !== generation) return;  // a newer viewport was asked for meanwhile
    if (!response.ok) {
      layer.clearLayers();
      note(response.status === 404 ? "No risk map has been published." : `Risk map unavailable (${response.status}).`);
      return;
    }
    const data = await response.json();
    layer.clearLayers();
    layer.addData(data);
    state.count = data.features.length;
    state.aggregated = data.aggregated;
    note(data.aggregated ? "Blocks: the highest risk of their cells."
      : (data.truncated ? "The riskiest cells in view." : ""));
    layer.bringToBack();  // under the register's own layers, above the districts that are the background
    if (demine.layers.districts) demine.layers.districts.bringToBack();
  }
  map.on("moveend", refresh);
  window.demineRisk = {layer, state, refresh};
})();
