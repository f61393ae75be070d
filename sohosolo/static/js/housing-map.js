// A housing offer's small map: a circle around the approximate position, never a pin on the house.
// Reads {lat, lon, radius, label} from the #housing-map-data JSON script; the page keeps a text
// alternative beside the map. Leaflet's control labels come translated through data-* attributes.

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function mountHousingMap(element, data) {
  const L = window.L;
  const labels = element.dataset;
  const map = L.map(element, {
    scrollWheelZoom: false,
    maxZoom: 16, // closer would suggest a precision the position does not have
    minZoom: 8,
    zoomControl: false,
    fadeAnimation: !reducedMotion,
    zoomAnimation: !reducedMotion,
    markerZoomAnimation: !reducedMotion,
  });
  const zoomOptions = {};
  if (labels.zoomInLabel) zoomOptions.zoomInTitle = labels.zoomInLabel;
  if (labels.zoomOutLabel) zoomOptions.zoomOutTitle = labels.zoomOutLabel;
  L.control.zoom(zoomOptions).addTo(map);
  L.tileLayer(labels.tileUrl, { attribution: labels.tileAttribution, maxZoom: 16 }).addTo(map);
  // Frame the circle (computed here: a circle's own bounds need a map that already has a view).
  const dLat = data.radius / 111320;
  const dLon = data.radius / (111320 * Math.cos((data.lat * Math.PI) / 180));
  map.fitBounds(
    [
      [data.lat - dLat, data.lon - dLon],
      [data.lat + dLat, data.lon + dLon],
    ],
    { padding: [24, 24], maxZoom: 15, animate: false },
  );
  L.circle([data.lat, data.lon], {
    radius: data.radius,
    color: "#1f5c3d",
    weight: 2,
    fillColor: "#1f5c3d",
    fillOpacity: 0.18,
    interactive: false,
  }).addTo(map);
  return map;
}

function init() {
  const dataElement = document.getElementById("housing-map-data");
  if (!window.L || !dataElement) return;
  const data = JSON.parse(dataElement.textContent);
  document.querySelectorAll("[data-housing-map]").forEach((element) => mountHousingMap(element, data));
  window.mapReady = true;
}

init();
