"""Running the ``smttask`` command line in a test: in this pytest process, or as a real process.

:func:`in_process` (``project.smttask(...)`` in smttask-cli's tests) runs a command
in this pytest process: the function the console script calls
(:func:`smttask_cli.main.main`, which builds the click group with every plugin's
commands from the entry points), inside click's ``CliRunner`` isolation.
:func:`run_process` (``project.smttask_process(...)``) starts the installed
console script. Starting a process costs about 0.2 CPU-seconds (Python, click,
pluggy, the plugins), most of a test that runs a few commands; in this process a
command costs 4-7 ms.

What a process would not share with this one is set up as a fresh process has it,
and put back afterwards (:func:`in_process`):

- the working directory (the project root), ``sys.argv``, ``os.environ`` (with
  ``COLUMNS=200``, without ``PYTHONPATH``) and click's help width;
- ``sys.path`` as the console script starts with it, so the task module is found
  from the working directory only, and the import system's caches (files the test
  has just written are found);
- the modules imported from the project directory: ``clitasks`` is imported
  afresh from its file, and the test's own module put back afterwards;
- stdout and stderr, kept apart; stdin holds ``input``;
- Python's default warning filters (pytest's make ``CodeChangedWarning`` an
  error) and how warnings are printed (pytest records them otherwise);
- no handler on the root logger; every logger's level and handlers;
- signal handlers, and the exception and breakpoint hooks;
- smttask's current project and the projects found from working directories,
  the process-wide serializers and the cache of code fingerprints.

An exception out of the command is printed as Python prints it (exit code 1), and
exit codes are reduced as a process's are. A command that would start worker
processes (``run -n N`` with N other than 1, ``--executor``) or open the debugger
(``--pdb``) is refused with :class:`ProcessOnly`, and so is a run that leaves a
thread running or a claim held: a process would have ended them.

Use a process (``smttask_process``, or ``project.start`` to signal it) for what is
about the process: signals, Ctrl-C and kills, concurrent runs and workers, hostile inputs
(output written to file descriptors, encodings, modules printing or exiting on
import), task files that must not be trusted, start-up, and which modules a run
imports (this process has imported many already, and keeps a library a command
imports).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The console script installed beside this interpreter (``make setup`` installs it).
SMTTASK = str(Path(sys.executable).with_name("smttask"))

@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def lines(self, stream: str = "stdout") -> list[str]:
        return getattr(self, stream).splitlines()

    def statuses(self) -> dict[str, str]:
        """``{task file: status}`` from ``smttask run``'s plain (non-terminal) lines, stdout and stderr."""
        return self._matches(r"\[\s*\d+/\d+\] (\w+)\s+\S+\s+(\S+?\.taskdesc\.json)")

    def predictions(self) -> dict[str, str]:
        """``{task file: verdict}`` from ``smttask run --dry-run`` (``would compute``, ``cached``, ``would fail``)."""
        return self._matches(r"(would compute|cached|would fail)\s+(\S+\.taskdesc\.json)")

    def _matches(self, pattern: str) -> dict[str, str]:
        found = {}
        for line in self.lines("stdout") + self.lines("stderr"):
            match = re.match(pattern, line)
            if match:
                found[match.group(2)] = match.group(1)
        return found


