"""
The layering of our packages, read from the imports of their modules with ``ast`` (issue 14).

LAYERS lists our apps from the bottom up: the base (``core``, ``partners``), the domain, the
protocols, the portal and the demo, and the project package, which no app imports. MAY_IMPORT,
derived from it, says which of our top-level packages each app may import (itself included), so
imports only point down and no two packages import each other.
Besides, no app imports another app's management commands (what commands share lives in
``core.commands``) or another app's admin module (shared admin bases live in
``core.admin_bases``): both run registrations when imported.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# Our apps from the bottom up; each may import itself and those below it, never one above.
BASE = ("core", "partners")
DOMAIN = ("stations", "clients", "sessions_app", "cdrs", "app_users")
PROTOCOLS = ("oioi",)
LAYERS = (*BASE, *DOMAIN, *PROTOCOLS, "portal", "demo", "oioi_portal")
MAY_IMPORT = {app: frozenset(LAYERS[: index + 1]) for index, app in enumerate(LAYERS)}
# The portal and the demo sit beside the protocols, not on them.
MAY_IMPORT["portal"] -= set(PROTOCOLS)
# The project package (settings, urls) is imported by no app.
for app in LAYERS[:-1]:
    assert "oioi_portal" not in MAY_IMPORT[app]
COMMANDS = re.compile(r"(\w+)\.management\.commands(\.|$)")
ADMIN = re.compile(r"(\w+)\.admin$")


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
        for line, module in sorted(imports(root, path)):
            top = module.partition(".")[0]
            if top in ours and top not in may_import:
                found.append(f"{where}:{line} imports {module} ({package} may not import {top})")
            command = COMMANDS.match(module)
            if command and command.group(1) != package:
                found.append(f"{where}:{line} imports {module}, another app's management command")
            admin = ADMIN.match(module)
            if admin and admin.group(1) in ours and admin.group(1) != package:
                found.append(f"{where}:{line} imports {module}, another app's admin module")
    return found


def test_every_app_of_ours_has_a_row():
    ours = {app.name for app in apps.get_app_configs() if Path(app.path).parent == BASE_DIR}
    assert ours == set(MAY_IMPORT)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_imports_follow_the_layers(package):
    assert violations(BASE_DIR, package, MAY_IMPORT[package]) == []


def test_no_two_packages_import_each_other():
    ours = {path.parent.name for path in BASE_DIR.glob("*/__init__.py")}
    imported = {
        package: {
            module.partition(".")[0]
            for path in (BASE_DIR / package).rglob("*.py")
            for _, module in imports(BASE_DIR, path)
        }
        & ours - {package}
        for package in MAY_IMPORT
    }
    both_ways = sorted(
        (a, b)
        for a in imported
        for b in imported[a]
        if b in imported and a in imported[b] and a < b
    )
    assert both_ways == []


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
        "from clients.admin import ChargingKeyAdmin\n"
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
        "fake/sub/mod.py:5 imports clients.admin, another app's admin module",
    ]
    # The relative imports resolve to the app itself: its own commands are its own business.
    assert {module for _, module in imports(tmp_path, tmp_path / "fake/sub/mod.py")} >= {
        "fake.management.commands.own",
        "fake.sub.sibling",
    }
