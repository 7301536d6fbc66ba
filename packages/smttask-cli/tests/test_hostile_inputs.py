"""``smttask run`` and ``show`` survive hostile inputs (issue 8): each bad input is one bounded line, nothing is lost.

Driven through the real console script: task modules that exit or print on
import, names of megabytes full of control characters, FIFOs, sockets, symlink
loops and dangling links found by globs and directory walks, and a project whose
``.smttask`` log directory cannot be written.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from smttask_cli import paths

#: A module of the project whose tasks misbehave in the ways a user's code can.
HOSTILE_TASKS = '''
from smttask import RecordedTask

@RecordedTask
def huge_error(n: int) -> int:
    raise ValueError("x" * n + "\\n\\x00\\x1b[2J after the control characters")
'''

NOISY = '''
import os, sys
print("NOISY-STDOUT " * 400)
print("NOISY-STDERR", file=sys.stderr)
os.write(1, b"NOISY-FD-1\\n")
from smttask import RecordedTask

@RecordedTask
def quiet_double(x: int) -> int:
    return 2 * x
'''


def doc(module: str, task: str = "square", inputs: dict | None = None) -> str:
    """A task file's text naming *module* and *task* (no stored key: none is checked)."""
    return json.dumps({"format": "smttask-task", "version": 1, "module": module, "task": task,
                       "inputs": {"x": 1} if inputs is None else inputs})


def about(result, name: str) -> list[str]:
    """The output lines (stdout and stderr) naming the task file *name*."""
    return [line for line in result.lines("stdout") + result.lines("stderr") if name in line]


def errors_about(result, name: str) -> list[str]:
    return [line for line in about(result, name) if not line.startswith("warning:")]


def summary(result) -> str:
    found = [line for line in result.lines("stdout") if re.match(r"\d+ tasks?: ", line)]
    assert len(found) == 1, result.stdout
    return found[0]


# --- 1. modules raising SystemExit or another BaseException on import ----------------------------------------


@pytest.mark.parametrize("cores", ["1", "2"])
def test_a_module_exiting_on_import_is_its_files_one_error_and_the_batch_runs(project, cores):
    project.write("exits_on_import.py", "raise SystemExit(3)\n")
    project.write("base_on_import.py", "class Hostile(BaseException):\n    pass\nraise Hostile('from a module')\n")
    project.write("tasks/a-unittest.taskdesc.json", doc("unittest.__main__"))
    project.write("tasks/b-exits.taskdesc.json", doc("exits_on_import"))
    project.write("tasks/c-base.taskdesc.json", doc("base_on_import"))
    project.save(project.tasks.square(x=5), "d-good")

    result = project.smttask_process("run", "-n", cores, "tasks")

    assert result.returncode == 1, result.stderr
    assert project.stored(project.tasks.square(x=5)), "the good task still ran"
    assert "4 tasks: 1 computed, 3 failed" in summary(result)
    for name, text in [("a-unittest", "'unittest.__main__'"),  # refused by name, or its SystemExit reported
                       ("b-exits", "importing module 'exits_on_import' raised SystemExit: 3"),
                       ("c-base", "importing module 'base_on_import' raised Hostile: from a module")]:
        lines = about(result, f"tasks/{name}.taskdesc.json")
        assert len(lines) == 1 and text in lines[0], result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    log = re.search(r"Full tracebacks: (\S+)", result.stderr).group(1)
    assert "raise SystemExit(3)" in (project.root / log).read_text(), "the log keeps the module's traceback"


