"""A hostile catalogue and seed articles, built through the real pipeline for the hostile tests.

Every free-text field of the catalogue carries every payload of :data:`PAYLOADS` (names,
aliases, descriptions, figure labels and units, status events and dates, quotes, seed titles,
not-mapped names and reasons, curated place names and references), and the seed articles
contain the quotes verbatim, so :func:`geodata.build.build` accepts it as it would any news
text. The vocabularies (kind, category, stage, country) and feature ids cannot carry text:
:data:`REJECTED_FIELDS` lists hostile values the validation must refuse.

Each payload that could run sets ``window.__pwned`` (and calls ``alert``), so a browser test
can tell that nothing ran: no dialog opened and the global stays undefined.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import yaml

from cli.previews import preview_style
from geodata.build import Compiled, build
from geodata.outputs import MANIFEST
from webapp.map.basemaps import tile_origins

#: Hostile strings, by name (NUL and other control characters are in CONTROLS).
PAYLOADS: dict[str, str] = {
    "script": "<script>window.__pwned=1;alert(1)</script>",
    "close-script": "</script><script>window.__pwned=2;alert(2)</script>",
    "img-attribute": '"><img src=x onerror=window.__pwned=3;alert(3)>',
    "svg-attribute": "'><svg onload=window.__pwned=4;alert(4)>",
    "js-template": "`${window.__pwned=5,alert(5)}`",
    "jinja": "{{7*7}} {% if 1 %}x{% endif %} {{config}}",
    "backslashes": "\\u003cb\\u003e \\x3cb\\x3e \\' \\\" \\",
    "javascript-url": "javascript:window.__pwned=6;alert(6)",
    "line-separators": "one\u2028two\u2029three",
    "right-to-left": "\u202egpj.exe\u202c محور النقل الدولي",
    "combining": "Z̸̢͉a̛l̵g̷o̶",
    "entities": "&lt;b&gt;not bold&lt;/b&gt; &amp; &#60;i&#62;",
    "style": "</style><style>body{display:none}</style>",
    "xml": "<!-- --> ]]> <![CDATA[x]]> <?xml?>",
    "formula": '=HYPERLINK("https://example.invalid/?"&A1,"x")',
}
#: Payloads that a spreadsheet would run as a formula if a cell started with them.
FORMULAS = ("=1+1", "+1+1", "-1+1", "@SUM(1)")
#: Characters XML cannot hold (NUL and other controls, non-characters; YAML writes them as
#: escapes such as \0): KML must stay well-formed.
CONTROLS = "nul\x00 bell\x07 escape\x1b vt\x0b del\x7f nonchar\ufffe\uffff"
#: CONTROLS as XML can hold them: each character it cannot hold replaced by U+FFFD.
CONTROLS_IN_XML = "nul\ufffd bell\ufffd escape\ufffd vt\ufffd del\x7f nonchar\ufffd\ufffd"
#: One string with every payload: what each text field carries.
ALL = " ".join(PAYLOADS.values())
#: The single HTML payload a browser test looks for verbatim in shown text.
SCRIPT = PAYLOADS["script"]
#: A string over 10,000 characters (itself full of markup).
LONG = "Long " + "<b>bold?</b> &amp; " * 560 + "end."
#: Values ``as_of`` (YYYY[-MM[-DD]], years 1900-2100) must refuse with a 400 naming it, on the
#: API, the OGC API and the /features table (which ignores only an empty value).
BAD_AS_OF = (
    "2025-13",
    "20255",
    "-1",
    "2025-02-30",
    "2023-02-29",
    "abc",
    "1800",
    "2101",
    "2025-1",
    "2025-06-1",
    "2025/06",
    "2025-06-30T00:00:00Z",
    "\u0662\u0660\u0662\u0665",  # 2025 in Arabic-Indic digits, which int() would read
    "9" * 5000,
    SCRIPT,
    LONG,
)

#: Plain words at the start of each name, so tests can find features and rows by text.
CORRIDOR_A, CORRIDOR_B = "Hostile corridor alpha", "Hostile corridor beta"
SITE_A, SITE_B, SITE_C = "Hostile site alpha", "Hostile site beta", "Hostile site gamma"
UNMAPPED = "Hostile unmapped"

ARTICLE = "hostile_article.txt"
HEADLINED = "hostile_headline.txt"
#: The headline of HEADLINED (its first line, verified verbatim by the build).
HEADLINE = f"Headline {ALL}"
LABEL = f"Label {ALL}"


#: A milestone's date as the hostile article words it (the build must be able to read it).
DATE_WORDS = "fourth quarter of 2026"


def quote(tag: str) -> str:
    """A quote (present in the hostile article) that carries every payload."""
    return f"Quote {tag} says {ALL} and ends."


def text(tag: str) -> str:
    """A text field carrying every payload, led by ``tag`` so it can be found."""
    return f"{tag} {ALL}"


def _curated(tag: str, lat: float, lon: float) -> dict:
    return {
        "name": text(f"Place {tag}"),
        "lat": lat,
        "lon": lon,
        "reference": text(f"Reference {tag} {PAYLOADS['javascript-url']}"),
    }


def _source(tag: str, seed: str = ARTICLE) -> dict:
    return {"seed": seed, "quote": quote(tag)}


def _entry(entry_id: str, name: str, kind: str, category: str, **more) -> dict:
    return {
        "id": entry_id,
        "name": text(name),
        "aliases": [PAYLOADS["javascript-url"], text(f"Alias of {name}")],
        "kind": kind,
        "category": category,
        "countries": ["UZ", "KZ"],
        "status": {
            "stage": "planned",
            "stage_assessment": text("Assessment"),
            # The build reads `when` as dates, so the article's words go in here and the
            # hostile words are written into the built GeoJSON (see build_hostile).
            "dates": [{"event": text("Event"), "when": DATE_WORDS, "stage": "operational"}],
        },
        "figures": [
            {"label": text("Label"), "value": 12.5, "unit": text("Unit"), "quote": quote(entry_id)}
        ],
        "description": text(f"Description of {name}"),
        "sources": [_source(entry_id), _source(f"{entry_id} headline", HEADLINED)],
        **more,
    }


def _formula_led(entry: dict) -> dict:
    """``entry`` with its text fields starting the way spreadsheet formulas do."""
    entry["name"] = f"=1+1 {entry['name']}"
    entry["aliases"] = [*FORMULAS, *entry["aliases"]]
    entry["description"] = f"{PAYLOADS['formula']} {entry['description']}"
    entry["status"]["dates"][0]["event"] = f"@SUM(1) {entry['status']['dates'][0]['event']}"
    entry["figures"][0]["label"] = f"-1+1 {entry['figures'][0]['label']}"
    return entry


def catalogue() -> dict:
    """The hostile catalogue as data (what ``catalogue.yaml`` would hold)."""
    entries = [
        _entry(
            "hostile-corridor-alpha",
            CORRIDOR_A,
            "corridor",
            "rail corridor",
            route=[
                {"place": "Tashkent", "country": "UZ"},
                _curated("alpha-1", 42.3, 69.6),
                _curated("alpha-2", 43.25, 76.9),
            ],
            branches=[[_curated("alpha-1", 42.3, 69.6), _curated("alpha-3", 41.0, 72.0)]],
        ),
        _entry(
            "hostile-corridor-beta",
            CORRIDOR_B,
            "corridor",
            "transport corridor",
            route=[_curated("beta-1", 45.0, 60.0), _curated("beta-2", 47.0, 64.0)],
            description=text(f"Description of {CORRIDOR_B} {CONTROLS}"),
        ),
        _entry(
            "hostile-site-alpha",
            SITE_A,
            "site",
            "industrial park",
            location=_curated("site-alpha", 43.0, 66.0),
        ),
        _formula_led(
            _entry(
                "hostile-site-beta",
                SITE_B,
                "site",
                "technopark",
                location=_curated("site-beta", 40.1, 64.4),
            )
        ),
        _entry(
            "hostile-site-gamma",
            SITE_C,
            "site",
            "logistics centre",
            location={"place": "Samarkand", "country": "UZ"},
            description=LONG,
        ),
    ]
    entries[-1]["sources"].append({"seed": ARTICLE, "quote": LONG})
    entries[-1]["aliases"].append(LONG)
    return {
        "entries": entries,
        "not_mapped": [
            {"name": text(UNMAPPED), "why": text("Why"), "sources": [_source("unmapped")]},
        ],
        "seeds": [
            {
                "seed": ARTICLE,
                "title": LABEL,
                "headline": False,
                "author": text("Author"),
                "publisher": text("Publisher"),
                "published": "2024-07-14",
                "published_note": text("Dateline"),
                "url": "https://example.org/a?q=%3Cscript%3E&b='\"",
                "reference": text("Reference"),
            },
            {"seed": HEADLINED, "title": HEADLINE, "headline": True},
        ],
    }


def _quotes(document: dict) -> list[str]:
    """Every quote of ``document`` (sources and figures), in catalogue order."""
    found = []
    for item in document["entries"] + document["not_mapped"]:
        found += [s["quote"] for s in item["sources"]]
        found += [f["quote"] for f in item.get("figures", [])]
    return found


def articles(document: dict) -> dict[str, str]:
    """The seed articles: every quote of ``document`` in the article it cites."""
    quotes = _quotes(document)
    article = [f"{PAYLOADS['script']} A hostile article.", *quotes, DATE_WORDS, LONG, "The end."]
    headlined = [HEADLINE, *(q for q in quotes if "headline" in q), "Nothing more."]
    return {ARTICLE: "\n\n".join(article) + "\n", HEADLINED: "\n".join(headlined) + "\n"}


def write_inputs(directory: Path, document: dict | None = None) -> tuple[Path, Path]:
    """Write the catalogue and its seeds under ``directory``; returns (catalogue, seeds dir)."""
    document = catalogue() if document is None else document
    seeds_dir = directory / "seeds"
    seeds_dir.mkdir(parents=True, exist_ok=True)
    for name, body in articles(document).items():
        (seeds_dir / name).write_text(body, encoding="utf-8")
    catalogue_path = directory / "catalogue.yaml"
    catalogue_path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return catalogue_path, seeds_dir


def build_hostile(directory: Path) -> tuple[Path, Compiled]:
    """Build the hostile atlas into ``directory / "data"``; returns (data dir, what was built).

    The pipeline refuses control characters, so the catalogue goes in without CONTROLS and they
    are then written into the built GeoJSON by hand, as a tool editing the data directly might:
    the web app must stay safe on data the pipeline did not check.
    """
    catalogue_path, seeds_dir = write_inputs(directory, checkable(catalogue()))
    data_dir = directory / "data"
    compiled = build(
        data_dir, catalogue_path=catalogue_path, seeds_dir=seeds_dir, previews=preview_style()
    )  # with the share cards' images: hostile names drawn, hostile text in their meta tags
    described = {entry["id"]: entry["description"] for entry in catalogue()["entries"]}
    for name in ("atlas.geojson", "corridors.geojson", "sites.geojson"):
        path = data_dir / name
        collection = json.loads(path.read_text(encoding="utf-8"))
        for feature in collection["features"]:
            feature["properties"]["description"] = described[feature["id"]]
            for step in feature["properties"]["status"]["dates"] + [
                step for step in feature["properties"]["history"] if step["kind"] == "event"
            ]:
                step["when"] = text("When")
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    (data_dir / MANIFEST).unlink()  # edited by hand: no longer the build the manifest lists
    return data_dir, compiled


def checkable(document: dict) -> dict:
    """``document`` without CONTROLS, which the pipeline rightly refuses."""
    for entry in document["entries"]:
        entry["description"] = entry["description"].replace(f" {CONTROLS}", "")
    return document


#: Hostile values for fields that must stay identifiers or vocabulary: (field, value).
REJECTED_FIELDS: list[tuple[str, object]] = [
    ("id", PAYLOADS["script"]),
    ("id", PAYLOADS["img-attribute"]),
    ("id", "../../etc/passwd"),
    ("id", "javascript:alert(1)"),
    ("kind", PAYLOADS["script"]),
    ("category", PAYLOADS["img-attribute"]),
    ("category", "industrial park<script>"),
    ("status.stage", PAYLOADS["svg-attribute"]),
    ("countries", [PAYLOADS["script"]]),
    ("countries", ["UZ\u202e"]),
]


# --- security headers ------------------------------------------------------------------------

#: Referrer policies that never send a path to another site.
REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
#: Powerful features the atlas never uses; each must be switched off.
DENIED_FEATURES = ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()")


def csp_directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}."""
    parts = [d.split() for d in policy.split(";") if d.strip()]
    return {part[0].lower(): part[1:] for part in parts}