def process_env() -> dict[str, str]:
    """The environment of a ``smttask`` process: this one's, without ``PYTHONPATH``, with ``COLUMNS=200``."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)  # the task module must be found from the working directory
    env["COLUMNS"] = "200"
    return env


class ProcessOnly(AssertionError):
    """A command that behaves differently in the pytest process: the test must use ``smttask_process``."""


#: ``smttask run`` options that start worker processes or a debugger on the terminal.
_PROCESS_OPTIONS = ("--executor", "--pdb")


def _refuse_process_only(args: Sequence[str]) -> None:
    if "run" not in args:
        return
    for i, arg in enumerate(args):
        name, _, value = arg.partition("=")
        if name in ("-n", "--cores") and not value:
            value = args[i + 1] if i + 1 < len(args) else ""
        elif name.startswith("-n") and len(name) > 2:
            name, value = "-n", name[2:]
        if name in ("-n", "--cores") and value != "1" or name in _PROCESS_OPTIONS:
            raise ProcessOnly(f"smttask {' '.join(args)}: {name} starts processes or a debugger; "
                              "run it with project.smttask_process(...)")


@cache
def _fresh_process() -> tuple[tuple[str, ...], tuple[tuple[object, ...], ...]]:
    """``sys.path`` and ``warnings.filters`` of a fresh interpreter started as the console script is.

    A filter's message and module are a string (matched whole) or a compiled pattern.
    """
    probe = ("import json, sys, warnings; p = lambda x: [x.pattern, 1] if hasattr(x, 'pattern') else [x, 0]; "
             "print(json.dumps([sys.path, [[a, p(m), c.__name__, p(mod), n] for a, m, c, mod, n in warnings.filters]]))")
    done = subprocess.run([sys.executable, "-P", "-c", probe], cwd="/", env=process_env(), capture_output=True,
                          text=True, check=True)
    path, filters = json.loads(done.stdout)
    builtins = __builtins__ if isinstance(__builtins__, dict) else vars(__builtins__)

    def pattern(value: str | None, compiled: int, flags: int = 0) -> object:
        return re.compile(value, flags) if compiled and value is not None else value

    return (
        (str(Path(SMTTASK).parent), *path),  # a console script's own directory comes first
        tuple((action, pattern(*message, re.I), builtins[category], pattern(*module), line)
              for action, message, category, module, line in filters),
    )


def run_process(root: Path, args: Sequence[str], input: str | None = None) -> Result:
    """``smttask ARGS`` as a real process of the installed console script, in *root*."""
    done = subprocess.run([SMTTASK, *args], cwd=root, capture_output=True, text=True, input=input, timeout=120,
                          env=process_env())
    return Result(done.returncode, done.stdout, done.stderr)


def in_process(root: Path, args: Sequence[str], input: str | None = None) -> Result:
    """``smttask ARGS`` run by :func:`smttask_cli.main.main` in this process, in *root*, as a process would run it."""
    from click import formatting
    from click.testing import CliRunner

    from smttask_cli.main import main

    _refuse_process_only(args)
    runner = CliRunner(env={"COLUMNS": "200", "PYTHONPATH": None})
    with _process_state(root, args), runner.isolation(input=input) as (stdout, stderr, _):
        formatting.FORCED_WIDTH = None  # CliRunner forces 80 columns; a process reads COLUMNS (put back by isolation)
        code = _exit_code(lambda: main(list(args)))
        sys.stdout.flush()
        sys.stderr.flush()
        return Result(code, stdout.getvalue().decode(), stderr.getvalue().decode())


def _exit_code(command: Callable[[], object]) -> int:
    """The exit status of a process running *command*: how Python ends on ``SystemExit`` or an exception."""
    try:
        command()
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code % 256
        print(exc.code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        traceback.print_exc()
        return -signal.SIGINT
    except Exception:
        traceback.print_exc()
        return 1
    return 0


@contextlib.contextmanager
def _process_state(root: Path, args: Sequence[str]) -> Iterator[None]:
    """Everything :func:`in_process` sets up as a fresh process has it, put back when the block ends."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(_working_directory(root, args))
        stack.enter_context(_project_modules(root))
        stack.enter_context(_default_warnings())
        stack.enter_context(_fresh_logging())
        stack.enter_context(_smttask_state())
        stack.enter_context(_signals_and_environment())
        stack.enter_context(_nothing_left_running())
        yield


@contextlib.contextmanager
def _working_directory(root: Path, args: Sequence[str]) -> Iterator[None]:
    saved = os.getcwd(), sys.argv[:], sys.path[:], sys.meta_path[:], sys.path_hooks[:]
    path, _ = _fresh_process()
    os.chdir(root)
    sys.argv[:] = [SMTTASK, *args]
    sys.path[:] = path
    importlib.invalidate_caches()  # files the test has just written are found
    try:
        yield
    finally:
        cwd, sys.argv[:], sys.path[:], sys.meta_path[:], sys.path_hooks[:] = saved
        os.chdir(cwd)


def _from_directory(module: object, prefix: str) -> bool:
    try:
        places = [getattr(module, "__file__", None), *(getattr(module, "__path__", None) or ())]
        return any(isinstance(p, str) and p.startswith(prefix) for p in places)
    except Exception:  # a module object whose attributes cannot be read is no module of the project
        return False


