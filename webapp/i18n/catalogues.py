"""The compiled message catalogues: compiled by ``make`` (``pybabel compile``), checked here,
and the one a request reads (:func:`translations`).

A catalogue whose ``.mo`` is missing or older than its ``.po`` (someone edited a translation
and did not run ``make``) is compiled when the app starts, with a warning, so the interface
never silently shows stale or English text.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from flask import g, has_app_context
from flask_babel import get_translations

log = logging.getLogger(__name__)


def stale_catalogues(directory: Path) -> list[Path]:
    """The ``.po`` files under ``directory`` whose ``.mo`` is missing or older."""
    stale = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def compile_catalogue(po: Path) -> Path:
    """Compile ``po`` beside itself, atomically (another process may read the ``.mo``)."""
    with po.open("rb") as source:
        catalogue = read_po(source, locale=po.parent.parent.name, domain=po.stem)
    mo = po.with_suffix(".mo")
    handle, temporary = tempfile.mkstemp(dir=po.parent, prefix=f".{po.stem}.", suffix=".mo")
    try:
        with os.fdopen(handle, "wb") as target:
            write_mo(target, catalogue, use_fuzzy=False)
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return mo


def ensure_compiled(directory: Path) -> None:
    """Compile every stale catalogue under ``directory`` (see the module)."""
    for po in stale_catalogues(directory):
        log.warning("%s was not compiled (run `make`); compiling it now", po)
        compile_catalogue(po)


def translations() -> NullTranslations:
    """The request's catalogue, looked up once per request: Flask-Babel looks it up again at
    every call (about 10 µs, against 1 µs here), and a page makes a hundred."""
    if not has_app_context():
        return NullTranslations()  # English: code run outside a request (doctests, scripts)
    found = g.get("atlas_translations")
    if found is None:
        found = g.atlas_translations = get_translations()
    return found
