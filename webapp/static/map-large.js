/* Corridor Atlas: a large atlas (thousands of features and more) on the same map page.
 *
 * Such a page carries no features: CorridorAtlas.loadLarge fetches them as one JSON feed in
 * columns (webapp/map/pagedata.py). Sites are clustered with supercluster (vendor/, ISC licence)
 * and only the clusters and sites of the view are drawn, sites on a canvas; corridors on a
 * canvas beneath, each view in one pass from the feed's coarser lines at low zooms
 * (map-corridors.js). A popup is fetched from the server when it opens: the same HTML as a
 * small atlas's popups. The Large object answers the app (map.js, map-filters.js,
 * map-search.js) where a small atlas has one layer per feature.
 * Sites are painted as on a small atlas's map: their category's shape, their stage's fill;
 * corridors dashed by stage (the page data's ``drawing`` table).
 */
(function (CA) {
  "use strict";

  const CLUSTER_MAX_ZOOM = 16; // beyond it, sites are drawn one by one
  const CLUSTER_OPTIONS = { radius: 80, maxZoom: CLUSTER_MAX_ZOOM }; // radius in px
  const SITE_STYLE = { radius: 6, weight: 1.5 };
  const CORRIDOR_TOLERANCE = 2; // px beyond a thin line that still hovers or clicks it
  const FADED = { opacity: 0.3, fillOpacity: 0.25 };
  const FOCUS_SITE = { radius: 10, color: "#111111", weight: 3, fillOpacity: 1 };
  const FOCUS_WEIGHT = 6;
  const POPUP_OPTIONS = { maxWidth: 360, maxHeight: 360, className: "atlas-popup-frame" };
  const MEMBERS_LISTED = 10;
  const KEYED_PER_SLICE = 1000; // names given search keys per slice (about 15 ms)
  const PROJECTED_PER_SLICE = 100; // corridors whose bands are projected per slice (2-4 ms)
  const CANVAS_PADDING = 0.1; // share of the view drawn beyond each edge (as Leaflet)
  const SITES_PANE = "atlas-sites";
  const COUNT_FONT = "600 12px system-ui, sans-serif"; // a cluster's count
  const COUNT_HEIGHT = 16; // px: the height of a count's glyphs (countStrip)
  // A cluster's disc by its count: below ``below`` sites, this fill and diameter (px).
  const CLUSTER_DISCS = [
    { below: 100, fill: "rgba(31, 120, 180, 0.85)", diameter: 32 },
    { below: 1000, fill: "rgba(217, 95, 2, 0.85)", diameter: 38 },
    { below: Infinity, fill: "rgba(177, 21, 40, 0.85)", diameter: 46 },
  ];

  /* Sites and clusters painted on one canvas, in a pane above the corridors. It lets events
   * through (the map hit-tests what it painted, Large.itemAt) and, like Leaflet's own
   * renderers, covers the view plus a margin and follows zoom animations. */
  const SiteLayer = L.Layer.extend({
    initialize(large) {
      this.large = large;
    },

    onAdd(map) {
      if (!map.getPane(SITES_PANE)) {
        map.createPane(SITES_PANE).style.zIndex = 450; // above overlays (400), below markers
        map.getPane(SITES_PANE).style.pointerEvents = "none";
      }
      this.canvas = L.DomUtil.create("canvas", "atlas-sites-canvas leaflet-zoom-animated");
      map.getPane(SITES_PANE).appendChild(this.canvas);
      map.on("moveend resize", this.reset, this);
      map.on("zoomanim", this.animateZoom, this);
      this.reset();
    },

    onRemove(map) {
      map.off("moveend resize", this.reset, this);
      map.off("zoomanim", this.animateZoom, this);
      this.canvas.remove();
    },

    /* Cover the view and its margin, then let the Large object choose what to paint. */
    reset() {
      const map = this._map;
      const size = map.getSize();
      const margin = size.multiplyBy(CANVAS_PADDING).round();
      const topLeft = map.containerPointToLayerPoint(margin.multiplyBy(-1)).round();
      const full = size.add(margin.multiplyBy(2));
      const ratio = window.devicePixelRatio || 1;
      this.origin = topLeft;
      this.corner = map.layerPointToLatLng(topLeft);
      L.DomUtil.setPosition(this.canvas, topLeft);
      if (CA.fitCanvas(this.canvas, full)) {
        this.canvas.getContext("2d").setTransform(ratio, 0, 0, ratio, 0, 0);
      }
      this.large.draw();
    },

    animateZoom(event) {
      const map = this._map;
      const scale = map.getZoomScale(event.zoom);
      const offset = map._latLngToNewLayerPoint(this.corner, event.zoom, event.center);
      L.DomUtil.setTransform(this.canvas, offset, scale);
    },

    paint(items) {
      const map = this._map;
      const context = this.canvas.getContext("2d");
      context.clearRect(0, 0, this.canvas.width, this.canvas.height);
      const focused = this.large.focused;
      for (const item of items) {
        item.point = map.latLngToLayerPoint([item.lat, item.lon]);
        const at = item.point.subtract(this.origin);
        context.globalAlpha = focused && !(item.site && item.site.data.id === focused) ? 0.3 : 1;
        if (item.site) {
          putStamp(context, siteStamp(item), at);
        } else {
          putStamp(context, discStamp(item), at);
          putCount(context, shortCount(item.count), at);
        }
      }
      this.canvas.dataset.items = String(items.length);
    },
  });

  const element = CA.element;

  /* A site in its shape, filled as its stage says: full, the lower half, or a ring. */
  function paintSite(context, item, at) {
    const path = new Path2D(CA.shapePath(item.shape, item.radius, at.x, at.y));
    const fill = item.stageFill;
    context.fillStyle = fill === "full" ? item.fill : "#ffffff";
    context.fill(path);
    if (fill === "half") {
      context.save();
      context.beginPath();
      context.rect(at.x - item.radius - 2, at.y, 2 * item.radius + 4, item.radius + 2);
      context.clip();
      context.fillStyle = item.fill;
      context.fill(path);
      context.restore();
    }
    context.lineWidth = fill === "full" ? SITE_STYLE.weight : 2;
    context.strokeStyle = fill === "full" ? "#ffffff" : item.fill;
    context.stroke(path);
  }

  /* --- stamps: what the sites layer paints, drawn once and copied ------------------------- */

  /* A site, a cluster's disc or the digits of its count are drawn once, on a small canvas of
   * their own, then copied wherever they go (drawImage), since copying is what a canvas does
   * fastest without a GPU. Text written on the map's canvas itself also made the browser bring
   * the page's styles up to date first (fillText): after a zoom, about 10 ms (bench 5). */
  function newCanvas(width, height) {
    return window.OffscreenCanvas
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement("canvas"), { width, height });
  }

  /* ``canvas`` drawn as a bitmap: an offscreen canvas keeps what was drawn on it as a list of
   * operations until something first copies it, so the first view to show a stamp drew it
   * then (8.5 ms of the first zoom's main thread, bench 5), however early the stamp was made. */
  function rasterized(canvas) {
    return canvas.transferToImageBitmap ? canvas.transferToImageBitmap() : canvas;
  }

  const stamps = new Map(); // key (with the pixel ratio) -> bitmap, and its side in CSS px
  function stamp(key, side, draw) {
    const ratio = window.devicePixelRatio || 1;
    const full = `${ratio} ${key}`;
    let image = stamps.get(full);
    if (!image) {
      image = newCanvas(Math.ceil(side * ratio), Math.ceil(side * ratio));
      const context = image.getContext("2d");
      context.scale(ratio, ratio);
      draw(context, { x: side / 2, y: side / 2 });
      image = rasterized(image);
      image.side = side;
      stamps.set(full, image);
    }
    return image;
  }

  /* ``image`` centred on ``at`` (a side of an even number of px keeps it on whole pixels). */
  function putStamp(context, image, at) {
    const half = image.side / 2;
    context.drawImage(image, at.x - half, at.y - half, image.side, image.side);
  }

  const shapeKeys = new WeakMap(); // a category's shape (its vertices) -> a short key
  function siteStamp(item) {
    if (!shapeKeys.has(item.shape)) {
      shapeKeys.set(item.shape, JSON.stringify(item.shape));
    }
    const key = `site ${shapeKeys.get(item.shape)} ${item.fill} ${item.stageFill} ${item.radius}`;
    // Room for the outline's mitred corners (a star's points reach 3 px beyond its vertices).
    return stamp(key, 2 * (item.radius + 5), (context, at) => paintSite(context, item, at));
  }

  function discStamp(item) {
    return stamp(`disc ${item.fill} ${item.radius}`, 2 * (item.radius + 3), (context, at) => {
      context.beginPath();
      context.arc(at.x, at.y, item.radius, 0, 2 * Math.PI);
      context.fillStyle = item.fill;
      context.fill();
      context.lineWidth = 2;
      context.strokeStyle = "#ffffff";
      context.stroke();
    });
  }

  /* The characters of a count (shortCount), white, each in a cell of one strip, with their
   * advances: a count is set glyph by glyph from them, on whole pixels. */
  const COUNT_GLYPHS = "0123456789.k";
  const countStrips = new Map(); // pixel ratio -> {strip, cell, glyphs: char -> [index, advance]}
  function countStrip() {
    const ratio = window.devicePixelRatio || 1;
    if (!countStrips.has(ratio)) {
      const measure = newCanvas(1, 1).getContext("2d");
      measure.font = COUNT_FONT;
      const advances = [...COUNT_GLYPHS].map((glyph) => measure.measureText(glyph).width);
      const cell = Math.ceil(Math.max(...advances)) + 2; // room for a glyph's overhang
      const strip = newCanvas(Math.ceil(cell * COUNT_GLYPHS.length * ratio),
        Math.ceil(COUNT_HEIGHT * ratio));
      const context = strip.getContext("2d");
      context.scale(ratio, ratio);
      context.font = COUNT_FONT;
      context.textBaseline = "middle";
      context.fillStyle = "#ffffff";
      [...COUNT_GLYPHS].forEach((glyph, i) => {
        context.fillText(glyph, i * cell + 1, COUNT_HEIGHT / 2);
      });
      const glyphs = new Map([...COUNT_GLYPHS].map((glyph, i) => [glyph, [i, advances[i]]]));
      countStrips.set(ratio, { strip: rasterized(strip), cell, ratio, glyphs });
    }
    return countStrips.get(ratio);
  }

  /* ``text`` (a count) centred on ``at``. */
  function putCount(context, text, at) {
    const { strip, cell, ratio, glyphs } = countStrip();
    let width = 0;
    for (const glyph of text) {
      width += glyphs.get(glyph)[1];
    }
    let pen = at.x - width / 2;
    for (const glyph of text) {
      const [index, advance] = glyphs.get(glyph);
      context.drawImage(strip, index * cell * ratio, 0, cell * ratio, COUNT_HEIGHT * ratio,
        Math.round(pen) - 1, at.y - COUNT_HEIGHT / 2, cell, COUNT_HEIGHT);
      pen += advance;
    }
  }

  /* ``bounds`` as the cluster index's [west, south, east, north], the whole world's width
   * when the view spans it. */
  function boxOf(bounds) {
    const whole = bounds.getEast() - bounds.getWest() >= 360;
    return [
      whole ? -180 : Math.max(-180, bounds.getWest()),
      Math.max(-85, bounds.getSouth()),
      whole ? 180 : Math.min(180, bounds.getEast()),
      Math.min(85, bounds.getNorth()),
    ];
  }

  /* "999", "1.2k", "34k": a cluster's size in a few characters. */
  function shortCount(count) {
    if (count < 1000) {
      return String(count);
    }
    return count < 10000 ? `${(count / 1000).toFixed(1)}k` : `${Math.round(count / 1000)}k`;
  }

  /* What the sites layer paints for a cluster of ``count`` sites (``item``: the index's). */
  function clusterItem(item, lat, lon, count) {
    const { fill, diameter } = CLUSTER_DISCS.find((disc) => count < disc.below);
    return { item, lat, lon, count, radius: diameter / 2, fill };
  }

  /* What the sites layer paints for ``site`` (a site's feature, or its look: siteLooks). */
  function siteItem(site, lat, lon) {
    const { colour: fill, shape, stageFill } = site;
    return { site, lat, lon, radius: SITE_STYLE.radius, fill, shape, stageFill };
  }

  /* How a site of a category and stage is drawn, from the page data: {colour, shape,
   * stageFill}, each pair's worked out once. */
  function siteLooks(data) {
    const drawing = data.drawing;
    const categories = new Map(data.categories.map((c) => [c.name, c]));
    const looks = new Map();
    const look = (category, stage) => {
      const key = `${category}\u0000${stage}`;
      if (!looks.has(key)) {
        const known = categories.get(category);
        looks.set(key, {
          colour: (known && known.colour) || "#757575",
          shape: (known && drawing.shapes[known.shape]) || [],
          stageFill: CA.stageStyle(drawing, stage).fill,
        });
      }
      return looks.get(key);
    };
    look.made = () => looks.values(); // every look asked for so far
    return look;
  }

  /* Every stamp the sites layer may paint for ``looks`` (siteLooks), made while the page is
   * idle, ahead of the first view that shows them: drawing forty stamps took 4-23 ms here
   * (the first canvases of a page cost the most), which the zoom that first showed single
   * sites waited for (bench 5). */
  function stampAll(looks) {
    for (const look of looks) {
      siteStamp(siteItem(look, 0, 0));
    }
    for (const { fill, diameter } of CLUSTER_DISCS) {
      discStamp({ fill, radius: diameter / 2 });
    }
    countStrip();
  }

  /* The clusters of the first zooms as the build made them (webapp/map/clusters.py: the
   * index's own clusters, with its counts and ids), painted while the feed is read and the
   * sites clustered here: 100,000 sites take seconds, their first view's clusters a few
   * kilobytes of the page. Taken off once the index is drawn; nothing is painted beyond those
   * zooms, nor when the address filters the sites, focuses one or asks for a month. */
  class FirstView {
    static wanted(data) {
      const state = CA.parseFragment(window.location.hash);
      const embed = CA.parseEmbedQuery(window.location.search);
      const filtered = ["category", "layers", "status", "country", "as_of"].some(
        (name) => state[name] !== null,
      );
      return Boolean(data.large.first) && !filtered && !embed.focus && !embed.only && !embed.as_of;
    }

    constructor(map, data) {
      this.map = map;
      this.zooms = data.large.first.zooms;
      this.focused = null;
      this.look = siteLooks(data);
      this.layer = new SiteLayer(this);
      this.layer.addTo(map); // paints at once (draw)
    }

    draw() {
      const level = this.zooms[Math.round(this.map.getZoom())] || [];
      this.layer.paint(
        level.map(([lon, lat, count, , category, stage]) =>
          count > 1
            ? clusterItem(null, lat, lon, count)
            : siteItem(this.look(category, stage), lat, lon),
        ),
      );
    }

    remove() {
      this.layer.remove();
    }
  }

  /* What the controls read of a feature (as the seed page's data has it); its page's URL is
   * made when first read, not for each of 100,000 sites while the map waits. */
  class FeatureData {
    constructor(id, name, kind, category, stage, countries, overlay) {
      this.id = id;
      this.name = name;
      this.kind = kind;
      this.category = category;
      this.stage = stage;
      this.countries = countries;
      this.overlay = overlay;
      this.terms = null;
    }

    get url() {
      return CA.sitePath(`/features/${encodeURIComponent(this.id)}`);
    }
  }

  class Large {
    constructor(app, feed, urls, first) {
      this.app = app;
      this.first = first; // the build's clusters, painted until the first index is drawn
      this.map = app.map;
      this.urls = urls;
      // Corridors on a canvas of their own (map-corridors.js); sites and clusters painted on
      // another, above (SiteLayer), so a new view repaints them alone.
      this.renderer = new CA.CorridorCanvas({
        padding: CANVAS_PADDING,
        tolerance: CORRIDOR_TOLERANCE,
      });
      this.items = [];
      this.tooltip = L.tooltip({ direction: "top", offset: [0, -8] });
      this.popup = L.popup(POPUP_OPTIONS);
      this.members = L.popup({ ...POPUP_OPTIONS, className: "atlas-popup-frame atlas-members" });
      this.fetched = new Map(); // popup HTML by feature id
      this.index = null; // supercluster's, of the sites that passed the filters (indexed)
      this.sites = [];
      this.corridors = [];
      this.signature = null;
      this.siteCount = 0;
      this.passing = null; // the numbers of the sites that pass the filters (apply)
      this.grid = null; // those sites placed for counting (siteGrid)
      this.shown = 0;
      this.drawn = 0;
      this.focused = null;
      this.keyed = 0;
      this.projected = 0; // corridors whose bands are kept at zoom 0 (projectInBackground)
      this.loaded = false; // an index is in place (a newer one may be on its way: apply)
      // The first index is made here, the next ones in a worker (map-clusters.js).
      this.clusters = new CA.ClusterIndex(
        feed.sites.lon,
        feed.sites.lat,
        CLUSTER_OPTIONS,
        (site) => this.sites[site].point,
        (index) => this.indexed(index),
      );
      this.read(feed);
      this.layer = new SiteLayer(this).addTo(this.map);
      this.map.on("click", (event) => this.click(event));
      this.map.on("mousemove", (event) => this.hover(event));
      // Site overlays are switches, not containers: reclustering follows them (once per turn).
      this.map.on("overlayadd overlayremove", () => {
        clearTimeout(this.pending);
        this.pending = setTimeout(() => app.filters.apply(), 0);
      });
      setTimeout(() => this.keyInBackground(), 0);
      setTimeout(() => this.clusters.startWorker(), 0);
    }

    /* --- the feed ------------------------------------------------------------------------- */

    read(feed) {
      const data = this.app.data;
      const look = siteLooks(data);
      const overlays = new Map(data.overlays.map((o) => [`${o.kind} ${o.category}`, o.key]));
      const describe = (columns, i, kind) => {
        const category = feed.categories[columns.category[i]];
        const stage = columns.stage[i];
        return new FeatureData(
          columns.id[i],
          columns.name[i],
          kind,
          category,
          stage < 0 ? "" : feed.stages[stage],
          feed.countrySets[columns.countries[i]],
          overlays.get(`${kind} ${category}`),
        );
      };
      const corridors = feed.corridors;
      const bands = corridors.bands || [];
      const limits = bands.map((band) => band.maxZoom);
      for (let i = 0; i < corridors.id.length; i += 1) {
        const feature = { data: describe(corridors, i, "corridor"), layer: null };
        const vertices = bands.map((band) => band.vertices[i]);
        const layer = new CA.BandedLine(corridors.lines[i], vertices, limits, {
          color: corridors.colour[i],
          dashArray: this.app.stageStyle(feature.data.stage).dash,
          renderer: this.renderer,
        });
        layer.bindTooltip(() => {
          const label = element("span");
          [label.textContent, label.lang] = CA.featureName(feature.data);
          return label;
        }, { sticky: true });
        layer.on("click", (event) => this.open(feature.data.id, event.latlng, true));
        feature.layer = layer;
        this.add(feature);
        this.corridors.push(feature);
      }
      const sites = feed.sites;
      for (let i = 0; i < sites.id.length; i += 1) {
        const feature = {
          data: describe(sites, i, "site"), layer: null, lat: sites.lat[i], lon: sites.lon[i],
        };
        const { colour, shape, stageFill } = look(feature.data.category, feature.data.stage);
        feature.colour = colour;
        feature.shape = shape;
        feature.stageFill = stageFill;
        feature.point = {
          type: "Feature",
          geometry: { type: "Point", coordinates: [feature.lon, feature.lat] },
          properties: { site: this.sites.length },
        };
        this.add(feature);
        this.sites.push(feature);
      }
      CA.whenIdle(() => stampAll(look.made()));
    }

    add(feature) {
      this.app.features.set(feature.data.id, feature);
      this.app.data.features.push(feature.data);
    }

    /* --- filters ---------------------------------------------------------------------------- */

    shownOverlays() {
      const overlays = this.app.overlays;
      return new Set(Object.keys(overlays).filter((k) => this.map.hasLayer(overlays[k].group)));
    }

    /* Show exactly the features that pass the filters; sites are reclustered only when what
     * passes has changed, and drawn anew once they are (indexed). */
    apply() {
      const filters = this.app.filters;
      const on = this.shownOverlays();
      let corridors = 0;
      const counts = {};
      for (const feature of this.corridors) {
        const group = this.app.overlays[feature.data.overlay].group;
        const pass = filters.passes(feature);
        if (pass && !group.hasLayer(feature.layer)) {
          group.addLayer(feature.layer);
        } else if (!pass && group.hasLayer(feature.layer)) {
          group.removeLayer(feature.layer);
        }
        if (pass && on.has(feature.data.overlay)) {
          corridors += 1;
          counts[feature.data.overlay] = (counts[feature.data.overlay] || 0) + 1;
        }
      }
      const signature = JSON.stringify([
        [...on], [...filters.status], [...filters.country], filters.only && [...filters.only],
      ]);
      if (signature !== this.signature) {
        this.signature = signature;
        const passing = [];
        const siteCounts = {};
        this.sites.forEach((site, number) => {
          if (on.has(site.data.overlay) && filters.passes(site)) {
            passing.push(number);
            siteCounts[site.data.overlay] = (siteCounts[site.data.overlay] || 0) + 1;
          }
        });
        this.siteCounts = siteCounts;
        this.siteCount = passing.length;
        this.passing = Int32Array.from(passing);
        this.grid = null; // made again when next counted
        this.clusters.load(this.passing);
      }
      this.shown = corridors + this.siteCount;
      this.counts = { ...counts, ...this.siteCounts };
    }

    indexed(index) {
      if (this.first) {
        this.first.remove();
        this.first = null;
      }
      this.index = index;
      this.loaded = true;
      this.redraw();
    }

    /* How many features of each overlay are shown, as of the last apply. */
    shownByOverlay() {
      return this.counts || {};
    }

    isShown(id) {
      const feature = this.app.features.get(id);
      const group = this.app.overlays[feature.data.overlay].group;
      if (!this.map.hasLayer(group)) {
        return false;
      }
      return feature.layer ? group.hasLayer(feature.layer) : this.app.filters.passes(feature);
    }

    shownCount() {
      return this.shown;
    }

    /* The features shown within the view, for the reader's list (map-reader.js): how many,
     * and, when ``listed``, each one as [id, data]. Sites are counted from a grid of them
     * (map-counts.js) and listed from the cluster index at full detail (a range query
     * returning the points themselves): a pan costs no pass over every feature. */
    inView(listed) {
      const bounds = this.map.getBounds();
      const corridors = this.corridors.filter(
        (c) => this.map.hasLayer(c.layer) && bounds.intersects(c.layer.getBounds()),
      );
      if (!listed) {
        return { count: corridors.length + this.siteGrid().count(boxOf(bounds)), entries: null };
      }
      const sites = this.loaded ? this.index.getClusters(boxOf(bounds), CLUSTER_MAX_ZOOM + 1) : [];
      const entries = corridors.map((c) => [c.data.id, c.data]);
      for (const point of sites) {
        const site = this.sites[point.properties.site];
        entries.push([site.data.id, site.data]);
      }
      return { count: entries.length, entries };
    }

    /* The sites that pass the filters, placed for counting (map-counts.js). */
    siteGrid() {
      const { lon, lat } = this.clusters.positions;
      this.grid = this.grid || new CA.SiteGrid(lon, lat, this.passing || []);
      return this.grid;
    }

    /* --- drawing ---------------------------------------------------------------------------- */

    /* The clusters and sites of the view (with a margin), painted by the sites layer. */
    draw() {
      if (!this.loaded) {
        return;
      }
      const map = this.map;
      const box = boxOf(map.getBounds().pad(CANVAS_PADDING));
      const items = this.index.getClusters(box, Math.round(map.getZoom()));
      this.items = items.map((item) => {
        const [lon, lat] = item.geometry.coordinates;
        const { cluster, point_count: count, site } = item.properties;
        return cluster ? clusterItem(item, lat, lon, count) : siteItem(this.sites[site], lat, lon);
      });
      this.layer.paint(this.items);
      this.drawn += 1;
      map.fire("atlasdrawn", { items: items.length });
    }

    redraw() {
      this.draw();
    }

    /* What is drawn at a point of the map's container, topmost first (sites over clusters). */
    itemAt(containerPoint) {
      const point = this.map.containerPointToLayerPoint(containerPoint);
      for (let i = this.items.length - 1; i >= 0; i -= 1) {
        const item = this.items[i];
        if (item.point && item.point.distanceTo(point) <= item.radius + 2) {
          return item;
        }
      }
      return null;
    }

    /* A click on a site opens its popup; on a cluster, zooms in (see expand). */
    click(event) {
      if (this.map.getContainer().classList.contains("atlas-measuring")) {
        return; // clicks add measuring points
      }
      const item = this.itemAt(event.containerPoint);
      if (item && item.site) {
        this.open(item.site.data.id, null, true);
      } else if (item) {
        this.expand(item.item);
      }
    }

    /* The name of the site under the pointer (or a cluster's size), and a hand cursor. */
    hover(event) {
      const item = this.itemAt(event.containerPoint);
      this.map.getContainer().classList.toggle("atlas-over-site", Boolean(item));
      if (!item) {
        this.map.closeTooltip(this.tooltip);
        return;
      }
      const label = element("span");
      if (item.site) {
        [label.textContent, label.lang] = CA.featureName(item.site.data);
      } else {
        const n = CA.formatNumber(item.count);
        label.textContent = CA.nt("%(n)s site", "%(n)s sites", item.count, { n });
      }
      this.tooltip.setLatLng([item.lat, item.lon]).setContent(label);
      if (!this.map.hasLayer(this.tooltip)) {
        this.tooltip.addTo(this.map);
      }
    }

    /* A click on a cluster zooms to where it splits, or lists its sites if they never do. */
    expand(item) {
      const [lon, lat] = item.geometry.coordinates;
      const zoom = this.index.getClusterExpansionZoom(item.properties.cluster_id);
      if (zoom <= CLUSTER_MAX_ZOOM) {
        this.map.setView([lat, lon], Math.max(zoom, this.map.getZoom() + 1));
        return;
      }
      const list = element("ul", "atlas-members-list");
      for (const leaf of this.index.getLeaves(item.properties.cluster_id, MEMBERS_LISTED)) {
        const site = this.sites[leaf.properties.site];
        const link = element("a");
        [link.textContent, link.lang] = CA.featureName(site.data);
        link.href = site.data.url;
        link.addEventListener("click", (event) => {
          event.preventDefault();
          this.open(site.data.id, null, true);
        });
        const entry = element("li");
        entry.appendChild(link);
        list.appendChild(entry);
      }
      const box = element("div", "atlas-popup");
      const count = item.properties.point_count;
      const here = CA.nt("%(n)s site here", "%(n)s sites here", count, {
        n: CA.formatNumber(count),
      });
      box.appendChild(element("h3", "atlas-popup-name", here));
      box.appendChild(list);
      const more = count - MEMBERS_LISTED;
      if (more > 0) {
        const rest = CA.nt("and %(n)s more", "and %(n)s more", more, { n: CA.formatNumber(more) });
        box.appendChild(element("p", "atlas-popup-meta", rest));
      }
      this.members.setLatLng([lat, lon]).setContent(box).openOn(this.map);
    }

    /* --- popups ----------------------------------------------------------------------------- */

    padPopups(topLeft, bottomRight) {
      for (const popup of [this.popup, this.members]) {
        popup.options.autoPanPaddingTopLeft = topLeft;
        popup.options.autoPanPaddingBottomRight = bottomRight;
      }
    }

    watchPopups() {
      this.map.on("popupopen", (event) => {
        if (event.popup === this.popup) {
          this.app.popupOpened(this.popup.atlasId);
        }
      });
      this.map.on("popupclose", (event) => {
        if (event.popup === this.popup) {
          this.app.popupClosed(this.popup.atlasId);
        }
      });
    }

    openPopup(id, autoPan) {
      this.open(id, null, autoPan);
    }

    /* Open the popup of feature ``id`` at ``latlng`` (its position, or a corridor's middle). */
    open(id, latlng, autoPan) {
      const feature = this.app.features.get(id);
      let at = latlng;
      if (!at) {
        at = feature.layer
          ? (feature.layer._map ? feature.layer.getCenter() : feature.layer.getBounds().getCenter())
          : L.latLng(feature.lat, feature.lon);
      }
      const popup = this.popup;
      this.map.closePopup();
      popup.atlasId = id;
      popup.options.autoPan = autoPan;
      popup.setLatLng(at).setContent(this.fetched.get(id) || this.fetch(id, autoPan));
      popup.openOn(this.map);
      popup.options.autoPan = true;
    }

    /* A placeholder, replaced by the popup's HTML (escaped by the server) once it arrives. */
    fetch(id, autoPan) {
      // The server answers in the language asked (else its cookie's): this page's.
      const url = CA.withLanguage(`${this.urls.popups}${encodeURIComponent(id)}.html`);
      fetch(url, { credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) {
            throw new Error(`${url}: HTTP ${response.status}`);
          }
          return response.text();
        })
        .then((html) => {
          this.fetched.set(id, html);
          if (this.popup.atlasId === id && this.map.hasLayer(this.popup)) {
            this.popup.options.autoPan = autoPan;
            this.popup.setContent(html);
            this.popup.options.autoPan = true;
          }
        })
        .catch((error) => {
          console.warn("Corridor Atlas: popup unavailable", error);
          if (this.popup.atlasId === id && this.map.hasLayer(this.popup)) {
            const failed = CA.t("This popup could not be loaded.");
            this.popup.setContent(element("p", "atlas-popup-meta", failed));
          }
        });
      return element("p", "atlas-popup-meta", CA.t("Loading…"));
    }

    /* /embed?focus=<id>: that feature drawn larger, on top, every other one faded. */
    focus(id) {
      this.focused = id;
      this.map.getContainer().classList.add("atlas-focus-mode");
      for (const corridor of this.corridors) {
        if (corridor.data.id !== id) {
          corridor.layer.setStyle(FADED);
        }
      }
      const feature = this.app.features.get(id);
      if (feature.layer) {
        feature.layer.setStyle({ weight: FOCUS_WEIGHT, opacity: 1 });
        this.map.whenReady(() => {
          if (this.map.hasLayer(feature.layer)) {
            feature.layer.bringToFront();
          }
        });
      } else {
        L.circleMarker([feature.lat, feature.lon], {
          ...FOCUS_SITE, fillColor: feature.colour, pane: "markerPane",
        }).on("click", () => this.open(id, null, true)).addTo(this.map);
      }
      this.redraw();
    }

    /* --- search ----------------------------------------------------------------------------- */

    key(count) {
      const memo = this.memo || (this.memo = new Map());
      const keyed = (text) => {
        let keys = memo.get(text);
        if (!keys) {
          keys = [CA.exactKey(text), CA.skeletonKey(text)];
          memo.set(text, keys);
        }
        return keys;
      };
      const features = this.app.data.features;
      const end = Math.min(features.length, this.keyed + count);
      for (; this.keyed < end; this.keyed += 1) {
        const data = features[this.keyed];
        data.terms = [CA.searchTerm(data.name, "name", keyed)];
      }
    }

    /* Names get their search keys in slices while the reader looks at the map; then the
     * corridors' lines are projected (projectInBackground). */
    keyInBackground() {
      this.key(KEYED_PER_SLICE);
      if (this.keyed < this.app.data.features.length) {
        CA.whenIdle(() => this.keyInBackground());
      } else {
        CA.whenIdle(() => this.projectInBackground());
      }
    }

    /* Every corridor's lines of every zoom band kept at zoom 0, in slices, so the first zoom
     * into a band scales them instead of projecting them (bench 5's 1,000 corridors: 67,000
     * vertices over their bands, about 25 ms in all). */
    projectInBackground() {
      const end = Math.min(this.corridors.length, this.projected + PROJECTED_PER_SLICE);
      for (; this.projected < end; this.projected += 1) {
        this.corridors[this.projected].layer.keepAllAtZoom0(this.map);
      }
      if (this.projected < this.corridors.length) {
        CA.whenIdle(() => this.projectInBackground());
      }
    }

    prepareSearch() {
      this.key(Infinity);
    }
  }

  /* Fetch the feed named by the page's data; resolves to the function map.js calls with the
   * app to build the Large object. */
  CA.loadLarge = function (map, data) {
    const { features, total } = data.large;
    const n = CA.formatNumber(total);
    const loading = CA.nt("Loading %(n)s feature…", "Loading %(n)s features…", total, { n });
    CA.notify(map, loading, 60);
    const first = FirstView.wanted(data) ? new FirstView(map, data) : null;
    return fetch(features, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) {
          throw new Error(`${features}: HTTP ${response.status}`);
        }
        return response.json();
      })
      .then((feed) => (app) => {
        const notice = map.getContainer().querySelector(".atlas-notice");
        if (notice) {
          notice.hidden = true;
        }
        return new Large(app, feed, data.large, first);
      })
      .catch((error) => {
        if (first) {
          first.remove();
        }
        const failed = CA.t("The atlas's features could not be loaded: reload the page to retry.");
        CA.notify(map, failed, 60);
        throw error;
      });
  };
})(window.CorridorAtlas = window.CorridorAtlas || {});
