"""Shared test code lives in tests/support: no test file imports a conftest or another test."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def package_of(path: Path) -> list[str]:
    parts = module_name(path).split(".")
    return parts if path.name == "__init__.py" else parts[:-1]


def imported_modules(path: Path, package: list[str]) -> list[tuple[int, str]]:
    """Every module `path` (in `package`) imports, with the line; relative imports resolved."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            # Each imported name too: `from . import test_x` imports a module by its name.
            found += [(node.lineno, module)]
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def is_test_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.startswith("tests.") and (last == "conftest" or last.startswith("test_"))


def imports_of_tests_and_conftests(folder: Path) -> list[str]:
    wrong = []
    for path in sorted(folder.rglob("*.py")):
        for line, module in imported_modules(path, package_of(path)):
            if is_test_or_conftest(module):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return wrong


def test_no_test_file_imports_a_conftest_or_another_test() -> None:
    assert imports_of_tests_and_conftests(TESTS) == []


def test_the_walk_sees_absolute_relative_and_deferred_imports(tmp_path: Path) -> None:
    example = tmp_path / "test_example.py"
    example.write_text(
        "from tests.conftest import x\n"
        "import tests.bot.desk.test_tickets\n"
        "from .test_outbox import RecordingSender\n"
        "from . import conftest\n"
        "from tests.support.chat import Chat\n"
        "def f():\n    from tests.bot.console.conftest import Console\n"
    )
    found = imported_modules(example, ["tests", "bot", "outreach"])
    assert [module for _, module in found if is_test_or_conftest(module)] == [
        "tests.conftest",
        "tests.bot.desk.test_tickets",
        "tests.bot.outreach.test_outbox",
        "tests.bot.outreach.conftest",
        "tests.bot.console.conftest",
    ]
