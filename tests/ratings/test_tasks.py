"""The background worker's tasks: the dependency between the actions and
`ratings.tasks` runs one way (the tasks are defined beside the actions that
queue them), and a task queued under its old path still finds its work."""

import ast
from pathlib import Path

from django.utils.module_loading import import_string
from django_tasks.base import Task

import ratings.actions
from ratings import tasks
from ratings.actions import recalculation, what_ifs


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module a file imports, lazily inside functions too, as absolute names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return found


def test_no_action_imports_the_tasks_module():
    assert "ratings.actions.recalculation" in imported_modules(Path(tasks.__file__), "ratings")  # the other way
    for path in Path(ratings.actions.__file__).parent.glob("*.py"):
        assert "ratings.tasks" not in imported_modules(path, "ratings.actions"), path.name


def test_the_tasks_are_the_actions_own_under_their_old_paths_too():
    assert (tasks.recalculate_year, tasks.compute_what_if) == (recalculation.recalculate_year,
                                                               what_ifs.compute_what_if)
    for path in ("ratings.tasks.recalculate_year", "ratings.tasks.compute_what_if",
                 recalculation.recalculate_year.module_path, what_ifs.compute_what_if.module_path):
        assert isinstance(import_string(path), Task), path
