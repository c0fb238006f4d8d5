// The review page: a map of each proposal's points and, for a corridor, the line through its
// waypoints, over an offline Natural Earth base layer drawn beneath the tiles (so the map shows
// countries and coasts even when no tile loads); and selecting a proposal, from its section,
// its highlighted sentences or the map, marks its sentences and scrolls to them.
// The data comes from the page's JSON block (#review-data); nothing here builds HTML from it.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const map = L.map("review-map", { worldCopyJump: true });
  map.getContainer().classList.add("review-offline-base");

  // Beneath the tiles (their pane is at 200): where a tile loads it covers the base layer.
  const BASE_PANE = "review-basemap";
  map.createPane(BASE_PANE).style.zIndex = 150;
  const BASE_STYLES = {
    land: { stroke: false, fill: true, fillColor: "#f6f3ea", fillOpacity: 1 },
    coastline: { color: "#7ea6c2", weight: 1, fill: false },
    border: { color: "#9c8aa5", weight: 1, dashArray: "4 3", fill: false },
  };
  const baseRenderer = L.svg({ pane: BASE_PANE });
  const baseLayer = fetch("/basemap/natural-earth.geojson", { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) {
        throw new Error(`base layer: HTTP ${response.status}`);
      }
      return response.json();
    })
    .then((collection) => {
      for (const name of ["land", "coastline", "border"]) {
        const features = collection.features.filter((f) => f.properties.layer === name);
        L.geoJSON(
          { type: "FeatureCollection", features },
          {
            pane: BASE_PANE,
            renderer: baseRenderer,
            interactive: false,
            style: () => ({ ...BASE_STYLES[name], className: `review-basemap-${name}` }),
          },
        ).addTo(map);
      }
    })
    .catch((error) => console.warn("Corridor Atlas review: no offline base layer", error));
  map.getContainer().dataset.basemap = "loading";
  baseLayer.then(() => {
    map.getContainer().dataset.basemap = "drawn";
  });

  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    referrerPolicy: "no-referrer",
    attribution: "© OpenStreetMap contributors; Natural Earth",
  }).addTo(map);

  const colours = { pending: "#1f6fd1", accepted: "#2a8a3a", rejected: "#999999" };
  const bounds = [];
  const layersOf = new Map();
  const marks = Array.from(document.querySelectorAll("#article-text mark"));
  const cites = (mark, id) => (mark.dataset.proposals || "").split(" ").includes(id);

  /* Mark the sentences, the section and the map layers of proposal ``id``; scroll the
   * article to its first sentence, or the list to its section (``toSection``). */
  function select(id, toSection) {
    const own = marks.filter((mark) => cites(mark, id));
    marks.forEach((mark) => mark.classList.toggle("active", own.includes(mark)));
    document.querySelectorAll("section.proposal").forEach((section) => {
      section.classList.toggle("selected", section.dataset.id === id);
    });
    layersOf.forEach((layers, key) => {
      layers.forEach((layer) => layer.setStyle({ weight: key === id ? 6 : 3 }));
    });
    const section = document.querySelector(`section.proposal[data-id="${CSS.escape(id)}"]`);
    if (toSection && section) {
      section.scrollIntoView({ block: "nearest" });
    } else if (own.length) {
      own[0].scrollIntoView({ block: "center" });
    }
  }

  document.querySelectorAll("section.proposal").forEach((section) => {
    section.addEventListener("click", (event) => {
      const control = event.target.closest("form, a, input, select, textarea, label, button");
      if (!control || control.classList.contains("show-sentences")) {
        select(section.dataset.id, false);
      }
    });
  });
  marks.forEach((mark) => {
    mark.addEventListener("click", (event) => {
      event.stopPropagation(); // the innermost sentence clicked, not the ones around it
      select(mark.dataset.proposals.split(" ")[0], true);
    });
  });

  const drawn = data.map((item) => {
    const colour = colours[item.status] || colours.pending;
    const layers = [];
    if (item.line.length >= 2) {
      layers.push(L.polyline(item.line, { color: colour, weight: 3 }));
    }
    item.points.forEach((point) => {
      layers.push(L.circleMarker([point.lat, point.lon], { color: colour, radius: 7, weight: 3 }));
      bounds.push([point.lat, point.lon]);
    });
    item.line.forEach((position) => bounds.push(position));
    layersOf.set(item.id, layers);
    return [item, layers];
  });
  // The view first: a layer added to a map without one is only drawn later.
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 8 });
  } else {
    map.setView([43, 66], 4);
  }
  drawn.forEach(([item, layers]) => {
    layers.forEach((layer) => {
      // A text node, never a string: Leaflet would set a string as HTML.
      layer.bindTooltip(document.createTextNode(item.name || item.id));
      layer.on("click", () => select(item.id, true));
      layer.addTo(map);
      layer.getElement().setAttribute("data-proposal", item.id);
    });
  });
})();
