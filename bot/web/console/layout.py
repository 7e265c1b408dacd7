"""The console's page frame, forms and tables: small renderers that escape every value they are given.

Text arguments are plain text (escaped here); arguments named `*_html` are HTML built by these helpers.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiohttp import web

from bot.i18n import LANGUAGE_NAMES, N_, _, format_moment, is_rtl
from bot.settings import LANGUAGES

BASE = "/console"
NAV = (
    ("", N_("Overview")),
    ("/workshops", N_("Workshops")),
    ("/broadcasts", N_("Broadcasts")),
    ("/questions", N_("Questions")),
    ("/participants", N_("Participants")),
)


def path_id(request: web.Request) -> int:
    """The `{id}` of the URL as a number (the chat's own reading of ids); anything else is no such page."""
    from bot.core.text import parse_id

    number = parse_id(request.match_info["id"])
    if number is None:
        raise web.HTTPNotFound()
    return number


def e(value: object) -> str:
    return html.escape(str(value), quote=True)


def url(path: str, **query: object) -> str:
    shown = {key: value for key, value in query.items() if value not in (None, "")}
    return BASE + path + ("?" + urlencode(shown) if shown else "")


@dataclass(frozen=True, slots=True)
class Frame:
    """What every page of a signed-in staff member shows around its content."""

    lang: str
    csrf: str
    name: str
    zone: str
    path: str


def when(moment: datetime | None, zone: str) -> str:
    return format_moment(moment, zone) if moment is not None else "—"


def h2(text: str) -> str:
    return f"<h2>{e(text)}</h2>"


def para(text: str) -> str:
    return f"<p>{e(text)}</p>"


def link(href: str, text: str, *, css: str = "", download: bool = False) -> str:
    cls = f' class="{e(css)}"' if css else ""
    return f'<a href="{e(href)}"{cls}{" download" if download else ""}>{e(text)}</a>'


def hidden_csrf(frame: Frame) -> str:
    return f'<input type="hidden" name="csrf" value="{e(frame.csrf)}">'


def form(frame: Frame, action: str, inner_html: str, *, button: str, css: str = "") -> str:
    """A POST form carrying the session's CSRF token."""
    cls = f' class="{e(css)}"' if css else ""
    return (
        f'<form method="post" action="{e(action)}"{cls}>{hidden_csrf(frame)}{inner_html}'
        f'<button type="submit">{e(button)}</button></form>'
    )


def field(label: str, name: str, value: object = "", *, kind: str = "text", extra: str = "") -> str:
    shown = "" if value is None else value
    return (
        f'<label>{e(label)} <input type="{e(kind)}" name="{e(name)}" id="f-{e(name)}" value="{e(shown)}"{extra}>'
        "</label>"
    )


def select_field(label: str, name: str, options: Sequence[tuple[str, str]], chosen: str = "") -> str:
    items = "".join(
        f'<option value="{e(value)}"{" selected" if value == chosen else ""}>{e(text)}</option>'
        for value, text in options
    )
    return f'<label>{e(label)} <select name="{e(name)}" id="f-{e(name)}">{items}</select></label>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, css: str = "") -> str:
    """A table; cells are HTML (escape text cells with `e`)."""
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cls = f' class="{e(css)}"' if css else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def notice(text: str, *, kind: str = "info") -> str:
    return f'<p class="notice {e(kind)}" role="status">{e(text)}</p>'


def _language_picker(frame: Frame) -> str:
    options = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
    inner = (
        select_field(_("Language"), "lang", options, frame.lang)
        + f'<input type="hidden" name="next" value="{e(frame.path)}">'
    )
    return form(frame, url("/language"), inner, button=_("Change"), css="picker")


def document(lang: str, title: str, body_html: str, *, status: int = 200, scripts: bool = False) -> web.Response:
    direction = "rtl" if is_rtl(lang) else "ltr"
    script = f'<script src="{BASE}/static/console.js" defer></script>' if scripts else ""
    text = (
        "<!DOCTYPE html>\n"
        f'<html lang="{e(lang)}" dir="{direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · WeGO</title>"
        f'<link rel="stylesheet" href="{BASE}/static/console.css">{script}'
        f"</head><body>{body_html}</body></html>\n"
    )
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")


def page(frame: Frame, title: str, content_html: str, *, status: int = 200, scripts: bool = False) -> web.Response:
    """A console page with the navigation, the signed-in name, the language picker and sign-out."""
    links = "".join(
        f'<a href="{e(url(path))}"{" aria-current=page" if frame.path.rstrip("/") == url(path).rstrip("/") else ""}>'
        f"{e(_(label))}</a>"
        for path, label in NAV
    )
    who = _("Signed in as {name}").format(name=frame.name)
    sign_out = form(frame, url("/signout"), "", button=_("Sign out"), css="signout")
    console = _("Staff console")
    header = (
        f'<header><nav aria-label="{e(console)}">{links}</nav>'
        f'<div class="who"><span>{e(who)}</span>{_language_picker(frame)}{sign_out}</div></header>'
    )
    zone = _("Times in {zone}").format(zone=frame.zone)
    body = f"{header}<main><h1>{e(title)}</h1>{content_html}</main><footer>{e(zone)}</footer>"
    return document(frame.lang, title, body, status=status, scripts=scripts)


def message_page(lang: str, title: str, text: str, *, status: int) -> web.Response:
    """A page for someone not signed in (or no longer allowed): no navigation, nothing but the reason."""
    return document(lang, title, f"<main><h1>{e(title)}</h1><p>{e(text)}</p></main>", status=status)
