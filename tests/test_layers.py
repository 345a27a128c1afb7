"""Imports run one way (README, "Layers"): every import in the code, at any depth, points down."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Top to bottom; names on one line are siblings that may not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot.cli",),
    ("bot.app",),
    ("bot.channels", "bot.console"),
    ("bot.services",),
    ("bot.web",),
    ("bot.desk",),
    ("bot.outreach",),
    ("bot.pipeline",),
    ("handlers",),
    ("knowledge", "storage"),
    ("core",),
)
# Entry points above every layer.
ENTRY_POINTS = ("bot", "bot.__main__")


def layer_of(module: str) -> tuple[int, str] | None:
    """The layer's index and the name of the part of it that holds `module`."""
    for index, parts in enumerate(LAYERS):
        for part in parts:
            if module == part or module.startswith(part + "."):
                return index, part
    return None


def modules() -> dict[str, Path]:
    found = {}
    for package in ("core", "knowledge", "storage", "handlers", "bot"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path) -> list[tuple[int, str]]:
    """Every module of ours `path` imports, with the line, including deferred imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if layer_of(name) is not None]


def wrong_way_imports() -> list[str]:
    wrong = []
    for name, path in sorted(modules().items()):
        if name in ENTRY_POINTS or name.startswith("storage.migrations"):
            continue
        placed = layer_of(name)
        assert placed is not None, f"{name} is in no layer: add it to LAYERS and the README"
        for line, imported in imports(path):
            target = layer_of(imported)
            assert target is not None
            upward = target[0] < placed[0]
            sideways = target[0] == placed[0] and target[1] != placed[1]
            if upward or sideways:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return wrong


def test_every_import_points_down_the_layers() -> None:
    assert wrong_way_imports() == []


def test_the_walk_sees_deferred_and_type_checking_imports(tmp_path: Path) -> None:
    module = tmp_path / "example.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot.app import x\n"
        "def f():\n    import handlers.faq.rule\n"
    )
    assert imports(module) == [(3, "bot.app"), (5, "handlers.faq.rule")]
