"""The ``fsspec`` backend against a real OpenSSH SFTP server on 127.0.0.1, and on ``file://`` URLs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from fs_lab import computed, make_project, run_script
from fs_tasks import samples, square

from smttask import Config, Project, make_plugin_manager
from smttask.accept import accept_code_change
from smttask.errors import CorruptResultWarning
from smttask.files import host_id
from smttask_fsspec import StorageUnreachableError, StorageURLError


@pytest.fixture(params=[pytest.param("sftp", marks=pytest.mark.service), "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """``(storage_url, the directory it names on this machine)``, over SFTP or as a file:// URL."""
    remote = tmp_path / "remote store"  # a space: URLs are quoted and unquoted right
    remote.mkdir()
    if request.param == "sftp":
        server = request.getfixturevalue("sshd")
        return server.url(remote).replace(" ", "%20"), remote
    return f"file://{remote}".replace(" ", "%20"), remote


def _options(url: str, request: pytest.FixtureRequest) -> dict[str, object]:
    return {"key_filename": str(request.getfixturevalue("sshd").key)} if url.startswith("sftp") else {}


def test_computed_once_then_loaded_back(store, tmp_path, task_log, request):
    url, remote = store
    with make_project(tmp_path / "a", url, **_options(url, request)).activate():
        task = square(x=7)
        assert task.run() == 49
        task.clear()
        assert task.run() == 49
    # Another machine (another project, another cache) loads it: computed once in all.
    with make_project(tmp_path / "b", url, **_options(url, request)).activate() as project:
        again = square(x=7)
        assert again.run() == 49
        stored = project.storage.locate(again)
    assert computed(task_log, "square") == 1
    files = sorted(p.name for p in (remote / "square").iterdir())
    assert files == [f"{task.digest}.json", f"{task.digest}.manifest.json"]
    assert stored.outputs[""].path == remote / "square" / f"{task.digest}.json"


def test_the_manifest_has_local_s_shape_and_names_the_record(store, tmp_path, task_log, request):
    url, remote = store
    with make_project(tmp_path / "a", url, **_options(url, request)).activate() as project:
        task = square(x=8)
        task.run()
        manifest = json.loads((remote / "square" / f"{task.digest}.manifest.json").read_text())
        assert {"upstream", "code", "inputs"} <= set(manifest) and "record" not in manifest
        assert manifest["inputs"] == {"x": 8}
        assert project.storage.save(task, {"": 64}, record="20261206-120000_abcdef").record == "20261206-120000_abcdef"
        task.clear()
        assert project.storage.locate(task).record == "20261206-120000_abcdef"


