"""Fixtures are found by name, never imported: a fixture shared by several folders lives in the
plugin package tests/fixtures/ (loaded once by tests/conftest.py), a folder's conftest.py keeps what
only that folder uses, and no test reaches into another folder's conftest or silences the linter
to import a fixture (`# noqa: F401`). Imported fixtures were the way folders shared them; each
import made a second copy of the fixture in the importing module."""
import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def _sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), filename=str(path)) for path in sorted(TESTS.rglob("*.py"))}


def _is_fixture(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fixture"


def _fixtures(tree: ast.Module) -> set[str]:
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and any(_is_fixture(d) for d in node.decorator_list)}


def _module_path(source: Path, node: ast.ImportFrom) -> Path | None:
    """The file an import reads, if it is a module of the test suite."""
    if node.level:
        base = source.parent
        for _ in range(node.level - 1):
            base = base.parent
        parts = (node.module or "").split(".") if node.module else []
    elif node.module and node.module.split(".")[0] == "tests":
        base, parts = ROOT, node.module.split(".")
    else:
        return None
    path = base.joinpath(*parts)
    return path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"


def _folder(path: Path) -> str:
    return path.relative_to(TESTS).parts[0] if len(path.relative_to(TESTS).parts) > 1 else ""


def test_no_test_imports_a_fixture():
    sources = _sources()
    fixtures = {path: _fixtures(tree) for path, tree in sources.items()}
    imported = []
    for path, tree in sources.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (module := _module_path(path, node)) in fixtures:
                imported += [f"{path.relative_to(ROOT)}: {alias.name} from {module.relative_to(ROOT)}"
                             for alias in node.names if alias.name in fixtures[module]]
    assert imported == []


def test_no_test_imports_from_another_folders_conftest_or_silences_an_unused_import():
    found = []
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            module = _module_path(path, node) if isinstance(node, ast.ImportFrom) else None
            if module is not None and module.name == "conftest" and _folder(module) != _folder(path):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {module.relative_to(ROOT)}")
        lines = path.read_text().splitlines()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                text = " ".join(lines[node.lineno - 1:node.end_lineno])
                if "noqa: F401" in text or "noqa: F811" in text:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text.strip()}")
    assert found == []


def test_a_fixture_shared_by_folders_is_in_the_plugin_and_defined_once():
    sources = _sources()
    plugin = {path for path in sources if "fixtures" in path.relative_to(TESTS).parts[:1]}
    shared = [name for path in plugin for name in _fixtures(sources[path])]
    assert len(shared) == len(set(shared)), "a fixture of the plugin is defined twice"
    conftests = [path for path in sources if path.name == "conftest.py" and path.parent != TESTS]
    again = [f"{path.relative_to(ROOT)}: {name}" for path in conftests for name in _fixtures(sources[path])
             if name in shared]
    assert again == [], "a folder's conftest.py defines a fixture the plugin already has"
    # A fixture of a folder's conftest.py is asked for only in that folder (or where a module defines its own).
    for conftest in conftests:
        local = _fixtures(sources[conftest])
        for path, tree in sources.items():
            if conftest.parent in path.parents:
                continue
            own = _fixtures(tree)
            asked = {arg.arg for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                     and (node.name.startswith("test_") or any(_is_fixture(d) for d in node.decorator_list))
                     for arg in node.args.args}
            assert not (asked & local) - own, (path.relative_to(ROOT), conftest.relative_to(ROOT), asked & local)


def test_the_plugin_is_loaded_once_by_the_root_conftest():
    sources = _sources()
    declaring = [path.relative_to(TESTS) for path, tree in sources.items()
                 if any(isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytest_plugins" for t in node.targets)
                        for node in tree.body)]
    assert declaring == [Path("conftest.py")]
    plugins = next(node.value for node in sources[TESTS / "conftest.py"].body if isinstance(node, ast.Assign))
    named = {element.value for element in plugins.elts}
    with_fixtures = {f"tests.fixtures.{path.stem}" for path in sources
                     if path.parent == TESTS / "fixtures" and _fixtures(sources[path])}
    assert with_fixtures <= named, "a module of tests/fixtures/ with fixtures is not loaded"
