// Entry forms: draw a hazard's perimeter (click the corners, then close) or place an incident (one click) on a
// basemap-free map of the districts; the result goes into the form's WKT or longitude/latitude fields.
(function () {
  "use strict";
  const element = document.getElementById("draw-map");
  if (!element || !window.L) return;
  const mode = element.dataset.mode;
  const map = L.map(element).setView([40.0, 46.8], 8);
  const districts = L.geoJSON(null, {style: {color: "#555", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1}}).addTo(map);
  fetch("/map/layers/districts?bbox=44,38,51,42.5&zoom=8", {credentials: "same-origin"})
    .then((r) => r.json()).then((data) => districts.addData(data));
  let corners = [];
  const drawn = L.layerGroup().addTo(map);
  const text = document.getElementById("geometry-text");
  const lon = document.getElementById("point-longitude"), lat = document.getElementById("point-latitude");

  function redraw(closed) {
    drawn.clearLayers();
    if (corners.length) (closed ? L.polygon(corners, {color: "#FF0000"}) : L.polyline(corners, {color: "#FF0000"})).addTo(drawn);
    corners.forEach((c) => L.circleMarker(c, {radius: 3}).addTo(drawn));
  }
  map.on("click", (event) => {
    const p = event.latlng;
    if (mode === "point") {
      lon.value = p.lng.toFixed(7);
      lat.value = p.lat.toFixed(7);
      drawn.clearLayers();
      L.circleMarker(p, {radius: 6, color: "#000"}).addTo(drawn);
      return;
    }
    corners.push([p.lat, p.lng]);
    redraw(false);
  });
  const close = document.getElementById("close-polygon");
  if (close) close.addEventListener("click", () => {
    if (corners.length < 3) return;
    const ring = corners.concat([corners[0]]).map(([y, x]) => `${x.toFixed(7)} ${y.toFixed(7)}`);
    text.value = `POLYGON ((${ring.join(", ")}))`;
    redraw(true);
  });
  const clear = document.getElementById("clear-drawing");
  if (clear) clear.addEventListener("click", () => { corners = []; drawn.clearLayers(); text.value = ""; });
  window.demineDraw = {map, corners: () => corners};
})();
