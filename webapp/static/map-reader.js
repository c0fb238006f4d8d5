/* Corridor Atlas: the map as a reader meets it on a phone, with a keyboard or a screen reader.
 *
 * Started by map.js's "atlas:started" event, once the app is wired, it
 * - puts the map in the page's <main> and the map's controls before its features in the
 *   document, so Tab reaches zoom, tools, "Features in view", layers, filters and legend
 *   first, and the features after them;
 * - names every feature for screen readers ("<name>, <category>, <stage>") and lets Enter or
 *   Space open it, as a click does;
 * - lists the features in view (a control, and a skip link to it);
 * - moves focus into an opened popup, and back to the feature (or the list entry that opened
 *   it) when Escape or the close button closes it;
 * - on a small screen, shows the popup's content in a sheet (along the bottom in portrait, at
 *   the side in landscape) instead of a popup scrolling inside the map, folds the legend, hides
 *   passing notices and pans the map so the feature stays in sight beside the sheet;
 * - on a touch screen, closes hover tooltips as they open, which a tap would leave stuck;
 * - draws the offline base beneath the tiles from the start (map-basemap.js).
 * Its words are the page's language (CA.t, map-i18n.js); categories and stages are named as
 * the page data names them (its "categories" and "stages" labels, in the page's language).
 */
