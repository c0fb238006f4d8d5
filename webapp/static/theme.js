/* Corridor Atlas: light and dark themes, on every page and the map.
 *
 * Loaded in <head>, before the body is drawn, so the page is painted in its theme from the
 * first frame (no flash of the other one). The reader's choice ("auto", "light" or "dark") is
 * kept in localStorage under "atlas-theme"; "auto", the default, follows the system's
 * prefers-color-scheme, live. The theme in force is written on <html> as data-theme="light"
 * or "dark" (the stylesheets' palettes and color-scheme follow it) and the choice as
 * data-theme-choice. Every <select data-theme-switch> on the page is the switch.
 *
 * window.AtlasTheme = {choice(), theme(), set(choice)}; a change of theme dispatches
 * "atlas:themechange" on document with detail {theme, choice} (map-basemap.js follows it).
 * Not under window.CorridorAtlas: that name means "the map's scripts are here".
 */
(function () {
  "use strict";

  const KEY = "atlas-theme";
  const CHOICES = ["auto", "light", "dark"];
  const root = document.documentElement;
  const system = window.matchMedia("(prefers-color-scheme: dark)");

  /* The stored choice; "auto" when there is none, it is not one of CHOICES, or storage is
   * refused (a third-party frame, a privacy mode). */
  function stored() {
    let value = null;
    try {
      value = window.localStorage.getItem(KEY);
    } catch (refused) {
      value = null;
    }
    return CHOICES.includes(value) ? value : "auto";
  }

  // The choice in force: the stored one, or the one made here if storage is refused.
  let chosen = stored();
  const choice = () => chosen;

  const resolve = (value) => (value === "auto" ? (system.matches ? "dark" : "light") : value);

  function apply() {
    const theme = resolve(chosen);
    const changed = root.getAttribute("data-theme") !== theme;
    root.setAttribute("data-theme", theme);
    root.setAttribute("data-theme-choice", chosen);
    for (const select of document.querySelectorAll("select[data-theme-switch]")) {
      select.value = chosen;
    }
    if (changed) {
      document.dispatchEvent(
        new CustomEvent("atlas:themechange", { detail: { theme, choice: chosen } }),
      );
    }
  }

  /* Keep ``value`` (one of CHOICES) and apply it. */
  function set(value) {
    if (!CHOICES.includes(value)) {
      return;
    }
    chosen = value;
    try {
      if (value === "auto") {
        window.localStorage.removeItem(KEY);
      } else {
        window.localStorage.setItem(KEY, value);
      }
    } catch (refused) {
      // Not kept: the choice holds for this page only.
    }
    apply();
  }

  /* Show the switches (hidden in the markup: without this script they could do nothing). */
  function wire() {
    for (const select of document.querySelectorAll("select[data-theme-switch]")) {
      select.value = chosen;
      select.addEventListener("change", () => set(select.value));
      const box = select.closest("[data-theme-box]");
      if (box) {
        box.hidden = false;
      }
    }
  }

  apply();
  system.addEventListener("change", apply);
  // Another tab of the atlas changed the choice.
  window.addEventListener("storage", (event) => {
    if (event.key === KEY || event.key === null) {
      chosen = stored();
      apply();
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
  window.AtlasTheme = { choice, theme: () => root.getAttribute("data-theme"), set };
})();