def test_an_import_option_exiting_in_the_workers_fails_their_tasks_with_a_summary(project):
    # A live thread makes the workers spawn (not fork), so they import the module themselves.
    project.write("exit_in_workers.py", (
        "import os, sys, threading, time\n"
        "threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()\n"
        "if 'SMTTASK_PROCESS_NUM' in os.environ:\n"
        "    print('PRINTED-IN-WORKER'); print('PRINTED-IN-WORKER', file=sys.stderr)\n"
        "    raise SystemExit(4)\n"
    ))
    for i in range(3):
        project.save(project.tasks.square(x=i), f"sq-{i}")

    result = project.smttask_process("run", "-n", "2", "--import", "exit_in_workers", "tasks")

    assert result.returncode == 1
    assert "3 tasks: 3 failed" in summary(result)
    for i in range(3):
        lines = errors_about(result, f"tasks/sq-{i}.taskdesc.json")
        assert len(lines) == 1, result.stdout + result.stderr
        assert "worker setup failed: importing module 'exit_in_workers' raised SystemExit: 4" in lines[0]
    assert "PRINTED-IN-WORKER" not in result.stdout + result.stderr


def test_an_import_option_exiting_in_this_process_is_a_usage_error(project):
    project.write("exits_now.py", "raise SystemExit(0)\n")
    project.save(project.tasks.square(x=1), "one")
    result = project.smttask_process("run", "--import", "exits_now", "tasks")
    assert result.returncode == 2, "not a silent success"
    assert "cannot import module 'exits_now': SystemExit: 0" in result.stderr


# --- 2. output printed while importing a task module ---------------------------------------------------------


@pytest.mark.parametrize("command", [("run",), ("run", "-n", "2"), ("run", "--dry-run")])
def test_what_a_module_prints_on_import_is_one_warning_line_not_the_output(project, command):
    project.write("noisy.py", NOISY)
    project.write("tasks/a-zen.taskdesc.json", doc("this"))
    project.write("tasks/b-noisy.taskdesc.json", doc("noisy", "quiet_double"))
    project.save(project.tasks.square(x=2), "c-good")

    result = project.smttask_process(*command, "tasks")

    lines = result.lines("stdout") + result.lines("stderr")
    quoted = ("Beautiful is better than ugly", "NOISY-STDOUT", "NOISY-STDERR", "NOISY-FD-1")
    assert not [line for line in lines if any(q in line for q in quoted) and "loading it printed" not in line]
    zen = about(result, "a-zen")
    assert len(zen) == 1, "the file that fails: its error line carries the note"
    assert (
        "module 'this' has no task 'square'; loading it printed 857 characters, not shown, "
        "starting 'The Zen of Python, by Tim Peters'"
    ) in zen[0]
    noisy = [line for line in about(result, "b-noisy") if line.startswith("warning:")]
    assert len(noisy) == 1
    assert noisy[0].startswith("warning: tasks/b-noisy.taskdesc.json: loading it printed 5")
    assert "characters, not shown, starting 'NOISY-STDOUT NOISY-STDOUT" in noisy[0]
    assert errors_about(result, "b-noisy"), "the noisy file is still reported (computed or would compute)"
    if "--dry-run" in command:
        assert "Dry run: 2 would compute, 0 cached, 1 would fail." in result.stdout
        return
    assert project.stored(project.tasks.square(x=2))
    assert "3 tasks: 2 computed, 1 failed" in summary(result)
    plain = re.compile(r"\[\s*\d+/3\] |\d+ tasks: ")
    assert all(plain.match(line) for line in result.lines("stdout")), result.stdout


