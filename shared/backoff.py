"""Waiting between attempts at something that keeps failing (the broker or the database away): twice as long
after each failure, up to a ceiling, so a long outage costs few attempts and a short one is noticed soon."""

from __future__ import annotations

import asyncio


class Backoff:
    """Delays of `first`, twice that, ... up to `most` seconds; `reset` after a success starts again at `first`."""

    def __init__(self, first: float, most: float = 5.0) -> None:
        self.first = first
        self.most = most
        self.delay = first

    async def wait(self) -> None:
        """Sleeps the current delay, and doubles it for the next failure."""
        await asyncio.sleep(self.delay)
        self.delay = min(self.delay * 2, self.most)

    def reset(self) -> None:
        self.delay = self.first
