/* Corridor Atlas: search keys for the typed query, and ranking of the features that match.
 *
 * The browser half of geodata/names.py (exactKey, skeletonKey) and of the search keys of
 * webapp/model/text.py (searchForm, searchKey, searchSkeleton: any script read in Latin letters
 * by any-ascii, the JavaScript port of the anyascii the server uses). The two must agree:
 * tests/browser/test_map_browser.py runs them in Chromium on a table of names and compares them
 * with the Python keys.
 *
 * any-ascii's table is large (546 KB), so it is imported only when a text that is not ASCII
 * needs keying: call CA.transliteration(text) and key once it resolves. If the file is missing
 * (webapp/static/vendor/ not set up: `make js-vendor`), one warning is logged and such text is
 * keyed as written; ASCII text never needs the file.
 */
(function (CA) {
  "use strict";

  // geodata/names.py: _SETTLEMENT_WORDS, _TRANSLITERATION_PAIRS (same order), _LATIN_LETTERS.
  const SETTLEMENT_WORDS = new Set([
    "shahri", "shahar", "gorod", "poselok", "posyolok", "selo", "qishloq", "kishlak", "aul",
  ]);
  const TRANSLITERATION_PAIRS = [
    ["dzh", "j"], ["dj", "j"], ["kh", "k"], ["gh", "g"], ["q", "k"], ["x", "k"], ["w", "v"],
  ];
  // Latin letters that Unicode does not decompose into a base letter plus accents.
  const LATIN_LETTERS = {
    "ı": "i", "ə": "a", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ŋ": "ng",
  };
  const LATIN_LETTER = new RegExp(`[${Object.keys(LATIN_LETTERS).join("")}]`, "g");
  // Python's [\W_]+ : anything that is not a letter or a number.
  const NOT_WORD = /[^\p{L}\p{N}]+/u;
  const MARKS = /\p{M}/gu;
  const VOWELS = /[aeiouy]/g;
  const REPEATS = /(.)\1+/g;
  // webapp/model/text.py: _REGIONAL_LETTERS (Uzbek Cyrillic ў is oʻ, ə is a), _APOSTROPHES.
  const REGIONAL_LETTERS = { "ў": "o", "ə": "a" };
  const REGIONAL_LETTER = /[ўə]/g;
  const APOSTROPHES = /['`]/g;
  const ASCII = /^[\x00-\x7f]*$/;
  const GREEK_EXTENDED = /[\u1f80-\u1fff]/;
  // The vendored module, beside this script (whatever prefix the app is served under).
  const HERE = (document.currentScript && document.currentScript.src) || "/static/";
  const ANY_ASCII_URL = new URL("vendor/any-ascii/any-ascii.js", HERE).href;
  let anyAscii = null; // any-ascii's function, once imported
  let importing = null; // the import under way (or done, or failed)

  /* str.casefold() where it differs from toLowerCase() for names: sharp s and final sigma
   * (the Greek iota subscript is folded after decomposition, below). */
  function casefold(text) {
    return text.toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ");
  }

  /* geodata.names.exact_key: lower-case, accent-free letters and digits (ı, ə, ø… as plain
   * Latin), settlement words ("Shahri", "Gorod"…) dropped unless nothing else is left. */
  function exactKey(name) {
    const bare = casefold(String(name))
      .normalize("NFKD")
      .replace(/\u0345/g, "ι") // the iota subscript, which casefold() spells out
      .replace(MARKS, "")
      .replace(LATIN_LETTER, (letter) => LATIN_LETTERS[letter]);
    const words = bare.split(NOT_WORD).filter(Boolean);
    const named = words.filter((word) => !SETTLEMENT_WORDS.has(word));
    return (named.length ? named : words).join("");
  }

  /* geodata.names.skeleton_key: transliteration pairs folded, vowels after the first letter
   * dropped, repeats squeezed; empty for names not written in Latin letters. */
  function skeletonKey(name) {
    let key = exactKey(name);
    if (!/^[A-Za-z]+$/.test(key)) {
      return "";
    }
    for (const [variant, canonical] of TRANSLITERATION_PAIRS) {
      key = key.split(variant).join(canonical);
    }
    key = key[0] + key.slice(1).replace(VOWELS, "");
    return key.replace(REPEATS, "$1");
  }

  /* Resolves when searchForm can read ``text``: at once for ASCII or once any-ascii is
   * imported (the first call starts the import); a failed import is logged once and resolves
   * too, leaving such text keyed as written. */
  function transliteration(text) {
    if (anyAscii || ASCII.test(String(text))) {
      return Promise.resolve();
    }
    if (!importing) {
      importing = import(ANY_ASCII_URL)
        .then((module) => {
          anyAscii = module.default;
        })
        .catch((error) => {
          console.warn(`Search keys text beyond ASCII as written: ${ANY_ASCII_URL} could not be`
            + ` loaded (make js-vendor sets it up). ${error}`);
        });
    }
    return importing;
  }

  /* webapp.model.text.search_form: lower case, in Latin letters (any-ascii, with ў as oʻ and
   * ə as a), apostrophe-like marks dropped (ʻ ʼ ' ‘ ’ all become ' or ` in any-ascii). */
  function searchForm(text) {
    let folded = casefold(String(text));
    if (GREEK_EXTENDED.test(folded)) { // casefold() spells the iota subscript out: ᾈ is ἀι
      folded = folded.normalize("NFD").replace(/\u0345/g, "ι").normalize("NFC");
    }
    if (anyAscii && !ASCII.test(folded)) {
      folded = anyAscii(folded.replace(REGIONAL_LETTER, (letter) => REGIONAL_LETTERS[letter]))
        .toLowerCase(); // 西安: XiAn
    }
    return folded.replace(APOSTROPHES, "");
  }

  /* webapp.model.text.search_key and search_skeleton. */
  const searchKey = (text) => exactKey(searchForm(text));
  const searchSkeleton = (text) => skeletonKey(searchForm(text));

  /* How well one searchable name matches the query keys: lower is better, null is no match.
   * 0 same name, 1 a word or the name starts with it, 2 contained, 3 same skeleton start. */
  function termScore(term, exact, skeleton) {
    const [termExact, termSkeleton] = term.keys;
    if (termExact === exact) {
      return 0;
    }
    if (termExact.startsWith(exact) || term.words.some((w) => w[0].startsWith(exact))) {
      return 1;
    }
    if (termExact.includes(exact)) {
      return 2;
    }
    if (skeleton.length >= 3 && (termSkeleton.startsWith(skeleton)
        || term.words.some((w) => w[1] && w[1].startsWith(skeleton)))) {
      return 3;
    }
    return null;
  }

  /* A place the feature was located by ranks after its own names. */
  const PLACE_PENALTY = 1.5;

  /* The features matching ``query``, best first: [{feature, term, score}]. An empty query
   * lists every feature by name (so the list can be browsed with the arrow keys). */
  function search(features, query, limit) {
    const exact = exactKey(query);
    if (!exact) {
      return features
        .map((feature) => ({ feature, term: null, score: 0 }))
        .sort((a, b) => a.feature.name.localeCompare(b.feature.name))
        .slice(0, limit);
    }
    const skeleton = skeletonKey(query);
    const found = [];
    for (const feature of features) {
      let best = null;
      for (const term of feature.terms) {
        const score = termScore(term, exact, skeleton);
        if (score === null) {
          continue;
        }
        const ranked = score + (term.type === "place" ? PLACE_PENALTY : 0);
        if (best === null || ranked < best.score) {
          best = { feature, term, score: ranked };
        }
      }
      if (best !== null) {
        found.push(best);
      }
    }
    found.sort((a, b) => a.score - b.score || a.feature.name.localeCompare(b.feature.name));
    return found.slice(0, limit);
  }

  const keysOf = (text) => [exactKey(text), skeletonKey(text)];

  /* One searchable name, as webapp.mapdata.search_term builds it in Python: its keys and, for
   * a name of several words, each word's keys. ``keyed`` may memoise keysOf. */
  function searchTerm(text, type, keyed = keysOf) {
    const words = text.split(NOT_WORD).filter(Boolean);
    const seen = new Set();
    const wordKeys = [];
    for (const word of words.length > 1 ? words : []) {
      const keys = keyed(word);
      const tag = keys.join(" ");
      if (!seen.has(tag)) {
        seen.add(tag);
        if (keys[0]) {
          wordKeys.push(keys);
        }
      }
    }
    return { text, type, keys: keyed(text), words: wordKeys };
  }

  CA.searchTerm = searchTerm;
  CA.exactKey = exactKey;
  CA.skeletonKey = skeletonKey;
  CA.transliteration = transliteration;
  CA.searchForm = searchForm;
  CA.searchKey = searchKey;
  CA.searchSkeleton = searchSkeleton;
  CA.search = search;
})(window.CorridorAtlas = window.CorridorAtlas || {});
