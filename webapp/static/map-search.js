/* Corridor Atlas: the search box, an ARIA combobox over the atlas's features and places.
 *
 * The server ranks (GET /api/features?q=…, the API's and the features table's one ranking:
 * features at the place typed first, then those merely named after it) and names gazetteer
 * places (GET /api/places?q=…), so the map never ranks on its own and cannot disagree with
 * them; the page is always served by the app. A place that no site stands at is offered as
 * "Zoom to <place>" before the features, which only pass through it or are named after it.
 * The arrow keys move through the list, Enter or a click shows the chosen feature (or zooms
 * to the place), Escape closes the list (or clears the box). Rows are built with textContent
 * only: names are text.
 */
(function (CA) {
  "use strict";

  const LIMIT = 12;
  const PLACES = 3;
  // The API's longest q (webapp/model/filters.py MAX_TEXT) and /api/places's.
  const MAX_QUERY = 200;
  const MAX_PLACE_QUERY = 100;
  // Typing settles this long before the server is asked.
  const DEBOUNCE_MS = 120;
  // A site this close to a place stands at it (the gazetteer gave both coordinates).
  const SAME_PLACE_KM = 5;
  const PLACE_ZOOM = 11;

  function km(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b[0] - a[0]) * rad;
    const dLon = (b[1] - a[1]) * rad;
    const h = Math.sin(dLat / 2) ** 2
      + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
    return 12742 * Math.asin(Math.sqrt(h));
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { features: [] }))
      .catch(() => ({ features: [] }));
  }

  /* A country's name as the page names it (in its language, CLDR); one the atlas has no
   * feature in by the browser's CLDR names (Intl) on a page not in English, else ``fallback``
   * (the API's English name) or the code. */
  function countryName(app, code, fallback) {
    const found = (app.data.countries || []).find((c) => c.code === code);
    if (found) {
      return found.name;
    }
    if (CA.language() !== "en" && code) {
      try {
        return new Intl.DisplayNames([CA.language()], { type: "region" }).of(code);
      } catch (error) {
        // not a region code Intl knows: the API's name below
      }
    }
    return fallback || code;
  }

  /* A place of ``located_by`` by its name in the page's language, where the data has one. */
  const placeName = (place) => (place.names && place.names[CA.language()]) || place.place;

  /* Where a result is, for its row: a site's place; the waypoint of a corridor that the query
   * names, else its countries. */
  function whereOf(app, props, query) {
    const countries = (props.countries || []).map((code) => countryName(app, code));
    const located = props.located_by || [];
    if (props.kind === "site" && located.length) {
      return [placeName(located[0]), countries[0]].filter(Boolean).join(", ");
    }
    // By any of its names, in any script (keyed once CA.transliteration(query) resolved).
    const key = CA.searchKey(query);
    const waypoint = located.find((p) => key && [p.place, ...Object.values(p.names || {})]
      .some((name) => CA.searchKey(name) === key));
    if (!waypoint) {
      return countries.join(", ");
    }
    const through = CA.t("through %(place)s", { place: placeName(waypoint) });
    return countries.length ? `${through} · ${countries.join(", ")}` : through;
  }

  function noteOf(app, result) {
    if (result.place) {
      return CA.t("place · %(where)s", { where: result.where });
    }
    const category = CA.categoryText(app.data, result.feature);
    return result.where ? `${category} · ${result.where}` : category;
  }

  class Search {
    constructor(app, input) {
      this.app = app;
      this.input = input;
      this.list = document.getElementById(input.getAttribute("aria-controls"));
      this.status = document.getElementById("atlas-search-status");
      this.results = [];
      this.active = -1;
      input.addEventListener("input", () => this.update());
      input.addEventListener("keydown", (event) => this.key(event));
      input.addEventListener("focus", () => {
        if (input.value) {
          this.update();
        }
      });
      input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
      // Keep the focus in the box while clicking a result.
      this.list.addEventListener("mousedown", (event) => event.preventDefault());
    }

    /* Ask the server for the query's results (after typing settles); resolves once they are
     * shown. A newer query makes an older answer void. */
    update() {
      const query = this.input.value;
      const asked = (this.asked = (this.asked || 0) + 1);
      clearTimeout(this.timer);
      if (!query.trim()) {
        this.show(this.browse(), query);
        this.pending = null;
        return Promise.resolve();
      }
      this.pending = new Promise((resolve) => {
        this.timer = setTimeout(() => {
          this.fetch(query).then((results) => {
            if (asked === this.asked) {
              this.show(results, query);
              this.pending = null;
            }
            resolve();
          });
        }, DEBOUNCE_MS);
      });
      return this.pending;
    }

    /* An empty box lists every feature by name, to browse with the arrow keys. */
    browse() {
      return [...this.app.data.features]
        .sort((a, b) => a.name.localeCompare(b.name))
        .slice(0, LIMIT)
        .map((feature) => ({ feature, where: "" }));
    }

    /* On a published static site without a live API (webapp/publish), the page's own features
     * matched in the browser (CA.search), in the API's answer's shape; no places. */
    local(query) {
      return CA.transliteration(query).then(() => ({
        features: CA.search(this.app.data.features.filter((f) => f.terms), query, LIMIT)
          .map((found) => ({ properties: found.feature })),
      }));
    }

    fetch(query) {
      const q = encodeURIComponent(query.slice(0, MAX_QUERY));
      const site = CA.site;
      const api = site ? site.api && site.api.replace(/\/$/, "") : "";
      const asks = [site && !site.api ? this.local(query)
        : getJson(`${api}/api/features?q=${q}&limit=${LIMIT}`)];
      asks.push(query.length <= MAX_PLACE_QUERY && !(site && !site.api)
        ? getJson(`${api}/api/places?q=${q}&limit=${PLACES}`) : Promise.resolve(null));
      asks.push(CA.transliteration(query)); // any-ascii for whereOf, imported meanwhile
      return Promise.all(asks).then(([found, places]) => {
        const features = found.features
          .filter((f) => f && f.properties && this.app.feature(f.properties.id))
          .map((f) => ({
            feature: this.app.feature(f.properties.id).data || {
              id: f.properties.id, name: f.properties.name, category: f.properties.category,
            },
            props: f.properties,
            where: whereOf(this.app, f.properties, query),
          }));
        const sites = features.flatMap((r) => (r.props.kind === "site"
          ? (r.props.located_by || []).map((p) => [p.lat, p.lon]) : []));
        const covered = (zoom) => sites.some((at) => km(at, [zoom.place.lat, zoom.place.lon])
          < SAME_PLACE_KM);
        const zooms = ((places && places.features) || []).map((place) => {
          const [lon, lat] = place.geometry.coordinates;
          const { name, country, country_name: countryText } = place.properties;
          const where = [name, countryName(this.app, country, countryText)].filter(Boolean);
          return { place: { name, lat, lon }, where: where.join(", ") };
        });
        // The best place before the features unless a site stands at it; the rest after them.
        const [best, ...others] = zooms;
        const first = best && !covered(best) ? [best] : [];
        return [...first, ...features, ...others.filter((zoom) => !covered(zoom))]
          .slice(0, LIMIT + PLACES);
      });
    }

    show(results, query) {
      this.results = results;
      this.query = query;
      this.render();
      this.announce();
    }

    announce() {
      const n = this.results.length;
      if (!this.input.value.trim()) {
        this.status.textContent = "";
      } else {
        this.status.textContent = n
          ? CA.nt("%(n)s result", "%(n)s results", n, { n: CA.formatNumber(n) })
          : CA.t("No match");
      }
    }

    render() {
      this.list.replaceChildren();
      if (!this.results.length && this.input.value.trim()) {
        const empty = document.createElement("li");
        empty.className = "atlas-search-empty";
        const query = this.input.value.trim();
        empty.textContent = CA.t("No corridor, site or place matches “%(query)s”.", { query });
        this.list.appendChild(empty);
      }
      this.results.forEach((result, index) => {
        const option = document.createElement("li");
        option.id = `atlas-search-option-${index}`;
        option.className = "atlas-search-option";
        option.setAttribute("role", "option");
        const name = document.createElement("span");
        name.className = "atlas-search-name";
        if (result.place) {
          option.classList.add("atlas-search-place");
          option.dataset.place = result.place.name;
          name.textContent = CA.t("Zoom to %(place)s", { place: result.place.name });
        } else {
          option.dataset.feature = result.feature.id;
          const [text, language] = CA.featureName(result.feature);
          name.textContent = text;
          name.lang = language;
        }
        const note = document.createElement("span");
        note.className = "atlas-search-note";
        note.textContent = noteOf(this.app, result);
        option.append(name, note);
        option.addEventListener("click", () => this.choose(index));
        this.list.appendChild(option);
      });
      this.open(this.list.children.length > 0);
      this.highlight(this.results.length ? 0 : -1);
    }

    open(visible) {
      this.list.hidden = !visible;
      this.input.setAttribute("aria-expanded", String(visible));
    }

    close() {
      this.open(false);
      this.highlight(-1);
    }

    highlight(index) {
      this.active = index;
      [...this.list.querySelectorAll("[role=option]")].forEach((option, i) => {
        option.setAttribute("aria-selected", String(i === index));
        if (i === index) {
          option.scrollIntoView({ block: "nearest" });
        }
      });
      if (index >= 0) {
        this.input.setAttribute("aria-activedescendant", `atlas-search-option-${index}`);
      } else {
        this.input.removeAttribute("aria-activedescendant");
      }
    }

    key(event) {
      const n = this.results.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (this.list.hidden) {
          this.update();
          return;
        }
        if (n) {
          const step = event.key === "ArrowDown" ? 1 : -1;
          this.highlight((this.active + step + n) % n);
        }
      } else if (event.key === "Enter") {
        event.preventDefault();
        const typed = this.input.value;
        if (this.query === typed && !this.pending) {
          if (this.results.length) {
            this.choose(Math.max(this.active, 0));
          }
        } else {
          // The answer for what was typed is not shown yet: choose its first result when it is.
          (this.pending || this.update()).then(() => {
            if (this.input.value === typed && this.query === typed && this.results.length) {
              this.choose(0);
            }
          });
        }
      } else if (event.key === "Escape") {
        if (!this.list.hidden) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
          this.announce();
        }
      }
    }

    choose(index) {
      const result = this.results[index];
      this.close();
      if (result.place) {
        const { name, lat, lon } = result.place;
        this.input.value = name;
        this.query = name;
        this.status.textContent = CA.t("Showing %(place)s on the map", { place: result.where });
        this.app.land(); // a flight under way will not open its popup over the place
        this.app.map.stop();
        this.app.map.closePopup();
        this.app.map.flyTo([lat, lon], PLACE_ZOOM);
        return;
      }
      const feature = result.feature;
      const [name] = CA.featureName(feature);
      this.input.value = name;
      this.query = name;
      this.status.textContent = CA.t("Showing %(place)s on the map", { place: name });
      this.app.showFeature(feature.id, { animate: true });
    }
  }

  /* Wire the header's search box, if the page has one. */
  CA.addSearch = function (app) {
    const input = document.getElementById("atlas-search-input");
    return input ? new Search(app, input) : null;
  };
})(window.CorridorAtlas = window.CorridorAtlas || {});
