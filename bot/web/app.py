"""`/verify/{code}`: a record's page in the visitor's language; `/health`: JSON for monitoring; `/metrics`: Prometheus.

Everything shown is escaped; a code that is unknown, tampered with, revoked or belongs to a deleted user gets the
same clear "not valid" page (404), and text that cannot be a code at all gets a 400 page. A record replaced by a
newer one (the participant changed their name) shows the name it was issued with and says so (410).
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web

from bot import metrics
from bot.app import App
from bot.certificates import codes
from bot.core.dispatcher import _db_problem
from bot.i18n import _, format_date, is_rtl, normalize_language, use_locale

log = logging.getLogger(__name__)

APP_KEY = web.AppKey("wego_app", App)
# What the running process reports about itself in /health (its roles, its clock leadership).
STATUS_KEY: web.AppKey[Callable[[], dict[str, object]]] = web.AppKey("wego_status")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5}.valid{color:#176e2b}.invalid{color:#a11}dt{font-weight:bold}"
)
# The pages need no script at all, and only their one inline style (allowed by its hash, not 'unsafe-inline'):
# an injected tag could run nothing and load nothing from elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # aiohttp would announce "Python/3.x aiohttp/3.x": versions only help someone looking for a known hole.
    "Server": "WeGO",
}


async def _security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    # A signal rather than a middleware: it also reaches error responses aiohttp makes itself and the webhook.
    response.headers.update(SECURITY_HEADERS)


def visitor_language(request: web.Request, default: str) -> str:
    """`?lang=` first, then the best Accept-Language entry the program speaks, else the default."""
    chosen = normalize_language(request.query.get("lang"))
    if chosen:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for index, entry in enumerate(request.headers.get("Accept-Language", "").split(",")):
        tag, _sep, params = entry.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = normalize_language(tag)
        if language and quality > 0:
            ranked.append((-quality, index, language))
    return min(ranked)[2] if ranked else default


def page(lang: str, title: str, body: str, *, status: int) -> web.Response:
    """A whole HTML page; `title` is plain text, `body` is already-escaped HTML."""
    direction = "rtl" if is_rtl(lang) else "ltr"
    document = (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style>"
        f"</head><body>{body}</body></html>\n"
    )
    return web.Response(text=document, status=status, content_type="text/html", charset="utf-8")


def _not_valid(lang: str, program: str, reason: str) -> web.Response:
    title = _("Not a valid record")
    checked = _("Records of {program} are checked against the program’s own database.").format(program=program)
    body = f'<h1 class="invalid">✗ {html.escape(title)}</h1><p>{html.escape(reason)}</p><p>{html.escape(checked)}</p>'
    return page(lang, title, body, status=404)


async def verify_page(request: web.Request) -> web.Response:
    from bot.domain.certificates import RecordKind
    from bot.domain.statuses import RecordStatus
    from bot.services.certificates import verify_record

    app = request.app[APP_KEY]
    lang = visitor_language(request, app.settings.default_language)
    program = app.content.program.name
    with use_locale(lang):
        text = request.match_info["code"]
        try:
            codes.normalize(text)
        except codes.CodeFormatError:
            title = _("That is not a record code")
            hint = _("A record code has 16 letters and digits, such as ABCD-EFGH-JKMN-PQRS. Check what you typed.")
            body = f'<h1 class="invalid">{html.escape(title)}</h1><p>{html.escape(hint)}</p>'
            return page(lang, title, body, status=400)
        if app.storage is None:
            raise web.HTTPServiceUnavailable(text="no database")
        async with app.storage.unit_of_work() as uow:
            result = await verify_record(uow, text, secret=app.settings.effective_secret())
        if result.status == RecordStatus.INVALID:
            return _not_valid(
                lang, program, _("No record has this code. It may have been mistyped, altered or withdrawn.")
            )
        if result.status == RecordStatus.REVOKED:
            assert result.revoked_at is not None
            return _not_valid(
                lang,
                program,
                _("This record was revoked on {date} and is no longer valid.").format(
                    date=format_date(result.revoked_at, "UTC")
                ),
            )
        if result.kind == RecordKind.COURSE:
            # What the bot can vouch for: the lectures the person marked, not the course's official certificate.
            kind = _(
                "All {lectures} lectures of the online course marked as watched (a record of this assistant, not "
                "the course’s official certificate)"
            ).format(lectures=len(app.content.all_lectures()))
        else:
            kind = _("Attendance at the workshop “{title}” in {city}").format(
                title=result.workshop_title, city=app.content.city_name(result.workshop_city, lang)
            )
        assert result.issued_at is not None
        if result.status == RecordStatus.SUPERSEDED:
            assert result.superseded_at is not None
            title = _("Replaced by a newer record")
            status = _("Replaced on {date} by a newer record with a changed name").format(
                date=format_date(result.superseded_at, "UTC")
            )
            note = _(
                "This record was issued to the name below. The participant changed the name on their records "
                "later, so a newer record replaced this one."
            )
            css, mark, http_status = "superseded", "↻", 410
        else:
            title, status, note, css, mark, http_status = _("Valid record"), _("Valid"), "", "valid", "✓", 200
        rows = [
            (_("Name"), result.name),
            (_("Record"), kind),
            (_("Program"), program),
            (_("Issued on"), format_date(result.issued_at, "UTC")),
            (_("Status"), status),
            (_("Code"), codes.group(result.code)),
        ]
        items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
        explained = f"<p>{html.escape(note)}</p>" if note else ""
        body = f'<h1 class="{css}">{mark} {html.escape(title)}</h1>{explained}<dl>{items}</dl>'
        # Not 200: whatever reads only the status must not take a replaced record for the current one.
        return page(lang, title, body, status=http_status)


async def health(request: web.Request) -> web.Response:
    from sqlalchemy import text

    app = request.app[APP_KEY]
    if app.storage is None:
        return web.json_response({"status": "error", "database": "not configured"}, status=503)
    try:
        async with app.storage.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health check: database unreachable: %s", getattr(exc, "orig", exc))
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    try:
        await app.storage.check_writable()
    except Exception as exc:
        # The dispatcher's own reading of the error, so that /health and the chat name a problem alike.
        problem = _db_problem(exc)
        state = {"full": "full", "readonly": "read-only", "locked": "busy", "busy": "busy"}.get(problem or "", "error")
        log.warning("health check: database cannot take writes (%s): %s", state, getattr(exc, "orig", exc))
        return web.json_response({"status": "error", "database": state}, status=503)
    status = request.app.get(STATUS_KEY)
    return web.json_response({"status": "ok", "database": "ok", **(status() if status is not None else {})})


# Headers a reverse proxy adds: a request that came through one came from the public side, which /metrics is not
# for (whatever the proxy was told to forward). Prometheus scrapes the process directly.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


async def metrics_page(request: web.Request) -> web.StreamResponse:
    """Prometheus metrics of this process, and the outbox's backlog read from the database now."""
    if any(header in request.headers for header in PROXY_HEADERS):
        raise web.HTTPNotFound()
    app = request.app[APP_KEY]
    pending: int | None = None
    oldest: float | None = None
    if app.storage is not None:
        try:
            async with app.storage.unit_of_work() as uow:
                pending, oldest = await metrics.outbox_backlog(uow.session, app.dispatcher.clock())
        except Exception as exc:
            # The process's own counters are still worth a scrape; /health reports the database.
            log.warning("metrics: outbox backlog not read: %s", type(getattr(exc, "orig", exc)).__name__)
    metrics.set_outbox_backlog(pending, oldest)
    return await metrics.enable().exposition(request)


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        app = request.app[APP_KEY]
        lang = visitor_language(request, app.settings.default_language)
        with use_locale(lang):
            title = _("Page not found")
            hint = _("To check a record, open the link printed with it: /verify/ followed by its code.")
            body = f"<h1>{html.escape(title)}</h1><p>{html.escape(hint)}</p>"
            return page(lang, title, body, status=404)


