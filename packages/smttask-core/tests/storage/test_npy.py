"""Stored ``.npy`` files: a damaged file is a CorruptResultError (then recomputed), never wrong data."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smttask import RecordedTask
from smttask.errors import CorruptResultError, CorruptResultWarning
from smttask.storage import NpyFormat
from smttask.typing import Array

EXPECTED = np.arange(1000, dtype=np.float64).reshape(20, 50)


@RecordedTask
def grid(n: int) -> Array[float, 2]:
    return np.arange(n, dtype=np.float64).reshape(20, n // 20)


def _stored(project: Any) -> tuple[Path, dict[str, Any]]:
    """Store ``grid(n=1000)``; return its .npy file and its manifest entry."""
    task = grid(n=1000)
    task.run()
    directory = project.storage.directory(task)
    entry = json.loads((directory / f"{task.digest}.manifest.json").read_text())["outputs"][""]
    return directory / entry["file"], entry


def _read(project: Any, path: Path, entry: dict[str, Any], *, mmap: bool, facts: bool = True) -> Any:
    kwargs = {"expected": entry["facts"]} if facts else {}
    return NpyFormat().read(str(path), project, expected_hash=entry["xxh3_128"], mmap=mmap, **kwargs)


def _header_length(raw: bytes) -> int:
    return len(raw) - EXPECTED.nbytes


def test_manifest_records_dtype_and_shape(project: Any) -> None:
    _, entry = _stored(project)
    assert entry["facts"] == {"dtype": "<f8", "shape": [20, 50], "fortran_order": False}


@pytest.mark.parametrize("mmap", [True, False], ids=["mmap", "read"])
def test_every_single_bit_flip_in_the_header_is_detected_or_harmless(project: Any, mmap: bool) -> None:
    path, entry = _stored(project)
    raw = path.read_bytes()
    length = _header_length(raw)
    assert length == 128  # a real header: 1,024 bits
    outcomes = {"detected": 0, "same data": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would be an exception here, and fail the test
        for bit in range(length * 8):
            damaged = bytearray(raw)
            damaged[bit // 8] ^= 1 << (bit % 8)
            path.write_bytes(damaged)
            try:
                value = _read(project, path, entry, mmap=mmap)
            except CorruptResultError:
                outcomes["detected"] += 1
                continue
            np.testing.assert_array_equal(value, EXPECTED, err_msg=f"bit {bit} gave wrong data")
            assert value.dtype == EXPECTED.dtype and value.shape == EXPECTED.shape
            outcomes["same data"] += 1
    assert sum(outcomes.values()) == 1024
    if not mmap:  # reading hashes the whole file: every flip is caught
        assert outcomes["same data"] == 0


def test_without_recorded_facts_flips_still_raise_nothing_but_corrupt_result(project: Any) -> None:
    """Manifests written before dtype and shape were recorded: the header is still parsed strictly."""
    path, entry = _stored(project)
    raw = path.read_bytes()
    for bit in range(_header_length(raw) * 8):
        damaged = bytearray(raw)
        damaged[bit // 8] ^= 1 << (bit % 8)
        path.write_bytes(damaged)
        try:
            _read(project, path, entry, mmap=True, facts=False)
        except CorruptResultError:
            pass


DAMAGE = {
    "appended 4 KB": lambda raw: raw + b"\0" * 4096,
    "appended 1 byte": lambda raw: raw + b"x",
    "truncated by 1 byte": lambda raw: raw[:-1],
    "truncated to the header": lambda raw: raw[:128],
    "truncated in the header": lambda raw: raw[:60],
    "0 bytes": lambda raw: b"",
}


@pytest.mark.parametrize("mmap", [True, False], ids=["mmap", "read"])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_wrong_length_is_corrupt(project: Any, damage: str, mmap: bool) -> None:
    path, entry = _stored(project)
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    with pytest.raises(CorruptResultError, match=str(path)):
        _read(project, path, entry, mmap=mmap)


@pytest.mark.parametrize("mmap", [True, False], ids=["mmap", "read"])
@pytest.mark.parametrize("damage", ["appended 4 KB", "truncated by 1 byte", "0 bytes", "byte order"])
def test_run_recomputes_a_damaged_array_with_a_warning(project: Any, damage: str, mmap: bool) -> None:
    path, _ = _stored(project)
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"'<f8'", b"'>f8'") if damage == "byte order" else DAMAGE[damage](raw))
    project.memory.clear()
    with pytest.warns(CorruptResultWarning, match="grid"):
        value = grid(n=1000).run(mmap=mmap)
    np.testing.assert_array_equal(value, EXPECTED)
    assert path.read_bytes() == raw, "the stored file is repaired"


def test_mmap_checks_dtype_against_the_manifest(project: Any) -> None:
    """Same size, other numbers: only the recorded dtype tells (a memory map does not hash the data)."""
    path, entry = _stored(project)
    path.write_bytes(path.read_bytes().replace(b"'<f8'", b"'<i8'"))
    with pytest.raises(CorruptResultError, match="dtype"):
        _read(project, path, entry, mmap=True)


@pytest.mark.parametrize(
    "value",
    [np.zeros((0, 3)), np.array(3.5), np.arange(6, dtype=">i4").reshape(2, 3),
     np.zeros(4, dtype=[("a", "<f8"), ("b", "<i2")]), np.asfortranarray(np.arange(6.0).reshape(2, 3))],
    ids=["empty", "0-d", "big-endian", "structured", "fortran"],
)
@pytest.mark.parametrize("mmap", [True, False], ids=["mmap", "read"])
def test_unusual_arrays_round_trip(project: Any, value: Any, mmap: bool) -> None:
    @RecordedTask
    def keep(x: int) -> Array:
        return value

    keep(x=1).run()
    project.memory.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keep(x=1).run(mmap=mmap)
    np.testing.assert_array_equal(loaded, value)
    assert loaded.dtype == value.dtype and loaded.shape == value.shape



@pytest.mark.parametrize("size", [400_000, 1_500_000], ids=["3.2 MB, chunks", "12 MB, hashed beside"])
def test_a_large_array_is_written_once_to_exactly_its_size_and_hashes_as_stored(project: Any, size: int) -> None:
    """Arrays of a MiB or more get their file allocated ahead; it must end exactly where the data ends.
    From 8 MiB on, another thread writes while this one hashes: the digest is still that of the file."""
    import xxhash

    value = np.random.default_rng(0).random(size)
    path = Path(project.root) / "big.npy"
    digest = NpyFormat().write(value, str(path), project)
    raw = path.read_bytes()
    header = len(raw) - value.nbytes
    assert raw[header:] == value.tobytes() and raw[:6] == b"\x93NUMPY"
    assert digest == xxhash.xxh3_128_hexdigest(raw)
    assert np.array_equal(np.load(path), value)
    back = NpyFormat().read(str(path), project, expected_hash=digest, expected=NpyFormat().describe(value))
    assert np.array_equal(back, value)


def test_short_writes_are_completed(project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel may write less than asked (signals, quotas): the file is still whole and hashes as stored."""
    import os

    import xxhash

    writev = os.writev

    def short(fd: int, buffers: Any) -> int:
        return writev(fd, [memoryview(buffers[0])[:100_003]])

    monkeypatch.setattr(os, "writev", short)
    value = np.random.default_rng(1).random(300_000)
    path = Path(project.root) / "short.npy"
    digest = NpyFormat().write(value, str(path), project)
    raw = path.read_bytes()
    assert digest == xxhash.xxh3_128_hexdigest(raw)
    assert np.array_equal(np.load(path), value)


FILE_SIZE_LIMIT = """
import resource, signal, sys
import numpy as np
from smttask import Project, RecordedTask
from smttask.typing import Array

@RecordedTask
def big(n: int) -> Array[float, 1]:
    return np.ones(n)

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, resource.RLIM_INFINITY))
with Project(sys.argv[1]).activate():
    try:
        big(n=1_500_000).run()
    except OSError as exc:
        print(type(exc).__name__, exc.errno)
"""


def test_a_write_failing_while_the_array_is_hashed_beside_it_fails_the_run_and_leaves_nothing(tmp_path: Path) -> None:
    """The writing thread's error (here: a file-size limit the 12 MB array passes) is the run's error."""
    import errno
    import subprocess
    import sys

    (tmp_path / "smttask.toml").write_text('recorder = "none"\nresult_inline_max = 0\n')
    done = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMIT, str(tmp_path)], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["OSError", str(errno.EFBIG)], done.stderr
    assert not [p for p in (tmp_path / "data").rglob("*") if p.is_file()]  # no result, no temporary file
