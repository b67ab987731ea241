"""The command line answers at once: until a command runs, it imports no app and no web stack,
yet still offers every command and every role."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from common.roles import Role

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "pydantic",
    "httpx",
    "alembic",
    "uvicorn",
    "tqdm",
    "jinja2",
    "matplotlib",
    "typst",
)
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
        for command in (
            "up",
            "serve",
            "db",
            "clients",
            "keys",
            "seed",
            "upload",
            "report",
            "letters",
            "token",
        ):
            assert command in result.stdout

    def test_help_documents_the_exit_codes(self) -> None:
        result = _kvf("-m", "kvf", "--help")

        assert result.returncode == 0, result.stderr
        codes = result.stdout.split("exit codes:")[1]
        for code, word in (("0", "done"), ("1", "refused"), ("2", "usage"), ("3", "reached")):
            assert any(line.split()[:1] == [code] and word in line for line in codes.splitlines())
        assert "4    a local file" in codes

    def test_up_help_names_its_ports_and_settings(self) -> None:
        result = _kvf("-m", "kvf", "up", "--help")

        assert result.returncode == 0, result.stderr
        for text in ("8000", "8001", "8002", "8003", "KVF_HOME", "KVF_DATABASE_URL", "KVF_URL"):
            assert text in result.stdout

    def test_clients_create_offers_every_role(self) -> None:
        result = _kvf("-m", "kvf", "clients", "create", "--help")

        assert result.returncode == 0, result.stderr
        assert "{" + ",".join(role.value for role in Role) + "}" in result.stdout
