"""Who may use the review: the holder of the server's token, and only with a CSRF token.

Like a notebook server, ``corridor-atlas review`` prints a URL with a random token
(``/?token=…``). The first request carrying it gets the token back in an HttpOnly,
SameSite=Strict cookie and is redirected to the same address without it (so the token is
not left in the history or sent on as a Referer); any request with neither, or addressed to
another host name than 127.0.0.1 or localhost (DNS rebinding), is refused with 403. Every
state-changing request is a POST whose form carries the session's CSRF token: missing is
400, wrong is 403. Responses carry the public app's security headers and a
policy allowing scripts and styles from this origin only, and ``Referrer-Policy:
no-referrer``, so a tile request says nothing of the page that made it.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import Flask, Response, abort, current_app, redirect, request, session

from webapp.security import SECRET_PAGE_HEADERS, content_security_policy, request_problem

COOKIE = "review_token"
#: Host names the review answers to: another name resolving here (DNS rebinding) is refused.
LOCAL_NAMES = frozenset({"127.0.0.1", "localhost"})
#: The tile servers the review map may load images from (the base layer is optional).
TILE_ORIGINS = ("https://tile.openstreetmap.org",)
#: The review's pages send no Referer anywhere (the tile requests included).
REFERRER_POLICY = "no-referrer"


def csrf_token() -> str:
    """This session's CSRF token, made on first use; templates put it in every form."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_token() -> Response | None:
    found = request_problem(request.environ)
    if found is not None:
        abort(*found)
    if request.host.rsplit(":", 1)[0] not in LOCAL_NAMES:
        abort(403, "The review answers only to 127.0.0.1 or localhost.")
    expected = current_app.config["REVIEW_TOKEN"]
    offered = request.args.get("token")
    if offered is not None:
        if not secrets.compare_digest(offered, expected):
            abort(403, "Wrong token: open the address `corridor-atlas review` printed.")
        rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
        target = request.path + (f"?{urlencode(rest)}" if rest else "")
        response = redirect(target, code=303)
        response.set_cookie(COOKIE, expected, httponly=True, samesite="Strict", path="/")
        return response
    if not secrets.compare_digest(request.cookies.get(COOKIE, ""), expected):
        abort(403, "No token: open the address `corridor-atlas review` printed.")
    if request.method == "POST":
        sent = request.form.get("csrf")
        if not sent:
            abort(400, "The form has no CSRF token; reload the page and try again.")
        if "csrf" not in session or not secrets.compare_digest(sent, session["csrf"]):
            abort(403, "The form's CSRF token is not this session's; reload the page.")
    return None


def _add_headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy([], TILE_ORIGINS)
    )
    # No Referer at all, not even the origin the public app sends the tile servers: nothing
    # about this local page (its port, a path, a token) leaves the machine.
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    for name, value in SECRET_PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Guard every request of ``app`` with its ``REVIEW_TOKEN`` and CSRF; add the headers."""
    app.before_request(_check_token)
    app.after_request(_add_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