def build_web_app(app: App, extra_routes: Sequence[web.RouteDef] = ()) -> web.Application:
    """The pages; `extra_routes` are the platforms' own endpoints (Telegram's webhook)."""
    web_app = web.Application(middlewares=[error_pages])
    web_app.on_response_prepare.append(_security_headers)
    web_app[APP_KEY] = app
    web_app.router.add_get("/verify/{code}", verify_page)
    web_app.router.add_get("/health", health)
    if app.settings.metrics_enabled:
        metrics.enable()
        web_app.router.add_get("/metrics", metrics_page)
    web_app.router.add_routes(extra_routes)
    if app.storage is not None:
        from bot.web.console import mount

        mount(web_app, app)
    return web_app


async def start_web(
    app: App,
    *,
    host: str | None = None,
    port: int | None = None,
    extra_routes: Sequence[web.RouteDef] = (),
    status: Callable[[], dict[str, object]] | None = None,
) -> web.AppRunner:
    """Serve the web app beside whatever else runs in this event loop; `await runner.cleanup()` stops it."""
    web_app = build_web_app(app, extra_routes)
    if status is not None:
        web_app[STATUS_KEY] = status
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host or app.settings.web_host, app.settings.web_port if port is None else port)
    await site.start()
    log.info(
        "web pages on http://%s:%s/", host or app.settings.web_host, app.settings.web_port if port is None else port
    )
    return runner
