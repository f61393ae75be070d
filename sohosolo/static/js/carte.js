// The map of /carte/: Leaflet + markercluster fed by /api/v1/map as the visitor pans and zooms.
//
// Configuration comes from the #carte-config JSON block (API address, popup address, layers, labels).
// The filters are the form #map-filters (the same one htmx uses to refresh the results list); the
// layers are the checkboxes of #map-layers. Points arrive as compact rows [id, lat, lon, kind, label];
// above 500 points in view the server sends grid clusters [lat, lon, count] instead.
// Popups load an HTML fragment on demand; focus moves into the popup and back to its marker.

const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
const DEBOUNCE_MS = 250;
const POPUP_MAX_WIDTH = 280;

function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...args), wait);
  };
}

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name] ?? ""));
}

function clamp(value, min, max) {
  return Math.min(Math.max(value, min), max);
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

class Carte {
  constructor(element, config) {
    this.L = window.L;
    this.element = element;
    this.config = config;
    this.labels = config.labels;
    this.layers = new Map(config.layers.map((layer) => [layer.key, layer]));
    this.form = document.getElementById("map-filters");
    this.layerBox = document.getElementById("map-layers");
    this.status = document.getElementById("map-status");
    this.markers = new Map(); // "kind:id" → L.Marker
    this.icons = new Map();
    this.controller = null;
    this.loads = 0;
    this.mount();
  }

  mount() {
    const L = this.L;
    const data = this.element.dataset;
    this.map = L.map(this.element, {
      maxZoom: 18,
      minZoom: 5,
      zoomControl: false,
      scrollWheelZoom: false,
      fadeAnimation: !reducedMotion,
      zoomAnimation: !reducedMotion,
      markerZoomAnimation: !reducedMotion,
    });
    L.control.zoom({ zoomInTitle: this.labels.zoomIn, zoomOutTitle: this.labels.zoomOut }).addTo(this.map);
    L.tileLayer(data.tileUrl, { attribution: data.tileAttribution, maxZoom: 18 }).addTo(this.map);

    this.cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      maxClusterRadius: 40,
      disableClusteringAtZoom: 15,
      animate: !reducedMotion,
      iconCreateFunction: (group) => this.clusterIcon(group.getChildCount()),
    }).addTo(this.map);
    this.serverClusters = L.layerGroup().addTo(this.map);

    if (this.config.bounds) {
      this.map.fitBounds(this.config.bounds, { padding: [8, 8] });
    } else {
      this.map.setView([46.6, 2.4], 6);
    }

    this.map.on("popupopen", (event) => this.onPopupOpen(event));
    this.map.on("popupclose", (event) => this.onPopupClose(event));
    this.map.on("moveend", debounce(() => this.load(), DEBOUNCE_MS));
    // Role "button" answers Space as well as Enter (Leaflet handles Enter).
    this.element.addEventListener("keydown", (event) => {
      if (event.key === " " && event.target.classList?.contains("leaflet-marker-icon")) {
        event.preventDefault();
        event.target.click();
      }
    });

    const reload = debounce(() => this.load(), DEBOUNCE_MS);
    this.layerBox?.addEventListener("change", reload);
    this.form?.addEventListener("change", reload);
    this.form?.addEventListener("submit", reload);
    this.load();
  }

  selectedLayers() {
    if (!this.layerBox) return [...this.layers.values()].filter((l) => l.default).map((l) => l.key);
    return [...this.layerBox.querySelectorAll("input[type=checkbox]:checked")].map((input) => input.value);
  }

  filterParams() {
    const params = new URLSearchParams();
    if (!this.form) return params;
    for (const [name, value] of new FormData(this.form)) {
      if (value !== "") params.append(name, value);
    }
    return params;
  }

  requestUrl() {
    const bounds = this.map.getBounds().pad(0.1);
    const round = (value) => Math.round(value * 1e5) / 1e5;
    const bbox = [
      round(clamp(bounds.getWest(), -180, 180)),
      round(clamp(bounds.getSouth(), -85, 85)),
      round(clamp(bounds.getEast(), -180, 180)),
      round(clamp(bounds.getNorth(), -85, 85)),
    ];
    const params = this.filterParams();
    params.set("bbox", bbox.join(","));
    params.set("zoom", String(Math.round(this.map.getZoom())));
    params.set("layers", this.selectedLayers().join(","));
    return `${this.config.api}?${params}`;
  }

  async load() {
    this.controller?.abort();
    const layers = this.selectedLayers();
    if (!layers.length) {
      this.show({ items: [], clusters: [], count: 0, clustered: false });
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.element.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(this.requestUrl(), {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.show(await response.json());
    } catch (error) {
      if (error.name === "AbortError") return;
      this.status.textContent = this.labels.error;
    } finally {
      if (this.controller === controller) {
        this.controller = null;
        this.element.removeAttribute("aria-busy");
      }
    }
  }

  show(data) {
    if (data.clustered) {
      this.cluster.clearLayers();
      this.markers.clear();
      this.showServerClusters(data.clusters);
      this.status.textContent = format(this.labels.clustered, { count: data.count });
    } else {
      this.serverClusters.clearLayers();
      this.showItems(data.items);
      this.status.textContent =
        data.count === 0
          ? this.labels.none
          : data.count === 1
            ? this.labels.shownOne
            : format(this.labels.shown, { count: data.count });
    }
    this.loads += 1;
    this.element.dataset.loads = String(this.loads);
    this.element.dataset.count = String(data.count);
    window.mapReady = true;
  }

  showItems(items) {
    const wanted = new Map(items.map((item) => [`${item[3]}:${item[0]}`, item]));
    const stale = [];
    for (const [key, marker] of this.markers) {
      if (!wanted.has(key) && !marker.isPopupOpen?.()) {
        stale.push(marker);
        this.markers.delete(key);
      }
    }
    const fresh = [];
    for (const [key, item] of wanted) {
      if (this.markers.has(key)) continue;
      const marker = this.marker(item);
      this.markers.set(key, marker);
      fresh.push(marker);
    }
    if (stale.length) this.cluster.removeLayers(stale);
    if (fresh.length) this.cluster.addLayers(fresh);
  }

  icon(kind) {
    if (!this.icons.has(kind)) {
      const layer = this.layers.get(kind);
      const source = layer ? layer.source : "other";
      this.icons.set(
        kind,
        this.L.divIcon({
          className: `map-pin map-pin-${source} map-pin-kind-${kind}`,
          html: "",
          iconSize: source === "service" ? [18, 18] : [24, 24],
        }),
      );
    }
    return this.icons.get(kind);
  }

  marker([id, lat, lon, kind, label]) {
    const layer = this.layers.get(kind);
    const kindLabel = layer ? layer.label : kind;
    const marker = this.L.marker([lat, lon], {
      icon: this.icon(kind),
      title: `${label} (${kindLabel})`,
      keyboard: true,
      riseOnHover: true,
    });
    marker.feature = { id, kind, source: layer ? layer.source : kind, label };
    marker.on("click", () => this.openPopup(marker));
    // Leaflet turns Enter into a click only for layers that already have a popup.
    marker.on("keypress", (event) => {
      if (event.originalEvent.key === "Enter" && !marker.getPopup()) this.openPopup(marker);
    });
    return marker;
  }

  clusterIcon(count) {
    const html = el("span");
    html.append(el("span", "", String(count)));
    html.firstChild.setAttribute("aria-hidden", "true");
    html.append(el("span", "visually-hidden", format(this.labels.clusterOf, { count })));
    const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    return this.L.divIcon({ html, className: `marker-cluster marker-cluster-${size}`, iconSize: [40, 40] });
  }

  showServerClusters(clusters) {
    this.serverClusters.clearLayers();
    for (const [lat, lon, count] of clusters) {
      const marker = this.L.marker([lat, lon], { icon: this.clusterIcon(count), keyboard: true });
      const zoomIn = () => this.map.setView([lat, lon], Math.min(this.map.getZoom() + 2, 18));
      marker.on("click", zoomIn);
      marker.on("keypress", (event) => {
        if (event.originalEvent.key === "Enter") zoomIn();
      });
      this.serverClusters.addLayer(marker);
    }
  }

  popupUrl(feature) {
    const url = this.config.popupUrl.replace("{kind}", feature.source).replace("{id}", String(feature.id));
    const city = this.filterParams().get("city");
    return city ? `${url}?${new URLSearchParams({ city })}` : url;
  }

  openPopup(marker) {
    const content = el("div", "map-popup-body", this.labels.loading);
    content.setAttribute("aria-busy", "true");
    if (!marker.getPopup()) {
      // Fit small screens: never wider or taller than the map.
      const width = this.element.clientWidth;
      marker.bindPopup(content, {
        maxWidth: Math.min(POPUP_MAX_WIDTH, width - 120),
        minWidth: Math.min(180, width - 120),
        maxHeight: Math.max(this.element.clientHeight - 72, 160),
        autoPanPaddingTopLeft: [56, 16],
        autoPanPaddingBottomRight: [16, 32],
        keepInView: true,
      });
    } else {
      marker.setPopupContent(content);
    }
    marker.openPopup();
    fetch(this.popupUrl(marker.feature), { headers: { Accept: "text/html" } })
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
      })
      .then((html) => {
        content.innerHTML = html;
      })
      .catch(() => {
        content.textContent = this.labels.popupError;
      })
      .finally(() => {
        content.removeAttribute("aria-busy");
        marker.getPopup()?.update();
        if (marker.isPopupOpen()) {
          const target = content.querySelector(".map-popup-title") || content;
          if (target === content) content.tabIndex = -1;
          target.focus({ preventScroll: true });
        }
      });
  }

  onPopupOpen(event) {
    const container = event.popup.getElement();
    const close = container?.querySelector(".leaflet-popup-close-button");
    close?.setAttribute("aria-label", this.labels.closePopup);
    close?.setAttribute("title", this.labels.closePopup);
    // Escape closes the popup even when focus is inside it (Leaflet listens only when the map has focus).
    if (container && !container.dataset.escapeCloses) {
      container.dataset.escapeCloses = "true";
      container.addEventListener("keydown", (keyEvent) => {
        if (keyEvent.key === "Escape") {
          keyEvent.stopPropagation();
          this.map.closePopup();
        }
      });
    }
  }

  onPopupClose(event) {
    const marker = event.popup._source;
    const icon = marker?.getElement?.();
    const focusInside = event.popup.getElement()?.contains(document.activeElement);
    if (icon && icon.isConnected && (focusInside || document.activeElement === document.body)) {
      icon.focus({ preventScroll: true });
    }
  }
}

function watchResults() {
  // Pagination of the results list: after htmx swaps the list, focus goes to the heading of the part
  // whose page changed (the link that had focus is gone).
  let focusAfterSwap = null;
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[data-focus]");
    if (link) focusAfterSwap = link.dataset.focus;
  });
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail?.target?.id !== "map-results" || !focusAfterSwap) return;
    document.getElementById(focusAfterSwap)?.focus();
    focusAfterSwap = null;
  });
  // Back and forward: the map cannot be restored from htmx's snapshot; load the page afresh.
  for (const name of ["htmx:historyCacheMiss", "htmx:historyCacheHit"]) {
    document.body.addEventListener(name, (event) => {
      event.preventDefault();
      window.location.reload();
    });
  }
}

function init() {
  watchResults();
  const element = document.querySelector("[data-carte]");
  const configElement = document.getElementById("carte-config");
  if (!element || !configElement || !window.L || !window.L.markerClusterGroup) return;
  window.carte = new Carte(element, JSON.parse(configElement.textContent));
}

init();