def test_the_progress_display_on_a_terminal_shows_none_of_it(project):
    import pty

    project.write("tasks/a-zen.taskdesc.json", doc("this"))
    project.save(project.tasks.square(x=3), "b-good")
    leader, follower = pty.openpty()
    smttask = str(Path(sys.executable).with_name("smttask"))
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"} | {"COLUMNS": "200"}
    process = subprocess.Popen([smttask, "run", "tasks"], cwd=project.root, stdout=follower,
                               stderr=subprocess.PIPE, env=env, text=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is closed once smttask exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    stderr = process.communicate(timeout=120)[1]
    os.close(leader)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert process.returncode == 1
    assert "Beautiful is better than ugly" not in screen + stderr
    assert "smttask run" in screen and "2 tasks: 1 computed, 1 failed" in screen, "the table and totals"
    assert stderr.count("a-zen.taskdesc.json") == 1 and "loading it printed 857 characters" in stderr


# --- 3. one error line stays one bounded line ----------------------------------------------------------------

HUGE = 3_000_000
CONTROLS = "a\nb\rc\x00d\x1b[31me\u2028f"
#: Control characters a file name can hold (not NUL).
NAME_CONTROLS = "a\nb\rc\x1b[31me\u2028f"


def _hostile_name_files(project) -> list[str]:
    project.write("hostile_tasks.py", HOSTILE_TASKS)
    names = {
        "huge-module": doc("m" * HUGE),
        "huge-task": doc("clitasks", "t" * HUGE),
        "control-module": doc(CONTROLS),
        "control-task": doc("clitasks", CONTROLS),
        "huge-input": doc("clitasks", inputs={"x": "v" * HUGE + CONTROLS}),
        "huge-key": json.dumps({**json.loads(doc("clitasks")), "key": "k" * HUGE + CONTROLS}),
        "huge-error": doc("hostile_tasks", "huge_error", {"n": HUGE}),
    }
    for name, text in names.items():
        project.write(f"tasks/{name}.taskdesc.json", text)
    project.write(f"tasks/name{NAME_CONTROLS}.taskdesc.json", doc("clitasks", "nope"))
    return list(names)


def _assert_bounded(result) -> None:
    for stream in ("stdout", "stderr"):
        text = getattr(result, stream)
        for line in text.split("\n"):
            assert len(line) < 1000, f"{stream} line of {len(line)} characters: {line[:200]}"
        for control in ("\r", "\x00", "\x1b", "\u2028"):
            assert control not in text, f"{control!r} reached {stream}"


@pytest.mark.parametrize("command", [("run",), ("run", "-n", "2"), ("run", "--dry-run")])
def test_huge_names_and_control_characters_give_bounded_single_lines(project, command):
    names = _hostile_name_files(project)
    project.save(project.tasks.square(x=9), "z-good")

    result = project.smttask_process(*command, "tasks")

    assert result.returncode == 1
    _assert_bounded(result)
    for name in names:
        assert len(errors_about(result, f"tasks/{name}.taskdesc.json")) == 1, name
    escaped = r"tasks/namea\nb\rc\x1b[31me\u2028f.taskdesc.json"
    assert len(errors_about(result, escaped)) == 1, "a file name with control characters, escaped"
    assert any("…" in line for line in about(result, "huge-module")), "cut, and says so"
    if "--dry-run" not in command:
        assert project.stored(project.tasks.square(x=9))
        assert "9 tasks: 1 computed, 8 failed" in summary(result)


def test_show_of_hostile_names_gives_bounded_single_lines(project):
    _hostile_name_files(project)
    for path in sorted((project.root / "tasks").iterdir()):
        result = project.smttask_process("show", str(path.relative_to(project.root)))
        _assert_bounded(result)
        if path.name == "huge-error.taskdesc.json":  # a valid file: its task fails only when run
            assert result.returncode == 0 and "huge_error (RecordedTask" in result.stdout
            continue
        assert result.returncode == 1
        assert len(result.lines("stderr")) == 1, result.stderr


def test_the_failure_log_keeps_the_traceback_but_bounds_each_entry(project):
    _hostile_name_files(project)
    result = project.smttask_process("run", "tasks/huge-error.taskdesc.json", "tasks/huge-module.taskdesc.json")
    assert result.returncode == 1
    log = project.root / re.search(r"Full tracebacks: (\S+)", result.stderr).group(1)
    text = log.read_text()
    assert 'raise ValueError("x" * n' in text, "the traceback is kept"
    assert "more characters cut]" in text
    assert len(text) < 300_000, f"two entries of {HUGE}-character messages took {len(text)} characters"
    assert "\x00" not in text and "\x1b" not in text


# --- 4. only regular files are read ---------------------------------------------------------------------------


def _odd_files(directory: Path) -> dict[str, str]:
    """Make a FIFO, a socket, symlink loops and a dangling symlink in *directory*; ``{name: expected problem}``."""
    directory.mkdir(parents=True, exist_ok=True)
    os.mkfifo(directory / "fifo.taskdesc.json")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(directory / "sock.taskdesc.json"))
    server.close()
    (directory / "loop.taskdesc.json").symlink_to("loop.taskdesc.json")
    (directory / "lo-a").symlink_to("lo-b")
    (directory / "lo-b").symlink_to("lo-a")
    (directory / "dangling.taskdesc.json").symlink_to("nowhere")
    return {
        "fifo.taskdesc.json": "not a regular file (a FIFO)",
        "sock.taskdesc.json": "not a regular file (a socket)",
        "loop.taskdesc.json": "symlink loop",
        "dangling.taskdesc.json": "dangling symlink",
    }


