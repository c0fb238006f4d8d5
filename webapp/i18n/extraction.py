"""Finding the interface's messages in the sources: what ``make messages`` writes to the
``.pot`` templates and what the completeness test compares every catalogue with.

Two domains: ``messages`` (Python and the Jinja templates, including the map's fragments) and
``js`` (``CA.t`` / ``CA.nt`` calls in the scripts). Run ``python -m webapp.i18n.extraction`` to
write ``webapp/translations/<domain>.pot``; ``pybabel update`` then merges them into each
language's catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import write_po

#: The project root (where webapp/ is).
ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"

#: Per domain: (method map, keywords). Paths are relative to the project root.
DOMAINS: dict[str, tuple[list[tuple[str, str]], dict]] = {
    "messages": (
        [("webapp/**.py", "python"), ("webapp/templates/**.html", "jinja2")],
        {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2)},
    ),
    "js": (
        [("webapp/static/*.js", "javascript")],
        {"CA.t": None, "CA.nt": (1, 2)},
    ),
}


def extract(domain: str) -> Catalog:
    """Every message of ``domain`` in the sources, with where it is used."""
    method_map, keywords = DOMAINS[domain]
    catalogue = Catalog(project="Corridor Atlas", domain=domain)
    found = extract_from_dir(str(ROOT), method_map, {}, keywords, strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalogue


def write_templates() -> None:
    """Write ``<domain>.pot`` for every domain."""
    for domain in DOMAINS:
        with (TRANSLATIONS / f"{domain}.pot").open("wb") as target:
            write_po(target, extract(domain), width=0, sort_by_file=True, omit_header=False)


if __name__ == "__main__":
    write_templates()
    sys.exit(0)
