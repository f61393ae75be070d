// Mount a Leaflet map on every element with data-map, reading its data from the #map-data JSON script:
// {centre: [lat, lon], boundary: GeoJSON geometry or null, markers: [{lat, lon, label}]}. Used by the
// commune and village pages; data-zoom sets the zoom when there is no boundary to fit.
// Tiles come from the configured tile server; the page keeps a text alternative beside the map.
// Leaflet's own control labels are English: the template may pass translated ones as
// data-zoom-in-label, data-zoom-out-label and data-close-popup-label.

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function mountMap(element, data) {
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
    map.setView(data.centre, Number(element.dataset.zoom || 12));
  }
  for (const marker of data.markers || []) {
    L.marker([marker.lat, marker.lon], { title: marker.label, alt: marker.label })
      .addTo(map)
      .bindPopup(document.createTextNode(marker.label));
  }
  return map;
}

function init() {
  const dataElement = document.getElementById("map-data");
  if (!window.L || !dataElement) return;
  const data = JSON.parse(dataElement.textContent);
  document.querySelectorAll("[data-map]").forEach((element) => {
    mountMap(element, data);
  });
  window.mapReady = true;
}

init();
