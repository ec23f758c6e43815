"""Python's cyclic garbage collector, paused while large acyclic structures are built.

Reading a topology, a document or a network map makes an object per node and link; on a graph of
500,000 links the collections that sets off walk every object of the process and free nothing (the
structures hold no cycles), costing more time than the reading itself.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused in this block, then put back as it was (on error too)."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
