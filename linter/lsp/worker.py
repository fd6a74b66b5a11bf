"""The one worker thread that runs analysis off the protocol thread, at most one pending job per document."""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class Worker:
    """One daemon thread that runs analysis jobs, at most one pending job per key.

    `submit` replaces (and cancels) a job with the same key that has not started yet, so a burst of
    edits to one document leaves one job behind, for the newest text. Results come back as asyncio
    futures on the protocol thread's loop.
    """

    def __init__(self) -> None:
        self._jobs: OrderedDict[Any, tuple[Callable[[], Any], asyncio.Future, asyncio.AbstractEventLoop]] = OrderedDict()
        self._condition = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="netlint-worker", daemon=True)
        self._thread.start()

    def submit(self, key: Any, job: Callable[[], Any]) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._condition:
            replaced = self._jobs.pop(key, None)
            self._jobs[key] = (job, future, loop)
            self._condition.notify()
        if replaced is not None:
            replaced[1].cancel()
        return future

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            for _, future, loop in self._jobs.values():
                call_soon(loop, future.cancel)
            self._jobs.clear()
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._jobs and not self._stopped:
                    self._condition.wait()
                if self._stopped:
                    return
                _, (job, future, loop) = self._jobs.popitem(last=False)
            if future.cancelled():
                continue
            try:
                result = job()
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
                call_soon(loop, _settle, future, None, exc)
            else:
                call_soon(loop, _settle, future, result, None)


def call_soon(loop: asyncio.AbstractEventLoop, callback, *args) -> None:
    try:
        loop.call_soon_threadsafe(callback, *args)
    except RuntimeError:  # the loop is closed: the server is going away
        pass


def _settle(future: asyncio.Future, result: Any, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)

