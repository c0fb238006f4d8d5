/* Corridor Atlas: print the map and save the current view as a PNG, in the reader's browser.
 *
 * Two buttons join the map's tools bar (not in /embed): "Print" (window.print(),
 * laid out by print.css) and "Save as PNG". The PNG is drawn here, with no outside service:
 * html-to-image (npm, vendored by `make js-vendor` into static/vendor/html-to-image/, added to
 * the page only at the first export so the map page does not grow for readers who never
 * export) copies the map container with its legend, attribution and scale into an image,
 * leaving out the interactive controls; the tiles are drawn underneath it from the images
 * already on screen. The tile layers load their images with crossOrigin="anonymous"
 * (webapp.map.page), which the tile hosts answer with CORS headers, so the canvas stays
 * readable; a base layer whose tiles do not allow it, or a missing library, ends in a
 * message saying so, never in silence.
 *
 * For print, a line over the map (hidden on screen) gives the title, the address of this view
 * and the date; the map is resized to the page before printing and back after.
 */
(function (CA) {
  "use strict";

  const HERE = (document.currentScript && document.currentScript.src) || "/static/";
  const LIBRARY_URL = new URL("vendor/html-to-image/html-to-image.js", HERE).href;
  const ICONS = {
    print: "M6 3h12v5H6zm-2 6h16a2 2 0 0 1 2 2v6h-4v4H6v-4H2v-6a2 2 0 0 1 2-2zm4 7v3h8v-3z",
    png: "M4 4h16v16H4zm2 2v9l4-4 3 3 2-2 3 3V6zm9 1.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3z",
  };
  /* Controls drawn into the PNG and printed; every other Leaflet control is left out. */
  const KEPT_CONTROLS = ["atlas-legend", "leaflet-control-attribution", "leaflet-control-scale"];
  /* Buttons inside the kept controls, and other things that are not part of the view. */
  const LEFT_OUT = [
    ".atlas-legend-only",
    ".atlas-legend-bulk",
    ".leaflet-popup-close-button",
    ".atlas-notice",
    ".atlas-skip-link",
  ].join(",");

  let loading = null; // the library's script being added (or added, or failed)

  /* html-to-image's global, once its script (same origin, so the CSP lets it run) has run. */
  function library() {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = LIBRARY_URL;
        script.onload = () => (window.htmlToImage
          ? resolve(window.htmlToImage)
          : reject(new Error(`${LIBRARY_URL} defined no htmlToImage`)));
        script.onerror = () => reject(new Error(`${LIBRARY_URL} could not be loaded`));
        document.head.appendChild(script);
      });
      loading.catch(() => { loading = null; }); // a later click tries again
    }
    return loading;
  }

  /* Whether html-to-image copies ``node`` into the image: not the interactive controls, not
   * the tiles (drawn apart, below), not the buttons inside the legend. */
  function kept(node) {
    if (!(node instanceof Element)) {
      return true;
    }
    if (node.classList.contains("leaflet-control")) {
      return KEPT_CONTROLS.some((name) => node.classList.contains(name));
    }
    if (node.classList.contains("leaflet-tile") || node.matches(LEFT_OUT)) {
      return false;
    }
    // Not drawn anyway (e.g. the offline base's labels out of their zoom): copying their
    // styles would only slow the export down.
    return getComputedStyle(node).display !== "none";
  }

  /* "2026-11-30": today in the reader's time zone, for the file name. */
  function today() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  }

  /* The loaded tiles on screen, drawn at their place (with their layer's opacity) onto
   * ``context``, which covers the map container at ``ratio`` pixels per CSS pixel. */
  function drawTiles(container, context, ratio) {
    const origin = container.getBoundingClientRect();
    for (const tile of container.querySelectorAll("img.leaflet-tile-loaded")) {
      const box = tile.getBoundingClientRect();
      const layer = tile.closest(".leaflet-layer");
      const opacity = Number(getComputedStyle(tile).opacity)
        * (layer ? Number(getComputedStyle(layer).opacity) : 1);
      if (!box.width || !box.height || !opacity) {
        continue;
      }
      context.globalAlpha = opacity;
      context.drawImage(
        tile,
        (box.left - origin.left) * ratio,
        (box.top - origin.top) * ratio,
        box.width * ratio,
        box.height * ratio,
      );
    }
  }

  /* A canvas of the tiles in view, put in the tile pane (over the offline base, under the
   * features, as the tiles are) to stand for them in the image: html-to-image would fetch
   * each tile again, which the CSP's connect-src forbids, whereas a canvas it copies as it is.
   * None when no tile is shown. */
  function tileCanvas(map, ratio) {
    const container = map.getContainer();
    const pane = map.getPane("tilePane");
    if (!pane || !container.querySelector("img.leaflet-tile-loaded")) {
      return null;
    }
    const [width, height] = [container.clientWidth, container.clientHeight];
    const canvas = document.createElement("canvas");
    canvas.className = "atlas-export-tiles";
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const offset = L.DomUtil.getPosition(map.getPane("mapPane")) || L.point(0, 0);
    Object.assign(canvas.style, {
      position: "absolute",
      left: `${-offset.x}px`,
      top: `${-offset.y}px`,
      width: `${width}px`,
      height: `${height}px`,
      zIndex: "1000",
      pointerEvents: "none",
    });
    drawTiles(container, canvas.getContext("2d"), ratio);
    pane.appendChild(canvas);
    return canvas;
  }

  /* Run ``work`` with the legend unfolded, the tiles as one canvas and the markers' gradients
   * (defined outside the map, in map.js's hidden SVG) copied into it, so that all are drawn;
   * undone after. */
  async function asDrawn(map, ratio, work) {
    const container = map.getContainer();
    const folded = [...container.querySelectorAll(".atlas-legend details:not([open])")];
    folded.forEach((details) => { details.open = true; });
    const defs = document.querySelector("svg.atlas-defs");
    const copy = defs ? defs.cloneNode(true) : null;
    if (copy) {
      copy.classList.add("atlas-export-defs");
      container.appendChild(copy);
    }
    let tiles = null;
    try {
      tiles = tileCanvas(map, ratio);
      return await work();
    } finally {
      folded.forEach((details) => { details.open = false; });
      for (const added of [copy, tiles]) {
        if (added) {
          added.remove();
        }
      }
    }
  }

  /* The current view as a PNG blob of the container's size × devicePixelRatio. A tile
   * without CORS taints the tiles' canvas: html-to-image's copy of it (toDataURL) then throws
   * a SecurityError. */
  async function renderPng(map) {
    const images = await library();
    const container = map.getContainer();
    const ratio = window.devicePixelRatio || 1;
    return asDrawn(map, ratio, () => images.toBlob(container, {
      pixelRatio: ratio,
      filter: kept,
      skipFonts: true, // the app serves no web fonts; the system's are drawn as they are
      // The map sits under the page's header: in the image it starts at the top.
      style: { position: "relative", inset: "0", margin: "0" },
    }));
  }

  function download(blob) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `corridor-atlas-${today()}.png`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  }

  async function savePng(map, node) {
    node.disabled = true;
    node.setAttribute("aria-busy", "true");
    try {
      const blob = await renderPng(map);
      if (!blob) {
        throw new Error("html-to-image made no image");
      }
      download(blob);
      CA.notify(map, CA.t("The map was saved as a PNG image."), 4);
    } catch (error) {
      const tainted = error && error.name === "SecurityError";
      console.warn(`Save as PNG failed: ${error}`);
      CA.notify(map, tainted
        ? CA.t("This base map's tiles cannot be saved in an image. Choose the offline Natural Earth base layer and try again.")
        : CA.t("The map could not be saved as an image: the export tool did not load. Please try again later."));
    } finally {
      node.disabled = false;
      node.removeAttribute("aria-busy");
    }
  }

  /* --- print ------------------------------------------------------------------------------ */

  /* The print-only heading over the map: title, this view's address, the date. */
  function printHeader() {
    const header = document.createElement("div");
    header.className = "atlas-print-header";
    header.hidden = true; // print.css shows it on paper
    const title = document.createElement("p");
    title.className = "atlas-print-title";
    const heading = document.querySelector("h1");
    title.textContent = heading ? heading.textContent.trim() : document.title;
    const origin = document.createElement("p");
    origin.className = "atlas-print-origin";
    header.append(title, origin);
    return header;
  }

  function updateOrigin(header) {
    const date = new Intl.DateTimeFormat(CA.language(), { dateStyle: "long" }).format(new Date());
    header.querySelector(".atlas-print-origin").textContent = CA.t(
      "Printed from %(address)s on %(date)s", { address: window.location.href, date },
    );
  }

  /* Before printing: the current address in the heading, the map fitted to the paper. */
  function wirePrint(map, header) {
    const before = () => {
      updateOrigin(header);
      map.invalidateSize();
    };
    const after = () => map.invalidateSize();
    window.addEventListener("beforeprint", before);
    window.addEventListener("afterprint", after);
    window.matchMedia("print").addEventListener("change", (event) => {
      if (event.matches) {
        before();
      } else {
        after();
      }
    });
    updateOrigin(header);
  }

  /* --- the bar ------------------------------------------------------------------------------ */

  function button(label, pathData, className) {
    const node = document.createElement("button");
    node.type = "button";
    node.className = `atlas-tool ${className}`;
    node.setAttribute("aria-label", label);
    node.title = label;
    node.appendChild(CA.icon(pathData));
    return node;
  }

  /* Print and Save as PNG, at the end of the tools bar (map-controls.js), else in a bar of
   * their own. */
  function addExport(map) {
    const header = printHeader();
    document.body.insertBefore(header, document.body.firstChild);
    wirePrint(map, header);
    const print = button(CA.t("Print"), ICONS.print, "atlas-print");
    print.addEventListener("click", () => {
      updateOrigin(header);
      window.print();
    });
    const png = button(CA.t("Save as PNG"), ICONS.png, "atlas-save-png");
    png.addEventListener("click", () => savePng(map, png));
    const tools = map.getContainer().querySelector(".atlas-tools");
    if (tools) {
      tools.append(print, png);
      return;
    }
    const Export = L.Control.extend({
      options: { position: "topleft" },
      onAdd() {
        const bar = document.createElement("div");
        bar.className = "leaflet-bar atlas-tools";
        bar.append(print, png);
        L.DomEvent.disableClickPropagation(bar);
        return bar;
      },
    });
    new Export().addTo(map);
  }

  /* The map gets the bar once CorridorAtlas.start has added the other tools (the map exists
   * before this deferred script runs); an embedded map stays bare. */
  document.addEventListener("atlas:started", (event) => {
    if (!CA.embedded) {
      addExport(event.detail.map);
    }
  });

  CA.exportPng = renderPng;
})(window.CorridorAtlas = window.CorridorAtlas || {});
