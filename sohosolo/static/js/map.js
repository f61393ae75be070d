// Mount a Leaflet map on every element with data-map, reading its data from the #map-data JSON script.
// Tiles come from the configured tile server; the page keeps a text alternative beside the map.

function mountCommuneMap(element, data) {
  const L = window.L;
  const map = L.map(element, { scrollWheelZoom: false, maxZoom: 18 });
  L.tileLayer(element.dataset.tileUrl, {
    attribution: element.dataset.tileAttribution,
    maxZoom: 18,
  }).addTo(map);
  L.Icon.Default.imagePath = new URL("../vendor/leaflet/images/", import.meta.url).href;
  if (data.boundary) {
    const layer = L.geoJSON(data.boundary, {
      style: { color: "#1f5c3d", weight: 2, fillOpacity: 0.12 },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [12, 12] });
  } else {
    map.setView(data.centre, 12);
  }
  if (data.townhall) {
    L.marker(data.townhall, { title: data.townhallLabel, alt: data.townhallLabel })
      .addTo(map)
      .bindPopup(data.townhallLabel);
  }
  return map;
}

function init() {
  const dataElement = document.getElementById("map-data");
  if (!window.L || !dataElement) return;
  const data = JSON.parse(dataElement.textContent);
  document.querySelectorAll("[data-map]").forEach((element) => {
    mountCommuneMap(element, data);
  });
  window.mapReady = true;
}

init();
