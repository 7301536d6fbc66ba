"""The documentation builds without warnings, and the examples of its guide run.

The Python blocks of a page run in a fresh directory: a block written as a
``{code-block} python`` directive with ``:caption: <file>.py`` is saved as that
file, and every other Python block is appended, in order, to one script.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Guide pages whose Python blocks form a runnable script, and the modules they need.
RUNNABLE_PAGES = {
    "index.md": ["numpy"],
    "getting-started.md": ["numpy"],
    "tasks.md": ["numpy"],
    "advanced-tasks.md": [],
    "params.md": ["numpy", "scipy"],
    "keys.md": ["numpy"],
    "storage.md": ["numpy"],
    "explain.md": [],
    "taskfiles.md": ["numpy"],
    "typing.md": ["numpy"],
    "configuration.md": [],
    "plugins.md": ["click"],
}

_FENCE = re.compile(
    r"^(?P<fence>`{3,})(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
_OPTION = re.compile(r"^:(?P<name>[\w-]+):[ \t]*(?P<value>.*)$")


def python_blocks(markdown: str) -> list[tuple[str | None, str]]:
    """``(file name or None, code)`` of each Python block of a MyST page, in order."""
    blocks = []
    for match in _FENCE.finditer(markdown):
        info = match["info"].strip()
        body = match["body"]
        if info == "python":
            blocks.append((None, body))
        elif re.fullmatch(r"\{code-block\}\s+python", info):
            lines = body.splitlines(keepends=True)
            options = {}
            while lines and (opt := _OPTION.match(lines[0].strip())):
                options[opt["name"]] = opt["value"].strip()
                lines.pop(0)
            blocks.append((options.get("caption"), "".join(lines)))
    return blocks


def run_page(page: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """Write the page's files and script into *directory* and run the script there."""
    blocks = python_blocks((DOCS / page).read_text(encoding="utf-8"))
    script = [code for name, code in blocks if name is None]
    assert script, f"docs/{page} has no Python example to run"
    for name, code in blocks:
        if name is not None:
            (directory / name).write_text(code, encoding="utf-8")
    (directory / "example.py").write_text("\n".join(script), encoding="utf-8")
    env = {
        k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"
    }  # the script imports its files
    return subprocess.run(
        [sys.executable, "example.py"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _skip_without(modules: list[str]) -> None:
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(
            f"these examples need {', '.join(missing)} (install smttask-core[numpy] and smttask-cli)"
        )


def test_python_blocks_parser() -> None:
    page = (
        "text\n```{code-block} python\n:caption: mod.py\n\nX = 1\n```\n"
        "```python\nimport mod\n```\n```bash\nls\n```\n````python\nprint('```')\n````\n"
    )
    assert python_blocks(page) == [
        ("mod.py", "\nX = 1\n"),
        (None, "import mod\n"),
        (None, "print('```')\n"),
    ]


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    if (
        importlib.util.find_spec("sphinx") is None
        or importlib.util.find_spec("myst_parser") is None
    ):
        pytest.skip(
            "sphinx and myst-parser are not installed (they are in the `dev` dependency group)"
        )
    out = tmp_path / "html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(DOCS),
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"sphinx failed:\n{proc.stdout}\n{proc.stderr}"
    for page in RUNNABLE_PAGES:
        html = out / page.replace(".md", ".html")
        assert html.is_file(), f"{html.name} was not built"
    assert (out / "api.html").is_file()


def test_getting_started_examples_run(tmp_path: Path) -> None:
    _skip_without(RUNNABLE_PAGES["getting-started.md"])
    proc = run_page("getting-started.md", tmp_path)
    assert proc.returncode == 0, (
        f"the examples of docs/getting-started.md failed:\n{proc.stdout}\n{proc.stderr}"
    )
    assert "analyze(arr=array([1, 2, 3]), dt=0.5, nbins=2)" in proc.stdout
    assert "2.0 0.0 0.6666666666666666" in proc.stdout
    assert len(list((tmp_path / "taskdir").glob("*.taskdesc.json"))) == 4


@pytest.mark.parametrize("page", [p for p in RUNNABLE_PAGES if p != "getting-started.md"])
def test_guide_examples_run(page: str, tmp_path: Path) -> None:
    _skip_without(RUNNABLE_PAGES[page])
    proc = run_page(page, tmp_path)
    assert proc.returncode == 0, (
        f"the examples of docs/{page} failed:\n{proc.stdout}\n{proc.stderr}"
    )


def test_plugins_page_documents_every_hook_with_its_arguments() -> None:
    """Each hookspec has a ``### name`` section whose signature line lists its arguments."""
    import inspect

    from smttask import hookspecs

    page = (DOCS / "plugins.md").read_text(encoding="utf-8")
    specs = {name: fn for name, fn in vars(hookspecs).items() if name.startswith("smttask_") and callable(fn)}
    assert specs, "no hookspecs found"
    for name, spec in specs.items():
        heading = f"### `{name}`"
        assert heading in page, f"docs/plugins.md has no section {heading}"
        section = page.split(heading, 1)[1].split("\n### ", 1)[0]
        arguments = ", ".join(inspect.signature(spec).parameters)
        assert f"`{name}({arguments})" in section, f"the section of {name} does not show ({arguments})"
    documented = set(re.findall(r"^### `(smttask_\w+)`", page, re.M))
    assert documented <= set(specs), f"docs/plugins.md documents hooks that do not exist: {documented - set(specs)}"


def test_the_readme_example_runs_as_pasted(tmp_path: Path) -> None:
    """The README's first block is the module ``analysis.py`` (its first line says so), the second the script."""
    _skip_without(["numpy"])
    module, script = [code for _, code in python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[:2]]
    assert module.startswith("# analysis.py\n")
    (tmp_path / "analysis.py").write_text(module, encoding="utf-8")
    (tmp_path / "example.py").write_text(script, encoding="utf-8")
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "example.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2.0 0.0 0.6666666666666666"
    assert len(list((tmp_path / "taskdir").glob("analyze__*.taskdesc.json"))) == 1
