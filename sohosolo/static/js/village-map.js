// A village page's small map: the commune boundary and its markers (the town hall), read from the
// #village-map-data JSON script. The page keeps a text alternative beside the map. Leaflet's own
// control labels are English: the template passes translated ones as data-* attributes.

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function mountVillageMap(element, data) {
  const L = window.L;
  const labels = element.dataset;
  const map = L.map(element, {
    scrollWheelZoom: false,
    maxZoom: 18,
    zoomControl: false,
    // Leaflet animates in JavaScript, so the stylesheet's reduced-motion rule cannot stop it.
    fadeAnimation: !reducedMotion,
    zoomAnimation: !reducedMotion,
    markerZoomAnimation: !reducedMotion,
  });
  const zoomOptions = {};
  if (labels.zoomInLabel) zoomOptions.zoomInTitle = labels.zoomInLabel;
  if (labels.zoomOutLabel) zoomOptions.zoomOutTitle = labels.zoomOutLabel;
  L.control.zoom(zoomOptions).addTo(map);
  if (labels.closePopupLabel) {
    map.on("popupopen", (event) => {
      const button = event.popup.getElement()?.querySelector(".leaflet-popup-close-button");
      button?.setAttribute("aria-label", labels.closePopupLabel);
    });
  }
  L.tileLayer(labels.tileUrl, { attribution: labels.tileAttribution, maxZoom: 18 }).addTo(map);
  L.Icon.Default.imagePath = new URL("../vendor/leaflet/images/", import.meta.url).href;
  if (data.boundary) {
    const layer = L.geoJSON(data.boundary, {
      style: { color: "#1f5c3d", weight: 2, fillOpacity: 0.12 },
    }).addTo(map);
    map.fitBounds(layer.getBounds(), { padding: [12, 12] });
  } else {
    map.setView(data.centre, 13);
  }
  for (const marker of data.markers || []) {
    L.marker([marker.lat, marker.lon], { title: marker.label, alt: marker.label })
      .addTo(map)
      .bindPopup(document.createTextNode(marker.label));
  }
  return map;
}

function init() {
  const dataElement = document.getElementById("village-map-data");
  const element = document.querySelector("[data-village-map]");
  if (!window.L || !dataElement || !element) return;
  mountVillageMap(element, JSON.parse(dataElement.textContent));
  window.mapReady = true;
}

init();
