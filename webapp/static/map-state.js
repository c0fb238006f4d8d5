/* Corridor Atlas: the map state as a URL fragment, so a view can be shared or reloaded.
 *
 *   #map=<zoom>/<lat>/<lon>&base=<base layer key>&category=<keys shown>&layers=<overlays hidden>
 *    &status=<keys shown>&country=<codes shown>&as_of=<YYYY-MM>&open=<feature id>
 *
 * Every part is optional: a missing list means "all shown", so /#open=<id> alone is a valid
 * state (fit to that feature and open its popup). Lists are comma-separated; an empty value
 * (category=) means none. Keys are slugs and ids, so they need no escaping, but each item is
 * percent-encoded anyway. ``as_of`` is the timeline's month (map-timeline.js, which reads it as
 * the API's as_of=YYYY[-MM[-DD]] and ignores any other value); absent, the timeline is off.
 *
 * A URL is anyone's to write: names read here are only strings, which map.js and
 * map-filters.js look up as own keys (never inherited ones such as "__proto__"), and numbers
 * that are not plain finite decimals, or that no view of this map could have written, are
 * refused rather than handed to Leaflet (a longitude of 1e20 freezes the tab).
 *
 * The page's language is kept in the query (?lang=ru), not the fragment, since the server
 * chooses the page's language: a page in another language than English (the default) puts it
 * in its own address at start, so the address copied as a permalink reopens that language, and
 * CA.withLanguage adds it to the links the map makes (the full atlas from /embed, popups).
 * English addresses stay as they were: they leave the reader's own choice to the server.
 */
