/* Corridor Atlas: the search box, an ARIA combobox over feature names, aliases and places.
 *
 * Typing lists the matches (map-names.js ranks them); the arrow keys move through the list,
 * Enter or a click shows the chosen feature on the map and opens its popup, Escape closes the
 * list (or clears the box). The list is built with textContent only: names are text.
 */
(function (CA) {
  "use strict";

  const LIMIT = 12;

  function matchNote(result) {
    const { feature, term } = result;
    if (!term || term.type === "name") {
      return feature.category;
    }
    return `${feature.category} · ${term.type === "place" ? "at" : "also"} ${term.text}`;
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

    update() {
      if (this.app.large) {
        this.app.large.prepareSearch(); // the keys of a large atlas's names, once
      }
      this.results = CA.search(this.app.data.features, this.input.value, LIMIT);
      this.render();
      this.announce();
    }

    announce() {
      const n = this.results.length;
      if (!this.input.value.trim()) {
        this.status.textContent = "";
      } else {
        this.status.textContent = n ? `${n} result${n === 1 ? "" : "s"}` : "No match";
      }
    }

    render() {
      this.list.replaceChildren();
      if (!this.results.length && this.input.value.trim()) {
        const empty = document.createElement("li");
        empty.className = "atlas-search-empty";
        empty.textContent = `No corridor, site or place matches “${this.input.value.trim()}”.`;
        this.list.appendChild(empty);
      }
      this.results.forEach((result, index) => {
        const option = document.createElement("li");
        option.id = `atlas-search-option-${index}`;
        option.className = "atlas-search-option";
        option.setAttribute("role", "option");
        option.dataset.feature = result.feature.id;
        const name = document.createElement("span");
        name.className = "atlas-search-name";
        name.textContent = result.feature.name;
        const note = document.createElement("span");
        note.className = "atlas-search-note";
        note.textContent = matchNote(result);
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
        if (this.list.hidden && this.input.value.trim()) {
          this.update();
        }
        if (this.results.length) {
          this.choose(Math.max(this.active, 0));
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
      const feature = this.results[index].feature;
      this.input.value = feature.name;
      this.close();
      this.status.textContent = `Showing ${feature.name} on the map`;
      this.app.showFeature(feature.id, { animate: true });
    }
  }

  /* Wire the header's search box, if the page has one. */
  CA.addSearch = function (app) {
    const input = document.getElementById("atlas-search-input");
    return input ? new Search(app, input) : null;
  };
})(window.CorridorAtlas = window.CorridorAtlas || {});