def test_a_result_of_changed_code_warns_or_is_recomputed_as_set(store, tmp_path, task_log, request):
    url, remote = store
    with make_project(tmp_path / "a", url, **_options(url, request)).activate():
        task = square(x=9)
        task.run()
    manifest_path = remote / "square" / f"{task.digest}.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["code"]["functions"] = {name: "0" * 32 for name in manifest["code"]["functions"]}
    manifest_path.write_text(json.dumps(manifest))  # as if stored by other code
    for mode, computed_then in (("warn", 1), ("recompute", 2)):
        project = make_project(tmp_path / mode, url, **_options(url, request))
        project = Project(project.root, config=replace(project.config, on_code_change=mode),
                          plugin_manager=project.plugin_manager)
        with project.activate(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            planned = project.storage.check(square(x=9))
            assert square(x=9).run() == 81
        assert (planned is None) == (mode == "recompute")
        assert any("fsspec" not in str(w.message) and "square" in str(w.message) for w in caught) == (mode == "warn")
        assert computed(task_log, "square") == computed_then


def test_accept_keeps_a_result_of_cosmetically_changed_code(store, tmp_path, task_log, request):
    url, remote = store
    project = make_project(tmp_path / "a", url, **_options(url, request))
    project = Project(project.root, config=replace(project.config, on_code_change="recompute"),
                      plugin_manager=project.plugin_manager)
    with project.activate():
        square(x=11).run()
    manifest_path = remote / "square" / f"{square(x=11).digest}.manifest.json"
    manifest = json.loads(manifest_path.read_text())
    current = manifest["code"]
    manifest["code"] = {**current, "functions": {name: "0" * 32 for name in current["functions"]}}
    manifest_path.write_text(json.dumps(manifest))  # as if stored by other code
    with project.activate():
        assert project.storage.check(square(x=11)) is None  # would be recomputed
        assert accept_code_change([square(x=11), square(x=12)], project) == [square(x=11)]  # 12: nothing stored
        assert project.storage.check(square(x=11)) is not None
        assert square(x=11).run() == 121
    assert computed(task_log, "square") == 1
    assert json.loads(manifest_path.read_text()) == {**manifest, "code": current}
    assert sorted(p.name for p in (remote / "square").iterdir()) == sorted(
        [f"{square(x=11).digest}.json", manifest_path.name]
    )  # no claim, no temporary file left


def test_why_lists_the_stored_results_of_a_task(store, tmp_path, task_log, request):
    url, _ = store
    with make_project(tmp_path / "a", url, **_options(url, request)).activate():
        square(x=2).run()
        square(x=3).run()
    with make_project(tmp_path / "b", url, **_options(url, request)).activate():
        explanation = square(x=4).why()
        assert explanation.compared == 2
        assert [d.path for d in explanation.nearest[0].differences] == ["x"]
        assert square(x=2).why().status == "stored"


def test_two_processes_racing_compute_once(store, tmp_path, task_log, request):
    url, _ = store
    root = tmp_path / "race"
    make_project(root, url, **_options(url, request))
    code = "from fs_tasks import slow_square; print(slow_square(x=12).run())"
    jobs = [run_script(root, code) for _ in range(2)]
    outputs = [job.communicate(timeout=120) for job in jobs]
    assert [out.strip() for out, _ in outputs] == ["144", "144"], outputs
    assert computed(task_log, "slow_square") == 1


def test_corrupted_remote_file_is_detected_and_recomputed(store, tmp_path, task_log, request):
    url, remote = store
    with make_project(tmp_path / "a", url, **_options(url, request)).activate():
        task = samples(n=1000, seed=3)
        expected = task.run()
    stored_file = remote / "samples" / f"{task.digest}.npy"
    data = bytearray(stored_file.read_bytes())
    data[-1] ^= 0xFF
    stored_file.write_bytes(bytes(data))
    with make_project(tmp_path / "b", url, **_options(url, request)).activate():  # an empty read cache
        task = samples(n=1000, seed=3)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert np.array_equal(task.run(), expected)
    assert any(w.category is CorruptResultWarning and "hash" in str(w.message) for w in caught)
    assert computed(task_log, "samples") == 2
    assert stored_file.read_bytes() != bytes(data)  # stored anew


def test_damaged_cache_copy_is_fetched_again(store, tmp_path, task_log, request):
    url, _ = store
    project = make_project(tmp_path / "a", url, **_options(url, request))
    with project.activate():
        task = samples(n=1000, seed=4)
        expected = task.run()
        (copy,) = (tmp_path / "a" / "cache").glob("*/*.npy")
        copy.write_bytes(copy.read_bytes()[:-8])
        task.clear()
        assert np.array_equal(task.run(), expected)
    assert computed(task_log, "samples") == 1
    assert copy.stat().st_size == expected.nbytes + 128  # the copy is whole again


def test_read_cache_hit_and_bound(store, tmp_path, task_log, request):
    url, remote = store
    n = 100_000
    size = n * 8 + 128
    bound = size + size // 2  # room for one result, not two
    with make_project(tmp_path / "w", url, **_options(url, request)).activate():
        tasks = [samples(n=n, seed=s) for s in range(3)]
        arrays = [t.run() for t in tasks]
    reader = make_project(tmp_path / "r", url, cache_bytes=bound, **_options(url, request))
    with reader.activate():
        for task, arr in zip(tasks, arrays, strict=True):
            task.clear()
            assert np.array_equal(task.run(), arr)
            assert reader.storage.cache.size() <= bound
        # The last one is read locally: its remote file can go and it still loads (hash-verified).
        last = tasks[-1]
        (remote / "samples" / f"{last.digest}.npy").unlink()
        last.clear()
        assert np.array_equal(last.run(), arrays[-1])
        # The first was evicted: with its remote file gone too, it is recomputed.
        first = tasks[0]
        (remote / "samples" / f"{first.digest}.npy").unlink()
        first.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorruptResultWarning)
            assert np.array_equal(first.run(), arrays[0])
    assert computed(task_log, "samples") == 4


