"""Sumatra's own web viewer, a real ``smtweb`` on 127.0.0.1, shows smttask's records and serves their files."""

from __future__ import annotations

import html
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sumatra_lab import Lab, invoke

SMTWEB = Path(sys.executable).with_name("smtweb")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def smtweb(lab: Lab) -> Iterator[str]:
    """A real smtweb serving the lab's record store; stopped by its PID."""
    if not SMTWEB.exists() and shutil.which("smtweb") is None:
        pytest.skip("smtweb (Sumatra's web viewer) is not installed")
    port = _free_port()
    server = subprocess.Popen(
        [str(SMTWEB), "--no-browser", "--port", str(port)],
        cwd=lab.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"smtweb did not start: {server.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _links(page: bytes, pattern: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(pattern, page.decode())]


def _as_written_by_older_versions(lab: Lab) -> None:
    """Rewrite the store's data keys as smttask-sumatra 0.2/0.3.dev wrote them: XXH3 digests, microseconds."""
    from sumatra.recordstore.django_store import models

    from smttask_sumatra import djangodb

    store = lab.store()
    with store.session(), djangodb.atomic():
        for key in models.DataKey.objects.using("default").all():
            metadata = key.get_metadata()
            metadata["hash"] = "xxh3_128"
            key.digest = metadata.pop("xxh3_128")
            key.metadata = json.dumps(metadata)
            key.creation = key.creation.replace(microsecond=98664)
            key.save(using="default")


def _check_every_page(lab: Lab, smtweb: str) -> None:
    (record,) = lab.view()
    status, listing = _get(f"{smtweb}/lab/")
    assert status == 200
    status, detail = _get(f"{smtweb}/lab/{record.label}/")
    assert status == 200 and b"Fit" in detail

    files = _links(detail, r'href="(/lab/data/datafile\?[^"]+)"')
    assert len(files) == len(record.output_data) == 2, detail.decode()[-3000:]
    for link in files:
        status, page = _get(smtweb + link)
        assert status == 200, page.decode()[-1500:]
        (download,) = _links(page, r'href="(/data/\d+\?[^"]+)"')
        status, content = _get(smtweb + download)
        assert status == 200, content.decode(errors="replace")[-1500:]
        path = re.search(r"path=([^&]+)", link).group(1)
        stored = lab.project.data_dir / urllib.request.url2pathname(path)
        assert content == stored.read_bytes()


def test_the_record_list_a_record_a_data_file_page_and_its_download_all_answer(
    lab: Lab, smtweb: str
) -> None:
    lab.tasks.Fit(x=2).run()
    _check_every_page(lab, smtweb)


def test_upgrade_keys_repairs_records_written_by_older_versions(lab: Lab, smtweb: str) -> None:
    lab.tasks.Fit(x=3).run()
    _as_written_by_older_versions(lab)
    (record,) = lab.view()
    status, detail = _get(f"{smtweb}/lab/{record.label}/")
    (link, *_) = _links(detail, r'href="(/lab/data/datafile\?[^"]+)"')
    assert _get(smtweb + link)[0] == 500  # what users of older versions saw

    upgraded = invoke(lab, "store", "upgrade-keys")
    assert upgraded.exit_code == 0, upgraded.output
    assert "2 given their SHA-1 digest, 2 times rounded" in upgraded.output
    _check_every_page(lab, smtweb)
    again = invoke(lab, "store", "upgrade-keys")
    assert "0 given their SHA-1 digest, 0 times rounded" in again.output