@contextlib.contextmanager
def _project_modules(root: Path) -> Iterator[None]:
    """Modules from *root* are imported afresh by the command and the test's own put back after.

    Other modules the command imports stay (a library imported twice is no fresh import, only costlier).
    """
    prefix = str(root.resolve()) + os.sep
    own = {name: m for name, m in list(sys.modules.items()) if _from_directory(m, prefix)}
    for name in own:
        del sys.modules[name]
    try:
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if name in own or _from_directory(module, prefix):
                del sys.modules[name]
        sys.modules.update(own)


@contextlib.contextmanager
def _default_warnings() -> Iterator[None]:
    _, filters = _fresh_process()
    with warnings.catch_warnings():  # puts back the filters and how warnings are shown (main() changes it)
        warnings.resetwarnings()  # also forgets which warnings were shown already
        warnings.filters[:] = filters
        warnings._showwarnmsg_impl = _print_warning  # type: ignore[attr-defined]  # pytest's recorder otherwise
        yield


def _print_warning(message: warnings.WarningMessage) -> None:
    """Print a warning to stderr as Python does."""
    stream = sys.stderr if message.file is None else message.file
    stream.write(warnings.formatwarning(message.message, message.category, message.filename, message.lineno,
                                        message.line))


@contextlib.contextmanager
def _fresh_logging() -> Iterator[None]:
    """No handler on the root logger, as in a fresh process; every logger's level and handlers put back."""
    root = logging.getLogger()
    loggers = [root, *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    saved = [(lg, lg.level, lg.handlers[:], lg.disabled) for lg in loggers]
    disable = logging.root.manager.disable
    root.handlers[:] = []
    root.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for handler in root.handlers:
            handler.close()
        for lg, level, handlers, disabled in saved:
            lg.setLevel(level)
            lg.handlers[:] = handlers
            lg.disabled = disabled
        logging.disable(disable)


def _copied(obj: object) -> dict[str, object]:
    return {k: v.copy() if isinstance(v, dict | list | set) else v for k, v in vars(obj).items()}


@contextlib.contextmanager
def _smttask_state() -> Iterator[None]:
    """No current project nor projects found from the working directory; process-wide registries put back."""
    from smttask import fingerprint
    from smttask import project as projects
    from smttask.params import collection
    from smttask.serializers import user_registry

    found = projects._discovered.copy(), projects._by_cwd.copy()
    fingerprints, converted, serializers = fingerprint._FINGERPRINTS.copy(), collection._converted.copy(), _copied(user_registry)
    projects._discovered.clear()
    projects._by_cwd.clear()
    token = projects._current.set(None)
    try:
        yield
    finally:
        projects._current.reset(token)
        for table, before in ((projects._discovered, found[0]), (projects._by_cwd, found[1]),
                              (fingerprint._FINGERPRINTS, fingerprints), (collection._converted, converted)):
            table.clear()
            table.update(before)
        vars(user_registry).update(serializers)


#: Signals whose handlers a command may change (put back afterwards).
_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2,
            signal.SIGALRM, signal.SIGCHLD, signal.SIGPIPE)


@contextlib.contextmanager
def _signals_and_environment() -> Iterator[None]:
    handlers = {s: signal.getsignal(s) for s in _SIGNALS}
    environ = dict(os.environ)
    hooks = sys.excepthook, threading.excepthook, sys.breakpointhook
    try:
        yield
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)
        for key in set(os.environ) - set(environ):
            del os.environ[key]
        os.environ.update(environ)
        sys.excepthook, threading.excepthook, sys.breakpointhook = hooks


@contextlib.contextmanager
def _nothing_left_running() -> Iterator[None]:
    """Fail if the command leaves a thread running or a claim held: a process would end with them."""
    from smttask.storage.claim import is_heartbeat_thread

    threads = set(threading.enumerate())
    claims = _held_claims()
    yield
    left = [t for t in threading.enumerate() if t not in threads and not is_heartbeat_thread(t)]
    for thread in left:
        thread.join(timeout=10)  # guards against a hung test only
    running = [t.name for t in left if t.is_alive()]
    held = _held_claims() - claims
    if running or held:
        raise ProcessOnly(f"the command left threads {running} running and {len(held)} claims held; "
                          "a process would end with them: run it with project.smttask_process(...)")


def _held_claims() -> set[int]:
    claim = sys.modules.get("smttask.storage.claim")
    return set(claim._heartbeat._claims) if claim is not None else set()