@pytest.mark.parametrize("command", [("run",), ("run", "-n", "2"), ("run", "--dry-run")])
def test_fifos_sockets_and_symlink_loops_are_one_line_each_and_the_batch_goes_on(project, command):
    expected = _odd_files(project.root / "odd")
    good = project.save(project.tasks.square(x=4), "good", directory="odd")
    (project.root / "odd" / "link-to-good.taskdesc.json").symlink_to(good.name)

    for arguments in (["odd/lo*"], ["odd/*"], ["odd"], ["odd/fifo.taskdesc.json", "odd/good.taskdesc.json"]):
        result = project.smttask_process(*command, *arguments)
        assert result.returncode == 1, (arguments, result.stderr)
        assert "Traceback" not in result.stderr
        wanted = ({f"odd/lo-{x}": "symlink loop" for x in "ab"} if arguments == ["odd/lo*"]
                  else {f"odd/{name}": problem for name, problem in expected.items()})
        if arguments[0] == "odd/fifo.taskdesc.json":
            wanted = {"odd/fifo.taskdesc.json": expected["fifo.taskdesc.json"]}
        for name, problem in wanted.items():
            lines = about(result, f"{name}:") + about(result, f"{name} ")
            assert len(lines) == 1 and problem in lines[0], (arguments, name, result.stdout + result.stderr)
    if "--dry-run" not in command:
        assert project.stored(project.tasks.square(x=4)), "the regular file, and the link to it, ran"


def test_show_refuses_fifos_and_loops_in_one_line_without_waiting(project):
    expected = _odd_files(project.root / "odd")
    for name, problem in expected.items():
        result = project.smttask_process("show", f"odd/{name}")
        assert result.returncode == 1
        assert result.stderr.strip() == f"error: odd/{name}: {problem}"
    project.save(project.tasks.square(x=1), "good", directory="odd")
    result = project.smttask_process("show", "odd/*")
    assert result.returncode == 1, "the odd files are errors"
    assert "square (RecordedTask from module clitasks)" in result.stdout, "the good file is shown"


def test_directory_and_glob_walks_end_on_symlink_loops(project):
    top = project.root / "walk"
    (top / "a" / "b").mkdir(parents=True)
    for name in ("up", "up2"):
        (top / "a" / "b" / name).symlink_to("../..")
        (top / "a" / name).symlink_to("..")
    project.save(project.tasks.square(x=6), "deep", directory="walk/a/b")
    for argument in ("walk", "walk/**/*.taskdesc.json", "walk/**"):
        result = project.smttask_process("run", argument)
        assert result.returncode == 0, (argument, result.stderr)
        assert summary(result).startswith("1 task: "), argument


