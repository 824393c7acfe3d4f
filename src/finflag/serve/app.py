"""The review app: the corpus index, a page per post with keyboard review, and the decision endpoint.

Every route is one row of :data:`ROUTES` (a new page is one handler and one
row); every page is a Jinja2 template in ``finflag/output/templates`` (the
HTML report's folder: the app reuses its stylesheet, its post page and its
summary block). Nothing is fetched from elsewhere: styles and scripts are
inlined, so the app works offline.

Guards, because a browser on the same machine visits other sites too:
the Host header must name this server (no DNS rebinding), a decision is
accepted only with the ``X-Finflag-Review`` header that a cross-site form
cannot send and from this origin, and every bad request (unknown post or
finding, malformed form, unknown filter, a path that tries to climb out)
gets a 4xx page, never a traceback. The only file the app writes is the
folder's ``review.db``.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..output.html import category_colours, environment, post_context
from ..reviewstore import Decisions, reviewer
from ..rules.pack import SEVERITIES
from .corpus import REVIEW_STATES, VOICES, BadQuery, Corpus, Filters, Post

#: Host names a loopback server answers to; another --host adds its own (or all, for 0.0.0.0).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
#: Keys of the decision endpoint -> the stored decision (None: the note only, or forget the decision).
ACTIONS = {"confirm": "confirmed", "dismiss": "dismissed", "note": None, "clear": None}
#: The header a decision must carry: a cross-site <form> cannot set it, and fetch() from another
#: origin would need a CORS preflight this app never answers.
REVIEW_HEADER = "x-finflag-review"
MAX_NOTE = 2000
#: Index columns: (sort key or "", heading).
COLUMNS = (("path", "File"), ("risk", "Risk"), ("findings", "Findings"), ("", "Categories"),
           ("checks", "Failed summary checks"), ("review", "Reviewed"))


def render(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(environment().get_template(template).render(**context), status_code=status_code)


def post_url(post: Post) -> str:
    return post_url_of(post.name)


def row_cells(post: Post) -> Markup:
    """The post's index row (but its progress), rendered once per version of its result file:
    10,000 rows re-rendered on every request would cost a second."""
    if post.cells is None:
        post.cells = environment().get_template("app_row.html.j2").render(p=post, url=post_url(post))
    return Markup(post.cells)


def _headers(filters: Filters) -> list[dict[str, str]]:
    """Column headings with links that sort by them (a second click reverses)."""
    base = {k: v for k, v in (("q", filters.q), ("category", filters.category), ("severity", filters.severity),
                              ("review", filters.review), ("voice", filters.voice)) if v}
    headers = []
    for key, label in COLUMNS:
        if not key:
            headers.append({"label": label, "href": "", "arrow": ""})
            continue
        current = filters.sort.lstrip("-") == key
        sort = "-" + key if current and not filters.sort.startswith("-") else key
        arrow = (" ▼" if filters.sort.startswith("-") else " ▲") if current else ""
        headers.append({"label": label, "href": "/?" + urlencode({**base, "sort": sort}), "arrow": arrow, "key": key})
    return headers


def index(request: Request) -> HTMLResponse:
    """The corpus: one row per post with risk, counts, failed checks and review progress; filtered and sorted."""
    try:
        filters = Filters.from_query(request.query_params)
    except BadQuery as error:
        raise HTTPException(400, str(error)) from None
    decisions = Decisions.load(request.app.state.folder)
    rows, total = request.app.state.corpus.rows(filters, decisions)
    categories = list(category_colours())
    categories += sorted({c for r in rows for c in r.post.categories} - set(categories))
    shown = [(row_cells(r.post), None if r.post.error else f"{r.decided}/{len(r.post.ids)}" if r.post.ids else "")
             for r in rows]
    return render("app_index.html.j2", title=f"finflag review: {request.app.state.folder.name}", home="/",
                  rows=shown, total=total, filters=filters, headers=_headers(filters),
                  decided=sum(r.decided for r in rows), findings=sum(len(r.post.ids) for r in rows),
                  categories=categories, severities=list(reversed(SEVERITIES)), review_states=REVIEW_STATES,
                  voices=VOICES)


def _post(request: Request) -> tuple[Post, list[Post]]:
    try:
        return request.app.state.corpus.post(request.path_params["name"])
    except KeyError:
        raise HTTPException(404, "no such post in this report") from None


def post(request: Request) -> HTMLResponse:
    """One post: the text with findings in place, the summary and its checks, and keyboard review."""
    current, posts = _post(request)
    decisions = Decisions.load(request.app.state.folder)
    at = posts.index(current)
    context = post_context(current.result, decisions,
                           post_url(posts[at - 1]) if at else None,
                           post_url(posts[at + 1]) if at + 1 < len(posts) else None)
    config = {"decide": post_url(current) + "/decide", "header": REVIEW_HEADER, "home": "/"}
    decided = sum(decisions.state(i) != "unreviewed" for i in current.ids)
    return render("app_post.html.j2", **context, home="/", config=config, decided=decided)


def promoters(request: Request) -> HTMLResponse:
    """The promoter map of the folder as it stands: clusters of posts sharing contact points, each post
    linked to its review page."""
    from ..output.promoters import render_html
    from ..promoters import build_map

    posts = [p for p in request.app.state.corpus.posts() if not p.error]
    names = {p.path: p.name for p in posts}
    pmap = build_map([p.result for p in posts])
    return HTMLResponse(render_html(pmap, href=lambda post: post_url_of(names[post.path]), home="/",
                                    title=f"Promoter map: {request.app.state.folder.name}"))


def post_url_of(name: str) -> str:
    return "/post/" + quote(name)


def _bad(message: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)


async def decide(request: Request) -> Response:
    """Save one decision or note at once: form fields finding, action (confirm/dismiss/note/clear), note."""
    if request.headers.get(REVIEW_HEADER) != "1":
        return _bad(f"a decision needs the {REVIEW_HEADER} header (sent by the post page)", 403)
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host', '')}":
        return _bad("a decision from another site is refused", 403)
    try:
        form = await request.form(max_files=0, max_fields=8, max_part_size=16 * 1024)
    except HTTPException as error:  # python-multipart could not parse the body
        return _bad(f"malformed form data: {error.detail}")
    fields = {k: form.get(k) for k in ("finding", "action", "note")}
    if any(v is not None and not isinstance(v, str) for v in fields.values()):
        return _bad("malformed form data: files are not accepted")
    action, finding_id, note = fields["action"], fields["finding"], fields["note"]
    if action not in ACTIONS:
        return _bad(f"action must be one of {', '.join(ACTIONS)}")
    if not finding_id:
        return _bad("malformed form data: no finding id")
    if action == "note" and note is None:
        return _bad("malformed form data: a note action needs a note")
    if note is not None and len(note) > MAX_NOTE:
        return _bad(f"a note is at most {MAX_NOTE} characters")
    try:
        current = await run_in_threadpool(request.app.state.corpus.find, request.path_params["name"])
    except KeyError:
        return _bad("no such post in this report", 404)
    finding = next((f for f in current.result["findings"] if f["id"] == finding_id), None)
    if finding is None:
        return _bad("no such finding in this post", 404)
    store: Decisions = request.app.state.decisions

    def save() -> dict[str, Any]:
        if action == "clear":
            store.clear(finding_id)
            return {}
        return store.set(finding, current.path, ACTIONS[action], note.strip() if note is not None else None,
                         who=f"{reviewer()} (browser)")

    entry = await run_in_threadpool(save)
    return JSONResponse({"finding": finding_id, "state": entry.get("decision", "unreviewed"), **entry})


#: The app's routes: one row per page or endpoint (a promoter map page is one more row).
ROUTES = [
    Route("/", index, name="index"),
    Route("/post/{name}", post, name="post"),
    Route("/promoters", promoters, name="promoters"),
    Route("/post/{name}/decide", decide, methods=["POST"], name="decide", max_body_size=64 * 1024),
]


async def http_error(request: Request, error: Exception) -> Response:
    status = error.status_code if isinstance(error, HTTPException) else 500
    detail = error.detail if isinstance(error, HTTPException) else "the server could not answer this request"
    if request.url.path.endswith("/decide"):
        return _bad(str(detail), status)
    return render("app_error.html.j2", status, title=f"finflag: {status}", home="/", status=status, detail=detail)


def warm(app: Starlette) -> int:
    """Read every result and render every index row now, so that the first page is as fast as the next ones;
    returns the number of posts.

    Then the objects read are moved out of the garbage collector's sight (``gc.freeze``): JSON results hold
    no reference cycles, so reference counting frees them when a result is replaced, and a full collection
    over 10,000 results would otherwise stall one request in two by a third of a second.
    """
    posts = app.state.corpus.posts()
    for post in posts:
        row_cells(post)
    gc.collect()
    gc.freeze()
    return len(posts)


def create_app(folder: Path, allowed_hosts: Sequence[str] = LOOPBACK_HOSTS) -> Starlette:
    """The app for one report folder; ``allowed_hosts`` are the Host names it answers ("*": any)."""
    app = Starlette(routes=ROUTES, exception_handlers={HTTPException: http_error, Exception: http_error},
                    middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))])
    app.state.folder = Path(folder)
    app.state.corpus = Corpus(Path(folder))
    app.state.decisions = Decisions.load(Path(folder))  # the writer; pages read a fresh store per request
    return app