def test_nothing_half_visible_after_kill_9_during_a_large_write(store, tmp_path, task_log, request):
    url, remote = store
    root = tmp_path / "killed"
    project = make_project(root, url, **_options(url, request))
    code = "from fs_tasks import samples; samples(n=20_000_000, seed=1).run()"
    job = run_script(root, code)
    task_dir = remote / "samples"
    deadline = time.monotonic() + 120
    partial = []
    while time.monotonic() < deadline and job.poll() is None:
        partial = [p for p in task_dir.glob(".*.tmp") if p.stat().st_size > 0] if task_dir.is_dir() else []
        if partial:
            break
        time.sleep(0.01)
    assert partial, f"the writer never started uploading: {job.communicate()}"
    os.kill(job.pid, signal.SIGKILL)
    job.wait()
    task = samples(n=20_000_000, seed=1)
    assert not (task_dir / f"{task.digest}.manifest.json").exists()
    assert not (task_dir / f"{task.digest}.npy").exists()
    with project.activate():
        assert project.storage.locate(task) is None
        assert project.storage.load(task) is None
        left = project.storage.clean(dry_run=True)
        assert {p.name for p in partial} <= {leftover.path.name for leftover in left}
        # The next run takes the dead writer's claim over, removes what it left, and stores the result.
        assert task.run().shape == (20_000_000,)
        assert not list(task_dir.glob(".*.tmp"))
        assert not list(task_dir.glob("*.claim"))
        assert project.storage.check(task) is not None
        # The killed writer's local copy in the read cache went when the cache took the new files.
        assert not list((root / "cache").glob(".*.tmp"))
    assert computed(task_log, "samples") == 2


def test_stale_claim_of_another_host_is_taken_over(store, tmp_path, task_log, request):
    """A claim no one touches (its node died) is taken over once a waiter has seen it unchanged long enough."""
    url, remote = store
    project = make_project(tmp_path / "a", url, **_options(url, request))
    task = square(x=9)
    (remote / "square").mkdir()
    claim = remote / "square" / f"{task.digest}.claim"
    claim.write_text('{"pid": 1, "host": "a-node-that-died", "token": "0123456789abcdef0123"}')
    with project.activate():
        assert task.run() == 81
    assert computed(task_log, "square") == 1
    assert not claim.exists() and not claim.with_name(claim.name + ".lock").exists()


def test_clean_removes_leftovers_but_no_result(store, tmp_path, task_log, request):
    url, remote = store
    with make_project(tmp_path / "a", url, **_options(url, request)).activate() as project:
        task = square(x=4)
        task.run()
        task_dir = remote / "square"
        orphan = task_dir / f"{'f' * 32}.json"  # an output no manifest lists
        orphan.write_text("16")
        dead_tmp = task_dir / f".{'e' * 32}.json.999999999-{host_id()}.abcd.tmp"
        dead_tmp.write_text("1")
        names = {leftover.path.name for leftover in project.storage.clean()}
        assert names == {orphan.name, dead_tmp.name}
        assert sorted(p.name for p in task_dir.iterdir()) == [f"{task.digest}.json", f"{task.digest}.manifest.json"]
        assert project.storage.clean() == []


def test_recompute_replaces_the_result(store, tmp_path, task_log, request):
    url, remote = store
    with make_project(tmp_path / "a", url, **_options(url, request)).activate() as project:
        task = square(x=3)
        task.run()
        task.run(recompute=True)
        assert project.storage.check(task) is not None
        assert project.storage.delete(task)
        assert project.storage.locate(task) is None
    assert computed(task_log, "square") == 2
    assert list((remote / "square").iterdir()) == []


def test_marker_only_where_this_machine_sees_the_files(store, tmp_path, request):
    url, remote = store
    with make_project(tmp_path / "a", url, **_options(url, request)).activate() as project:
        task = square(x=5)
        marker = project.storage.marker(task)
        if url.startswith("file"):
            assert marker == remote / "square" / f"{task.digest}.manifest.json"
        else:
            assert marker is None


