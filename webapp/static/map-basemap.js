/* Corridor Atlas: the offline base layer (Natural Earth land, coasts, borders and country
 * names, served by this app) and the switch to it when no tile server answers, so the map is
 * never a blank grey field.
 */
(function (CA) {
  "use strict";

  const PANE = "atlas-basemap";
  const LABEL_PANE = "atlas-basemap-labels";
  //: A tile error with no tile loaded within this many ms means the tile server is unreachable.
  const TILE_GRACE_MS = 2000;
  //: Tiles that neither load nor fail (a hanging network) get this long before the switch.
  const TILE_SILENCE_MS = 10000;

  const STYLES = {
    land: { stroke: false, fill: true, fillColor: "#f6f3ea", fillOpacity: 1 },
    coastline: { color: "#7ea6c2", weight: 1, opacity: 1, fill: false },
    border: { color: "#9c8aa5", weight: 1, opacity: 0.9, dashArray: "4 3", fill: false },
  };

  function panes(map) {
    if (!map.getPane(PANE)) {
      map.createPane(PANE).style.zIndex = 250; // above tiles (200), below features (400)
      const labels = map.createPane(LABEL_PANE);
      labels.style.zIndex = 350;
      labels.style.pointerEvents = "none";
    }
  }

  function countryLabel(feature, latlng) {
    const text = document.createElement("span");
    text.textContent = feature.properties.name; // text, never HTML
    const marker = L.marker(latlng, {
      pane: LABEL_PANE,
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: "atlas-country-label", html: text, iconSize: null }),
    });
    marker.minZoom = feature.properties.minzoom || 0;
    return marker;
  }

  /* Country names appear from their own zoom on, so small countries do not crowd the map. */
  function showLabels(map, labels) {
    const zoom = map.getZoom();
    labels.eachLayer((marker) => {
      const node = marker.getElement();
      if (node) {
        node.hidden = zoom < marker.minZoom;
      }
    });
  }

  /* Draw the GeoJSON of the base layer into ``group``. */
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
      }).addTo(group);
    }
    const labels = L.geoJSON(byLayer("label"), { pointToLayer: countryLabel }).addTo(group);
    return labels;
  }

  /* The base layer: a layer group that fetches and draws its GeoJSON the first time it is
   * shown, and paints the map background as sea while it is. */
  function naturalEarth(url, attribution) {
    const group = L.layerGroup([], { attribution });
    let loading = null;
    let map = null;
    let labels = null;
    const relabel = () => labels && showLabels(map, labels);
    group.on("add", () => {
      map = group._map;
      panes(map);
      map.getContainer().classList.add("atlas-offline-base");
      map.on("zoomend", relabel);
      relabel();
      if (!loading) {
        loading = fetch(url, { credentials: "same-origin" })
          .then((response) => {
            if (!response.ok) {
              throw new Error(`${url}: HTTP ${response.status}`);
            }
            return response.json();
          })
          .then((collection) => {
            labels = draw(group, collection);
            relabel();
          })
          .catch((error) => {
            loading = null;
            console.warn("Corridor Atlas: offline base layer unavailable", error);
          });
      }
    });
    group.on("remove", () => {
      map.getContainer().classList.remove("atlas-offline-base");
      map.off("zoomend", relabel);
    });
    group.whenDrawn = () => loading || Promise.resolve();
    return group;
  }

  /* Call ``fallBack(tiles)`` when the tile layer shown cannot load: a tile error with no tile
   * loaded within TILE_GRACE_MS, or no tile at all within TILE_SILENCE_MS. Once only: a base
   * layer the reader picks afterwards is left alone. */
  function watchTiles(map, tileLayers, fallBack) {
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

  CA.naturalEarth = naturalEarth;
  CA.watchTiles = watchTiles;
})(window.CorridorAtlas = window.CorridorAtlas || {});
