"""Running the Telegram door beside the other platforms: start and stop without owning the event loop.

Long polling by default; with TELEGRAM_WEBHOOK_URL set, Telegram posts updates to our web server instead, and
`webhook_route` is the request handler the shared web server mounts. A webhook update is stored before it is
acknowledged and handled from the store (bot/adapters/telegram/inbox.py says why).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, TypeAlias
from urllib.parse import urlparse

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.adapters.telegram.adapter import TelegramAdapter, on_error, publish_commands
from bot.adapters.telegram.http import AiohttpRequest
from bot.adapters.telegram.inbox import UpdateInbox
from bot.adapters.telegram.messenger import TelegramMessenger
from bot.adapters.telegram.ordering import ChatOrderedProcessor, order_key
from bot.adapters.telegram.staff import TelegramStaffInbox
from bot.app import App
from bot.core.ports import BroadcastAnnouncer, CalendarMirror
from bot.logging_setup import Redact
from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_WEBHOOK_PATH = "/telegram/webhook"

PTBApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
PTBBuilder: TypeAlias = ApplicationBuilder[Any, Any, Any, Any, Any, Any]


class RedactToken(Redact):
    """Replaces the bot token in every log line that passes; PTB and httpx put it in request URLs.

    `wego-bot` redacts every configured secret from its first line (bot.logging_setup); this covers a door
    started some other way (tests, an embedding program)."""

    def __init__(self, token: str) -> None:
        super().__init__({token: "<token>"} if token else {})
        self.token = token


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends back with every update; derived from SECRET_KEY when none is configured."""
    configured = settings.telegram_webhook_secret.get_secret_value()
    if configured:
        return configured
    # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -: a hex digest fits.
    return hmac.new(settings.effective_secret(), b"telegram-webhook", hashlib.sha256).hexdigest()


def webhook_path(settings: Settings) -> str:
    return urlparse(settings.telegram_webhook_url).path or DEFAULT_WEBHOOK_PATH


class TelegramDoor:
    def __init__(self, app: App, *, builder: PTBBuilder | None = None) -> None:
        settings = app.settings
        self.app = app
        self.settings = settings
        self.webhook = bool(settings.telegram_webhook_url)
        self.secret = webhook_secret(settings) if self.webhook else ""
        self._token = settings.telegram_token.get_secret_value()
        self._redactor = RedactToken(self._token)
        # The HTTP clients this door made (none when a builder is handed in): closed by `stop` whatever happened,
        # because PTB closes them only once its start got as far as asking Telegram who the bot is.
        self.clients: list[AiohttpRequest] = []
        if builder is None:
            self.clients = [AiohttpRequest(), AiohttpRequest(connection_pool_size=1)]
            builder = (
                Application.builder()
                .token(self._token)
                .base_url(settings.telegram_base_url)
                .request(self.clients[0])
                .get_updates_request(self.clients[1])
            )
        # Chats side by side, each chat's updates in order; the webhook's stored updates go the same way.
        self.processor = ChatOrderedProcessor(settings.telegram_update_concurrency, settings.telegram_update_backlog)
        self.application: PTBApplication = builder.concurrent_updates(self.processor).build()
        self.adapter = TelegramAdapter(app)
        self.application.add_handler(TypeHandler(Update, self.adapter.handle))
        self.application.add_error_handler(on_error)
        # Other parts of the bot (the delivery worker) send through the same HTTP client.
        self.messenger = TelegramMessenger(self.application.bot)
        # Questions for the team go to the staff group, when one is configured (the runner hands it to the clock).
        self.staff_inbox = (
            TelegramStaffInbox(self.application.bot, settings.telegram_staff_chat_id, settings.default_language)
            if settings.telegram_staff_chat_id.strip()
            else None
        )
        # Telegram has no announcement channel: broadcasts reach its members through the delivery queue only.
        self.announcer: BroadcastAnnouncer | None = None
        # Nor a calendar of events to keep in line with the workshops.
        self.calendar: CalendarMirror | None = None
        # The webhook's store of updates, running while the door is started (webhook mode with a database).
        self.inbox: UpdateInbox | None = None
        self.started = False

    async def _process_stored(self, data: dict[str, Any]) -> None:
        update = Update.de_json(data, self.application.bot)
        if update is not None:
            await self.processor.runner.run(order_key(update), self.application.process_update(update))

    async def start(self) -> None:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        for handler in logging.getLogger().handlers:
            handler.addFilter(self._redactor)
        application = self.application
        await application.initialize()
        await publish_commands(application.bot, self.app.router, self.settings)
        await application.start()
        if self.webhook:
            if self.app.storage is not None:
                # Before the webhook is set and before `started` opens the route: updates stored by an earlier
                # run are handled first, in order.
                self.inbox = UpdateInbox(
                    self.app.storage, self._process_stored, in_flight=self.settings.telegram_update_concurrency
                )
                await self.inbox.start()
            await application.bot.set_webhook(
                self.settings.telegram_webhook_url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES
            )
            log.info("telegram: webhook mode, updates at %s", webhook_path(self.settings))
        else:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            log.info("telegram: long polling as @%s", application.bot.username)
        self.started = True

    async def stop(self) -> None:
        """Stop fetching, let the update in hand (and those already queued) finish, then close the client.

        A webhook stays registered, so Telegram keeps updates for us while the bot restarts. The webhook route
        answers 503 from the first moment: an update accepted now would wait behind PTB's stop, which no longer
        reads the queue, and be lost; refused, Telegram sends it again after the restart.
        """
        self.started = False
        application = self.application
        try:
            if self.inbox is not None:
                # The update in hand is finished; stored ones wait in the database for the next start.
                await self.inbox.stop()
                self.inbox = None
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()
        finally:
            # A start that failed before Telegram answered (no network, a wrong address) left them open.
            for client in self.clients:
                await client.shutdown()
            for handler in logging.getLogger().handlers:
                handler.removeFilter(self._redactor)


def webhook_route(door: TelegramDoor) -> web.RouteDef:
    """POST <path of TELEGRAM_WEBHOOK_URL>: Telegram's updates, accepted only with our secret header."""
    expected = door.secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403, text="forbidden")
        if not door.started:
            # Telegram retries later; the update is not lost.
            return web.Response(status=503, text="starting")
        try:
            data = await request.json()
            update = Update.de_json(data, door.application.bot) if isinstance(data, dict) else None
        except (ValueError, KeyError, TypeError):
            update = None
        if update is None or not isinstance(data, dict):
            return web.Response(status=400, text="not an update")
        if door.inbox is None:
            await door.application.update_queue.put(update)
            return web.Response(text="ok")
        try:
            # Committed before the "ok": Telegram never sends an acknowledged update again.
            await door.inbox.accept(update.update_id, data)
        except Exception as exc:
            log.error("telegram update %s not stored (%s); Telegram will send it again", update.update_id, exc)
            return web.Response(status=503, text="try again")
        return web.Response(text="ok")

    return web.post(webhook_path(door.settings), receive)
