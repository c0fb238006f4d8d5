/* Corridor Atlas: the scripts' messages in the page's language.
 *
 * CA.t("Zoom to %(place)s", { place }) and CA.nt("%(n)s site", "%(n)s sites", n, { n }) look
 * the English message up in the page's "atlas-messages" JSON block (webapp.i18n.scripts: the
 * "js" gettext catalogue of the language the page was made in) and fill in its %(name)s
 * placeholders. A message without a translation stays English. `pybabel extract` finds these
 * calls by name, so call them with string literals, never inside a template literal's ${}.
 * CA.language is the page's language; CA.formatNumber formats like the server (CLDR via Intl).
 */
(function (CA) {
  "use strict";

  let catalogue = null;
  let plurality = null; // the page's language's plural rules, made once

  function load() {
    if (catalogue === null) {
      const element = document.getElementById("atlas-messages");
      catalogue = element
        ? JSON.parse(element.textContent)
        : { language: "en", messages: {}, plurals: { one: 0, other: 1 } };
    }
    return catalogue;
  }

  function fill(text, values) {
    return text.replace(/%(?:\((\w+)\))?([s%])/g, (whole, name, kind) => {
      if (kind === "%") {
        return "%";
      }
      return values && name in values ? String(values[name]) : whole;
    });
  }

  CA.t = function (message, values) {
    const found = load().messages[message];
    return fill(typeof found === "string" ? found : message, values);
  };

  CA.nt = function (singular, plural, count, values) {
    const { language, messages, plurals } = load();
    const forms = messages[singular];
    if (Array.isArray(forms)) {
      plurality = plurality || new Intl.PluralRules(language);
      const category = plurality.select(count);
      const index = plurals[category] !== undefined ? plurals[category] : forms.length - 1;
      return fill(forms[Math.min(index, forms.length - 1)], values);
    }
    return fill(count === 1 ? singular : plural, values);
  };

  CA.language = function () {
    return load().language;
  };

  /* Each formatter is made once: making one loads the language's CLDR data (tens of ms the
   * first time), and the feature list formats its counts on every move of the map. */
  const formatters = new Map();

  CA.formatNumber = function (value, options) {
    const key = JSON.stringify(options || {});
    let formatter = formatters.get(key);
    if (formatter === undefined) {
      formatter = new Intl.NumberFormat(load().language, options);
      formatters.set(key, formatter);
    }
    return formatter.format(value);
  };
})(window.CorridorAtlas = window.CorridorAtlas || {});
