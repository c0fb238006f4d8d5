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

  function label(className, feature, latlng) {
    const text = document.createElement("span");
    text.textContent = feature.properties.name; // text, never HTML
    text.lang = "en"; // Natural Earth's and GeoNames' English names: data, not the interface
    const marker = L.marker(latlng, {
      pane: LABEL_PANE,
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className, html: text, iconSize: null }),
    });
    marker.minZoom = feature.properties.minzoom || 0;
    return marker;
  }

  const countryLabel = (feature, latlng) => label("atlas-country-label", feature, latlng);
  const cityLabel = (feature, latlng) => label(
    feature.properties.capital ? "atlas-city-label atlas-capital" : "atlas-city-label",
    feature,
    latlng,
  );

  /* Names appear from their own zoom on, so small countries and cities do not crowd the map. */
  function showLabels(map, labels) {
    const zoom = map.getZoom();
    for (const group of labels) {
      group.eachLayer((marker) => {
        const node = marker.getElement();
        if (node) {
          node.hidden = zoom < marker.minZoom;
        }
      });
    }
  }

  /* A ring's vertices at zoom 0, as x, y pairs. */
  function atZoom0(map, latlngs) {
    const xy = new Float64Array(latlngs.length * 2);
    latlngs.forEach((latlng, i) => {
      const point = map.project(latlng, 0);
      xy[2 * i] = point.x;
      xy[2 * i + 1] = point.y;
    });
    return xy;
  }

  /* The layer points of a ring kept at zoom 0 (``atZoom0``): the pixels Leaflet's own
   * map.latLngToLayerPoint gives, rounded alike, from one multiplication per coordinate. */
  function scaledRing(map, xy) {
    const scale = map.getZoomScale(map.getZoom(), 0);
    const origin = map.getPixelOrigin();
    const ring = new Array(xy.length / 2);
    for (let i = 0; i < ring.length; i += 1) {
      ring[i] = L.point(
        Math.round(xy[2 * i] * scale) - origin.x,
        Math.round(xy[2 * i + 1] * scale) - origin.y,
      );
    }
    return ring;
  }

  /* Leaflet projects every vertex of a path anew at each zoom (map.latLngToLayerPoint per
   * vertex); a path given this projection keeps its rings at zoom 0 and scales them. The
   * base layer's 20,000 vertices took about 16 ms of each zoom so (bench 5). */
  const kept = new WeakMap(); // a ring's LatLngs -> its atZoom0 pairs
  function projectFromZoom0(latlngs, result, projectedBounds) {
    if (!(latlngs[0] instanceof L.LatLng)) {
      latlngs.forEach((inner) => projectFromZoom0.call(this, inner, result, projectedBounds));
      return;
    }
    let xy = kept.get(latlngs);
    if (!xy) {
      xy = atZoom0(this._map, latlngs);
      kept.set(latlngs, xy);
    }
    const ring = scaledRing(this._map, xy);
    ring.forEach((point) => projectedBounds.extend(point));
    result.push(ring);
  }

  /* Draw the base layer's GeoJSON into ``group``; return its layer of names. */
  function draw(group, collection) {
    const byLayer = (name) => ({
      type: "FeatureCollection",
      features: collection.features.filter((f) => f.properties.layer === name),
    });
    for (const name of ["land", "coastline", "border"]) {
      L.geoJSON(byLayer(name), {
        pane: PANE,
        interactive: false,
        style: () => ({ ...STYLES[name], className: `atlas-basemap-${name}` }),
        onEachFeature: (feature, layer) => {
          layer._projectLatlngs = projectFromZoom0;
        },
      }).addTo(group);
    }
    return L.geoJSON(byLayer("label"), { pointToLayer: countryLabel }).addTo(group);
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
      const labels = [];
      const relabel = () => showLabels(map, labels);
      const addLabels = (layer) => {
        labels.push(layer);
        relabel();
      };
      map.on("zoomend", relabel);
      // Each file is drawn as it comes: land and borders need not wait for the city names.
      drawn = Promise.all([
        shapes.then((collection) => addLabels(draw(drawing, collection))).catch((error) => {
          console.warn("Corridor Atlas: offline base layer unavailable", error);
        }),
        cities.then((names) => {
          if (names) {
            addLabels(L.geoJSON(names, { pointToLayer: cityLabel }).addTo(drawing));
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

  CA.atZoom0 = atZoom0;
  CA.scaledRing = scaledRing;
  CA.naturalEarth = naturalEarth;
  CA.watchTiles = watchTiles;
})(window.CorridorAtlas = window.CorridorAtlas || {});
