"""Sumatra's web viewer for the tests: a real ``smtweb`` on 127.0.0.1 on a free port, stopped by its PID."""

from __future__ import annotations

import html
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

SMTWEB = Path(sys.executable).with_name("smtweb")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    """The status and body of a GET of *url* (error statuses too)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def links(page: bytes, pattern: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(pattern, page.decode())]


@contextmanager
def serving(root: Path) -> Iterator[str]:
    """A real smtweb serving the Sumatra project at *root*; yields its base URL."""
    if not SMTWEB.exists() and shutil.which("smtweb") is None:
        pytest.skip("smtweb (Sumatra's web viewer) is not installed")
    port = free_port()
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: smtweb logs every request, and a full pipe would block it
        server = subprocess.Popen(
            [str(SMTWEB), "--no-browser", "--port", str(port)], cwd=root, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise RuntimeError(f"smtweb did not start: {log.read().decode()[-2000:]}") from None
                    time.sleep(0.2)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def check_every_page(lab: Any, smtweb: str) -> None:
    """The record list, the lab's one record, each of its data file pages and downloads answer 200, rightly."""
    (record,) = lab.view()
    status, listing = get(f"{smtweb}/lab/")
    assert status == 200
    status, detail = get(f"{smtweb}/lab/{record.label}/")
    assert status == 200 and b"Fit" in detail

    files = links(detail, r'href="(/lab/data/datafile\?[^"]+)"')
    assert len(files) == len(record.output_data) == 1, detail.decode()[-3000:]  # the manifest holds both outputs
    for link in files:
        status, page = get(smtweb + link)
        assert status == 200, page.decode()[-1500:]
        (download,) = links(page, r'href="(/data/\d+\?[^"]+)"')
        status, content = get(smtweb + download)
        assert status == 200, content.decode(errors="replace")[-1500:]
        path = re.search(r"path=([^&]+)", link).group(1)
        stored = lab.project.data_dir / urllib.request.url2pathname(path)
        assert content == stored.read_bytes()
