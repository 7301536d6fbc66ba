"""``smttask run`` applies ``on_code_change`` to the results it plans from: warn once, or compute again."""

from __future__ import annotations


def change_square(project) -> None:
    module = project.root / "clitasks.py"
    module.write_text(module.read_text().replace("return x * x", "return x * x + 0"))


def test_a_result_of_changed_code_is_planned_as_cached_with_a_one_line_warning(project):
    path = project.save(project.tasks.square(x=3), "three").relative_to(project.root)
    assert project.smttask("run", str(path)).returncode == 0
    change_square(project)
    result = project.smttask("run", str(path))
    assert result.returncode == 0, result.stderr
    assert result.statuses() == {str(path): "cached"}
    warned = [line for line in result.lines("stderr") if "CodeChangedWarning" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: CodeChangedWarning: The stored result of square")
    assert "function clitasks:square" in warned[0] and "sys.exit" not in result.stderr


def test_with_recompute_a_result_of_changed_code_is_planned_and_run_as_a_miss(project):
    path = project.save(project.tasks.square(x=4), "four").relative_to(project.root)
    assert project.smttask("run", str(path)).returncode == 0
    change_square(project)
    (project.root / "smttask.toml").write_text('on_code_change = "recompute"\n')
    label = str(path)
    dry = project.smttask("run", "--dry-run", str(path))
    assert dry.predictions() == {label: "would compute"}
    assert 'its stored result is of code changed since (on_code_change = "recompute")' in dry.stdout
    result = project.smttask("run", str(path))
    assert result.returncode == 0, result.stderr
    assert result.statuses() == {label: "computed"}
    assert project.smttask("run", "--dry-run", str(path)).predictions() == {label: "cached"}
