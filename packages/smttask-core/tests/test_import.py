"""`import smttask` stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _fresh_python(code: str) -> list[str]:
    """The lines *code* prints in a fresh Python process."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()


def _project_with(directory: Path, module: str, source: str) -> None:
    """A project in *directory* (recorder ``none``) with the task module *module* of *source*."""
    (directory / f"{module}.py").write_text(source)
    (directory / "smttask.toml").write_text('recorder = "none"\n')


def _in_project(directory: Path, code: str) -> str:
    """What *code* prints in a fresh Python process started in *directory*."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=directory).stdout


def test_import_does_not_load_heavy_modules() -> None:
    assert _fresh_python(
        "import sys, smttask\n"
        "heavy = ['numpy', 'pandas', 'click', 'django', 'networkx', 'rich', 'sumatra', 'dill']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    ) == ["[]"]


def test_core_works_without_numpy() -> None:
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None  # make `import numpy` fail\n"
        "import tempfile, smttask\n"
        "from smttask import MemoizedTask, RecordedTask, Project\n"
        "from smttask.config import Config\n"
        "@RecordedTask\n"
        "def f(x: float, y: dict) -> float:\n"
        "    return x + len(y)\n"
        "with Project(tempfile.mkdtemp(), config=Config(recorder='none')).activate():\n"
        "    t = f(x=1, y={'a': 1})\n"
        "    print(t.run(), smttask.Task.from_desc(t.desc) == t)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "2.0 True"


def test_array_without_numpy_says_how_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['numpy'] = None\n"
        "from smttask import MemoizedTask\n"
        "from smttask.typing import Array\n"
        "@MemoizedTask\n"
        "def f(x: Array) -> float:\n"
        "    return 1.0\n"
        "try:\n"
        "    f(x=[1])\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "smttask-core[numpy]" in out


def test_a_first_disk_hit_of_a_plain_result_builds_no_serializer_registry(tmp_path) -> None:
    """The modules behind the value serializers (parameter sets, pure functions, task files, arrays), and
    those that record a run, claim a result, clean up after dead writers and list what storage holds, stay unimported when a fresh
    process loads a stored result of plain JSON: every short script pays for them."""
    _project_with(
        tmp_path, "hit_tasks",
        "from smttask import RecordedTask\n\n@RecordedTask\ndef add(x: int, y: dict) -> dict:\n"
        "    return {'sum': x + len(y), 'items': [1.5, 'a', None]}\n",
    )
    code = (
        "import sys, hit_tasks\n"
        "print(hit_tasks.add(x=1, y={'a': 1}).run())\n"
        "print(sorted(m for m in ['smttask.params', 'smttask.pure_functions', 'smttask.taskfile', "
        "'smttask.storedarrays', 'smttask.seeds', 'smttask.typing', 'smttask.recording', "
        "'smttask.storage.claim', 'smttask.storage.cleanup', 'smttask.storage.inventory'] if m in sys.modules))\n"
    )
    first, hit = _in_project(tmp_path, code), _in_project(tmp_path, code)
    assert first.startswith("{'sum': 2, 'items': [1.5, 'a', None]}\n")
    assert hit == "{'sum': 2, 'items': [1.5, 'a', None]}\n[]\n"


def test_running_a_plain_task_file_builds_no_serializer_registry(tmp_path) -> None:
    """Reading a task file of plain scalar inputs, computing its task and storing the result (what every
    job of `smttask run` does) imports none of the serializers' modules either."""
    _project_with(
        tmp_path, "file_tasks",
        "from smttask import RecordedTask\n\n@RecordedTask\ndef square(x: int, name: str) -> int:\n"
        "    return x * x + len(name)\n",
    )
    path = _in_project(tmp_path, "import file_tasks, smttask\nprint(file_tasks.square(x=3, name='a').save('tasks'))\n")
    code = (
        "import sys\nfrom smttask.taskfile import task_from_desc\n"
        f"print(task_from_desc({path.strip()!r}).run())\n"
        "print(sorted(m for m in ['smttask.params', 'smttask.pure_functions', 'smttask.storedarrays', "
        "'smttask.seeds', 'smttask.typing', 'pydantic'] if m in sys.modules))\n"
    )
    assert _in_project(tmp_path, code) == "10\n[]\n"
    assert len(list((tmp_path / "data").rglob("*.manifest.json"))) == 1


