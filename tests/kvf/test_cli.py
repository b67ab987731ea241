"""The command line answers at once: until a command runs, it imports no app and no web stack,
yet still offers every command and every role."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from common.roles import Role

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fastapi", "starlette", "sqlalchemy", "pydantic", "httpx", "alembic", "uvicorn")
APP_PACKAGES = ("gateway", "services", "migrations")

# `kvf --help` as the console script runs it, then the modules it left imported.
HELP_THEN_MODULES = """
import contextlib, io, sys
from kvf.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(["--help"])
print(" ".join(sorted(sys.modules)))
"""


def _kvf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # our own interpreter, arguments from this file
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


class TestHelp:
    def test_help_imports_neither_the_web_stack_nor_any_app(self) -> None:
        result = _kvf("-c", HELP_THEN_MODULES)

        assert result.returncode == 0, result.stderr
        top_level = {name.split(".")[0] for name in result.stdout.split()}
        assert top_level & {*HEAVY, *APP_PACKAGES} == set()

    def test_help_lists_every_command(self) -> None:
        result = _kvf("-m", "kvf", "--help")

        assert result.returncode == 0, result.stderr
        for command in ("up", "serve", "db", "clients", "keys", "seed", "upload", "report"):
            assert command in result.stdout

    def test_clients_create_offers_every_role(self) -> None:
        result = _kvf("-m", "kvf", "clients", "create", "--help")

        assert result.returncode == 0, result.stderr
        assert "{" + ",".join(role.value for role in Role) + "}" in result.stdout