def test_a_directory_that_cannot_be_listed_is_one_problem(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "t.taskdesc.json").write_text("{}")
    real = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(paths.os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    files, problems = paths.collect_task_files(["."])
    assert [str(f) for f in files] == ["open/t.taskdesc.json"]
    assert [(p.argument, p.problem) for p in problems] == [("locked", "cannot list directory: Permission denied")]


def test_file_problem_uses_stat_alone(tmp_path):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    assert paths.file_problem(fifo) == "not a regular file (a FIFO)"
    assert paths.file_problem(tmp_path) == "not a regular file (a directory)"
    assert paths.file_problem(tmp_path / "gone") == "no such file or directory"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "still a FIFO nobody opened"


# --- 5. a failure log that cannot be written -------------------------------------------------------------------


def _check_log_unwritable(result, reason: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    warnings = [line for line in result.lines("stderr") if "cannot write the failure log" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith("warning: ") and reason in warnings[0] and ".smttask/logs/run-" in warnings[0]
    assert "Full tracebacks:" not in result.stderr
    assert "3 tasks: 2 computed, 1 failed" in summary(result)
    assert len(errors_about(result, "tasks/bad.taskdesc.json")) == 1


@pytest.mark.parametrize("cores", ["1", "2"])
def test_a_failure_log_that_cannot_be_written_is_one_warning_and_the_batch_goes_on(project, cores):
    t = project.tasks
    project.save(t.square(x=1), "a-good")
    project.save(t.boom(x=1), "bad")
    project.save(t.square(x=2), "z-good")
    (project.root / ".smttask").write_text("a file where the log directory would go")

    result = project.smttask_process("run", "-n", cores, "tasks")

    _check_log_unwritable(result, "Not a directory")
    assert project.stored(t.square(x=1)) and project.stored(t.square(x=2))


def _mount(*arguments: str) -> None:
    subprocess.run(["mount", *arguments], check=True, capture_output=True)


@pytest.fixture
def read_only_root(project, tmp_path_factory):
    """*project*'s files on a tmpfs mounted read-only, results on a writable directory beside it."""
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only tmpfs needs root (CI runs as root)")
    root = tmp_path_factory.mktemp("readonly")
    data = tmp_path_factory.mktemp("data")
    try:
        _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(root))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    try:
        (root / "smttask.toml").write_text(f'recorder = "none"\ndata = "{data}"\n')
        (root / "clitasks.py").write_text((project.root / "clitasks.py").read_text())
        project.save(project.tasks.square(x=1), "a-good")
        project.save(project.tasks.boom(x=1), "bad")
        project.save(project.tasks.square(x=2), "z-good")
        (root / "tasks").mkdir()
        for file in (project.root / "tasks").iterdir():
            (root / "tasks" / file.name).write_text(file.read_text())
        _mount("-o", "remount,ro", str(root))
        yield type(project)(root, project.tasks), data
    finally:
        subprocess.run(["umount", str(root)], capture_output=True)


@pytest.mark.parametrize("cores", ["1", "2"])
def test_a_read_only_project_root_is_one_warning_and_the_results_are_stored(read_only_root, cores):
    readonly, data = read_only_root
    assert _cannot_write(readonly.root), "the root is read-only"

    result = readonly.smttask_process("run", "-n", cores, "tasks")

    _check_log_unwritable(result, "Read-only file system")
    assert readonly.stored(readonly.tasks.square(x=1)) and readonly.stored(readonly.tasks.square(x=2))
    assert (data / "square").is_dir(), "results went to the writable data directory"


def _cannot_write(root: Path) -> bool:
    try:
        (root / "probe").write_text("")
    except OSError:
        return True
    return False


def test_a_directory_bind_mounted_inside_itself_is_walked_once(project):
    if os.geteuid() != 0:
        pytest.skip("bind mounts need root (CI runs as root)")
    top = project.root / "tasks"
    project.save(project.tasks.square(x=8), "only")
    (top / "inner").mkdir()
    try:
        _mount("--bind", str(top), str(top / "inner"))
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot bind-mount here: {exc}")
    try:
        result = project.smttask_process("run", "tasks")
    finally:
        subprocess.run(["umount", str(top / "inner")], capture_output=True)
    assert result.returncode == 0, result.stderr
    assert summary(result).startswith("1 task: 1 computed")