def test_a_task_of_plain_scalars_is_defined_computed_and_loaded_without_pydantic(tmp_path) -> None:
    """pydantic's import costs a process more than the rest of smttask: a task whose inputs and output
    are plain (int, float, str, bool, None, enums, literals, and lists, tuples, dicts and optionals of them)
    and given values of exactly those types never imports it, miss or hit. A value of another type (an int for a float) is
    coerced by pydantic, imported then, as before."""
    _project_with(
        tmp_path, "plain_tasks",
        "import enum\nfrom typing import Literal\nfrom smttask import RecordedTask\n\n"
        "class Mode(enum.Enum):\n    FAST = 'fast'\n\n@RecordedTask\n"
        "def scale(x: int, factor: float, label: str, loud: bool, extra: list[float] | None = None,\n"
        "          weights: dict[str, tuple[int, ...]] = {}, how: Literal['sum', 'max'] = 'sum',\n"
        "          mode: Mode = Mode.FAST) -> float:\n"
        "    return x * factor + len(label) + loud + sum(extra or []) + len(weights)\n",
    )
    code = (
        "import sys, plain_tasks\n"
        "task = plain_tasks.scale(x=2, factor=1.5, label='ab', loud=True, extra=[0.5], weights={'a': (1, 2)},\n"
        "                         how='max', mode=plain_tasks.Mode.FAST)\n"
        "print(task.run(), 'pydantic' in sys.modules)\n"
        "task = plain_tasks.scale(x=2, factor=1, label='ab', loud=True)\n"
        "print(task.inputs['factor'], type(task.inputs['factor']).__name__, 'pydantic' in sys.modules)\n"
    )
    miss, hit = _in_project(tmp_path, code), _in_project(tmp_path, code)
    assert miss == hit == "7.5 False\n1.0 float True\n"
    assert len(list((tmp_path / "data").rglob("*.manifest.json"))) == 1


def test_a_batch_run_in_this_process_imports_no_worker_machinery(tmp_path) -> None:
    """`smttask run -n 1` and every Snakemake job run tasks here: the process executor, its workers'
    code and multiprocessing stay unimported, and so does traceback while no task fails."""
    _project_with(
        tmp_path, "inline_tasks",
        "from smttask import RecordedTask\n\n@RecordedTask\ndef double(x: int) -> int:\n    return 2 * x\n",
    )
    code = (
        "import sys, inline_tasks\nfrom smttask import Project\n"
        "project = Project('.')\n"
        "print([o.status for o in project.executor('inline').run([inline_tasks.double(x=4)])])\n"
        "print(sorted(m for m in ['smttask.execution.processes', 'smttask.execution.worker', "
        "'smttask.execution.growth', 'multiprocessing', 'traceback'] if m in sys.modules))\n"
    )
    assert _in_project(tmp_path, code) == "['computed']\n[]\n"


def test_a_package_name_loads_its_module_on_first_access_and_an_unknown_one_names_the_package() -> None:
    assert _fresh_python(
        "import sys, smttask.storage as storage\n"
        "print('smttask.storage.claim' in sys.modules, 'Claim' in dir(storage))\n"
        "print(storage.Claim.__module__, 'smttask.storage.claim' in sys.modules)\n"
        "try:\n    storage.Nothing\nexcept AttributeError as exc:\n    print(exc)\n"
    ) == [
        "False True",
        "smttask.storage.claim True",
        "module 'smttask.storage' has no attribute 'Nothing'",
    ]
