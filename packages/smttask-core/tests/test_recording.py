"""signals_deferred: a Ctrl-C or SIGTERM during the end of a recorded run takes effect right after it,
and only runs that write a record wait for it."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator

import pytest

import smttask.recording
from smttask import Project
from smttask.config import Config
from smttask.hookspecs import hookimpl
from smttask.plugins import make_plugin_manager
from smttask.recording import Recorder, signals_deferred


@pytest.fixture
def default_sigint() -> Iterator[None]:
    """Python's own SIGINT handler, whatever this process inherited (a background job ignores SIGINT)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("default_sigint")
def test_a_sigint_inside_the_block_is_raised_after_it() -> None:
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with signals_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            steps.append("after the signal")
            steps.append("end of block")
    assert steps == ["after the signal", "end of block"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_reaches_its_own_handler_once_after_nested_blocks() -> None:
    received = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: received.append(signum))
    try:
        with signals_deferred():
            with signals_deferred():
                os.kill(os.getpid(), signal.SIGTERM)
            assert received == []  # the inner block does not deliver: the outer one does
        assert received == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_ignored_signals_stay_ignored() -> None:
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with signals_deferred():
            os.kill(os.getpid(), signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_outside_the_main_thread_it_changes_nothing() -> None:
    seen = []
    handler = signal.getsignal(signal.SIGINT)

    def body() -> None:
        with signals_deferred():
            seen.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert seen == [handler]


class _WritingRecorder(Recorder):
    """A recorder that writes records (as Sumatra's does), keeping none."""

    name = "writing"


class _WritingRecorderPlugin:
    @hookimpl
    def smttask_recorders(self) -> list[type[Recorder]]:
        return [_WritingRecorder]


@pytest.mark.parametrize(("recorder", "deferred"), [("none", 0), ("writing", 1)])
def test_storing_a_result_holds_back_signals_only_while_a_record_is_written(
    tmp_path, monkeypatch, recorder: str, deferred: int
) -> None:
    """Without a record to finish, a stored result is complete once its manifest is renamed in place:
    the run does not swap the signal handlers around storing it (six calls per task that recorder
    "none" saves on every miss of `smttask run`)."""
    import core_tasks

    entered = []

    def counting() -> object:
        entered.append(True)
        return signals_deferred()

    monkeypatch.setattr(smttask.recording, "signals_deferred", counting)
    project = Project(tmp_path, config=Config(recorder=recorder), plugin_manager=make_plugin_manager(
        load_entry_points=False, plugins=[_WritingRecorderPlugin()]))
    with project.activate():
        task = core_tasks.Square(x=3.0)
        assert task.run() == 9.0
        assert project.storage.locate(task) is not None
    assert len(entered) == deferred
