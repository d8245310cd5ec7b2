"""Produce items on a background thread while the caller consumes them.

Two cores are what appaccess is measured on: reading and parsing the next
chunk of a log while DuckDB stores the current one (ingest), or building the
next batch of rows while the Parquet writer encodes the current one (export),
keeps both busy. numpy, Arrow, DuckDB, file reads, hashing and the C parser
release the GIL, so the threads really run at once.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_END = object()


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """``items``, produced on a background thread ``depth`` ahead; an exception there is raised here."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_END)
        except BaseException as error:  # handed to the consumer and raised there
            put(error)

    worker = threading.Thread(target=run, name="appaccess-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)