(function (CA) {
  "use strict";

  /* A screen where a popup would cover most of the map: the details go in a sheet. */
  const SHEET_SCREEN = "(max-width: 640px), (max-height: 500px)";
  const LANDSCAPE = "(orientation: landscape)";
  const TOUCH = "(hover: none), (pointer: coarse)";
  //: Room kept around the feature beside a sheet (px): clear of the corner controls.
  const CLEAR_X = 64;
  const CLEAR_Y = 56;
  const LIST_ID = "atlas-features-in-view";
  const LIST_WITHIN_MS = 250; // the list follows a move of the map within this, however busy

  const matches = (query) => window.matchMedia(query).matches;
  const calm = () => matches("(prefers-reduced-motion: reduce)");

  const vocabularies = new WeakMap();

  /* The page data's label of each category (by its overlays) and stage (by its key), in the
   * page's language. */
  function vocabulary(pageData) {
    let found = vocabularies.get(pageData);
    if (!found) {
      const category = new Map();
      for (const entry of pageData.categories || []) {
        for (const overlay of entry.overlays || []) {
          category.set(overlay, entry.label || entry.name);
        }
      }
      const stage = new Map((pageData.stages || []).map((s) => [s.key, s.label || s.name]));
      found = { category, stage };
      vocabularies.set(pageData, found);
    }
    return found;
  }

  /* A stage's label ("under-construction": "under construction", «строится»); a feature
   * without a stage says so. A slug the page data does not list is shown as its words. */
  function stageText(pageData, slug) {
    if (!slug) {
      return CA.t("stage not stated");
    }
    return vocabulary(pageData).stage.get(slug) || slug.replace(/-/g, " ");
  }

  /* The label of the category of feature ``data`` (the page data's, by the feature's overlay). */
  function categoryText(pageData, data) {
    return vocabulary(pageData).category.get(data.overlay) || data.category;
  }

  /* Orders [id, data] entries by the features' English names. */
  const byName = (a, b) => a[1].name.localeCompare(b[1].name);

  /* A feature's name in the page's language where the page data has one (``name_ru``…),
   * else its English name: [text, language of the text]. */
  function nameOf(data) {
    const language = CA.language();
    const local = language !== "en" ? data[`name_${language}`] : null;
    return local ? [local, language] : [data.name, "en"];
  }

  /* What a screen reader says for a feature: "<name>, <category>, <stage>". */
  function accessibleName(pageData, data) {
    return CA.t("%(name)s, %(category)s, %(stage)s", {
      name: nameOf(data)[0],
      category: categoryText(pageData, data),
      stage: stageText(pageData, data.stage),
    });
  }

  /* ``node`` showing the feature's name, marked with the name's language (English names are
   * the catalogue's data, not the interface's words). */
  function named(node, data) {
    const [text, language] = nameOf(data);
    node.textContent = text;
    node.lang = language;
    return node;
  }

  /* The page's one <main> holds the map; the map's controls come before its panes. */
  function landmarks(map) {
    const container = map.getContainer();
    if (!container.closest("main")) {
      const main = document.createElement("main");
      main.id = "atlas-main";
      container.before(main);
      main.append(container);
    }
    const controls = container.querySelector(".leaflet-control-container");
    if (controls) {
      container.insertBefore(controls, container.firstChild);
    }
  }

  class Reader {
    constructor(app) {
      this.app = app;
      this.map = app.map;
      this.container = app.map.getContainer();
      this.ids = new WeakMap(); // feature element or layer -> feature id
      this.returnTo = null; // where focus goes when the open popup closes
      this.sheetPopup = null; // the popup whose content is in the sheet
      this.listedIds = "";
    }

    start() {
      landmarks(this.map);
      if (this.app.bases.offline && this.app.bases.offline.underlay) {
        this.app.bases.offline.underlay(this.map);
      }
      this.nameFeatures();
      this.dropTooltips();
      this.sheet = this.makeSheet();
      this.list = this.makeList();
      this.map.on("popupopen", (event) => this.opened(event.popup));
      this.map.on("popupclose", (event) => this.closed(event.popup));
      document.addEventListener("keydown", (event) => this.escape(event));
      this.container.addEventListener("keydown", (event) => this.activate(event));
      if (this.map._popup && this.map.hasLayer(this.map._popup)) {
        this.opened(this.map._popup, { focus: false }); // opened by the URL, before us
      }
    }

    /* --- features: named, focusable, opened by Enter or Space ------------------------------ */

    nameFeatures() {
      // A large atlas's sites have no layer of their own (one canvas paints them all): only
      // its corridors are walked, not 100,000 features.
      const app = this.app;
      const features = app.large ? app.large.corridors : app.features.values();
      for (const feature of features) {
        const id = feature.data.id;
        const layer = feature.layer;
        if (!layer || !layer.getElement) {
          continue;
        }
        this.ids.set(layer, id);
        const label = accessibleName(this.app.data, feature.data);
        const apply = () => {
          const node = layer.getElement();
          if (node) {
            node.setAttribute("role", "button");
            node.setAttribute("tabindex", "0");
            node.setAttribute("aria-label", label);
            this.ids.set(node, id);
          }
        };
        apply();
        layer.on("add", apply); // Leaflet makes a new element each time a layer is added
      }
    }

    activate(event) {
      const id = this.ids.get(event.target);
      if (id && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        this.returnTo = event.target;
        this.app.openPopup(id, true);
      }
    }

    /* Hover tooltips stay after a tap on a touch screen, over the map: none there. They are
     * closed as they open rather than unbound: Leaflet leaves an unbound tooltip's focus
     * listener on the feature, which then fails when the feature takes focus. */
    dropTooltips() {
      if (matches(TOUCH)) {
        this.map.on("tooltipopen", (event) => this.map.closeTooltip(event.tooltip));
      }
    }

    /* --- the list of the features in view --------------------------------------------------- */

    makeList() {
      if (!this.app.data.features.length) {
        return null; // an atlas without features has nothing to list
      }
      const box = CA.element("div", "leaflet-bar atlas-feature-list");
      const toggle = CA.element("button", "atlas-feature-list-toggle");
      toggle.type = "button";
      toggle.id = LIST_ID;
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-controls", `${LIST_ID}-panel`);
      const panel = CA.element("div", "atlas-feature-list-panel");
      panel.id = `${LIST_ID}-panel`;
      panel.hidden = true;
      const items = CA.element("ul", "atlas-feature-list-items");
      items.setAttribute("aria-label", CA.t("Features in view"));
      panel.append(items);
      box.append(toggle, panel);
      toggle.addEventListener("click", () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        panel.hidden = !open;
        this.refreshList();
      });
      box.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && !panel.hidden) {
          toggle.click();
          toggle.focus();
        }
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      const Control = L.Control.extend({
        options: { position: "topleft" },
        onAdd: () => box,
      });
      new Control().addTo(this.map);
      this.listParts = { toggle, panel, items };
      // The list follows the view once the map is idle: at 100,000 sites, counting what a
      // zoomed-out view holds took 10-20 ms, which the map's new view waited for.
      let pending = false;
      const later = () => {
        if (!pending) {
          pending = true;
          CA.whenIdle(() => {
            pending = false;
            this.refreshList();
          }, LIST_WITHIN_MS);
        }
      };
      this.map.on("moveend zoomend layeradd layerremove", later);
      this.refreshList();
      return box;
    }

    /* The features shown on the map within the view, by name. */
    inView() {
      if (this.app.large) {
        return this.app.large.inView(true).entries.sort(byName);
      }
      const bounds = this.map.getBounds();
      const shown = [];
      for (const [id, feature] of this.app.features) {
        const layer = feature.layer;
        if (!layer || !this.map.hasLayer(layer)) {
          continue;
        }
        const seen = layer.getLatLng
          ? bounds.contains(layer.getLatLng())
          : bounds.intersects(layer.getBounds());
        if (seen) {
          shown.push([id, feature.data]);
        }
      }
      return shown.sort(byName);
    }

    /* Rebuilt only when what is in view changed: a popup opening (a layer added) or a pan
     * that keeps the same features leaves the entries, and the focus on one, in place. */
    refreshList() {
      const { toggle, panel, items } = this.listParts;
      // A large atlas counts what is in view from its clusters while the list is closed.
      const counted = this.app.large && panel.hidden ? this.app.large.inView(false) : null;
      const shown = counted ? [] : this.inView();
      toggle.textContent = CA.t("Features in view (%(count)s)", {
        count: CA.formatNumber(counted ? counted.count : shown.length),
      });
      const listed = panel.hidden ? "" : shown.map(([id]) => id).join(" ");
      if (panel.hidden || listed === this.listedIds) {
        this.listedIds = listed;
        return;
      }
      this.listedIds = listed;
      const keep = document.activeElement && items.contains(document.activeElement)
        ? document.activeElement.dataset.id : null;
      items.replaceChildren();
      if (!shown.length) {
        const none = CA.t("None: zoom out or clear filters.");
        items.append(CA.element("li", "atlas-feature-list-empty", none));
      }
      for (const [id, data] of shown) {
        const entry = CA.element("li");
        const button = CA.element("button", "atlas-feature-list-item");
        button.type = "button";
        button.dataset.id = id;
        const note = CA.t("%(category)s, %(stage)s", {
          category: categoryText(this.app.data, data),
          stage: stageText(this.app.data, data.stage),
        });
        button.append(
          named(CA.element("span", "atlas-feature-list-name"), data),
          CA.element("span", "atlas-feature-list-note", note),
        );
        button.addEventListener("click", () => {
          this.returnTo = button;
          this.app.openPopup(id, true);
        });
        entry.append(button);
        items.append(entry);
        if (id === keep) {
          button.focus();
        }
      }
    }

    /* --- popups and the sheet -------------------------------------------------------------- */

    makeSheet() {
      const sheet = CA.element("section", "atlas-sheet");
      sheet.hidden = true;
      sheet.tabIndex = -1;
      sheet.setAttribute("role", "dialog");
      const close = CA.element("button", "atlas-sheet-close");
      close.type = "button";
      close.setAttribute("aria-label", CA.t("Close details"));
      close.append(CA.element("span", "", "×"));
      close.firstChild.setAttribute("aria-hidden", "true");
      close.addEventListener("click", () => this.map.closePopup());
      const body = CA.element("div", "atlas-sheet-body");
      sheet.append(close, body);
      L.DomEvent.disableClickPropagation(sheet);
      L.DomEvent.disableScrollPropagation(sheet);
      this.container.append(sheet);
      this.sheetBody = body;
      return sheet;
    }

    nameOf(popup) {
      const id = popup.atlasId || this.ids.get(popup._source);
      const feature = this.app.feature(id);
      return feature ? { id, name: nameOf(feature.data)[0] } : { id: null, name: CA.t("Details") };
    }

    opened(popup, { focus = true } = {}) {
      const { id, name } = this.nameOf(popup);
      if (!this.returnTo || !document.contains(this.returnTo)) {
        const layer = id && this.app.feature(id).layer;
        this.returnTo = (layer && layer.getElement && layer.getElement()) || null;
      }
      let target;
      if (matches(SHEET_SCREEN)) {
        target = this.toSheet(popup, name);
      } else {
        target = popup.getElement().querySelector(".leaflet-popup-content-wrapper");
        target.setAttribute("role", "dialog");
        target.setAttribute("aria-label", name);
        target.tabIndex = -1;
      }
      const typing = document.activeElement && document.activeElement.matches("input, textarea");
      if (focus && !this.app.restoring && !typing) {
        target.focus({ preventScroll: true });
      }
    }

    /* Move the popup's content into the sheet: Leaflet keeps updating that node (a large
     * atlas's popup fills it when fetched), and it goes back in closed(). */
    toSheet(popup, name) {
      const content = popup.getElement().querySelector(".leaflet-popup-content");
      popup.getElement().classList.add("atlas-popup-in-sheet");
      this.sheetBody.replaceChildren(content);
      this.sheetPopup = popup;
      this.sheet.setAttribute("aria-label", name);
      this.sheet.classList.toggle("atlas-sheet-side", matches(LANDSCAPE));
      this.sheet.hidden = false;
      this.container.classList.add("atlas-sheet-open");
      for (const details of this.container.querySelectorAll(".atlas-legend details[open]")) {
        details.open = false;
      }
      this.map.stop(); // the popup's own autopan, made for a popup the sheet replaces
      requestAnimationFrame(() => this.keepClear(popup));
      return this.sheet;
    }

    /* Pan the feature into the part of the map the sheet and the controls leave free. */
    keepClear(popup) {
      if (this.sheetPopup !== popup || !popup.getLatLng()) {
        return;
      }
      const size = this.map.getSize();
      const free = { left: 0, top: 0, right: size.x, bottom: size.y };
      if (this.sheet.classList.contains("atlas-sheet-side")) {
        free.right = this.sheet.offsetLeft;
      } else {
        free.bottom = this.sheet.offsetTop;
      }
      const point = this.map.latLngToContainerPoint(popup.getLatLng());
      const clear = point.x >= free.left + CLEAR_X && point.x <= free.right - CLEAR_X
        && point.y >= free.top + CLEAR_Y && point.y <= free.bottom - CLEAR_Y;
      if (!clear) {
        const centre = L.point((free.left + free.right) / 2, (free.top + free.bottom) / 2);
        this.map.panBy(point.subtract(centre), { animate: !calm() });
      }
    }

    closed(popup) {
      const holder = popup.getElement();
      const focusWasInside = document.activeElement === document.body
        || this.sheet.contains(document.activeElement)
        || (holder && holder.contains(document.activeElement));
      if (this.sheetPopup === popup) {
        const content = this.sheetBody.querySelector(".leaflet-popup-content");
        const wrapper = holder.querySelector(".leaflet-popup-content-wrapper");
        if (content && wrapper) {
          wrapper.append(content);
        }
        holder.classList.remove("atlas-popup-in-sheet");
        this.sheetPopup = null;
        this.sheet.hidden = true;
        this.container.classList.remove("atlas-sheet-open");
      }
      let back = this.returnTo;
      this.returnTo = null;
      if (back && !document.contains(back) && back.dataset && back.dataset.id && this.list) {
        back = this.list.querySelector(`[data-id="${CSS.escape(back.dataset.id)}"]`);
      }
      if (focusWasInside && back && document.contains(back)) {
        back.focus({ preventScroll: true });
      }
    }

    /* Escape in an open popup or the sheet closes it (focus then goes back, see closed). */
    escape(event) {
      if (event.key !== "Escape" || !this.map._popup || !this.map.hasLayer(this.map._popup)) {
        return;
      }
      const holder = this.map._popup.getElement();
      const inside = this.sheet.contains(event.target) || (holder && holder.contains(event.target));
      if (inside) {
        event.preventDefault();
        this.map.closePopup();
      }
    }
  }

  document.addEventListener("atlas:started", (event) => {
    const reader = new Reader(event.detail);
    reader.start();
    CA.reader = reader;
  });

  CA.accessibleName = accessibleName;
  CA.featureName = nameOf;
  CA.categoryText = categoryText;
  CA.stageText = stageText;
})(window.CorridorAtlas = window.CorridorAtlas || {});
