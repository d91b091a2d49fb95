"""The domain core runs without the web stack, the add-in engine or the database."""

import pkgutil
import subprocess
import sys

import server.core

FORBIDDEN = ("flask", "werkzeug", "xlwings", "sqlalchemy", "flask_login", "rq")


def core_modules() -> list[str]:
    return sorted(
        module.name
        for module in pkgutil.walk_packages(server.core.__path__, "server.core.")
    )


def test_core_modules_found():
    names = core_modules()

    assert "server.core.report" in names
    assert "server.core.validate.rows" in names
    assert "server.core.suggest.blocking" in names


def test_core_imports_no_web_stack():
    # A fresh interpreter, because this test process has Flask loaded already.
    script = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(' '.join(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )

    completed = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.stdout.strip() == ""
