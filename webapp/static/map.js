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
 *
 * How features look is drawn here from the page data's ``drawing`` table (webapp/map/pagedata.py):
 * each site marker takes its category's shape and its stage's fill (full, lower half, ring);
 * sea legs of corridors are drawn apart, in thin blue dashes; and sites that would cover each
 * other on screen are spread on a small circle around their place, with a badge counting them,
 * so that every one of them can be clicked at every zoom (Spread).
 *
 * The header's language switcher (?lang=xx links) keeps the map: its links carry the page's
 * query (/embed's ?focus and ?only) and the state in the fragment, rewritten whenever the state
 * changes (languageLinks).
 *
 * Names from the URL (base=, open=, ?focus=, ?only=) are looked up in tables without a
 * prototype, and only as their own keys (``feature``, ``setBase``): "__proto__" or "toString"
 * is an unknown name like any other, ignored.
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
  const FALLBACK_MAX_ZOOM = 18; // when no base layer shown states its own
  const OPEN_AFTER_MS = 3000; // a flight's popup opens by then even if no moveend came

  /* A copy of ``source`` to be keyed by outside strings: no prototype, so no key is inherited. */
  const table = (source = {}) => Object.assign(Object.create(null), source);

  const SPREAD_NEAR = 16; // px: site markers closer than this cover each other
  const SPREAD_GAP = 18; // px between neighbours on a spread's circle
  const BADGE_CLEAR = 17; // px from a spread's badge (9 px) that another marker (7 px) keeps
  const SVG_NS = "http://www.w3.org/2000/svg";

  /* SVG path data of a marker shape (unit vertices, screen orientation; none: a circle) of
   * radius ``r`` centred at (x, y): the same geometry as webapp.map.pagedata.shape_path. */
  CA.shapePath = function (vertices, r, x, y) {
    if (!vertices || !vertices.length) {
      return `M${x - r} ${y}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0Z`;
    }
    return `M${vertices.map(([vx, vy]) => `${x + vx * r} ${y + vy * r}`).join("L")}Z`;
  };

  /* The gradient that fills the lower half of a marker with ``colour`` (under construction),
   * defined once per colour in a hidden SVG of the page; its id, for ``fill="url(#…)"``. */
  function halfFill(colour) {
    const id = `atlas-half-${colour.replace(/[^0-9a-z]/gi, "")}`;
    if (!document.getElementById(id)) {
      let defs = document.querySelector("svg.atlas-defs defs");
      if (!defs) {
        const svg = document.createElementNS(SVG_NS, "svg");
        svg.setAttribute("class", "atlas-defs");
        svg.setAttribute("aria-hidden", "true");
        defs = document.createElementNS(SVG_NS, "defs");
        svg.appendChild(defs);
        document.body.appendChild(svg);
      }
      const gradient = document.createElementNS(SVG_NS, "linearGradient");
      gradient.id = id;
      for (const [key, value] of [["x1", 0], ["y1", 0], ["x2", 0], ["y2", 1]]) {
        gradient.setAttribute(key, String(value));
      }
      for (const stopColour of ["#ffffff", colour]) {
        const stop = document.createElementNS(SVG_NS, "stop");
        stop.setAttribute("offset", "0.5");
        stop.setAttribute("stop-color", stopColour);
        gradient.appendChild(stop);
      }
      defs.appendChild(gradient);
    }
    return `url(#${id})`;
  }

  /* Leaflet path options of a site marker of ``colour`` with a stage's ``fill``. */
  CA.siteStyle = function (colour, fill) {
    if (fill === "full") {
      return { color: "#ffffff", weight: 1.5, fillColor: colour, fillOpacity: 1 };
    }
    const inside = fill === "half" ? halfFill(colour) : "#ffffff";
    return { color: colour, weight: fill === "half" ? 2 : 2.5, fillColor: inside, fillOpacity: 1 };
  };

  const narrow = () => window.matchMedia(NARROW).matches;
  /* A link of the map with the page's language in it (map-state.js), or as it is. */
  const withLanguage = (url) => (CA.withLanguage ? CA.withLanguage(url) : url);
  /* A feature's name in the page's language and that name's language (map-reader.js). */
  const nameOf = (data) => (CA.featureName ? CA.featureName(data) : [data.name, "en"]);

  /* Point the language switcher's links at this very page and view in their language. */
  function languageLinks() {
    for (const link of document.querySelectorAll(".atlas-languages a[data-language]")) {
      const address = new URL(window.location.href);
      address.searchParams.set("lang", link.getAttribute("data-language"));
      link.href = `${address.pathname}${address.search}${address.hash}`;
    }
  }
  const calm = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  class App {
    constructor(config) {
      this.map = config.map;
      this.control = config.control;
      this.data = config.data;
      CA.site = this.data.site || null; // a published static site's roots (webapp/publish)
      this.bases = table(config.bases);
      const groups = table(config.overlays);
      const layers = table(config.features);
      this.overlays = table();
      for (const overlay of this.data.overlays) {
        this.overlays[overlay.key] = { ...overlay, group: groups[overlay.key] };
      }
      this.features = new Map(); // by id: a Map takes 100,000 ids several times faster
      for (const feature of this.data.features) {
        this.features.set(feature.id, { data: feature, layer: layers[feature.id] });
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
      this.flight = null; // the search's flight under way: {arrived, timer}
      this.filters = new CA.Filters(this);
      this.spread = null;
      this.timeline = null; // the atlas as of a month (map-timeline.js), where data allow
    }

    /* How a stage is drawn (CA.stageStyle). */
    stageStyle(stage) {
      return CA.stageStyle(this.data.drawing, stage);
    }

    /* Each site marker in its category's shape and colour, filled as its stage says; drawn at
     * its place plus the offset the spread gives it (``atlasOffset``, screen pixels). */
    drawSites() {
      const drawing = this.data.drawing;
      const categories = new Map(this.data.categories.map((c) => [c.name, c]));
      for (const feature of this.features.values()) {
        const layer = feature.layer;
        if (feature.data.kind !== "site" || !layer || !layer.setRadius) {
          continue;
        }
        const category = categories.get(feature.data.category) || {};
        const colour = category.colour || "#757575";
        const vertices = drawing.shapes[category.shape] || [];
        layer.atlasOffset = L.point(0, 0);
        layer._updatePath = function () {
          const p = this._point.add(this.atlasOffset);
          const d = this._empty() ? "M0 0" : CA.shapePath(vertices, this._radius, p.x, p.y);
          this._renderer._setPath(this, d);
        };
        layer.setStyle(CA.siteStyle(colour, this.stageStyle(feature.data.stage).fill));
        layer.setRadius(drawing.radius);
      }
    }

    /* A corridor's sea legs, in the style of their mode, shown and hidden with its line. */
    drawLegs() {
      const styles = this.data.drawing.legs;
      for (const [id, feature] of this.features) {
        feature.legs = [];
        for (const leg of feature.data.legs || []) {
          const style = Object.hasOwn(styles, leg.mode) ? styles[leg.mode] : null;
          if (!style || !feature.layer) {
            continue;
          }
          const line = L.polyline(leg.lines, {
            color: style.color,
            weight: style.weight,
            opacity: style.opacity,
            dashArray: style.dash,
            className: `atlas-leg atlas-leg-${leg.mode}`,
          });
          line.on("click", (event) => {
            L.DomEvent.stop(event);
            feature.layer.openPopup(event.latlng);
          });
          line.atlasOf = id;
          feature.legs.push(line);
          const group = this.overlays[feature.data.overlay].group;
          if (group.hasLayer(feature.layer)) {
            group.addLayer(line);
          }
        }
      }
    }

    /* The feature of ``id`` if there is one (``id`` may come from the URL), else null. */
    feature(id) {
      return (typeof id === "string" && this.features.get(id)) || null;
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
      const feature = this.feature(id);
      const layer = feature.layer;
      if (!layer || layer.getLatLng) {
        const center = layer ? layer.getLatLng() : L.latLng(feature.lat, feature.lon);
        return { center, zoom: Math.max(this.map.getZoom(), siteZoom) };
      }
      const bounds = L.latLngBounds([]).extend(layer.getBounds());
      for (const leg of feature.legs || []) {
        bounds.extend(leg.getBounds());
      }
      return { bounds };
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
      for (const feature of this.features.values()) {
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
      const layer = this.feature(id).layer;
      const popup = layer.getPopup();
      if (!popup || !this.map.hasLayer(layer)) {
        return; // filtered away since it was asked for
      }
      popup.options.autoPan = autoPan;
      layer.openPopup();
      popup.options.autoPan = true;
    }

    /* Show one feature (search result, permalink): reveal it, fly there, open its popup.
     *
     * One flight at a time: a new one (another Enter in the search box) ends the one under
     * way, whose popup then never opens. The popup opens a turn after the moveend, not in it:
     * Leaflet's popup autopan stops the pan under way, which fires moveend, then goes on with
     * its own popup; opening another one from that moveend closed it under Leaflet's feet
     * ("reading 'layerPointToContainerPoint'" of a null map, a few times in 90 quick Enters).
     * The map is stopped before the flight listens: flyTo's own stop could fire a moveend. */
    showFeature(id, { animate }) {
      this.land();
      if (!this.feature(id) || !this.filters.reveal(id)) {
        return;
      }
      this.map.stop();
      const target = this.target(id, this.siteZoom);
      if (!animate || calm()) {
        this.goTo(target, false);
        this.openPopup(id, true);
        return;
      }
      const flight = { timer: null };
      const open = () => {
        if (this.flight === flight) {
          this.land();
          this.openPopup(id, true);
        }
      };
      flight.arrived = () => {
        this.map.off("moveend", flight.arrived);
        clearTimeout(flight.timer);
        flight.timer = setTimeout(open, 0);
      };
      flight.timer = setTimeout(open, OPEN_AFTER_MS);
      this.flight = flight;
      this.map.on("moveend", flight.arrived);
      this.goTo(target, true);
    }

    /* Forget the flight under way, if any: its popup will not open. */
    land() {
      const flight = this.flight;
      if (flight) {
        this.flight = null;
        this.map.off("moveend", flight.arrived);
        clearTimeout(flight.timer);
      }
    }

    /* --- state in the URL ------------------------------------------------------------------ */

    baseKey(layer) {
      return Object.keys(this.bases).find((key) => this.bases[key] === layer) || null;
    }

    setBase(key) {
      if (typeof key !== "string" || !Object.hasOwn(this.bases, key)) {
        return;
      }
      const chosen = this.bases[key];
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
        as_of: this.timeline ? this.timeline.getState() : null,
        open: this.open,
      };
    }

    /* Apply a state read from the URL; ``initial`` is the page load. */
    restore(state, initial) {
      this.land();
      this.restoring = true;
      try {
        if (state.base) {
          this.setBase(state.base);
        }
        if (this.timeline) { // before the filters, which ask it what is reported by then
          this.timeline.setState(state.as_of || (initial ? this.embed.as_of : null));
        }
        this.filters.setState(state);
        const open = this.feature(state.open) ? state.open : null;
        if (open) {
          this.filters.reveal(open);
        }
        if (state.view) {
          const { lat, lon, zoom } = state.view;
          this.map.setView([lat, lon], this.clampZoom(zoom), { animate: false });
        } else if (open) {
          this.goTo(this.target(open, this.siteZoom), false);
        } else if (this.feature(this.embed.focus)) {
          this.goTo(this.target(this.embed.focus, FOCUS_ZOOM), false);
        } else if (this.filters.only) {
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

    /* ``zoom`` within the map's range (a base layer's deepest zoom, else FALLBACK_MAX_ZOOM). */
    clampZoom(zoom) {
      const deepest = this.map.getMaxZoom();
      const max = Number.isFinite(deepest) ? deepest : FALLBACK_MAX_ZOOM;
      return Math.min(Math.max(zoom, this.map.getMinZoom()), max);
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
        this.embedLink.href = withLanguage(CA.sitePath(`/#${fragment}`));
      }
      languageLinks();
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
      for (const [id, feature] of this.features) {
        // The popup names the feature: its tooltip goes, and does not come back with the focus
        // when the popup closes (the pointer may be over a dotted line's gap by then).
        feature.layer.on("popupopen popupclose", () => feature.layer.closeTooltip());
        feature.layer.on("popupopen", () => this.popupOpened(id));
        feature.layer.on("popupclose", () => this.popupClosed(id));
      }
    }

    applyEmbed() {
      const { focus, only } = this.embed;
      const known = only ? only.filter((id) => this.feature(id)) : [];
      if (known.length) { // ?only= naming no feature is ignored, not a blank map
        this.filters.only = new Set(known);
      }
      if (this.feature(focus) && this.large) {
        this.large.focus(focus);
      } else if (this.feature(focus)) {
        for (const [id, feature] of this.features) {
          if (id !== focus) {
            feature.layer.setStyle(FADED);
            (feature.legs || []).forEach((leg) => leg.setStyle(FADED));
          }
        }
        const layer = this.feature(focus).layer;
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

    /* A link to another feature in a popup ("also here: …") opens that feature's popup on the
     * map; its address (the feature page) stays for a new tab or a page without the map. */
    followOpenLinks() {
      this.map.getContainer().addEventListener("click", (event) => {
        const link = event.target.closest ? event.target.closest("a[data-atlas-open]") : null;
        const id = link ? link.getAttribute("data-atlas-open") : null;
        if (!this.feature(id) || event.ctrlKey || event.metaKey || event.shiftKey) {
          return;
        }
        event.preventDefault();
        this.showFeature(id, { animate: false });
      });
    }

    start() {
      const map = this.map;
      // The map is focusable (arrow keys pan, +/- zoom): name it for screen readers.
      map.getContainer().setAttribute("role", "region");
      map.getContainer().setAttribute(
        "aria-label", CA.t("Map of the corridors and sites; arrow keys pan, plus and minus zoom"),
      );
      CA.nameLeafletControls(map);
      if (!this.large) {
        this.drawSites();
        this.drawLegs();
        this.spread = new Spread(this);
      }
      this.filters.control().addTo(map);
      this.filters.wireLegend();
      if (this.data.timeline && !this.large) {
        this.timeline = new CA.Timeline(this);
        this.timeline.control().addTo(map);
      }
      this.followOpenLinks();
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
        CA.notify(
          map, CA.t("Map tiles could not be loaded: showing the offline Natural Earth map."),
        );
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
      }
      this.restore(CA.parseFragment(window.location.hash), true);
      if (this.embedLink) { // the full atlas at the feature in focus, as of the embed's month
        const fragment = CA.formatFragment({
          open: this.feature(this.embed.focus) ? this.embed.focus : null,
          as_of: this.timeline ? this.timeline.getState() : null,
        });
        if (fragment) {
          this.embedLink.href = withLanguage(CA.sitePath(`/#${fragment}`));
        }
      }
      this.filters.refresh();
      if (this.spread) {
        this.spread.update();
      }
      map.on("moveend overlayadd overlayremove", () => this.changed());
      window.addEventListener("hashchange", () => {
        // A skip link's fragment names an element, not a state: its hashchange can come a
        // moment after the reader, already in the list it leads to, opened a popup.
        if (!document.getElementById(window.location.hash.slice(1))) {
          this.restore(CA.parseFragment(window.location.hash), false);
        }
        languageLinks();
      });
      languageLinks();
    }
  }

  /* Sites that would cover each other on screen, spread on a small circle around their middle
   * with a badge saying how many are there (a click on it lists them). Recomputed when the zoom
   * or the sites shown change, so every site shown can be clicked where it is drawn. */
  class Spread {
    constructor(app) {
      this.app = app;
      this.map = app.map;
      this.badges = L.layerGroup().addTo(this.map);
      this.groups = [];
      this.map.on("zoomend", () => this.update());
      this.map.on("overlayadd overlayremove", () => this.update());
    }

    shownSites() {
      return [...this.app.features.values()].filter(
        (f) => f.data.kind === "site" && f.layer && this.app.filters.isShown(f.data.id),
      );
    }

    /* Where each group of sites goes: each member on a circle around the group's middle. */
    place(groups, points) {
      const placed = new Map(); // site index -> its point on screen
      const middles = [];
      for (const members of groups) {
        const middle = members.reduce((sum, i) => sum.add(points[i]), L.point(0, 0))
          .divideBy(members.length);
        middles.push(middle);
        if (members.length === 1) {
          placed.set(members[0], points[members[0]]);
          continue;
        }
        const radius = Math.max(SPREAD_NEAR, (SPREAD_GAP * members.length) / (2 * Math.PI));
        members.forEach((i, n) => {
          const angle = -Math.PI / 2 + (2 * Math.PI * n) / members.length;
          placed.set(i, middle.add(L.point(Math.cos(angle), Math.sin(angle)).multiplyBy(radius)));
        });
      }
      return { placed, middles };
    }

    /* Groups of sites (indexes into ``points``, each sorted by id) such that, once spread, no
     * marker covers another or a badge: overlapping groups are merged until none overlap. */
    cluster(sites, points) {
      const parent = sites.map((_, i) => i);
      const root = (i) => (parent[i] === i ? i : (parent[i] = root(parent[i])));
      const groupsNow = () => {
        const byRoot = new Map();
        sites.forEach((_, i) => byRoot.set(root(i), [...(byRoot.get(root(i)) || []), i]));
        return [...byRoot.values()].map((members) => members.sort(
          (a, b) => (sites[a].data.id < sites[b].data.id ? -1 : 1),
        ));
      };
      let positions = points;
      for (let round = 0; round < 20; round += 1) {
        let merged = false;
        for (let i = 0; i < sites.length; i += 1) {
          for (let j = i + 1; j < sites.length; j += 1) {
            if (root(i) !== root(j) && positions[i].distanceTo(positions[j]) < SPREAD_NEAR) {
              parent[root(j)] = root(i);
              merged = true;
            }
          }
        }
        const groups = groupsNow();
        const { placed, middles } = this.place(groups, points);
        groups.forEach((members, g) => {
          if (members.length < 2) {
            return;
          }
          sites.forEach((_, k) => {
            if (root(k) !== root(members[0]) && placed.get(k).distanceTo(middles[g]) < BADGE_CLEAR) {
              parent[root(k)] = root(members[0]);
              merged = true;
            }
          });
        });
        positions = sites.map((_, i) => placed.get(i));
        if (!merged) {
          return groups.filter((members) => members.length > 1);
        }
      }
      return groupsNow().filter((members) => members.length > 1);
    }

    update() {
      const sites = this.shownSites();
      const points = sites.map((f) => this.map.latLngToLayerPoint(f.layer.getLatLng()));
      const offsets = new Map();
      this.badges.clearLayers();
      this.groups = [];
      const groups = this.cluster(sites, points);
      const { placed, middles } = this.place(groups, points);
      groups.forEach((members, g) => {
        members.forEach((i) => offsets.set(sites[i], placed.get(i).subtract(points[i])));
        const group = members.map((i) => sites[i]);
        this.groups.push(group);
        this.badge(this.map.layerPointToLatLng(middles[g]), group);
      });
      for (const feature of this.app.features.values()) {
        if (feature.layer && feature.layer.atlasOffset) {
          feature.layer.atlasOffset = offsets.get(feature) || L.point(0, 0);
          if (feature.layer._map) {
            feature.layer.redraw();
          }
        }
      }
    }

    /* The count at the middle of a spread; a click (or Enter) lists the sites there. */
    badge(latlng, group) {
      const n = group.length;
      const names = group.map((f) => nameOf(f.data)[0]).join(", ");
      const here = CA.nt("%(n)s site here", "%(n)s sites here", n, { n });
      const icon = L.divIcon({
        className: "atlas-spread-badge",
        html: String(n),
        iconSize: [18, 18],
      });
      const title = CA.nt(
        "%(n)s site here: %(names)s", "%(n)s sites here: %(names)s", n, { n, names },
      );
      const marker = L.marker(latlng, { icon, title, alt: here });
      marker.on("click", () => {
        const box = CA.element("div", "atlas-popup");
        box.appendChild(CA.element("h3", "atlas-popup-name", here));
        const list = CA.element("ul", "atlas-members-list");
        for (const feature of group) {
          const link = CA.element("a");
          [link.textContent, link.lang] = nameOf(feature.data);
          link.href = feature.data.url;
          link.setAttribute("data-atlas-open", feature.data.id);
          const item = CA.element("li");
          item.appendChild(link);
          list.appendChild(item);
        }
        box.appendChild(list);
        L.popup({ className: "atlas-popup-frame atlas-members" })
          .setLatLng(latlng).setContent(box).openOn(this.map);
      });
      this.badges.addLayer(marker);
    }
  }

  /* How a stage is drawn (the page data's ``drawing.stages``; an unknown stage as proposed). */
  CA.stageStyle = function (drawing, stage) {
    return Object.hasOwn(drawing.stages, stage) ? drawing.stages[stage] : drawing.unknownStage;
  };

  function startApp(config) {
    const app = new App(config);
    CA.app = app;
    app.start();
    document.dispatchEvent(new CustomEvent("atlas:started", { detail: app })); // map-reader.js
    return app;
  }

  /* Called once by the page's folium script, with the layers it created, or below with the
   * layers it left pending: this script is deferred, the features are drawn before it runs,
   * and the rest of the page's script (``CA.later``) runs when this one does if not before.
   * The offline base layer is an empty group naming its file until then. A large atlas's
   * features are fetched first (map-large.js); the app starts when they are drawn. */
  CA.start = function (config) {
    for (const layer of Object.values(config.bases)) {
      if (layer.atlasNaturalEarth) {
        CA.naturalEarth(layer.atlasNaturalEarth, null, layer);
        delete layer.atlasNaturalEarth;
      }
    }
    const data = JSON.parse(document.getElementById(config.dataElement).textContent);
    CA.site = data.site || null; // before a large atlas's features get their links
    if (data.large) {
      return CA.loadLarge(config.map, data).then((large) => startApp({ ...config, data, large }));
    }
    return startApp({ ...config, data });
  };

  if (CA.later) {
    CA.later(); // the page's script after its features: legend, layer control, start
  }
  if (CA.pending) {
    const config = CA.pending;
    delete CA.pending;
    CA.start(config);
  }
})(window.CorridorAtlas = window.CorridorAtlas || {});
