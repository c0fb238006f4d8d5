/* Corridor Atlas: the timeline, which shows the atlas as it stood at the end of a chosen month.
 *
 * The page data's ``timeline`` gives the span of the slider (``span``: first and last day, from
 * geodata.timeline.timeline_span) and every stage in project order with its label; each feature
 * carries its ``history`` as compact steps [stage key, start, end, scheduled (0/1)] (webapp/map/
 * pagedata.py). CA.stageAsOf answers, for a day, the stage a history gives exactly as
 * geodata.timeline.stage_as_of does (the browser tests run both on the same table of cases):
 * the latest ended step, certain; else the earliest started one, not certain; else nothing yet.
 *
 * The control: a "Timeline" button opening a panel with a month slider (a real range input,
 * its value said in words), a play button (a month every STEP_MS, stopping at the end) and
 * "All dates", which turns the timeline off. Off is the default: the map is the atlas as
 * reported. On, each feature is drawn in the style of its stage as of the month's last day,
 * faded and dashed when that stage is not certain, with a dashed dark outline when it comes from
 * an event announced ahead (scheduled), and not drawn at all when nothing was reported yet;
 * the legend says how many features stood at each stage then and how many were not yet
 * reported. The timeline is one more filter: Filters.passes asks it (see Timeline below), so
 * counts, the features-in-view list and the spread of sites follow, and the status filter reads
 * the stage as of the month.
 *
 * The month is kept in the permalink as ``as_of=YYYY-MM`` (map-state.js) and /embed takes it in
 * its query too (?as_of=…). A date from the URL is read as the contract's ``as_of``
 * (YYYY[-MM[-DD]], a partial date meaning the end of that period) and shown as its month,
 * clamped into the span; anything else is ignored. A large atlas's page has no timeline.
 */
