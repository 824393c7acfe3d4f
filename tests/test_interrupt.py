"""Ctrl-C stops a model call within about a second, wherever the call is stuck."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from finflag.summary.interrupt import Interrupted, interruptible


def test_ctrl_c_interrupts_a_long_blocking_call_promptly():
    started = threading.Event()

    def long_call() -> str:
        started.set()
        time.sleep(30)  # stands for 30 s of llama.cpp in C
        return "never"

    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    begin = time.monotonic()
    with pytest.raises(Interrupted):
        interruptible(long_call)
    assert started.is_set() and time.monotonic() - begin < 1.5
    assert isinstance(Interrupted(), KeyboardInterrupt)  # callers that catch Ctrl-C catch this too


def test_results_and_errors_of_the_call_come_back_unchanged():
    assert interruptible(lambda: 42) == 42
    with pytest.raises(ValueError, match="bad model"):
        interruptible(lambda: (_ for _ in ()).throw(ValueError("bad model")))


def test_an_interrupted_summarizer_does_not_close_the_backend_under_the_running_call():
    from finflag.summary.summarize import Summarizer
    from finflag.summary.translate import Call

    class Backend:
        closed = False
        n_ctx = 4096

        def generate(self, messages, max_tokens):
            time.sleep(30)

        def close(self):
            Backend.closed = True

    summarizer = Summarizer.__new__(Summarizer)
    summarizer._backend, summarizer._abandoned = Backend(), False
    summarizer.options = type("O", (), {"max_words": 50})()
    summarizer.backend = lambda: summarizer._backend
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        summarizer._ask(Call([], [{"role": "user", "content": "1. 英伟达收跌6.7%。"}], 10, 20),
                        type("U", (), {"add": lambda self, g: None})())
    summarizer.close()
    assert Backend.closed is False