(function (CA) {
  "use strict";

  const LISTS = ["category", "layers", "status", "country"];
  //: The language of the addresses that name none (webapp/i18n/languages.py DEFAULT).
  const DEFAULT_LANGUAGE = "en";
  const ORDER = ["map", "base", "category", "layers", "status", "country", "as_of", "open"];
  // A plain decimal ("6.5", "-41.25", "1e3"); Number() would also take "0x10", " 5" and "" (as 0).
  const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
  //: Web Mercator's edge (85.0511°), rounded in: Leaflet cannot centre a view beyond it.
  const MAX_LATITUDE = 85.05;
  //: Degrees beyond which a coordinate is garbage rather than a view panned round the world.
  const MAX_DEGREES = 1080;

  function decode(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, " "));
    } catch (error) {
      return "";
    }
  }

  function number(value, digits) {
    return String(Number(value.toFixed(digits)));
  }

  function decimal(text) {
    return DECIMAL.test(text) ? Number(text) : NaN;
  }

  /* The view of "<zoom>/<lat>/<lon>", or null unless all three are finite decimals within
   * MAX_DEGREES. Latitude is clamped to the map's edge, longitude wrapped into [-180, 180];
   * the zoom is left to the map, which knows its own range (see map.js). */
  function parseView(value) {
    const parts = value.split("/");
    if (parts.length !== 3) {
      return null;
    }
    const [zoom, lat, lon] = parts.map(decimal);
    if (![zoom, lat, lon].every(Number.isFinite)
        || Math.abs(lat) > MAX_DEGREES || Math.abs(lon) > MAX_DEGREES) {
      return null;
    }
    return {
      zoom,
      lat: Math.min(Math.max(lat, -MAX_LATITUDE), MAX_LATITUDE),
      lon: Math.abs(lon) <= 180 ? lon : ((((lon + 180) % 360) + 360) % 360) - 180,
    };
  }

  /* The state written in ``fragment`` ("#map=…" or "map=…"); unknown parts and views that
   * parseView refuses are ignored. */
  function parseFragment(fragment) {
    const state = { view: null, base: null, open: null, as_of: null };
    for (const name of LISTS) {
      state[name] = null;
    }
    for (const part of fragment.replace(/^#/, "").split("&")) {
      const cut = part.indexOf("=");
      if (cut < 0) {
        continue;
      }
      const name = decode(part.slice(0, cut));
      const value = part.slice(cut + 1);
      if (name === "map") {
        state.view = parseView(value) || state.view;
      } else if (name === "base" || name === "open" || name === "as_of") {
        state[name] = decode(value) || null;
      } else if (LISTS.includes(name)) {
        state[name] = value === "" ? [] : value.split(",").map(decode).filter(Boolean);
      }
    }
    return state;
  }

  /* The fragment (without "#") of ``state``; parts that are null are left out. */
  function formatFragment(state) {
    const parts = {};
    if (state.view) {
      const { zoom, lat, lon } = state.view;
      parts.map = [number(zoom, 2), number(lat, 5), number(lon, 5)].join("/");
    }
    if (state.base) {
      parts.base = encodeURIComponent(state.base);
    }
    for (const name of LISTS) {
      if (state[name]) {
        parts[name] = state[name].map(encodeURIComponent).join(",");
      }
    }
    if (state.as_of) {
      parts.as_of = encodeURIComponent(state.as_of);
    }
    if (state.open) {
      parts.open = encodeURIComponent(state.open);
    }
    return ORDER.filter((name) => name in parts).map((name) => `${name}=${parts[name]}`).join("&");
  }

  /* The embed page's own options: ?focus=<id>, ?only=<id>,<id> and ?as_of=<YYYY-MM> (the
   * timeline's month when the fragment names none). */
  function parseEmbedQuery(search) {
    const params = new URLSearchParams(search);
    const only = params.get("only");
    return {
      focus: params.get("focus") || null,
      only: only ? only.split(",").map((id) => id.trim()).filter(Boolean) : null,
      as_of: params.get("as_of") || null,
    };
  }

  /* ``url`` (a path or URL of this site, with or without a query and a fragment) with
   * ``lang=<the page's language>`` in its query, unless the page is in ``DEFAULT_LANGUAGE``. */
  function withLanguage(url) {
    const language = CA.language ? CA.language() : DEFAULT_LANGUAGE;
    if (language === DEFAULT_LANGUAGE) {
      return url;
    }
    const address = new URL(url, window.location.href);
    if (address.searchParams.get("lang") === language) {
      return url;
    }
    address.searchParams.set("lang", language);
    const absolute = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(url);
    return absolute ? address.href : `${address.pathname}${address.search}${address.hash}`;
  }

  /* An app path ("/", "/features/x", "/#open=x") as this page links to it: as it is where the
   * app serves the page; on a published static site (the page data's ``site``, added by
   * webapp/publish) the published file relative to the page, in the page's language. */
  function sitePath(path) {
    const site = CA.site;
    if (!site) {
      return path;
    }
    const [, route, tail] = /^([^?#]*)(.*)$/.exec(path);
    const name = route === "/" ? "index" : route.slice(1);
    return `${site.pages}${name}.html${tail}`;
  }

  /* Put the page's language in the address bar (see the top): map.js writes the state into
   * this address, keeping its query. */
  function keepLanguage() {
    const address = withLanguage(window.location.href);
    if (address !== window.location.href) {
      window.history.replaceState(window.history.state, "", address);
    }
  }

  /* A new element with a class and text (set as text, never parsed as HTML). */
  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  /* Run ``work`` when the page is idle (after the frames it has to paint), within ``limit``
   * ms if given; after the current task where the browser has no idle callbacks. */
  function whenIdle(work, limit) {
    if (window.requestIdleCallback) {
      window.requestIdleCallback(work, limit ? { timeout: limit } : undefined);
    } else {
      setTimeout(work, 0);
    }
  }

  CA.element = element;
  CA.whenIdle = whenIdle;
  CA.parseFragment = parseFragment;
  CA.formatFragment = formatFragment;
  CA.parseEmbedQuery = parseEmbedQuery;
  CA.withLanguage = withLanguage;
  CA.sitePath = sitePath;

  document.addEventListener("atlas:started", keepLanguage);
})(window.CorridorAtlas = window.CorridorAtlas || {});
