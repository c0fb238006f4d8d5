// The review map: each proposal's points and, for a corridor, the line through its waypoints.
// The data comes from the page's JSON block (#review-data); nothing here builds HTML from it.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("review-data").textContent);
  const map = L.map("review-map", { worldCopyJump: true });
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: "© OpenStreetMap contributors",
  }).addTo(map);
  const colours = { pending: "#1f6fd1", accepted: "#2a8a3a", rejected: "#999999" };
  const bounds = [];

  function highlight(id) {
    document.querySelectorAll("mark").forEach((mark) => {
      const ids = (mark.dataset.proposals || "").split(" ");
      mark.classList.toggle("active", ids.includes(id));
    });
  }

  data.forEach((item) => {
    const colour = colours[item.status] || colours.pending;
    const layers = [];
    if (item.line.length >= 2) {
      layers.push(L.polyline(item.line, { color: colour, weight: 4 }));
    }
    item.points.forEach((point) => {
      layers.push(L.circleMarker([point.lat, point.lon], { color: colour, radius: 7 }));
      bounds.push([point.lat, point.lon]);
    });
    item.line.forEach((position) => bounds.push(position));
    layers.forEach((layer) => {
      // A text node, never a string: Leaflet would set a string as HTML.
      layer.bindTooltip(document.createTextNode(item.name || item.id));
      layer.on("click", () => highlight(item.id));
      layer.addTo(map);
      if (layer.getElement && layer.getElement()) {
        layer.getElement().setAttribute("data-proposal", item.id);
      }
    });
  });
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 8 });
  } else {
    map.setView([43, 66], 4);
  }
})();
