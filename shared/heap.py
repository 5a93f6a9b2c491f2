"""The garbage collector and a long-running server."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Everything made while starting (modules, the app and its routes, ORM mappers, settings) lives as long as
    the process. Moved out of the collector's generations, it is no longer scanned by every full collection: in
    a service under load a full collection took ~85 ms, with every request in flight waiting on it, and ~8 ms
    after this (`make bench`, gateway_overhead at half load)."""
    gc.freeze()
