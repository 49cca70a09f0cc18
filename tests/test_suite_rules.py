"""Rules of the test suite itself, checked like any other behaviour."""

import ast
import importlib
import inspect
from pathlib import Path

from oioi.registry import registry
from tests.mixins import OIOICallContract, PartnerIdentifierContract

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def imported_modules(tree):
    """Every module name an ``import`` in ``tree`` names, ``from a import b`` giving a and a.b."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def conftest_importers():
    """The test-suite modules that import a conftest module, by path."""
    return {
        str(path.relative_to(ROOT))
        for path in TESTS.rglob("*.py")
        if any(
            name.rpartition(".")[2] == "conftest"
            for name in imported_modules(ast.parse(path.read_text(), str(path)))
        )
    }


def test_no_module_imports_a_conftest():
    """
    pytest loads each conftest.py itself, for its folder: imported elsewhere too, its fixtures
    and hooks would exist twice. Row builders live in tests/factories.py, the rest in the
    helpers modules.
    """
    assert conftest_importers() == set()


def test_the_conftest_rule_sees_every_form_of_import():
    forms = [
        "from tests.conftest import oioi_post",
        "from tests.cdrs.conftest import snapshot",
        "from tests import conftest",
        "from . import conftest",
        "from .conftest import snapshot",
        "import tests.stations.conftest",
    ]
    for form in forms:
        names = list(imported_modules(ast.parse(form)))
        assert any(name.rpartition(".")[2] == "conftest" for name in names), form
    names = list(imported_modules(ast.parse("from tests.helpers import conftest_free")))
    assert not any(name.rpartition(".")[2] == "conftest" for name in names)


def contract_test_classes():
    """Every collected test class inheriting OIOICallContract in the suite, by the call it tests."""
    classes = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                name.startswith("Test")
                and cls.__module__ == module.__name__
                and issubclass(cls, OIOICallContract)
            ):
                classes.setdefault(cls.call, []).append(cls)
    return classes


def test_every_registered_oioi_call_has_a_contract_test_class():
    """No key, a revoked key, the wrong role: tested for each call, another partner's
    identifier too for each call acting for a partner identifier."""
    tested = contract_test_classes()
    missing = [name for name in registry.names() if name not in tested]
    assert missing == [], f"OIOI calls without an OIOICallContract test class: {missing}"
    without_identifier_contract = [
        name
        for name in registry.names()
        if registry.get(name).partner_identifier
        and not any(issubclass(cls, PartnerIdentifierContract) for cls in tested[name])
    ]
    assert without_identifier_contract == [], (
        f"Calls for a partner-identifier without PartnerIdentifierContract: "
        f"{without_identifier_contract}"
    )
