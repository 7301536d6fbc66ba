"""An audit hook that notes every call a hostile task file must never cause.

Used two ways: imported in the test process (:func:`install`, armed only while
a task file is read), and copied beside a generated ``sitecustomize.py`` so
that every process of ``smttask run`` -- workers included -- installs it at
start-up and appends what it sees to the file named by
``$SMTTASK_FUZZ_AUDIT_LOG``. Only the standard library is used here, since it
runs before anything else in those processes.

What counts as a hit (see :func:`suspicious`): running a shell or a program,
opening a web browser, changing directory, deleting a
directory tree, unpickling a global of a dangerous module; and -- for calls ordinary code makes too -- compiling source
text, opening a file for writing, or removing/renaming a path, when the text or
path carries the canary *marker* that every hostile payload contains.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable

#: Events that no task file may ever cause, whatever their arguments.
ALWAYS = frozenset({
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile", "webbrowser.open",
})
#: Modules whose globals an unpickled stream must not reach (workers' results are pickled, so
#: unpickling smttask's own classes and builtin exceptions is ordinary).
DANGEROUS_MODULES = frozenset({
    "os", "posix", "nt", "subprocess", "shutil", "webbrowser", "runpy", "code", "pdb", "ctypes",
    "importlib", "sys", "pickle", "marshal", "pty", "socket",
})
DANGEROUS_BUILTINS = frozenset({"exec", "eval", "compile", "open", "__import__", "breakpoint", "getattr"})
#: Events ordinary code raises too: a hit only if an argument carries the marker.
WITH_MARKER = frozenset({
    "subprocess.Popen", "compile", "exec", "os.remove", "os.rmdir", "os.rename", "os.truncate",
    "os.mkdir", "os.symlink", "os.link", "os.chmod", "os.utime", "shutil.move", "shutil.copyfile",
    "shutil.copytree",
})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, str):
        return value
    code_file = getattr(value, "co_filename", None)
    if isinstance(code_file, str):
        return code_file
    try:
        return repr(value)
    except Exception:
        return ""


def suspicious(event: str, args: tuple, marker: str, allowed_cwd: str | None) -> str | None:
    """A one-line description of *event* if a task file must not cause it, else None.

    *allowed_cwd* is the one directory ``os.chdir`` may enter (a spawned worker
    moves to its parent's working directory); None forbids every change.
    """
    if event in ALWAYS:
        return f"{event} {_text(args)[:300]}"
    if event == "pickle.find_class":
        module, name = (str(a) for a in args[:2])
        if module.partition(".")[0] in DANGEROUS_MODULES or (module == "builtins" and name in DANGEROUS_BUILTINS):
            return f"pickle.find_class {module}.{name}"
        return None
    if event == "os.chdir":
        target = os.fsdecode(args[0]) if isinstance(args[0], str | bytes) else repr(args[0])
        if allowed_cwd is not None and os.path.realpath(target) == os.path.realpath(allowed_cwd):
            return None
        return f"os.chdir {target[:300]}"
    if event == "shutil.rmtree":
        path = os.fsdecode(args[0]) if isinstance(args[0], str | bytes) else repr(args[0])
        if os.path.basename(path).startswith("pymp-") and path.startswith(tempfile.gettempdir()):
            return None  # multiprocessing removing its own temporary directory
        return f"shutil.rmtree {path[:300]}"
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if marker not in _text(path):
            return None
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        return f"open for writing {_text(path)[:300]}" if writing else None
    if event in WITH_MARKER and any(marker in _text(a) for a in args):
        return f"{event} {_text(args)[:300]}"
    return None


class Recorder:
    """The hook of the test process: records hits only while armed, so test set-up is not watched."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.armed = False
        self.hits: list[str] = []
        self._busy = False

    def __call__(self, event: str, args: tuple) -> None:
        if not self.armed or self._busy:
            return
        self._busy = True
        try:
            hit = suspicious(event, args, self.marker, None)
            if hit is not None:
                self.hits.append(hit)
        finally:
            self._busy = False


_installed: Recorder | None = None


def install(marker: str) -> Recorder:
    """The test process's recorder (audit hooks cannot be removed, so there is only ever one)."""
    global _installed
    if _installed is None:
        _installed = Recorder(marker)
        sys.addaudithook(_installed)
    _installed.marker = marker
    return _installed


def install_from_env() -> None:
    """Start-up of a process under test: log hits to ``$SMTTASK_FUZZ_AUDIT_LOG`` (append, one line each)."""
    log_path = os.environ.get("SMTTASK_FUZZ_AUDIT_LOG")
    marker = os.environ.get("SMTTASK_FUZZ_MARKER")
    if not (log_path and marker):
        return
    allowed_cwd = os.environ.get("SMTTASK_FUZZ_CWD")
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # kept open for the life of the process
    busy = [False]

    def hook(event: str, args: tuple, write: Callable[[str], int] = log.write) -> None:
        if busy[0]:
            return
        busy[0] = True
        try:
            hit = suspicious(event, args, marker, allowed_cwd)
            if hit is not None:
                write(f"{os.getpid()} {hit}".replace("\n", "\\n") + "\n")
        finally:
            busy[0] = False

    sys.addaudithook(hook)


SITECUSTOMIZE = "import fuzz_audit\nfuzz_audit.install_from_env()\n"
