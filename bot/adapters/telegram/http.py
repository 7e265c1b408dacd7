"""python-telegram-bot's Bot API calls over aiohttp instead of httpx.

Under load (bench/load: 200 people sending at once) the bot's process spent a quarter of its CPU in httpx, httpcore,
h11 and anyio, more per call than all the work an echo bot does for an update; aiohttp, which the web server
already runs on, does the same request for about half of that. PTB keeps everything above the HTTP call (JSON,
errors, retries, flood control answers): this class only sends the form and returns the status and the body, and
turns aiohttp's failures into PTB's own `TimedOut` and `NetworkError`, which `outcome_of` already knows.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB's own defaults for HTTPXRequest, kept so that nothing but the client changes.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0


def _given(value: Any, default: float | None) -> float | None:
    """A timeout PTB passed on, or ours where it passed its 'not given' marker."""
    return default if isinstance(value, DefaultValue) else value


def _plus(*parts: float | None) -> float | None:
    """Timeouts added up; None (no limit) if any part has none."""
    return None if any(part is None for part in parts) else sum(part for part in parts if part is not None)


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one aiohttp session: `connection_pool_size` connections at most; the timeouts are
    HTTPXRequest's (and PTB's defaults), used where a call gives none."""

    __slots__ = ("_connect", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(
        self,
        connection_pool_size: int = 256,
        *,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read, self._write, self._connect, self._pool = read_timeout, write_timeout, connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    def _open(self) -> aiohttp.ClientSession:
        # Made inside the running loop (PTB builds requests before any loop runs).
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._pool_size), timeout=aiohttp.ClientTimeout(total=None)
        )
        return self._session

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._open()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    @property
    def closed(self) -> bool:
        """No connection is open (never opened, or shut down)."""
        return self._session is None or self._session.closed

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None:
            # Usable before `initialize`, as PTB's HTTPXRequest is; not after `shutdown` until initialised again.
            session = self._open()
        elif session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None and request_data.contains_files else None
        fields = request_data.json_parameters if request_data is not None else {}
        data: aiohttp.FormData | bytes
        headers = {"User-Agent": self.USER_AGENT}
        if files:
            data = aiohttp.FormData(fields)
            for name, (filename, content, mime_type) in files.items():
                data.add_field(name, content, filename=filename, content_type=mime_type)
        else:
            # Encoded here: a FormData for a plain form costs a multipart boundary (a uuid4) it never uses.
            data = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        read = _given(read_timeout, self._read)
        # Files get at least the media write timeout, as HTTPXRequest gives them; no limit stays no limit.
        media_write = None if self._write is None else max(self._write, MEDIA_WRITE_TIMEOUT)
        write = _given(write_timeout, media_write if files else self._write)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        # aiohttp has no write timeout and counts the wait for a pooled connection in `connect`: the request as a
        # whole gets what httpx would allow its steps together.
        timeout = aiohttp.ClientTimeout(
            total=_plus(pool, connect, write, read), connect=_plus(pool, connect), sock_connect=connect, sock_read=read
        )
        try:
            async with session.request(method, url, data=data, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The class name says what failed when the message is empty (a dropped connection). Some of aiohttp's
            # messages quote the URL, whose path holds the bot's token: it never reaches a log or `last_error`.
            raise NetworkError(_without_token(f"aiohttp.{type(exc).__name__}: {exc}", url)) from exc


def _without_token(text: str, url: str) -> str:
    """`text` with the token part of a Bot API URL (`.../bot<token>/<method>`) masked."""
    token_part = url.rsplit("/", 2)[-2] if url.count("/") >= 2 else ""
    return text.replace(token_part, "bot<token>") if token_part else text
