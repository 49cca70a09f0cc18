"""
The layering of our packages, read from the imports of their modules with ``ast`` (issue 14).

MAY_IMPORT is the table of which of our top-level packages each of our apps may import (itself
included). So far it fences off the demo alone: the domain and the core never import ``demo``,
which only builds on them. Narrow the rows as the domain takes its layered shape.
Besides, no app imports another app's management commands: what commands share lives in a plain
module (``oioi_portal.commands``).
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
DOMAIN = frozenset({"oioi_portal", "stations", "clients", "cdrs", "sessions_app"})
MAY_IMPORT = {
    "oioi_portal": DOMAIN,
    "stations": DOMAIN,
    "clients": DOMAIN,
    "cdrs": DOMAIN,
    "sessions_app": DOMAIN,
    "demo": DOMAIN | {"demo"},
}
COMMANDS = re.compile(r"(\w+)\.management\.commands(\.|$)")


def imports(root, path):
    """(line, module) for every module the file imports, relative imports resolved."""
    parts = path.relative_to(root).with_suffix("").parts
    package = parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join((*base, *([node.module] if node.module else [])))
            yield node.lineno, module
            # ``from x import y`` may import the module x.y.
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def violations(root, package, may_import):
    """What the modules of ``package`` import against the layers, as lines to read."""
    # Every top-level package of ours, apps or not (bench, tests).
    ours = {path.parent.name for path in root.glob("*/__init__.py")}
    found = []
    for path in sorted((root / package).rglob("*.py")):
        where = path.relative_to(root)
        for line, module in imports(root, path):
            top = module.partition(".")[0]
            if top in ours and top not in may_import:
                found.append(f"{where}:{line} imports {module} ({package} may not import {top})")
            command = COMMANDS.match(module)
            if command and command.group(1) != package:
                found.append(f"{where}:{line} imports {module}, another app's management command")
    return found


def test_every_app_of_ours_has_a_row():
    ours = {app.name for app in apps.get_app_configs() if Path(app.path).parent == BASE_DIR}
    assert ours == set(MAY_IMPORT)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_imports_follow_the_layers(package):
    assert violations(BASE_DIR, package, MAY_IMPORT[package]) == []


def test_the_reader_sees_every_form_of_import(tmp_path):
    # A stand-in app breaking each rule in each form of import the reader must resolve.
    for package in ("fake", "fake/sub", "demo", "clients"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "fake" / "sub" / "mod.py").write_text(
        "import demo.stations\n"
        "from demo import partners\n"
        "def later():\n"
        "    from clients.management.commands import chargingkey\n"
        "from ..management.commands import own\n"
        "from . import sibling\n"
        "import json\n"
    )

    assert violations(tmp_path, "fake", {"fake", "clients"}) == [
        "fake/sub/mod.py:1 imports demo.stations (fake may not import demo)",
        "fake/sub/mod.py:2 imports demo (fake may not import demo)",
        "fake/sub/mod.py:2 imports demo.partners (fake may not import demo)",
        "fake/sub/mod.py:4 imports clients.management.commands, another app's management command",
        "fake/sub/mod.py:4 imports clients.management.commands.chargingkey, another app's "
        "management command",
    ]
    # The relative imports resolve to the app itself: its own commands are its own business.
    assert {module for _, module in imports(tmp_path, tmp_path / "fake/sub/mod.py")} >= {
        "fake.management.commands.own",
        "fake.sub.sibling",
    }
