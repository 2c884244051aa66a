"""Imports run down: public may import ratings and indicators, ratings may
import indicators, and indicators neither of them; ratings never imports
public. Read from the source of every module (lazy imports inside functions
included), so no code path is missed; no database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app, and the apps above it that it must never import.
ABOVE = {"indicators": {"ratings", "public"}, "ratings": {"public"}}


def modules_of(package: str) -> list[Path]:
    return sorted(path for path in (ROOT / package).rglob("*.py"))


def imported_names(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, wherever it is."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names.append((node.lineno, base))
            names.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(ABOVE))
def test_no_module_imports_an_app_above_its_own(package):
    upward = [f"{path.relative_to(ROOT)}:{line} imports {name}"
              for path in modules_of(package) for line, name in imported_names(path)
              if name.split(".")[0] in ABOVE[package]]
    assert upward == []


def test_the_check_sees_lazy_and_relative_imports(tmp_path, monkeypatch):
    module = ROOT / "indicators" / "actions" / "results.py"
    names = {name for _, name in imported_names(module)}
    assert {"indicators.queries", "indicators.models.Result", "django.db.transaction"} <= names
    source = "def later():\n    from ratings.models import AuditEntry\n    import public.views\n"
    fake = tmp_path / "lazy.py"
    fake.write_text(source)
    monkeypatch.setattr("tests.test_layers.ROOT", tmp_path)
    assert [name for _, name in imported_names(fake)] == ["ratings.models", "ratings.models.AuditEntry",
                                                          "public.views"]


# Each app's templates folders.
TEMPLATE_FOLDERS = {"indicators": ["returns"], "ratings": ["ratings"]}


def tag_libraries_of(apps: set[str]) -> set[str]:
    return {path.stem for app in apps for path in (ROOT / app / "templatetags").glob("*.py")
            if path.stem != "__init__"}


@pytest.mark.parametrize("package", sorted(TEMPLATE_FOLDERS))
def test_no_template_loads_a_tag_library_of_an_app_above_its_own(package):
    above = tag_libraries_of(ABOVE[package])
    loaded = [f"{path.relative_to(ROOT)} loads {name}"
              for folder in TEMPLATE_FOLDERS[package] for path in (ROOT / "templates" / folder).rglob("*.html")
              for line in path.read_text(encoding="utf-8").splitlines() if "{% load " in line
              for name in line.split("{% load ", 1)[1].split("%}")[0].split() if name in above]
    assert above and loaded == []
