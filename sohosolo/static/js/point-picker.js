// Point picker: a small Leaflet map beside the latitude/longitude fields of a form.
// Progressive enhancement: the fields work alone; with JavaScript the map appears, a click (or Enter
// on the focused map, which places the point at its centre) fills the fields, and typing in the
// fields moves the marker. Configured by data-* attributes on [data-point-picker] and the JSON block
// #point-picker-data ({boundary, centre: [lat, lon], point: [lat, lon] | null, markerLabel}).

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
const DECIMALS = 6; // about 10 cm: more than enough for a building's door

function parseCoordinate(value) {
  const text = String(value ?? "").trim().replace(",", ".").replace(/\s/g, "");
  if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
  return Number(text);
}

function formatCoordinate(number) {
  return number.toFixed(DECIMALS);
}

function mountPointPicker(element, data) {
  const L = window.L;
  const latInput = document.getElementById(element.dataset.latInput);
  const lonInput = document.getElementById(element.dataset.lonInput);
  if (!latInput || !lonInput) return null;

  element.hidden = false;
  const help = document.getElementById(element.dataset.help);
  if (help) help.hidden = false;

  const map = L.map(element, {
    scrollWheelZoom: false,
    maxZoom: 19,
    zoomControl: false,
    fadeAnimation: !reducedMotion,
    zoomAnimation: !reducedMotion,
    markerZoomAnimation: !reducedMotion,
  });
  const zoomOptions = {};
  if (element.dataset.zoomInLabel) zoomOptions.zoomInTitle = element.dataset.zoomInLabel;
  if (element.dataset.zoomOutLabel) zoomOptions.zoomOutTitle = element.dataset.zoomOutLabel;
  L.control.zoom(zoomOptions).addTo(map);
  L.tileLayer(element.dataset.tileUrl, { attribution: element.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
  L.Icon.Default.imagePath = new URL("../vendor/leaflet/images/", import.meta.url).href;

  // The view shows the commune and, if a point is already there (even a wrong one), the point too.
  const typed = [parseCoordinate(latInput.value), parseCoordinate(lonInput.value)];
  let initial = null;
  if (typed[0] !== null && typed[1] !== null && Math.abs(typed[0]) <= 90 && Math.abs(typed[1]) <= 180) {
    initial = typed;
  } else if (data.point) {
    initial = data.point;
  }
  const bounds = L.latLngBounds([data.centre, data.centre]);
  if (data.boundary) {
    const outline = L.geoJSON(data.boundary, {
      style: { color: "#1f5c3d", weight: 2, fillOpacity: 0.08 },
      interactive: false,
    }).addTo(map);
    bounds.extend(outline.getBounds());
  }
  if (initial) bounds.extend(initial);
  if (data.boundary || initial) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  } else {
    map.setView(data.centre, 14);
  }

  let marker = null;
  function showPoint(lat, lon, { pan = false } = {}) {
    const latlng = L.latLng(lat, lon);
    if (!marker) {
      marker = L.marker(latlng, {
        draggable: true,
        keyboard: false, // the fields are the keyboard way to move it
        title: data.markerLabel,
        alt: data.markerLabel,
      }).addTo(map);
      marker.on("dragend", () => {
        const position = marker.getLatLng();
        fillFields(position.lat, position.lng);
      });
    } else {
      marker.setLatLng(latlng);
    }
    if (pan && !map.getBounds().contains(latlng)) map.panTo(latlng, { animate: !reducedMotion });
  }

  function fillFields(lat, lon) {
    latInput.value = formatCoordinate(lat);
    lonInput.value = formatCoordinate(lon);
    // Let other scripts (and assistive technologies watching the fields) know the values changed.
    latInput.dispatchEvent(new Event("change", { bubbles: true }));
    lonInput.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function placeAt(latlng) {
    showPoint(latlng.lat, latlng.lng);
    fillFields(latlng.lat, latlng.lng);
  }

  map.on("click", (event) => placeAt(event.latlng));
  element.addEventListener("keydown", (event) => {
    // Only when the map itself has focus, not a zoom button or a link inside it.
    if (event.target !== element || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    placeAt(map.getCenter());
  });

  function fromFields() {
    const lat = parseCoordinate(latInput.value);
    const lon = parseCoordinate(lonInput.value);
    if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
    showPoint(lat, lon, { pan: true });
  }
  latInput.addEventListener("change", fromFields);
  lonInput.addEventListener("change", fromFields);

  if (initial) showPoint(initial[0], initial[1]);
  return map;
}

function init() {
  const dataElement = document.getElementById("point-picker-data");
  if (!window.L || !dataElement) return;
  const data = JSON.parse(dataElement.textContent);
  document.querySelectorAll("[data-point-picker]").forEach((element) => mountPointPicker(element, data));
  window.pointPickerReady = true;
}

init();
