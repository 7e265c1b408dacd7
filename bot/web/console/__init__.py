"""The staff console: a web back office for staff only, served by the same web server as the record pages."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.app import App

STATIC = Path(__file__).resolve().parent / "static"


def mount(web_app: web.Application, app: App) -> None:
    """Add the console's routes to the web app; every page checks the session, staff and CSRF itself."""
    from bot.web.console import auth, broadcasts, overview, participants, questions, workshops

    web_app[auth.APP_KEY] = app

    async def headers(request: web.Request, response: web.StreamResponse) -> None:
        if request.path == "/console" or request.path.startswith("/console/"):
            auth.headers(response)

    # After the site-wide security headers, so the console's own policy (its script and stylesheet) wins.
    web_app.on_response_prepare.append(headers)
    r = web_app.router
    r.add_get("/console/signin/{token}", auth.signin_page)
    r.add_post("/console/signin/{token}", auth.signin)
    r.add_post("/console/signout", auth.signout)
    r.add_post("/console/language", auth.language)
    r.add_get("/console", overview.overview)
    r.add_get("/console/csv/{name}.csv", overview.overview_csv)
    r.add_get("/console/workshops", workshops.workshop_list)
    r.add_post("/console/workshops/new", workshops.workshop_create)
    r.add_get("/console/workshops/export.csv", workshops.workshop_export)
    r.add_get("/console/workshops/{id}", workshops.workshop_page)
    r.add_get("/console/workshops/{id}/export.csv", workshops.workshop_export)
    r.add_get("/console/workshops/{id}/confirm/{op}", workshops.workshop_confirm)
    r.add_post("/console/workshops/{id}/{op}", workshops.workshop_change)
    r.add_get("/console/broadcasts", broadcasts.broadcast_list)
    r.add_get("/console/broadcasts/count", broadcasts.broadcast_count)
    r.add_post("/console/broadcasts/new", broadcasts.broadcast_new)
    r.add_get("/console/broadcasts/{id}", broadcasts.broadcast_page)
    r.add_get("/console/broadcasts/{id}/progress", broadcasts.broadcast_progress)
    r.add_post("/console/broadcasts/{id}/cancel", broadcasts.broadcast_cancel)
    r.add_get("/console/questions", questions.inbox)
    r.add_post("/console/questions/{id}/answer", questions.answer)
    r.add_post("/console/questions/{id}/faq", questions.save_faq)
    r.add_get("/console/participants", participants.search)
    r.add_get("/console/participants/{id}", participants.person)
    r.add_post("/console/participants/{id}/revoke", participants.revoke)
    r.add_get("/console/participants/{id}/export.json", participants.export)
    r.add_get("/console/participants/{id}/delete", participants.delete)
    r.add_post("/console/participants/{id}/delete", participants.delete)
    r.add_static("/console/static", STATIC, append_version=False)