(function (CA) {
  "use strict";

  const STEP_MS = 700;
  const AS_OF = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
  const FIRST_YEAR = 1900;
  const LAST_YEAR = 2100;
  const ICON = "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zm-1 "
    + "3v6l5 3 1-1.7-4-2.3V7z";
  const SVG_NS = "http://www.w3.org/2000/svg";
  /* How an uncertain stage (faded, dashed) and a scheduled one (dashed dark outline) differ from
   * the stage's own style. */
  const UNCERTAIN_SITE = { opacity: 0.5, fillOpacity: 0.45, dashArray: "3 3" };
  const SCHEDULED_SITE = { color: "#1f2328", weight: 2, dashArray: "2 2" };
  const UNCERTAIN_LINE = { opacity: 0.35, dashArray: "6 6" };
  const SCHEDULED_LINE = { dashArray: "12 4 2 4" };
  //: How /embed?focus=<id> fades the other features (as map.js does).
  const FADED = { opacity: 0.3, fillOpacity: 0.25 };

  const pad = (n) => String(n).padStart(2, "0");
  const daysIn = (year, month) => new Date(Date.UTC(year, month, 0)).getUTCDate();

  /* The day ``as_of`` names ("2025" → 2025-12-31, "2026-02" → 2026-02-28, "2025-06-15"), as
   * {year, month, day}, or null unless it is such a date of years 1900–2100. */
  function parseAsOf(text) {
    const found = typeof text === "string" ? AS_OF.exec(text) : null;
    if (!found) {
      return null;
    }
    const year = Number(found[1]);
    const month = found[2] === undefined ? 12 : Number(found[2]);
    if (year < FIRST_YEAR || year > LAST_YEAR || month < 1 || month > 12) {
      return null;
    }
    const last = daysIn(year, month);
    const day = found[3] === undefined ? last : Number(found[3]);
    return day >= 1 && day <= last ? { year, month, day } : null;
  }

  /* The stage a feature's ``history`` gives as of ``day`` ("YYYY-MM-DD"): {date, stage,
   * certain, scheduled}, or null when nothing was reported by then. Steps are {stage, start,
   * end, scheduled} with ISO dates or null; ``order`` lists the stages in project order (a
   * tie between steps ending the same day goes to the later stage). ISO dates compare as
   * strings. The same rules as geodata.timeline.stage_as_of. */
  CA.stageAsOf = function (history, day, order) {
    const rank = (stage) => order.indexOf(stage);
    let done = null;
    let maybe = null;
    for (const step of history) {
      if (step.end !== null && step.end <= day) {
        if (done === null || step.end > done.end
            || (step.end === done.end && rank(step.stage) > rank(done.stage))) {
          done = step;
        }
      } else if (step.start === null || step.start <= day) {
        if (maybe === null || (maybe.start !== null
            && (step.start === null || step.start < maybe.start))) {
          maybe = step;
        }
      }
    }
    const step = done || maybe;
    if (step === null) {
      return null;
    }
    return { date: day, stage: step.stage, certain: done !== null, scheduled: Boolean(step.scheduled) };
  };

  /* A small legend swatch: a circle drawn with ``options`` (SVG attributes). */
  function swatch(options) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 18 18");
    svg.setAttribute("class", "atlas-legend-shape");
    svg.setAttribute("aria-hidden", "true");
    const circle = document.createElementNS(SVG_NS, "circle");
    for (const [key, value] of Object.entries({ cx: 9, cy: 9, r: 6, ...options })) {
      circle.setAttribute(key, String(value));
    }
    svg.appendChild(circle);
    return svg;
  }

  class Timeline {
    constructor(app) {
      this.app = app;
      this.map = app.map;
      const timeline = app.data.timeline;
      this.order = timeline.stages.map((s) => s.key);
      this.labels = new Map(timeline.stages.map((s) => [s.key, s.label]));
      this.months = [];
      const [first, last] = timeline.span.map((day) => day.split("-").map(Number));
      for (let y = first[0], m = first[1]; y < last[0] || (y === last[0] && m <= last[1]);) {
        this.months.push({ year: y, month: m });
        [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
      }
      this.histories = new Map();
      for (const [id, feature] of app.features) {
        const steps = feature.data.history;
        if (Array.isArray(steps)) {
          this.histories.set(id, steps.map(([stage, start, end, scheduled]) => (
            { stage, start, end, scheduled: Boolean(scheduled) })));
        }
      }
      this.index = null; // the month shown, or null: all dates (the atlas as reported)
      this.asOf = new Map(); // feature id -> its stage as of the month, or null
      this.timer = null;
      this.words = new Intl.DateTimeFormat(CA.language(), {
        month: "long", year: "numeric", timeZone: "UTC",
      });
      // The timeline is one more filter: a feature not yet reported is not drawn, and the
      // status filter reads the stage as of the month.
      const filters = app.filters;
      const passes = filters.passes.bind(filters);
      filters.passes = (feature) => {
        const asOf = this.on() ? this.asOf.get(feature.data.id) : undefined;
        if (!asOf) {
          return asOf !== null && passes(feature);
        }
        return passes({ ...feature, data: { ...feature.data, stage: asOf.stage } });
      };
    }

    /* --- the model ------------------------------------------------------------------- */

    on() {
      return this.index !== null;
    }

    /* The last day of the month shown ("YYYY-MM-DD"). */
    day() {
      const { year, month } = this.months[this.index];
      return `${year}-${pad(month)}-${pad(daysIn(year, month))}`;
    }

    /* A month in words in the page's language ("June 2025", «июнь 2025 г.»). */
    monthWords(index) {
      const { year, month } = this.months[index];
      return this.words.format(new Date(Date.UTC(year, month - 1, 1)));
    }

    /* The stage of feature ``id`` as of the month: a feature without a history stands as
     * reported at every date. */
    stageOf(id) {
      const steps = this.histories.get(id);
      if (!steps) {
        return { date: this.day(), stage: this.app.features.get(id).data.stage, certain: true,
          scheduled: false };
      }
      return CA.stageAsOf(steps, this.day(), this.order);
    }

    /* Show month ``index`` (null: all dates): restyle, refilter and write the URL. */
    set(index) {
      this.show(index);
      this.app.filters.apply();
      this.app.changed();
    }

    /* Show month ``index`` without refiltering (the caller applies the filters). */
    show(index) {
      const was = this.on();
      this.index = index;
      this.asOf.clear();
      if (this.on()) {
        for (const id of this.app.features.keys()) {
          this.asOf.set(id, this.stageOf(id));
        }
      }
      if (was || this.on()) { // off to off leaves the styles map.js gave alone
        this.restyle();
      }
      this.refresh();
    }

    /* Each feature in the style of its stage then (as reported when the timeline is off); in
     * /embed?focus=<id>, the others stay faded. */
    restyle() {
      const focus = this.app.feature(this.app.embed.focus) ? this.app.embed.focus : null;
      const categories = new Map(this.app.data.categories.map((c) => [c.name, c]));
      const basis = this.app.data.drawing.basis;
      for (const [id, feature] of this.app.features) {
        const layer = feature.layer;
        if (!layer) {
          continue;
        }
        const asOf = this.on() ? this.asOf.get(id) : null;
        const stage = this.app.stageStyle(asOf ? asOf.stage : feature.data.stage);
        const uncertain = Boolean(asOf && !asOf.certain);
        const scheduled = Boolean(asOf && asOf.certain && asOf.scheduled);
        if (feature.data.kind === "site") {
          const category = categories.get(feature.data.category) || {};
          const style = { ...CA.siteStyle(category.colour || "#757575", stage.fill),
            opacity: 1, dashArray: null };
          Object.assign(style, uncertain ? UNCERTAIN_SITE : {}, scheduled ? SCHEDULED_SITE : {});
          layer.setStyle(focus && id !== focus ? { ...style, ...FADED } : style);
        } else {
          const own = Object.hasOwn(basis, feature.data.basis || "")
            ? basis[feature.data.basis] : basis.stations;
          const style = { opacity: own.opacity, dashArray: stage.dash };
          if (uncertain) {
            style.opacity = UNCERTAIN_LINE.opacity;
            style.dashArray = stage.dash || UNCERTAIN_LINE.dashArray;
          } else if (scheduled) {
            style.dashArray = SCHEDULED_LINE.dashArray;
          }
          layer.setStyle(focus && id !== focus ? { ...style, ...FADED } : style);
        }
        const element = layer.getElement ? layer.getElement() : null;
        if (element) {
          element.classList.toggle("atlas-asof-uncertain", uncertain);
          element.classList.toggle("atlas-asof-scheduled", scheduled);
        }
      }
    }

    /* --- the URL --------------------------------------------------------------------- */

    getState() {
      if (!this.on()) {
        return null;
      }
      const { year, month } = this.months[this.index];
      return `${year}-${pad(month)}`;
    }

    /* The month of an ``as_of`` read from the URL, clamped into the span; null (off) for a
     * missing or invalid one. */
    monthIndex(text) {
      const day = parseAsOf(text);
      if (!day || !this.months.length) {
        return null;
      }
      const at = this.months.findIndex((m) => m.year === day.year && m.month === day.month);
      if (at >= 0) {
        return at;
      }
      const first = this.months[0];
      const before = day.year < first.year || (day.year === first.year && day.month < first.month);
      return before ? 0 : this.months.length - 1;
    }

    /* Apply the ``as_of`` of a state read from the URL (the caller applies the filters). */
    setState(asOf) {
      this.pause();
      this.show(this.monthIndex(asOf));
    }

    /* --- playing --------------------------------------------------------------------- */

    play() {
      if (this.index === null || this.index >= this.months.length - 1) {
        this.set(0);
      }
      this.playButton.setAttribute("aria-pressed", "true");
      this.playButton.textContent = CA.t("Pause");
      clearInterval(this.timer);
      this.timer = setInterval(() => {
        if (this.index >= this.months.length - 1) {
          this.pause();
        } else {
          this.set(this.index + 1);
          if (this.index >= this.months.length - 1) {
            this.pause();
          }
        }
      }, STEP_MS);
    }

    pause() {
      clearInterval(this.timer);
      this.timer = null;
      if (this.playButton) {
        this.playButton.setAttribute("aria-pressed", "false");
        this.playButton.textContent = CA.t("Play");
      }
    }

    /* --- the control and the legend ------------------------------------------------- */

    /* Sync the slider, the words, the toggle and the legend with the month shown. */
    refresh() {
      if (!this.range) {
        return;
      }
      const index = this.on() ? this.index : this.months.length - 1;
      const words = this.on() ? this.monthWords(index) : CA.t("all dates");
      this.range.value = String(index);
      this.range.setAttribute("aria-valuetext", words);
      this.output.textContent = words;
      this.state.textContent = this.on() ? words : "";
      this.toggle.classList.toggle("atlas-timeline-on", this.on());
      this.offButton.disabled = !this.on();
      this.refreshLegend();
    }

    /* The legend's "as of" part: features at each stage then, and those not yet reported. */
    refreshLegend() {
      const body = this.map.getContainer().querySelector(".atlas-legend-body");
      if (!body) {
        return;
      }
      let box = body.querySelector(".atlas-legend-asof");
      if (!this.on()) {
        if (box) {
          box.hidden = true;
        }
        return;
      }
      if (!box) {
        box = CA.element("section", "atlas-legend-asof");
        body.prepend(box); // first: while the timeline is on, what stood then matters most
      }
      box.hidden = false;
      const counts = new Map();
      let missing = 0;
      let uncertain = 0;
      let scheduled = 0;
      for (const asOf of this.asOf.values()) {
        if (asOf === null) {
          missing += 1;
          continue;
        }
        counts.set(asOf.stage, (counts.get(asOf.stage) || 0) + 1);
        uncertain += asOf.certain ? 0 : 1;
        scheduled += asOf.certain && asOf.scheduled ? 1 : 0;
      }
      const list = CA.element("ul", "atlas-legend-asof-stages");
      const line = (text, className, mark) => {
        const item = CA.element("li", className);
        if (mark) {
          item.appendChild(mark);
        }
        item.appendChild(CA.element("span", "", text));
        list.appendChild(item);
      };
      const known = [...this.order, ...[...counts.keys()].filter((s) => !this.order.includes(s))];
      for (const stage of known.filter((s) => counts.has(s))) {
        const label = this.labels.get(stage) || stage;
        line(CA.t("%(stage)s: %(n)s", { stage: label, n: CA.formatNumber(counts.get(stage)) }),
          "atlas-legend-asof-stage");
      }
      if (uncertain) {
        line(CA.nt("%(n)s stage not certain (faded, dashed)",
          "%(n)s stages not certain (faded, dashed)", uncertain, { n: uncertain }),
        "atlas-legend-asof-uncertain",
        swatch({ fill: "#444444", "fill-opacity": 0.45, stroke: "#444444", "stroke-opacity": 0.5,
          "stroke-width": 2, "stroke-dasharray": "3 3" }));
      }
      if (scheduled) {
        line(CA.nt("%(n)s as scheduled, not confirmed (dashed outline)",
          "%(n)s as scheduled, not confirmed (dashed outline)", scheduled, { n: scheduled }),
        "atlas-legend-asof-scheduled",
        swatch({ fill: "#ffffff", stroke: "#1f2328", "stroke-width": 2, "stroke-dasharray": "2 2" }));
      }
      line(CA.nt("%(n)s not yet reported", "%(n)s not yet reported", missing, { n: missing }),
        "atlas-legend-asof-missing");
      const heading = CA.element("h3", "", CA.t("As of %(date)s", { date: this.monthWords(this.index) }));
      box.replaceChildren(heading, list);
    }

    /* A Leaflet control: a "Timeline" button that opens the slider, play and "All dates". */
    control() {
      const timeline = this;
      const Control = L.Control.extend({
        options: { position: "topright" },
        onAdd() {
          return timeline.build();
        },
      });
      return new Control();
    }

    build() {
      const element = CA.element;
      const container = element("div", "atlas-timeline leaflet-bar");
      const toggle = element("button", "atlas-timeline-toggle");
      toggle.type = "button";
      toggle.appendChild(CA.icon(ICON));
      toggle.appendChild(element("span", "", CA.t("Timeline")));
      this.state = element("span", "atlas-timeline-state");
      toggle.appendChild(this.state);
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-controls", "atlas-timeline-panel");
      const panel = element("div", "atlas-timeline-panel");
      panel.id = "atlas-timeline-panel";
      panel.hidden = true;
      panel.setAttribute("role", "group");
      panel.setAttribute("aria-label", CA.t("Timeline"));
      const label = element("label", "atlas-timeline-label", CA.t("As of the end of"));
      label.htmlFor = "atlas-timeline-range";
      this.output = element("output", "atlas-timeline-date");
      this.output.htmlFor = "atlas-timeline-range";
      const range = element("input", "atlas-timeline-range");
      range.type = "range";
      range.id = "atlas-timeline-range";
      range.min = "0";
      range.max = String(Math.max(this.months.length - 1, 0));
      range.step = "1";
      range.addEventListener("input", () => {
        this.pause();
        this.set(Number(range.value));
      });
      const ends = element("p", "atlas-timeline-ends");
      ends.setAttribute("aria-hidden", "true");
      ends.append(element("span", "", String(this.months[0].year)),
        element("span", "", String(this.months[this.months.length - 1].year)));
      const buttons = element("div", "atlas-timeline-buttons");
      this.playButton = element("button", "atlas-timeline-play", CA.t("Play"));
      this.playButton.type = "button";
      this.playButton.setAttribute("aria-pressed", "false");
      this.playButton.addEventListener("click", () => (this.timer ? this.pause() : this.play()));
      this.offButton = element("button", "atlas-timeline-off", CA.t("All dates"));
      this.offButton.type = "button";
      this.offButton.title = CA.t("Show the atlas as reported, at all dates");
      this.offButton.addEventListener("click", () => {
        this.pause();
        this.set(null);
      });
      buttons.append(this.playButton, this.offButton);
      panel.append(label, this.output, range, ends, buttons);
      this.range = range;
      this.toggle = toggle;
      const setOpen = (open) => {
        panel.hidden = !open;
        toggle.setAttribute("aria-expanded", String(open));
        container.classList.toggle("atlas-open", open);
        if (open && !this.on()) { // opening the timeline shows a date: this month's
          const today = new Date();
          this.set(this.monthIndex(`${today.getFullYear()}-${pad(today.getMonth() + 1)}`));
        }
      };
      toggle.addEventListener("click", () => setOpen(panel.hidden));
      container.addEventListener("keydown", (event) => {
        if (event.key === "Escape" && !panel.hidden) {
          event.stopPropagation();
          setOpen(false);
          toggle.focus();
        }
      });
      this.setOpen = setOpen;
      container.append(toggle, panel);
      L.DomEvent.disableClickPropagation(container);
      L.DomEvent.disableScrollPropagation(container);
      this.refresh();
      return container;
    }
  }

  CA.parseAsOf = parseAsOf;
  CA.Timeline = Timeline;
})(window.CorridorAtlas = window.CorridorAtlas || {});
