"""Model calls that Ctrl-C can stop within a fraction of a second.

A llama.cpp or torch call runs in C for tens of seconds and Python delivers
SIGINT only between bytecodes of the main thread, so Ctrl-C used to wait for
the call to end. The call runs in a daemon thread instead while the main
thread waits in short joins, where KeyboardInterrupt arrives at once. The
abandoned call goes on in its thread until the process exits, so after an
interruption the backend must not be used (or closed) again:
:class:`Interrupted` marks that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")
POLL_S = 0.1


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a model call; the call is still running in its thread."""


def interruptible(call: Callable[[], _T]) -> _T:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="finflag-model-call", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(POLL_S)
    except KeyboardInterrupt:
        raise Interrupted() from None
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