def security_header_problems(headers: Mapping[str, str], frameable: bool = False) -> list[str]:
    """What is wrong with the security headers of one response (empty when all is well).

    ``frameable`` responses (/embed) may be framed by any site; all others by none.
    """
    problems = []
    policy = headers.get("Content-Security-Policy")
    if policy is None:
        return ["no Content-Security-Policy"]
    csp = csp_directives(policy)
    expected = {
        "default-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *tile_origins()],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["*"] if frameable else ["'none'"],
    }
    for name, sources in expected.items():
        if csp.get(name) != sources:
            problems.append(f"CSP {name} is {csp.get(name)}, expected {sources}")
    scripts = csp.get("script-src", [])
    if scripts[:1] != ["'self'"] or not all(s.startswith("'sha256-") for s in scripts[1:]):
        problems.append(f"CSP script-src allows more than this origin and hashes: {scripts}")
    if not all(origin.startswith("https://") for origin in tile_origins()):
        problems.append(f"img-src allows a tile host without TLS: {tile_origins()}")
    checks = {
        "X-Content-Type-Options": headers.get("X-Content-Type-Options") == "nosniff",
        "Referrer-Policy": headers.get("Referrer-Policy") in REFERRER_POLICIES,
        "Permissions-Policy": all(
            feature in headers.get("Permissions-Policy", "") for feature in DENIED_FEATURES
        ),
        "X-Frame-Options": headers.get("X-Frame-Options") == (None if frameable else "DENY"),
    }
    problems += [f"bad {name}: {headers.get(name)!r}" for name, ok in checks.items() if not ok]
    return problems
