"""Sign-in by one-time link, the session cookie, staff re-checked and the CSRF token checked on every request."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from bot.app import App
from bot.core.staff import ROLE_UNCHECKABLE, Standing, staff_now
from bot.i18n import N_, _, use_locale
from bot.settings import LANGUAGES
from bot.web.console import actions
from bot.web.console.layout import BASE, Frame, e, message_page

log = logging.getLogger(__name__)

COOKIE = "wego_console"
APP_KEY: web.AppKey[App] = web.AppKey("wego_console_app", App)


@dataclass(frozen=True, slots=True)
class Staff:
    """The signed-in staff member for one request."""

    app: App
    who: actions.Staffer
    session_id: int
    frame: Frame
    form: dict[str, str]

    @property
    def lang(self) -> str:
        return self.frame.lang

    def now(self) -> datetime:
        return self.app.dispatcher.clock()


Page = Callable[[web.Request, Staff], Awaitable[web.StreamResponse]]


def _app(request: web.Request) -> App:
    return request.app[APP_KEY]


async def still_staff(app: App, who: actions.Staffer) -> Standing:
    """The configuration's own rule, asked again now: someone taken off the staff list is out at once, and so is
    a Discord member whose staff role was taken away in the server (their roles are asked of Discord, not those
    recorded with the sign-in link). UNKNOWN when Discord cannot be asked right now."""
    standing = await staff_now(app.settings, who.platform, who.platform_user_id, app.member_roles)
    if standing is Standing.UNKNOWN and app.member_roles is None:
        log.warning(
            "console: %s is staff by the Discord role only, which cannot be checked without DISCORD_TOKEN and "
            "DISCORD_GUILD_ID",
            who.actor,
        )
    return standing


def _secure(request: web.Request, app: App) -> bool:
    return request.secure or app.settings.public_base_url.startswith("https://")


def same_origin(request: web.Request, app: App) -> bool:
    """A form posted from a page of this site, or by a client that names no origin (not a browser, or an old one):
    a page elsewhere cannot post into the console, not even to the sign-in."""
    from urllib.parse import urlsplit

    origin = request.headers.get("Origin")
    if origin is None:
        return True
    public = urlsplit(app.settings.public_base_url)
    allowed = {f"{public.scheme}://{public.netloc}", f"{request.scheme}://{request.host}"}
    return origin in allowed


def _refuse(app: App, title: str, text: str, status: int) -> web.Response:
    lang = app.settings.default_language
    with use_locale(lang):
        return message_page(lang, _(title), _(text), status=status)


def _unconfirmed(lang: str, checkable: bool) -> web.Response:
    """Whether someone is still staff cannot be told: nothing is done and the session stays. Discord not answering
    passes (try again); a bot that does not know its server never can (the configuration has to change)."""
    with use_locale(lang):
        if not checkable:
            return message_page(
                lang,
                _("Staff status not confirmed"),
                _(ROLE_UNCHECKABLE),
                status=403,
            )
        response = message_page(
            lang,
            _("Staff status not confirmed"),
            _(
                "We can't confirm you are staff right now: Discord is not answering. Nothing was changed. "
                "Try again in a minute."
            ),
            status=503,
        )
    response.headers["Retry-After"] = "60"
    return response


def staff_page(handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a console page: a live session of someone still staff, and on a POST the session's CSRF token."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        app = _app(request)
        token = request.cookies.get(COOKIE, "")
        found = await actions.open_session(app, token) if token else None
        if found is None:
            return _refuse(
                app,
                N_("Please sign in"),
                N_("Send /console to the assistant on any platform: it answers with a sign-in link for you."),
                401,
            )
        row_id, who, csrf, lang = found
        standing = await still_staff(app, who)
        if standing is Standing.UNKNOWN:
            log.warning("console: session %s refused for now, %s could not be confirmed as staff", row_id, who.actor)
            return _unconfirmed(lang, app.member_roles is not None)
        if standing is Standing.NOT_STAFF:
            await actions.end_session(app, row_id, who)
            log.warning("console: session %s refused, %s is no longer staff", row_id, who.actor)
            return _refuse(app, N_("Only for the program staff"), N_("That is only for the program staff."), 403)
        form: dict[str, str] = {}
        if request.method == "POST":
            if not same_origin(request, app):
                return _refuse(
                    app,
                    N_("The form has expired"),
                    N_("Nothing was changed. Go back, reload the page and try again."),
                    403,
                )
            posted = await request.post()
            form = {key: str(value) for key, value in posted.items() if isinstance(value, str)}
            if not hmac.compare_digest(form.get("csrf", "").encode(), csrf.encode()):
                with use_locale(lang):
                    return message_page(
                        lang,
                        _("The form has expired"),
                        _("Nothing was changed. Go back, reload the page and try again."),
                        status=403,
                    )
        path = request.path_qs if request.method == "GET" else request.path
        frame = Frame(
            lang=lang, csrf=csrf, name=who.display_name or who.actor, zone=app.settings.default_timezone, path=path
        )
        with use_locale(lang):
            return await handler(request, Staff(app, who, row_id, frame, form))

    return wrapped


async def signin_page(request: web.Request) -> web.Response:
    """The link's page: a button that signs in. A GET changes nothing, so a chat's link preview cannot use it up."""
    app = _app(request)
    token = request.match_info["token"]
    lang = await actions.live_link_language(app, token)
    if lang is None:
        lang = app.settings.default_language
        with use_locale(lang):
            return _expired(lang)
    with use_locale(lang):
        title, once, button = _("Staff console"), _("This link signs you in once, on this browser."), _("Sign in")
        body = (
            f"<main><h1>{e(title)}</h1><p>{e(once)}</p>"
            f'<form method="post" action="{BASE}/signin/{e(token)}"><button type="submit">{e(button)}</button></form>'
            "</main>"
        )
        from bot.web.console.layout import document

        return document(lang, _("Staff console"), body)


def _expired(lang: str) -> web.Response:
    return message_page(
        lang,
        _("This sign-in link does not work"),
        _("It was already used, has expired (links last 10 minutes) or is not complete. Send /console again."),
        status=403,
    )


async def signin(request: web.Request) -> web.StreamResponse:
    """Use the link: a session and its cookie, then the overview."""
    app = _app(request)
    if not same_origin(request, app):
        # Another site posting someone's link would sign the visitor in as that someone.
        return _refuse(
            app, N_("The form has expired"), N_("Nothing was changed. Go back, reload the page and try again."), 403
        )
    opened = await actions.redeem_link(app, request.match_info["token"])
    if opened is None:
        lang = app.settings.default_language
        with use_locale(lang):
            return _expired(lang)
    cookie, session_id, who = opened
    # UNKNOWN (Discord not answering) signs in: the link is used up either way, and every page asks again before
    # it shows anything, so the person reloads in a minute instead of asking for a new link.
    if await still_staff(app, who) is Standing.NOT_STAFF:
        await actions.end_session(app, session_id, who)
        return _refuse(app, N_("Only for the program staff"), N_("That is only for the program staff."), 403)
    response = web.HTTPSeeOther(BASE)
    response.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        secure=_secure(request, app),
        samesite="Strict",
        path=BASE,
        max_age=int(actions.SESSION_TTL.total_seconds()),
    )
    raise response


@staff_page
async def signout(request: web.Request, staff: Staff) -> web.StreamResponse:
    await actions.end_session(staff.app, staff.session_id, staff.who)
    response = message_page(
        staff.lang, _("Signed out"), _("You are signed out. Send /console to sign in again."), status=200
    )
    response.del_cookie(COOKIE, path=BASE)
    return response


@staff_page
async def language(request: web.Request, staff: Staff) -> web.StreamResponse:
    chosen = staff.form.get("lang", "")
    if chosen in LANGUAGES:
        await actions.set_session_language(staff.app, staff.session_id, chosen)
    target = staff.form.get("next", BASE)
    # Only a path inside the console: a form must not send anyone elsewhere.
    if not target.startswith(BASE) or target.startswith("//"):
        target = BASE
    raise web.HTTPSeeOther(target)


def headers(response: web.StreamResponse, **_kwargs: Any) -> None:
    """Console responses are never stored by a browser or a proxy; scripts and styles only from the console."""
    response.headers["Cache-Control"] = "no-store"
    # Not "no-referrer" as on the record pages: with it a browser posts forms with "Origin: null", and the console
    # checks the origin of every form. Nothing leaves for another site still.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Pragma"] = "no-cache"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
