"""A headless Chromium driven over its DevTools pipe: open a page, read its errors, evaluate, click, screenshot.

The tests and ``scripts/docs-screenshots`` look at the pictures as a person
would, in a real browser (Debian package ``chromium``). This speaks the Chrome
DevTools Protocol over ``--remote-debugging-pipe`` (file descriptors 3 and 4
of the browser process), so it needs no driver, no websocket library and no
network port. Each :class:`Chromium` has a fresh profile directory, removed
on :meth:`close`, and stops its own process by PID.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections import defaultdict
from pathlib import Path
from typing import Any

from .errors import VizError

#: Flags for a quiet, offline, throwaway browser (``--no-sandbox`` is added when running as root).
FLAGS = (
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")


class BrowserError(VizError, RuntimeError):
    """Chromium could not be started, or a DevTools command failed."""


def find_chromium() -> str | None:
    """The path of an installed Chromium (``$SMTTASK_CHROMIUM`` first), or None."""
    explicit = os.environ.get("SMTTASK_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless browser with one page (*width* × *height* CSS pixels)."""

    def __init__(self, executable: str | None = None, *, width: int = 1280, height: int = 800,
                 timeout: float = 30.0) -> None:
        exe = executable or find_chromium()
        if exe is None:
            raise BrowserError("Chromium is not installed (Debian package 'chromium'); set SMTTASK_CHROMIUM to use another.")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="smttask-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        args = [exe, *FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")
        args.append("about:blank")

        def wire() -> None:  # in the child: the pipe ends become fds 3 (commands in) and 4 (replies out)
            high_r, high_w = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, pass_fds=(3, 4), preexec_fn=wire)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._lock = threading.Lock()
        self._replies: dict[int, dict[str, Any]] = {}
        self._events: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr: list[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.session = self._open_page(width, height)

    # --- protocol ------------------------------------------------------------------------------
    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if len(self._stderr) < 200:
                self._stderr.append(line)

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._changed:
                    self._replies[-1] = {"closed": True}
                    self._changed.notify_all()
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._changed:
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._replies[message["id"]] = message
                    else:
                        self._events[message.get("sessionId")].append(message)
                self._changed.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = "page") -> dict[str, Any]:
        """Call DevTools *method* and return its result (on the page's session unless *session* is None)."""
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session == "page":
            session = self.session
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except OSError as exc:
            raise BrowserError(f"Chromium went away ({exc}); its output: {self.stderr_text()[-500:]}") from None
        with self._changed:
            if not self._changed.wait_for(lambda: ident in self._replies or -1 in self._replies, self.timeout):
                raise BrowserError(f"Chromium did not answer {method} within {self.timeout:.0f} s")
            reply = self._replies.pop(ident, None)
        if reply is None:
            raise BrowserError(f"Chromium closed while running {method}: {self.stderr_text()[-500:]}")
        if "error" in reply:
            raise BrowserError(f"{method} failed: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        """The next not-yet-seen event *method* of the page (waiting up to *timeout* seconds)."""
        def find() -> dict[str, Any] | None:
            for event in self._events[self.session]:
                if event["method"] == method and not event.get("_seen"):
                    event["_seen"] = True
                    return event
            return None

        with self._changed:
            found: list[dict[str, Any]] = []
            ok = self._changed.wait_for(lambda: found.append(find()) or found[-1] is not None or -1 in self._replies,
                                        timeout or self.timeout)
            if not ok or found[-1] is None:
                raise BrowserError(f"Chromium sent no {method} within {timeout or self.timeout:.0f} s")
            return found[-1]

    def _open_page(self, width: int, height: int) -> str:
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=None)["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=None)["sessionId"]
        self.session = session
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        return session

    # --- what a test does ----------------------------------------------------------------------
    def open(self, target: str | Path) -> None:
        """Load a file (path) or URL and wait for its load event."""
        url = Path(target).resolve().as_uri() if not str(target).startswith(("http:", "https:", "file:", "about:", "data:")) else str(target)
        with self._changed:  # errors() and requests() then tell about this page only
            self._events[self.session].clear()
        self.send("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries of the page so far."""
        found = []
        with self._changed:
            events = list(self._events[self.session])
        for event in events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append(f"uncaught: {details.get('exception', {}).get('description') or details.get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append("console.error: " + " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
        return found

    def requests(self) -> list[str]:
        """URLs the page asked the network for (needs :meth:`watch_network` before :meth:`open`)."""
        with self._changed:
            events = list(self._events[self.session])
        return [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]

    def watch_network(self) -> None:
        self.send("Network.enable")

    def evaluate(self, expression: str) -> Any:
        """The value of JavaScript *expression* in the page (promises awaited)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(f"JavaScript error: {details.get('exception', {}).get('description') or details.get('text')}")
        return result.get("result", {}).get("value")

    def click(self, x: float, y: float) -> None:
        """A left click at page coordinates (*x*, *y*), as a mouse makes it."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left" if kind != "mouseMoved" else "none",
                       "buttons": 1 if kind == "mousePressed" else 0, "clickCount": 1})

    def screenshot(self, path: str | Path | None = None) -> bytes:
        """A PNG of the page's viewport (also written to *path* if given)."""
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def stderr_text(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")

    # --- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the browser (politely, then by its PID) and remove its profile."""
        if self.process.poll() is None:
            try:
                self.send("Browser.close", session=None)
            except BrowserError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
