/* Corridor Atlas: small map controls written for this app (no plugin, nothing inline):
 * full screen, distance measuring, a passing notice, the header menu and the embed link; and
 * Leaflet's own controls (zoom, layers, scale, popups' close button) in the page's language.
 */
(function (CA) {
  "use strict";

  const EARTH_RADIUS_KM = 6371.0088; // mean radius (IUGG)
  const SVG_NS = "http://www.w3.org/2000/svg";

  /* An icon drawn from constant path data (never from catalogue text). */
  function icon(pathData) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "18");
    svg.setAttribute("height", "18");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", pathData);
    svg.appendChild(path);
    return svg;
  }

  const ICONS = {
    fullscreen: "M4 9V4h5v2H6v3zm11-5h5v5h-2V6h-3zM6 15v3h3v2H4v-5zm12 0h2v5h-5v-2h3z",
    exitFullscreen: "M7 4h2v5H4V7h3zm8 0h2v3h3v2h-5zM4 15h5v5H7v-3H4zm11 0h5v2h-3v3h-2z",
    measure: "M2 8h20v8H2zm2 2v4h16v-4h-2v2h-1v-2h-2v2h-1v-2h-2v2h-1v-2H9v2H8v-2H6v2H5v-2z",
  };

  function button(label, pathData, className) {
    const node = document.createElement("button");
    node.type = "button";
    node.className = className;
    node.setAttribute("aria-label", label);
    node.title = label;
    node.appendChild(icon(pathData));
    return node;
  }

  /* --- geodesy ------------------------------------------------------------------------- */

  const rad = (deg) => (deg * Math.PI) / 180;

  /* Great-circle distance in km between two L.LatLng (haversine). */
  function greatCircleKm(a, b) {
    const dLat = rad(b.lat - a.lat);
    const dLon = rad(b.lng - a.lng);
    const h = Math.sin(dLat / 2) ** 2
      + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  /* Points along the great circle from a to b, about every 50 km, for drawing. */
  function greatCirclePath(a, b) {
    const km = greatCircleKm(a, b);
    const steps = Math.max(1, Math.ceil(km / 50));
    const angle = km / EARTH_RADIUS_KM;
    if (angle < 1e-9) {
      return [a, b];
    }
    const [lat1, lon1, lat2, lon2] = [rad(a.lat), rad(a.lng), rad(b.lat), rad(b.lng)];
    const points = [];
    for (let i = 0; i <= steps; i += 1) {
      const f = i / steps;
      const A = Math.sin((1 - f) * angle) / Math.sin(angle);
      const B = Math.sin(f * angle) / Math.sin(angle);
      const x = A * Math.cos(lat1) * Math.cos(lon1) + B * Math.cos(lat2) * Math.cos(lon2);
      const y = A * Math.cos(lat1) * Math.sin(lon1) + B * Math.cos(lat2) * Math.sin(lon2);
      const z = A * Math.sin(lat1) + B * Math.sin(lat2);
      const lat = Math.atan2(z, Math.sqrt(x * x + y * y));
      points.push(L.latLng((lat * 180) / Math.PI, (Math.atan2(y, x) * 180) / Math.PI));
    }
    return points;
  }

  /* "6,339.3 km", "6 339,3 км": CLDR's unit pattern in the page's language, as the server's. */
  function formatKm(km) {
    return CA.formatNumber(km, {
      style: "unit", unit: "kilometer", unitDisplay: "short",
      minimumFractionDigits: 1, maximumFractionDigits: 1,
    });
  }

  /* --- the tools bar: full screen and measuring ------------------------------------------ */

  /* Full screen for the map (the Fullscreen API, else a fixed full-window layout). */
  function fullscreenButton(map) {
    const container = map.getContainer();
    const root = document.documentElement;
    const native = Boolean(document.fullscreenEnabled && container.requestFullscreen);
    const node = button(CA.t("Full screen"), ICONS.fullscreen, "atlas-tool atlas-fullscreen");
    node.setAttribute("aria-pressed", "false");
    const isOn = () => (native ? document.fullscreenElement === container
      : root.classList.contains("atlas-pseudo-fullscreen"));
    const update = () => {
      const on = isOn();
      const label = on ? CA.t("Exit full screen") : CA.t("Full screen");
      node.setAttribute("aria-pressed", String(on));
      node.setAttribute("aria-label", label);
      node.title = label;
      node.replaceChildren(icon(on ? ICONS.exitFullscreen : ICONS.fullscreen));
      map.invalidateSize();
    };
    node.addEventListener("click", () => {
      if (native) {
        const request = isOn() ? document.exitFullscreen() : container.requestFullscreen();
        Promise.resolve(request).catch(() => {
          root.classList.toggle("atlas-pseudo-fullscreen");
          update();
        });
      } else {
        root.classList.toggle("atlas-pseudo-fullscreen");
        update();
      }
    });
    document.addEventListener("fullscreenchange", update);
    return node;
  }

  /* Distance measuring: click points on the map (or press Enter on the focused map to add its
   * centre); the great-circle distance summed over them is shown in km. */
  class Measure {
    constructor(map, readout) {
      this.map = map;
      this.readout = readout;
      this.points = [];
      this.active = false;
      this.layer = L.layerGroup();
      // While measuring, map.css lets clicks pass through corridors and sites to the map.
      this.onClick = (event) => this.add(event.latlng);
      this.onKey = (event) => this.key(event);
      this.onPopup = () => map.closePopup();
    }

    toggle() {
      if (this.active) {
        this.stop();
      } else {
        this.start();
      }
    }

    start() {
      this.active = true;
      this.points = [];
      this.layer.clearLayers().addTo(this.map);
      this.map.getContainer().classList.add("atlas-measuring");
      this.map.on("click", this.onClick).on("popupopen", this.onPopup);
      this.map.getContainer().addEventListener("keydown", this.onKey);
      this.map.closePopup();
      this.show();
      this.onchange(true);
    }

    stop() {
      this.active = false;
      this.map.removeLayer(this.layer);
      this.map.getContainer().classList.remove("atlas-measuring");
      this.map.off("click", this.onClick).off("popupopen", this.onPopup);
      this.map.getContainer().removeEventListener("keydown", this.onKey);
      this.readout.hidden = true;
      this.onchange(false);
    }

    key(event) {
      if (event.target !== this.map.getContainer()) {
        return; // typing in a control, not on the map
      }
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this.add(this.map.getCenter());
      } else if (event.key === "Backspace") {
        event.preventDefault();
        this.undo();
      } else if (event.key === "Escape") {
        this.stop();
      }
    }

    add(latlng) {
      this.points.push(latlng);
      this.draw();
    }

    undo() {
      this.points.pop();
      this.draw();
    }

    totalKm() {
      let km = 0;
      for (let i = 1; i < this.points.length; i += 1) {
        km += greatCircleKm(this.points[i - 1], this.points[i]);
      }
      return km;
    }

    draw() {
      this.layer.clearLayers();
      const path = [];
      this.points.forEach((point, i) => {
        if (i > 0) {
          path.push(...greatCirclePath(this.points[i - 1], point).slice(i > 1 ? 1 : 0));
        }
        L.circleMarker(point, {
          radius: 4, color: "#111", weight: 2, fillColor: "#fff", fillOpacity: 1,
          interactive: false, className: "atlas-measure-point",
        }).addTo(this.layer);
      });
      if (path.length) {
        L.polyline(path, {
          color: "#111", weight: 3, dashArray: "6 6", interactive: false,
          className: "atlas-measure-line",
        }).addTo(this.layer);
      }
      this.show();
    }

    show() {
      this.readout.hidden = false;
      const km = this.totalKm();
      const n = this.points.length;
      const distance = formatKm(km);
      this.readout.querySelector(".atlas-measure-total").textContent = n > 1
        ? CA.t("Distance: %(distance)s", { distance })
        : CA.t("Distance: click points on the map");
      this.readout.querySelector(".atlas-measure-help").textContent = n > 1
        ? CA.nt(
          "%(n)s point, along great circles. Backspace removes the last one.",
          "%(n)s points, along great circles. Backspace removes the last one.",
          n,
          { n },
        )
        : CA.t("Or press Enter on the focused map to add its centre.");
    }
  }

  function measureReadout() {
    const box = document.createElement("div");
    box.className = "atlas-measure-readout";
    box.hidden = true;
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    const total = document.createElement("p");
    total.className = "atlas-measure-total";
    const help = document.createElement("p");
    help.className = "atlas-measure-help";
    box.append(total, help);
    return box;
  }

  /* The tools bar (top left, under the zoom buttons): full screen and measure. */
  function addTools(map) {
    const readout = measureReadout();
    const measure = new Measure(map, readout);
    const Tools = L.Control.extend({
      options: { position: "topleft" },
      onAdd() {
        const bar = document.createElement("div");
        bar.className = "leaflet-bar atlas-tools";
        const measureLabel = CA.t("Measure distance");
        const measureButton = button(measureLabel, ICONS.measure, "atlas-tool atlas-measure");
        measureButton.setAttribute("aria-pressed", "false");
        measureButton.addEventListener("click", () => measure.toggle());
        measure.onchange = (on) => measureButton.setAttribute("aria-pressed", String(on));
        bar.append(fullscreenButton(map), measureButton);
        L.DomEvent.disableClickPropagation(bar);
        return bar;
      },
    });
    const Readout = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd() {
        L.DomEvent.disableClickPropagation(readout);
        return readout;
      },
    });
    new Tools().addTo(map);
    new Readout().addTo(map);
    return measure;
  }

  /* --- passing messages, the legend, the header menu, the embed link ----------------------- */

  /* A short message over the map (e.g. "tiles unavailable"), read out by screen readers. */
  function notify(map, text, seconds) {
    let box = map.getContainer().querySelector(".atlas-notice");
    if (!box) {
      box = document.createElement("p");
      box.className = "atlas-notice";
      box.setAttribute("role", "status");
      map.getContainer().appendChild(box);
    }
    box.textContent = text;
    box.hidden = false;
    clearTimeout(box.timer);
    box.timer = setTimeout(() => { box.hidden = true; }, (seconds || 8) * 1000);
  }

  /* The legend starts folded on small screens (a phone held either way) and in frames, where
   * it would hide the map. */
  function foldLegend(map, folded) {
    const details = map.getContainer().querySelector(".atlas-legend details");
    const short = window.matchMedia("(max-height: 500px)").matches;
    if (details && (folded || short)) {
      details.open = false;
    }
  }

  /* The header's menu button shows the navigation on narrow screens. */
  function wireMenu() {
    const toggle = document.querySelector(".atlas-menu-button");
    const nav = document.getElementById("atlas-nav");
    if (!toggle || !nav) {
      return;
    }
    const setOpen = (open) => {
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("atlas-open", open);
    };
    toggle.addEventListener("click", () => {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        setOpen(false);
        toggle.focus();
      }
    });
    // A tap anywhere else closes it, as a menu should.
    document.addEventListener("pointerdown", (event) => {
      if (!nav.contains(event.target) && !toggle.contains(event.target)) {
        setOpen(false);
      }
    });
  }

  /* In a frame: a link opening the full atlas at the same view (kept current by map.js). */
  function addEmbedLink(map) {
    const link = document.createElement("a");
    link.className = "atlas-embed-link";
    link.target = "_blank";
    link.rel = "noopener";
    link.href = CA.sitePath ? CA.sitePath("/") : "/";
    link.textContent = "Corridor Atlas ↗";
    link.title = CA.t("Open this view in the Corridor Atlas");
    const Control = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd() {
        return link;
      },
    });
    new Control().addTo(map);
    return link;
  }

  /* --- Leaflet's own words ---------------------------------------------------------------- */

  /* The scale bar's lengths ("500 km", "300 m", "200 mi", "500 ft") in the page's language. */
  function scaleText(text) {
    const found = /^(\d+) (km|m|mi|ft)$/.exec(text);
    if (!found) {
      return text;
    }
    const n = CA.formatNumber(Number(found[1]));
    const units = {
      km: () => CA.t("%(n)s km", { n }),
      m: () => CA.t("%(n)s m", { n }),
      mi: () => CA.t("%(n)s mi", { n }),
      ft: () => CA.t("%(n)s ft", { n }),
    };
    return units[found[2]]();
  }

  /* Leaflet's scale, zoom buttons, layer control, attribution prefix and popups' close button
   * speak the page's language. The scale is patched on its prototype before folium's script
   * adds it; the rest is set on the map's controls once they exist. */
  const updateScale = L.Control.Scale.prototype._updateScale;
  L.Control.Scale.prototype._updateScale = function (scale, text, ratio) {
    updateScale.call(this, scale, scaleText(text), ratio);
  };

  function nameLeafletControls(map) {
    const container = map.getContainer();
    const name = (selector, label) => {
      for (const node of container.querySelectorAll(selector)) {
        node.title = label;
        node.setAttribute("aria-label", label);
      }
    };
    name(".leaflet-control-zoom-in", CA.t("Zoom in"));
    name(".leaflet-control-zoom-out", CA.t("Zoom out"));
    name(".leaflet-control-layers-toggle", CA.t("Layers"));
    if (map.attributionControl && map.attributionControl.options.prefix) {
      const prefix = document.createElement("span");
      prefix.innerHTML = map.attributionControl.options.prefix; // Leaflet's own markup
      for (const link of prefix.querySelectorAll("a[title]")) {
        link.title = CA.t("A JavaScript library for interactive maps");
      }
      map.attributionControl.setPrefix(prefix.innerHTML);
    }
    map.on("popupopen", (event) => {
      const close = event.popup.getElement()
        && event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", CA.t("Close popup"));
      }
    });
  }

  CA.icon = icon;
  CA.nameLeafletControls = nameLeafletControls;
  CA.greatCircleKm = greatCircleKm;
  CA.addTools = addTools;
  CA.notify = notify;
  CA.foldLegend = foldLegend;
  CA.wireMenu = wireMenu;
  CA.addEmbedLink = addEmbedLink;
})(window.CorridorAtlas = window.CorridorAtlas || {});
