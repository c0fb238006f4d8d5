/* Corridor Atlas: the offline base layer (Natural Earth land, coasts, borders and country
 * names, and the names of capitals and large cities, all served by this app), drawn beneath the
 * tiles from the first paint so the map is never a blank grey field: tiles cover it as they
 * load, and where none loads it is the map. It is also a base layer of its own ("Offline"),
 * which the app switches to when no tile server answers.
 */
(function (CA) {
  "use strict";

  const PANE = "atlas-basemap";
  const LABEL_PANE = "atlas-basemap-labels";
  //: The city names, served beside the Natural Earth file (webapp/map/basemaps.py).
  const CITIES_FILE = "cities.geojson";
  //: A tile error with no tile loaded within this many ms means the tile server is unreachable.
  const TILE_GRACE_MS = 2000;
  //: Tiles that neither load nor fail (a hanging network) get this long before the switch.
  const TILE_SILENCE_MS = 10000;
  //: Names are shown within this share of the view's size beyond each of its edges, so a
  //: drag of up to half a view meets names already in place.
  const NAMES_MARGIN = 0.5;

  //: The base layers the theme chooses between when the reader has chosen none (keys of
  //: webapp.map.basemaps.BASEMAPS: the first one, and DARK_BASEMAP).
  const LIGHT_BASE = "osm";
  const DARK_BASE = "dark";

  /* The light theme's colours; the dark theme's are in map.css (by the class names below). */
  const STYLES = {
    land: { stroke: false, fill: true, fillColor: "#f6f3ea", fillOpacity: 1 },
    coastline: { color: "#7ea6c2", weight: 1, opacity: 1, fill: false },
    border: { color: "#9c8aa5", weight: 1, opacity: 0.9, dashArray: "4 3", fill: false },
  };

  /* Both panes lie under the tiles (200), so loaded tiles hide the offline drawing. */
  function panes(map) {
    if (!map.getPane(PANE)) {
      map.createPane(PANE).style.zIndex = 150;
      const labels = map.createPane(LABEL_PANE);
      labels.style.zIndex = 160;
      labels.style.pointerEvents = "none";
    }
  }

  /* Names at their places (Natural Earth's countries, GeoNames' cities), each shown from its
   * own zoom on so small countries and cities do not crowd the map, and only near the view
   * (within NAMES_MARGIN of it): the world's names all shown made every zoom restyle, lay out
   * and composite all 269 of them, most of them off screen (bench 5). One layer for them all
   * rather than a marker each: a zoom moves the names shown, once (a marker moves on both the
   * zoom and the reset that follows, hidden or not). Each is moved as Leaflet moves a marker,
   * by a 3D translation, which keeps it in a compositing layer of its own: with 2D ones the
   * browser sorted the names into layers anew at every frame (14-18 ms, against 2-8 ms). */
  const Names = L.Layer.extend({
    options: { pane: LABEL_PANE },

    /* ``features``: GeoJSON points with ``properties.name`` (and ``minzoom``);
     * ``classOf(feature)``: the class of its element. */
    initialize(features, classOf) {
      this.names = features.map((feature) => {
        const [lon, lat] = feature.geometry.coordinates;
        const node = document.createElement("div");
        node.className = classOf(feature);
        node.hidden = true; // until placed
        const text = node.appendChild(document.createElement("span"));
        text.textContent = feature.properties.name; // text, never HTML
        text.lang = "en"; // Natural Earth's and GeoNames' English names: data, not the interface
        const latlng = L.latLng(lat, lon);
        return { node, latlng, minZoom: feature.properties.minzoom || 0, placedFor: null };
      });
    },

    onAdd() {
      const pane = this.getPane();
      for (const name of this.names) {
        name.node.classList.toggle("leaflet-zoom-animated", this._zoomAnimated);
        name.placedFor = null;
        pane.appendChild(name.node);
      }
      this.place();
    },

    onRemove() {
      this.names.forEach((name) => name.node.remove());
    },

    getEvents() {
      const place = this.place;
      return { zoom: place, viewreset: place, moveend: place, zoomanim: this.animate };
    },

    /* Show the names of the zoom near the view, each at its place (moved only when the
     * projection changed since it was last placed). */
    place() {
      const map = this._map;
      const view = CA.projection(map);
      const near = map.getBounds().pad(NAMES_MARGIN);
      const zoom = map.getZoom();
      for (const name of this.names) {
        const hidden = zoom < name.minZoom || !near.contains(name.latlng);
        if (name.node.hidden !== hidden) {
          name.node.hidden = hidden;
        }
        if (!hidden && name.placedFor !== view) {
          name.placedFor = view;
          L.DomUtil.setPosition(name.node, map.latLngToLayerPoint(name.latlng).round());
        }
      }
    },

    /* Send the names shown to their places at the zoom being animated to. */
    animate(event) {
      const map = this._map;
      for (const name of this.names) {
        if (!name.node.hidden) {
          const at = map._latLngToNewLayerPoint(name.latlng, event.zoom, event.center);
          L.DomUtil.setPosition(name.node, at.round());
          name.placedFor = null; // placed for the zoom's end, which places it anew
        }
      }
    },
  });

  const countryClass = () => "atlas-country-label";
  const cityClass = (feature) => (
    feature.properties.capital ? "atlas-city-label atlas-capital" : "atlas-city-label"
  );

  /* Draw the base layer's GeoJSON into ``group`` on ``renderer``. */
  function draw(group, collection, renderer) {
    const byLayer = (name) => ({
      type: "FeatureCollection",
      features: collection.features.filter((f) => f.properties.layer === name),
    });
    for (const name of ["land", "coastline", "border"]) {
      L.geoJSON(byLayer(name), {
        pane: PANE,
        interactive: false,
        style: () => ({ ...STYLES[name], className: `atlas-basemap-${name}`, renderer }),
        onEachFeature: (feature, layer) => {
          layer._projectLatlngs = CA.projectFromZoom0;
        },
      }).addTo(group);
    }
    new Names(byLayer("label").features, countryClass).addTo(group);
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then((response) => {
      if (!response.ok) {
        throw new Error(`${url}: HTTP ${response.status}`);
      }
      return response.json();
    });
  }

  /* The base layer. Its files are fetched at once, as the app starts; ``underlay(map)``
   * draws them beneath the tiles of ``map`` when they arrive. Shown as the base layer, it
   * paints the map's background as sea (the tiles it replaces are gone). ``group``: the
   * empty layer group the page made for it (the layer control lists it), else a new one. */
  function naturalEarth(url, attribution, group = L.layerGroup([], { attribution })) {
    const cities = fetchJSON(new URL(CITIES_FILE, new URL(url, window.location.href)).href)
      .catch((error) => {
        console.warn("Corridor Atlas: city names unavailable", error);
        return null;
      });
    const shapes = fetchJSON(url);
    let drawn = null;
    group.underlay = (map) => {
      if (drawn) {
        return drawn;
      }
      panes(map);
      const drawing = L.layerGroup().addTo(map);
      const renderer = new CA.SteadySVG({ pane: PANE });
      // Each file is drawn as it comes: land and borders need not wait for the city names.
      drawn = Promise.all([
        shapes.then((collection) => draw(drawing, collection, renderer)).catch((error) => {
          console.warn("Corridor Atlas: offline base layer unavailable", error);
        }),
        cities.then((names) => {
          if (names) {
            new Names(names.features, cityClass).addTo(drawing);
          }
        }),
      ]);
      return drawn;
    };
    let shownOn = null;
    group.on("add", () => {
      shownOn = group._map;
      shownOn.getContainer().classList.add("atlas-offline-base");
      group.underlay(shownOn);
    });
    group.on("remove", () => {
      shownOn.getContainer().classList.remove("atlas-offline-base");
    });
    group.whenDrawn = () => drawn || Promise.resolve();
    return group;
  }

  /* Call ``fallBack(tiles)`` when the tile layer shown cannot load: a tile error with no tile
   * loaded within TILE_GRACE_MS, or no tile at all within TILE_SILENCE_MS. Once only: a base
   * layer the reader picks afterwards is left alone. */
  function watchTiles(map, tileLayers, fallBack) {
    followTheme(CA.app);
    let lastLoad = 0;
    let timer = null;
    let done = false;
    const shownTiles = () => tileLayers.find((layer) => map.hasLayer(layer));
    const giveUp = () => {
      const tiles = shownTiles();
      if (!done && tiles) {
        done = true;
        fallBack(tiles);
      }
    };
    for (const layer of tileLayers) {
      layer.on("tileload", () => {
        lastLoad = Date.now();
      });
      layer.on("tileerror", () => {
        if (done || timer || !map.hasLayer(layer)) {
          return;
        }
        const errorAt = Date.now();
        timer = setTimeout(() => {
          timer = null;
          if (lastLoad < errorAt && map.hasLayer(layer)) {
            giveUp();
          }
        }, TILE_GRACE_MS);
      });
    }
    setTimeout(() => {
      if (!lastLoad) {
        giveUp();
      }
    }, TILE_SILENCE_MS);
    if (navigator.onLine === false) {
      giveUp();
    }
  }

  /* Show the base layer of ``theme`` ("light" or "dark") in place of the other theme's, unless
   * the reader (or the URL) chose a base layer or the offline one stands in for failed tiles.
   * Kept out of the URL: the change is the theme's, not the reader's. */
  function themedBase(app, theme) {
    const map = app.map;
    const light = app.bases[LIGHT_BASE];
    const dark = app.bases[DARK_BASE];
    if (app.base || !light || !dark) {
      return;
    }
    const [shown, wanted] = theme === "dark" ? [light, dark] : [dark, light];
    if (!map.hasLayer(shown)) {
      return;
    }
    const restoring = app.restoring;
    app.restoring = true; // map.js records no base layer change while restoring
    try {
      map.removeLayer(shown);
      map.addLayer(wanted);
    } finally {
      app.restoring = restoring;
    }
  }

  /* The default base layer follows the theme (static/theme.js): at once, before the URL's
   * choice is applied, and whenever the theme changes. */
  function followTheme(app) {
    if (!app || !app.bases || !window.AtlasTheme) {
      return;
    }
    themedBase(app, window.AtlasTheme.theme());
    document.addEventListener("atlas:themechange", (event) => themedBase(app, event.detail.theme));
  }

  CA.NAMES_MARGIN = NAMES_MARGIN;
  CA.naturalEarth = naturalEarth;
  CA.watchTiles = watchTiles;
})(window.CorridorAtlas = window.CorridorAtlas || {});
