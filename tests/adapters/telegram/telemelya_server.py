"""Runs the telemelya Bot API emulator (PyPI) for the end-to-end tests: `python -m ... PORT`.

Its state lives in fakeredis and its media store (S3) is switched off, so the tests need no service running;
start it from a directory without a `.env`, which telemelya reads and rejects unknown keys from.
"""

from __future__ import annotations

import sys

import fakeredis
import uvicorn
from telemelya.server.app import app
from telemelya.server.media import media_manager
from telemelya.server.state import state_manager


async def _connect_fake() -> None:
    state_manager._redis = fakeredis.FakeAsyncRedis(decode_responses=True)


async def _nothing() -> None:
    return None


def main() -> None:
    port = int(sys.argv[1])
    state_manager.connect = _connect_fake  # type: ignore[method-assign]
    media_manager.connect = _nothing  # type: ignore[method-assign]
    media_manager.close = _nothing  # type: ignore[method-assign]
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