@pytest.mark.parametrize(
    ("url", "fsspec", "message"),
    [
        ("", {}, "needs a storage_url"),
        ("results", {}, "is not a URL"),
        ("sftp:///data", {}, "names no host"),
        ("sftp://ada:hunter2@host/data", {}, "holds a password"),
        ("file://server/data", {}, "names a host"),
        ("nosuchprotocol://bucket/x", {}, "cannot open the protocol"),
        ("sftp://host/data", {"password": "x"}, "holds a secret"),
        ("sftp://host/data", {"cache_bytes": -1}, "cache_bytes"),
    ],
)
def test_bad_settings_are_one_clear_line(tmp_path, url, fsspec, message):
    import smttask_fsspec.plugin

    config = Config(storage="fsspec", storage_url=url, recorder="none", plugins={"fsspec": fsspec})
    project = Project(tmp_path, config=config,
                      plugin_manager=make_plugin_manager(load_entry_points=False, plugins=[smttask_fsspec.plugin]))
    with pytest.raises(StorageURLError, match=message) as caught:
        project.storage  # noqa: B018
    assert "\n" not in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_unreachable_server_is_one_clear_line(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    with make_project(tmp_path / "a", f"sftp://127.0.0.1:{port}/data").activate() as project:
        with pytest.raises(StorageUnreachableError, match=f"cannot open sftp://127.0.0.1:{port}/data") as caught:
            project.storage.load(square(x=1))
    assert "\n" not in str(caught.value)


def test_smttask_run_cli_through_sftp(sshd, tmp_path, task_log):
    """Task files run by ``smttask run`` (installed plugin, found by entry point) store through SFTP."""
    remote = tmp_path / "remote"
    remote.mkdir()
    root = tmp_path / "cli"
    project = make_project(root, sshd.url(remote), key_filename=str(sshd.key))
    with project.activate():
        files = [square(x=i).save(root / "taskdir") for i in range(4)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    smttask = Path(sys.executable).with_name("smttask")
    for _ in range(2):
        done = subprocess.run([str(smttask), "run", "-n", "2", *map(str, files)], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    assert computed(task_log, "square") == 4
    assert len(list((remote / "square").glob("*.manifest.json"))) == 4


def test_import_stays_light():
    code = ("import sys, smttask, smttask_fsspec.plugin; from smttask import make_plugin_manager, Project;"
            "p = Project('.'); p.storage_backends; assert 'fsspec' not in sys.modules and 'paramiko' not in "
            "sys.modules, sorted(m for m in sys.modules if m.startswith(('fsspec', 'paramiko')))")
    subprocess.run([sys.executable, "-c", code], check=True)


def _load_in_child(project, task, queue) -> None:
    with project.activate():
        queue.put(project.storage.load(task)[""])


@pytest.mark.service
def test_a_directory_another_process_creates_meanwhile_is_no_error(sshd, tmp_path, monkeypatch):
    """Two processes storing their first results race to create the same directories; the one that
    loses sees a level it found missing already made, and the SFTP server answers a bare "Failure"."""
    remote = tmp_path / "remote"
    remote.mkdir()
    project = make_project(tmp_path / "a", sshd.url(remote), key_filename=str(sshd.key))
    target = remote / "square" / "deeper"
    with project.activate():
        fs = project.storage.remote.fs
        exists = fs.exists
        raced: list[str] = []

        def made_meanwhile(path: str) -> bool:
            """The first time a level is looked at, another process makes it right after."""
            if path in raced:
                return exists(path)
            raced.append(path)
            if not exists(path):
                fs.ftp.mkdir(path)
            return False

        monkeypatch.setattr(fs, "exists", made_meanwhile)
        project.storage.remote.makedirs(str(target))
    assert target.is_dir() and len(raced) >= 2


def test_a_forked_process_opens_its_own_connection(sshd, tmp_path, task_log):
    import multiprocessing

    remote = tmp_path / "remote"
    remote.mkdir()
    project = make_project(tmp_path / "a", sshd.url(remote), key_filename=str(sshd.key), cache_bytes=0)
    with project.activate():
        task = square(x=6)
        task.run()  # the parent is connected
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        child = context.Process(target=_load_in_child, args=(project, task, queue))
        child.start()
        assert queue.get(timeout=60) == 36
        child.join(60)
        assert child.exitcode == 0
        task.clear()
        assert task.run() == 36  # the parent's connection still works
        assert project.storage.locate(square(x=6)) is not None
    assert computed(task_log, "square") == 1


def test_another_fsspec_protocol_through_check_then_write(tmp_path, task_log):
    """Protocols without exclusive create or rename (here fsspec's in-process ``memory://``, a real
    fsspec filesystem like s3fs's in that respect) store, load, claim and release all the same."""
    import fsspec

    url = "memory://bucket/results"
    with make_project(tmp_path / "a", url).activate() as project:
        task = samples(n=1000, seed=5)
        values = task.run()
        assert not project.storage.remote.exclusive
        assert project.storage.check(task) is not None
        assert accept_code_change([task], project) == [task]  # the manifest swapped under the claim
        assert project.storage.check(task) is not None
    with make_project(tmp_path / "b", url).activate():  # another cache
        assert np.array_equal(samples(n=1000, seed=5).run(), values)
    names = [p.rsplit("/", 1)[-1] for p in fsspec.filesystem("memory").ls("/bucket/results/samples", detail=False)]
    assert sorted(names) == [f"{task.digest}.manifest.json", f"{task.digest}.npy"]  # the claim was released
    assert computed(task_log, "samples") == 1
