"""The layout the code relies on (docs/architecture.md): dependencies run one way,
reports -> procurement -> inventory, and nothing at run time imports the demo app, so
that a server can leave `demo` out of INSTALLED_APPS."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each of our packages must never import, directly or inside a function.
FORBIDDEN = {
    "config": {"demo"},
    "inventory": {"procurement", "reports", "demo"},
    "procurement": {"reports", "demo"},
    "reports": {"demo"},
}


def imported_packages(source: str) -> set[str]:
    """The top-level packages a module's source imports, wherever the import is: import
    statements, and `import_module("...")` / `__import__("...")` with a literal name."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return {name.split(".")[0] for name in found}


def test_the_check_sees_every_kind_of_import():
    source = (
        "import demo.inventory\n"
        "from reports.models import Budget\n"
        "def later():\n"
        "    from procurement import services\n"
        "    importlib.import_module('config.urls')\n"
        "from . import roles\n"
    )
    assert imported_packages(source) == {"demo", "reports", "procurement", "config"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_only_what_it_may(package):
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules
        for name in sorted(imported_packages(path.read_text(encoding="utf-8")))
        if name in FORBIDDEN[package]
    ]
    assert wrong == []
