/* Corridor Atlas: filters by category, status and country, without reloading the page.
 *
 * Categories and the layer control are one state seen twice: a category checkbox shows and
 * hides the overlays of that category (one per site category, one per corridor), and turning an
 * overlay on or off in the layer control updates the checkbox (checked, mixed or clear). Status
 * and country filters act on single features: a feature is drawn when its overlay is on and it
 * passes both (a corridor passes the country filter if any of its countries is chosen).
 * A large atlas (map-large.js) applies the same model to its clustered sites in one pass.
 *
 * The legend is the category filter too: each entry's checkbox shows and hides its overlays,
 * "only" shows that entry alone, and each group has "all" and "none". Its entries follow the
 * filters: how many of their features are shown, greyed when none is.
 */
(function (CA) {
  "use strict";

  const element = CA.element;

  /* The keys of ``list`` (from the URL) that are among ``keys``; null for no list, or for a
   * list of nothing but unknown keys. */
  function known(list, keys) {
    if (!list) {
      return null;
    }
    const found = list.filter((key) => keys.includes(key));
    return found.length || !list.length ? found : null;
  }

  class Filters {
    constructor(app) {
      this.app = app;
      this.map = app.map;
      this.data = app.data;
      this.status = new Set(this.data.stages.map((s) => s.key));
      this.country = new Set(this.data.countries.map((c) => c.code));
      this.only = null;
      this.boxes = { category: new Map(), status: new Map(), country: new Map() };
      this.map.on("overlayadd overlayremove", () => this.refresh());
    }

    /* --- the model ------------------------------------------------------------------- */

    passes(feature) {
      const data = feature.data;
      if (this.only && !this.only.has(data.id)) {
        return false;
      }
      if (data.stage && !this.status.has(data.stage)) {
        return false;
      }
      if (data.countries.length && this.country.size < this.data.countries.length) {
        return data.countries.some((code) => this.country.has(code));
      }
      return true;
    }

    /* Add or remove each feature from its overlay so the map shows exactly what passes. */
    apply() {
      if (this.app.large) {
        this.app.large.apply();
        this.refresh();
        return;
      }
      for (const feature of this.app.features.values()) {
        const group = this.app.overlays[feature.data.overlay].group;
        const pass = this.passes(feature);
        for (const layer of [feature.layer, ...(feature.legs || [])]) {
          if (pass && !group.hasLayer(layer)) {
            group.addLayer(layer);
          } else if (!pass && group.hasLayer(layer)) {
            group.removeLayer(layer);
          }
        }
      }
      if (this.app.spread) {
        this.app.spread.update();
      }
      this.refresh();
    }

    /* How many features of each overlay are shown (``{overlay key: count}``). */
    shownByOverlay() {
      if (this.app.large) {
        return this.app.large.shownByOverlay();
      }
      const counts = {};
      for (const [id, feature] of this.app.features) {
        if (this.isShown(id)) {
          counts[feature.data.overlay] = (counts[feature.data.overlay] || 0) + 1;
        }
      }
      return counts;
    }

    /* --- the legend -------------------------------------------------------------------- */

    /* Make the legend's entries switches: checkbox, "only", and "all" / "none" per group. */
    wireLegend() {
      const legend = this.map.getContainer().querySelector(".atlas-legend");
      this.legend = [];
      if (!legend) {
        return;
      }
      for (const item of legend.querySelectorAll(".atlas-legend-entry")) {
        const overlays = (item.dataset.overlays || "").split(" ")
          .filter((key) => Object.hasOwn(this.app.overlays, key));
        const entry = {
          item,
          overlays,
          total: Number(item.dataset.total) || 0,
          box: item.querySelector("input"),
          count: item.querySelector(".atlas-legend-count"),
          group: item.closest("[data-legend-group]"),
        };
        entry.box.addEventListener("change", () => this.showEntries([entry], entry.box.checked));
        item.querySelector(".atlas-legend-only").addEventListener("click", () => {
          this.showEntries(this.legend.filter((other) => other !== entry), false);
          this.showEntries([entry], true);
        });
        this.legend.push(entry);
      }
      for (const button of legend.querySelectorAll("[data-legend-bulk]")) {
        const group = button.closest("[data-legend-group]");
        button.addEventListener("click", () => this.showEntries(
          this.legend.filter((entry) => entry.group === group),
          button.dataset.legendBulk === "all",
        ));
      }
      this.refresh();
    }

    showEntries(entries, visible) {
      for (const entry of entries) {
        entry.overlays.forEach((key) => this.setOverlay(key, visible));
      }
      this.apply();
      this.app.changed();
    }

    /* Each legend entry: checked as its overlays are, and how many of its features are shown. */
    refreshLegend() {
      const counts = this.shownByOverlay();
      for (const entry of this.legend || []) {
        const on = entry.overlays.filter((key) => this.map.hasLayer(this.app.overlays[key].group));
        const shown = on.reduce((sum, key) => sum + (counts[key] || 0), 0);
        entry.box.checked = on.length > 0 && on.length === entry.overlays.length;
        entry.box.indeterminate = on.length > 0 && on.length < entry.overlays.length;
        entry.count.textContent = shown === entry.total
          ? `(${shown})` : CA.t("(%(shown)s of %(total)s)", { shown, total: entry.total });
        entry.item.classList.toggle("atlas-legend-off", shown === 0);
      }
    }

    isShown(id) {
      if (this.app.large) {
        return this.app.large.isShown(id);
      }
      const feature = this.app.features.get(id);
      const group = this.app.overlays[feature.data.overlay].group;
      return this.map.hasLayer(group) && group.hasLayer(feature.layer);
    }

    setOverlay(key, visible) {
      const group = this.app.overlays[key].group;
      if (visible && !this.map.hasLayer(group)) {
        this.map.addLayer(group);
      } else if (!visible && this.map.hasLayer(group)) {
        this.map.removeLayer(group);
      }
    }

    setCategory(key, visible) {
      const category = this.data.categories.find((c) => c.key === key);
      for (const overlay of category ? category.overlays : []) {
        this.setOverlay(overlay, visible);
      }
    }

    /* Make one feature visible (search, permalink): its overlay, status and countries. */
    reveal(id) {
      const feature = this.app.features.get(id);
      if (this.only && !this.only.has(id)) {
        return false;
      }
      const data = feature.data;
      if (data.stage) {
        this.status.add(data.stage);
      }
      if (data.countries.length && !data.countries.some((code) => this.country.has(code))) {
        data.countries.forEach((code) => this.country.add(code));
      }
      this.setOverlay(data.overlay, true);
      this.apply();
      return true;
    }

    showAll() {
      this.status = new Set(this.data.stages.map((s) => s.key));
      this.country = new Set(this.data.countries.map((c) => c.code));
      for (const key of Object.keys(this.app.overlays)) {
        this.setOverlay(key, true);
      }
      this.apply();
      this.app.changed();
    }

    /* The filter part of the URL state: lists of what is shown, null when all are. Overlays
     * hidden with their whole category are written as the category (see map-state.js). */
    getState() {
      const overlays = this.app.overlays;
      const hidden = new Set(
        Object.keys(overlays).filter((key) => !this.map.hasLayer(overlays[key].group)),
      );
      const hiddenCategories = this.data.categories.filter(
        (c) => c.overlays.length && c.overlays.every((key) => hidden.has(key)),
      );
      const layers = [...hidden].filter(
        (key) => !hiddenCategories.some((c) => c.overlays.includes(key)),
      );
      const shownKeys = (all, chosen, key) => (chosen.size === all.length
        ? null : all.map(key).filter((k) => chosen.has(k)));
      return {
        category: hiddenCategories.length
          ? this.data.categories.filter((c) => !hiddenCategories.includes(c)).map((c) => c.key)
          : null,
        layers: layers.length ? layers : null,
        status: shownKeys(this.data.stages, this.status, (s) => s.key),
        country: shownKeys(this.data.countries, this.country, (c) => c.code),
      };
    }

    /* Apply the filter part of a state read from the URL. Unknown keys are dropped; a list
     * that named only unknown keys is ignored as a whole (all shown), whereas an empty one
     * (category=) still means none. */
    setState(state) {
      const stages = this.data.stages.map((s) => s.key);
      const codes = this.data.countries.map((c) => c.code);
      const categories = known(state.category, this.data.categories.map((c) => c.key));
      const hidden = new Set(known(state.layers, Object.keys(this.app.overlays)) || []);
      for (const category of this.data.categories) {
        const shown = !categories || categories.includes(category.key);
        for (const key of category.overlays) {
          this.setOverlay(key, shown && !hidden.has(key));
        }
      }
      this.status = new Set(known(state.status, stages) || stages);
      this.country = new Set(known(state.country, codes) || codes);
      this.apply();
    }

    /* --- the panel ------------------------------------------------------------------- */

    /* Sync the checkboxes and the summary with the map. */
    refresh() {
      for (const category of this.data.categories) {
        const box = this.boxes.category.get(category.key);
        if (!box) {
          continue;
        }
        const on = category.overlays.filter(
          (key) => this.map.hasLayer(this.app.overlays[key].group),
        );
        box.checked = on.length === category.overlays.length;
        box.indeterminate = on.length > 0 && on.length < category.overlays.length;
      }
      for (const [key, box] of this.boxes.status) {
        box.checked = this.status.has(key);
      }
      for (const [code, box] of this.boxes.country) {
        box.checked = this.country.has(code);
      }
      this.refreshLegend();
      if (this.summary) {
        const shown = this.app.large
          ? this.app.large.shownCount()
          : [...this.app.features.keys()].filter((id) => this.isShown(id)).length;
        const total = this.app.data.features.length;
        this.summary.textContent = CA.nt(
          "%(shown)s of %(total)s feature shown",
          "%(shown)s of %(total)s features shown",
          total,
          { shown, total },
        );
        const state = this.getState();
        const active = ["category", "layers", "status", "country"].filter((k) => state[k]).length;
        this.badge.textContent = active ? ` (${active})` : "";
      }
    }

    fieldset(legend, entries, kind, onChange) {
      const set = element("fieldset", "atlas-filters-group");
      set.appendChild(element("legend", "", legend));
      for (const entry of entries) {
        const label = element("label", "atlas-filters-option");
        const box = element("input");
        box.type = "checkbox";
        box.value = entry.key;
        box.addEventListener("change", () => {
          onChange(entry.key, box.checked);
          this.apply();
          this.app.changed();
        });
        label.appendChild(box);
        if (entry.colour) {
          const swatch = element("span", "atlas-swatch-dot");
          swatch.style.setProperty("--swatch", entry.colour);
          label.appendChild(swatch);
        }
        label.appendChild(element("span", "", entry.label));
        set.appendChild(label);
        this.boxes[kind].set(entry.key, box);
      }
      return set;
    }

    /* A Leaflet control: a "Filters" button that opens the panel of checkboxes. */
    control() {
      const filters = this;
      const Control = L.Control.extend({
        options: { position: "topright" },
        onAdd() {
          const container = element("div", "atlas-filters leaflet-bar");
          const toggle = element("button", "atlas-filters-toggle");
          toggle.type = "button";
          toggle.appendChild(CA.icon("M3 4h18l-7 8v6l-4 2v-8z"));
          toggle.appendChild(element("span", "", CA.t("Filters")));
          toggle.setAttribute("aria-expanded", "false");
          toggle.setAttribute("aria-controls", "atlas-filters-panel");
          filters.badge = element("span", "atlas-filters-badge");
          toggle.appendChild(filters.badge);
          const panel = element("div", "atlas-filters-panel");
          panel.id = "atlas-filters-panel";
          panel.hidden = true;
          panel.setAttribute("role", "group");
          panel.setAttribute("aria-label", CA.t("Filters"));
          // Labels in the page's language (``label``); ``name`` is the data's term.
          panel.appendChild(filters.fieldset(
            CA.t("Category"),
            filters.data.categories.map(
              (c) => ({ key: c.key, label: c.label || c.name, colour: c.colour }),
            ),
            "category",
            (key, on) => filters.setCategory(key, on),
          ));
          panel.appendChild(filters.fieldset(
            CA.t("Status"),
            filters.data.stages.map((s) => ({ key: s.key, label: s.label || s.name })),
            "status",
            (key, on) => (on ? filters.status.add(key) : filters.status.delete(key)),
          ));
          panel.appendChild(filters.fieldset(
            CA.t("Country"),
            filters.data.countries.map((c) => ({ key: c.code, label: `${c.name} (${c.count})` })),
            "country",
            (key, on) => (on ? filters.country.add(key) : filters.country.delete(key)),
          ));
          filters.summary = element("p", "atlas-filters-summary");
          filters.summary.setAttribute("role", "status");
          panel.appendChild(filters.summary);
          const reset = element("button", "atlas-filters-reset", CA.t("Show all"));
          reset.type = "button";
          reset.addEventListener("click", () => filters.showAll());
          panel.appendChild(reset);
          const setOpen = (open) => {
            panel.hidden = !open;
            toggle.setAttribute("aria-expanded", String(open));
            container.classList.toggle("atlas-open", open);
          };
          toggle.addEventListener("click", () => setOpen(panel.hidden));
          container.addEventListener("keydown", (event) => {
            if (event.key === "Escape" && !panel.hidden) {
              event.stopPropagation();
              setOpen(false);
              toggle.focus();
            }
          });
          filters.close = () => setOpen(false);
          container.append(toggle, panel);
          L.DomEvent.disableClickPropagation(container);
          L.DomEvent.disableScrollPropagation(container);
          filters.refresh();
          return container;
        },
      });
      return new Control();
    }
  }

  CA.Filters = Filters;
})(window.CorridorAtlas = window.CorridorAtlas || {});
