/* Corridor Atlas: the map page's behaviour, started by folium's script with the map's layers.
 *
 * CorridorAtlas.start({map, control, dataElement, bases, overlays, features}) wires the search
 * box, filters, tools, offline fallback and permalinks (the state in the URL fragment, see
 * map-state.js). The same page serves /embed: there the header is hidden and the query
 * parameters ?focus=<id> (fit to one feature, fade the others) and ?only=<id>,<id> (show only
 * those) apply.
 *
 * A large atlas's page carries no features: its JSON data names a feed instead, which
 * map-large.js loads and draws (sites clustered, on a canvas); the app then starts the same way,
 * with ``this.large`` answering where single features' layers would.
 */
(function (CA) {
  "use strict";

  const root = document.documentElement;
  CA.embedded = /\/embed\/?$/.test(window.location.pathname);
  root.classList.add("atlas-js");
  if (CA.embedded) {
    root.classList.add("atlas-embed");
  }

  const NARROW = "(max-width: 640px)";
  const SITE_ZOOM = 7;
  const LARGE_SITE_ZOOM = 12; // sites of a large atlas stay clustered longer
  const FOCUS_ZOOM = 6;
  const FADED = { opacity: 0.3, fillOpacity: 0.25 };
  const FOCUS_RADIUS = 10; // sites are drawn with 7
  const FOCUS_WEIGHT = 6; // corridors with 4
  const WRITE_DELAY_MS = 150;

  const narrow = () => window.matchMedia(NARROW).matches;
  const calm = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  class App {
    constructor(config) {
      this.map = config.map;
      this.control = config.control;
      this.data = config.data;
      this.bases = config.bases;
      this.overlays = {};
      for (const overlay of this.data.overlays) {
        this.overlays[overlay.key] = { ...overlay, group: config.overlays[overlay.key] };
      }
      this.features = {};
      for (const feature of this.data.features) {
        this.features[feature.id] = { data: feature, layer: config.features[feature.id] };
      }
      this.large = config.large ? config.large(this) : null;
      this.siteZoom = this.large ? LARGE_SITE_ZOOM : SITE_ZOOM;
      this.embed = CA.embedded
        ? CA.parseEmbedQuery(window.location.search)
        : { focus: null, only: null };
      this.base = null; // the base layer chosen by the reader or the URL, not by the fallback
      this.open = null; // the feature whose popup is open
      this.restoring = false;
      this.timer = null;
      this.filters = new CA.Filters(this);
    }

    /* --- views --------------------------------------------------------------------------- */

    fitOptions() {
      const legendOpen = this.map.getContainer().querySelector(".atlas-legend details[open]");
      return legendOpen && !narrow()
        ? { paddingTopLeft: [24, 24], paddingBottomRight: [300, 24] }
        : { padding: [24, 24] };
    }

    /* Where a feature is shown: a centre and zoom for a site, bounds for a corridor. */
    target(id, siteZoom) {
      const feature = this.features[id];
      const layer = feature.layer;
      if (!layer || layer.getLatLng) {
        const center = layer ? layer.getLatLng() : L.latLng(feature.lat, feature.lon);
        return { center, zoom: Math.max(this.map.getZoom(), siteZoom) };
      }
      return { bounds: layer.getBounds() };
    }

    goTo(target, animate) {
      const options = { ...this.fitOptions(), animate };
      if (target.bounds) {
        if (animate) {
          this.map.flyToBounds(target.bounds, options);
        } else {
          this.map.fitBounds(target.bounds, options);
        }
      } else if (animate) {
        this.map.flyTo(target.center, target.zoom);
      } else {
        this.map.setView(target.center, target.zoom, { animate: false });
      }
    }

    fitFeatures(ids, siteZoom) {
      if (ids.length === 1) {
        this.goTo(this.target(ids[0], siteZoom), false);
      } else if (ids.length) {
        const bounds = L.latLngBounds([]);
        for (const id of ids) {
          const target = this.target(id, siteZoom);
          bounds.extend(target.bounds || target.center);
        }
        this.map.fitBounds(bounds, { ...this.fitOptions(), animate: false });
      }
    }

    /* Popups pan clear of the map's corner controls (on a phone they span the width). */
    padPopups() {
      const topLeft = narrow() ? L.point(8, 140) : L.point(56, 16);
      const bottomRight = narrow() ? L.point(8, 60) : L.point(16, 16);
      if (this.large) {
        this.large.padPopups(topLeft, bottomRight);
        return;
      }
      for (const feature of Object.values(this.features)) {
        const popup = feature.layer.getPopup();
        if (popup) {
          popup.options.autoPanPaddingTopLeft = topLeft;
          popup.options.autoPanPaddingBottomRight = bottomRight;
        }
      }
    }

    openPopup(id, autoPan) {
      if (this.large) {
        this.large.openPopup(id, autoPan);
        return;
      }
      const layer = this.features[id].layer;
      const popup = layer.getPopup();
      popup.options.autoPan = autoPan;
      layer.openPopup();
      popup.options.autoPan = true;
    }

    /* Show one feature (search result, permalink): reveal it, fly there, open its popup. */
    showFeature(id, { animate }) {
      if (!this.features[id] || !this.filters.reveal(id)) {
        return;
      }
      const target = this.target(id, this.siteZoom);
      const move = animate && !calm();
      if (!move) {
        this.goTo(target, false);
        this.openPopup(id, true);
        return;
      }
      let opened = false;
      const open = () => {
        if (!opened) {
          opened = true;
          this.openPopup(id, true);
        }
      };
      this.map.once("moveend", open);
      setTimeout(open, 3000);
      this.goTo(target, true);
    }

    /* --- state in the URL ------------------------------------------------------------------ */

    baseKey(layer) {
      return Object.keys(this.bases).find((key) => this.bases[key] === layer) || null;
    }

    setBase(key) {
      const chosen = this.bases[key];
      if (!chosen) {
        return;
      }
      for (const layer of Object.values(this.bases)) {
        if (layer !== chosen && this.map.hasLayer(layer)) {
          this.map.removeLayer(layer);
        }
      }
      if (!this.map.hasLayer(chosen)) {
        this.map.addLayer(chosen);
      }
      this.base = key;
    }

    state() {
      const center = this.map.getCenter();
      return {
        view: { zoom: this.map.getZoom(), lat: center.lat, lon: center.lng },
        base: this.base,
        ...this.filters.getState(),
        open: this.open,
      };
    }

    /* Apply a state read from the URL; ``initial`` is the page load. */
    restore(state, initial) {
      this.restoring = true;
      try {
        if (state.base) {
          this.setBase(state.base);
        }
        this.filters.setState(state);
        const open = state.open && this.features[state.open] ? state.open : null;
        if (open) {
          this.filters.reveal(open);
        }
        if (state.view) {
          this.map.setView([state.view.lat, state.view.lon], state.view.zoom, { animate: false });
        } else if (open) {
          this.goTo(this.target(open, this.siteZoom), false);
        } else if (this.embed.focus && this.features[this.embed.focus]) {
          this.goTo(this.target(this.embed.focus, FOCUS_ZOOM), false);
        } else if (this.embed.only) {
          this.fitFeatures([...this.filters.only], this.siteZoom);
        } else if (initial) {
          this.map.fitBounds(this.data.bounds, { ...this.fitOptions(), animate: false });
        }
        if (open) {
          this.openPopup(open, !state.view);
          this.open = open;
        } else {
          this.map.closePopup();
        }
      } finally {
        this.restoring = false;
      }
    }

    changed() {
      if (this.restoring) {
        return;
      }
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.write(), WRITE_DELAY_MS);
    }

    write() {
      const fragment = CA.formatFragment(this.state());
      const url = `${window.location.pathname}${window.location.search}#${fragment}`;
      window.history.replaceState(window.history.state, "", url);
      if (this.embedLink) {
        this.embedLink.href = `/#${fragment}`;
      }
    }

    /* --- wiring ------------------------------------------------------------------------ */

    /* Keep ``this.open`` (and the URL) in step with the popup shown. */
    popupOpened(id) {
      this.open = id;
      this.changed();
    }

    popupClosed(id) {
      if (this.open === id) {
        this.open = null;
        this.changed();
      }
    }

    watchPopups() {
      if (this.large) {
        this.large.watchPopups();
        return;
      }
      for (const [id, feature] of Object.entries(this.features)) {
        feature.layer.on("popupopen", () => this.popupOpened(id));
        feature.layer.on("popupclose", () => this.popupClosed(id));
      }
    }

    applyEmbed() {
      const { focus, only } = this.embed;
      if (only) {
        this.filters.only = new Set(only.filter((id) => this.features[id]));
      }
      if (focus && this.features[focus] && this.large) {
        this.large.focus(focus);
      } else if (focus && this.features[focus]) {
        for (const [id, feature] of Object.entries(this.features)) {
          if (id !== focus) {
            feature.layer.setStyle(FADED);
          }
        }
        const layer = this.features[focus].layer;
        if (layer.setRadius) {
          layer.setRadius(FOCUS_RADIUS);
        } else {
          layer.setStyle({ weight: FOCUS_WEIGHT });
        }
        this.map.whenReady(() => {
          if (this.map.hasLayer(layer)) {
            layer.bringToFront();
          }
        });
      }
    }

    start() {
      const map = this.map;
      // The map is focusable (arrow keys pan, +/- zoom): name it for screen readers.
      map.getContainer().setAttribute("role", "region");
      map.getContainer().setAttribute(
        "aria-label", "Map of the corridors and sites; arrow keys pan, plus and minus zoom",
      );
      this.filters.control().addTo(map);
      CA.addTools(map);
      this.watchPopups();
      this.padPopups();
      window.addEventListener("resize", () => this.padPopups());
      this.applyEmbed();
      CA.foldLegend(map, narrow() || CA.embedded);
      const tiles = Object.values(this.bases).filter((layer) => layer instanceof L.TileLayer);
      let falling = false;
      CA.watchTiles(map, tiles, (failed) => {
        // The reader did not choose this base layer: keep it out of the URL.
        falling = true;
        map.removeLayer(failed);
        map.addLayer(this.bases.offline);
        falling = false;
        CA.notify(map, "Map tiles could not be loaded: showing the offline Natural Earth map.");
      });
      map.on("baselayerchange", (event) => {
        if (!falling && !this.restoring) {
          this.base = this.baseKey(event.layer);
          this.changed();
        }
      });
      this.search = CA.addSearch(this);
      CA.wireMenu();
      if (CA.embedded) {
        this.embedLink = CA.addEmbedLink(map);
        if (this.embed.focus && this.features[this.embed.focus]) {
          this.embedLink.href = `/#open=${encodeURIComponent(this.embed.focus)}`;
        }
      }
      this.restore(CA.parseFragment(window.location.hash), true);
      this.filters.refresh();
      map.on("moveend overlayadd overlayremove", () => this.changed());
      window.addEventListener("hashchange", () => {
        this.restore(CA.parseFragment(window.location.hash), false);
      });
    }
  }

  function startApp(config) {
    const app = new App(config);
    CA.app = app;
    app.start();
    return app;
  }

  /* Called once by the page's folium script, with the layers it created. A large atlas's
   * features are fetched first (map-large.js); the app starts when they are drawn. */
  CA.start = function (config) {
    const data = JSON.parse(document.getElementById(config.dataElement).textContent);
    if (data.large) {
      return CA.loadLarge(config.map, data).then((large) => startApp({ ...config, data, large }));
    }
    return startApp({ ...config, data });
  };
})(window.CorridorAtlas = window.CorridorAtlas || {});
