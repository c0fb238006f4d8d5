"""The atlas in several languages: which language a request gets, and its message catalogues.

The interface speaks :data:`~webapp.i18n.languages.LANGUAGES` (English, the default, and
Russian). A request's language is, in order: ``?lang=`` (which also sets the ``lang`` cookie, so
the choice sticks), the ``lang`` cookie, the best match of ``Accept-Language``, English. An
unknown ``?lang=`` is a 400 naming the languages on offer. Pages vary by language, so their
answers say ``Vary: Accept-Language, Cookie`` to caches.

Messages are gettext catalogues in ``webapp/translations/<lang>/LC_MESSAGES/``: ``messages``
for templates and Python, ``js`` for the map's scripts (:mod:`webapp.i18n.scripts`). ``make``
compiles them (``pybabel compile``); see the README's "Adding a language".

Flask-Babel does the selection and the formatting; templates call ``_("…")``, Python
``gettext`` / ``lazy_gettext`` from ``flask_babel``.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, request
from flask_babel import Babel, get_locale

from webapp.i18n.catalogues import ensure_compiled, translations
from webapp.i18n.languages import COOKIE, DEFAULT, LANGUAGES, language_links, without_language
from webapp.i18n.scripts import script_messages
from webapp.i18n.vocabulary import term

#: Where the catalogues live (``<lang>/LC_MESSAGES/<domain>.po`` and ``.mo``).
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: How long the language cookie lasts: a year.
COOKIE_SECONDS = 365 * 24 * 3600

__all__ = ["LANGUAGES", "current_language", "init_app", "script_messages"]


def current_language() -> str:
    """The language of the request; English outside one."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def select_language() -> str:
    """``?lang=``, then the cookie, then ``Accept-Language``, then English."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT)


def _refuse_unknown_language() -> None:
    asked = request.args.get("lang")
    if asked is not None and asked not in LANGUAGES:
        abort(400, f"The atlas speaks {', '.join(LANGUAGES)}; lang={asked!r} is not one of them.")


def _remember_and_vary(response: Response) -> Response:
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE, asked, max_age=COOKIE_SECONDS, samesite="Lax", secure=request.is_secure,
            httponly=True,
        )  # fmt: skip
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Language", current_language())
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    """Give ``app`` its languages: selection, catalogues, the template helpers."""
    ensure_compiled(TRANSLATIONS)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_language)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translations().ugettext(message),
        lambda singular, plural, n: translations().ungettext(singular, plural, n),
        newstyle=True,
    )
    app.before_request(_refuse_unknown_language)
    app.after_request(_remember_and_vary)
    app.jinja_env.filters["term"] = term
    app.jinja_env.globals.update(
        current_language=current_language,
        language_links=language_links,
        without_language=without_language,
    )
