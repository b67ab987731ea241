"""The README's usage section runs as written: every `sh` block of "## Using it", in order, in
one bash, against a platform of its own started with the settings of the section's `make run`
line, as a new user pastes them.

The rules, stated at the top of that section too:

- `sh` (or `bash`) blocks run; `console` blocks are shown, not run; the section has no block of
  another language, so a block cannot drop out of the walk by a typo of its language.
- One `bash` with `set -euo pipefail` runs them all, so variables and functions carry over and
  the first failing command stops the walk; `curl` is given `--fail-with-body` (by a
  `.curlrc` of the walk's own, in CURL_HOME), so an error answer fails its step. The report
  names the block and the README line of the command that failed, with the block's output
  (secrets and tokens blanked).
- `http://127.0.0.1:8000` is replaced by the platform's address, and KVF_URL is set to it.
  The walk starts in a new folder that holds links to the project's `.venv` and the platform's
  KVF_HOME as `.kvf`, as the repository's folder holds them after `make run`; nothing else of
  this machine's KVF_ settings reaches it.

The platform runs the grants on the training clock the README starts it with
(KVF_FUNDING_CLOCK_START), so it is not the package's shared one, which runs on the wall clock.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.database import DatabaseRun
from tests.processes import ROOT, KvfUp, running_platform

README = ROOT / "README.md"
SECTION, END = "## Using it", "## Commands"
README_URL = "http://127.0.0.1:8000"
RUNNABLE = frozenset({"sh", "bash"})
SHOWN = frozenset({"console"})
WALK_WITHIN = 600.0  # seconds: the walk takes well under a minute; the report more on 2 cores

FENCE = re.compile(r"^```(?P<language>[^\n`]*)\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
START_LINE = re.compile(r"^\$ (?P<settings>(?:KVF_[A-Z0-9_]+=\S+ )*)make run[ \t]*$", re.MULTILINE)
MARK = "@@readme-block"
ERROR_MARK = "@@readme-error"
PRELUDE = f"""set -euo pipefail
trap 'printf "\\n{ERROR_MARK} %s %s\\n" "$LINENO" "$?"' ERR
"""
CURLRC = "fail-with-body\n"  # every curl of the walk: an error answer is a failed command
SECRETS = (
    (re.compile(r'("client_secret"\s*:\s*")[^"]*(")'), r"\1…\2"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1…"),
)


@dataclass(frozen=True)
class Block:
    """One fenced block of the section: its language, its code, and the README line of its
    first line of code."""

    language: str
    code: str
    line: int


def usage_section(readme: str) -> tuple[str, int]:
    """The text from "## Using it" up to "## Commands", and the README line it starts on."""
    start = readme.index(f"\n{SECTION}\n") + 1
    end = readme.index(f"\n{END}\n", start)
    return readme[start:end], readme.count("\n", 0, start) + 1


def blocks(readme: str) -> list[Block]:
    """Every fenced block of the usage section, in order."""
    section, first_line = usage_section(readme)
    return [
        Block(
            language=match["language"].strip(),
            code=match["code"],
            line=first_line + section.count("\n", 0, match.start("code")),
        )
        for match in FENCE.finditer(section)
    ]


def runnable(found: Sequence[Block]) -> list[Block]:
    """The blocks that run: the walk's steps, in order."""
    return [block for block in found if block.language in RUNNABLE]


def start_settings(found: Sequence[Block]) -> dict[str, str]:
    """The settings of the section's one `make run` line (`$ KVF_X=... make run`)."""
    lines = [
        match["settings"]
        for block in found
        if block.language in SHOWN
        for match in START_LINE.finditer(block.code)
    ]
    assert len(lines) == 1, f"the usage section needs one `$ ... make run` line, has {lines}"
    return dict(setting.split("=", 1) for setting in lines[0].split())


@dataclass(frozen=True)
class Walk:
    """The script the blocks make, and for each of its lines the README line it came from
    (0 for the prelude and the marks)."""

    script: str
    origin: list[int]


def walk(steps: Sequence[Block], *, url: str) -> Walk:
    """One bash script of `steps`, in order, each after a line that marks where it starts."""
    lines = PRELUDE.splitlines()
    origin = [0] * len(lines)
    for number, block in enumerate(steps, 1):
        lines.append(f"printf '\\n%s\\n' '{MARK} {number}'")
        origin.append(0)
        for offset, line in enumerate(block.code.splitlines()):
            lines.append(line.replace(README_URL, url))
            origin.append(block.line + offset)
    return Walk("\n".join(lines) + "\n", origin)


def blanked(text: str) -> str:
    """`text` without client secrets and bearer tokens."""
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text


def failure(steps: Sequence[Block], script: Walk, output: str, code: int) -> str:
    """What a reader of a failed run needs: which block, which command, and its output."""
    marks = [int(found) for found in re.findall(rf"^{MARK} (\d+)$", output, re.MULTILINE)]
    number = marks[-1] if marks else 0
    block_output = output.split(f"{MARK} {number}\n")[-1] if number else output
    block_output = re.sub(rf"^{ERROR_MARK} .*\n?", "", block_output, flags=re.MULTILINE)
    errors = re.findall(rf"^{ERROR_MARK} (\d+) (\d+)$", output, re.MULTILINE)
    where = ""
    if errors:
        script_line, status = (int(value) for value in errors[-1])
        readme_line = script.origin[script_line - 1] if script_line <= len(script.origin) else 0
        command = script.script.splitlines()[script_line - 1].strip()
        where = f"\nthe command ending at README.md line {readme_line} (exit {status}): {command}"
    block = steps[number - 1] if number else None
    heading = (
        f"README.md block {number} of {len(steps)} (line {block.line}) failed"
        if block
        else "the walk failed before its first block"
    )
    return blanked(f"{heading} (bash exit {code}){where}\n--- its output:\n{block_output}")


def run_walk(
    steps: Sequence[Block], *, url: str, cwd: Path, env: dict[str, str]
) -> tuple[Walk, subprocess.CompletedProcess[str]]:
    """Run `steps` in one bash in `cwd`; stdout and stderr together, as a terminal shows them."""
    script = walk(steps, url=url)
    path = cwd / "readme-walk.sh"
    path.write_text(script.script)
    curl_home = cwd / "curl-home"
    curl_home.mkdir()
    (curl_home / ".curlrc").write_text(CURLRC)
    env = {**env, "CURL_HOME": str(curl_home)}
    command = ["bash", str(path)]
    try:
        result = subprocess.run(  # noqa: S603  # bash on our own script
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=WALK_WITHIN,
            check=False,
        )
    except subprocess.TimeoutExpired as stopped:  # the report then names the block it was in
        output = stopped.output or ""
        text = output.decode(errors="replace") if isinstance(output, bytes) else output
        text += f"\n(stopped after {WALK_WITHIN} s)"
        result = subprocess.CompletedProcess(command, -9, text)
    return script, result


FOUND = blocks(README.read_text())


def test_every_block_of_the_usage_section_runs_or_is_shown() -> None:
    languages = {block.language for block in FOUND}
    assert languages <= RUNNABLE | SHOWN, [
        (block.line, block.language) for block in FOUND if block.language not in RUNNABLE | SHOWN
    ]
    assert runnable(FOUND)


def test_the_walk_needs_nothing_the_quick_start_does_not_install() -> None:
    for block in runnable(FOUND):
        for tool in ("uuidgen", "jq"):
            assert not re.search(rf"(?<![\w-]){tool}(?![\w-])", block.code), (block.line, tool)


def test_the_walk_defines_a_header_for_each_role_with_kvf_token() -> None:
    code = "\n".join(block.code for block in runnable(FOUND))
    for variable in ("ADMIN", "RSS", "READER", "EVALUATOR"):
        assert re.search(rf'^{variable}="\$\(kvf token\b', code, re.MULTILINE), variable


def test_the_platform_starts_on_the_training_clock() -> None:
    assert "KVF_FUNDING_CLOCK_START" in start_settings(FOUND)


def test_a_failing_block_is_named_with_its_command_and_output(tmp_path: Path) -> None:
    steps = [
        Block("sh", "GREETING=hej\n", 10),
        Block("sh", 'echo "$GREETING"\necho "Bearer abc.def"\nfalse\necho never\n', 20),
    ]
    script, result = run_walk(steps, url=README_URL, cwd=tmp_path, env=dict(os.environ))
    assert result.returncode != 0
    report = failure(steps, script, result.stdout, result.returncode)
    assert report.startswith("README.md block 2 of 2 (line 20) failed"), report
    assert "README.md line 22 (exit 1): false" in report, report
    assert ERROR_MARK not in report
    assert "hej" in report
    assert "never" not in report
    assert "abc.def" not in report


class _Refusing(BaseHTTPRequestHandler):
    """Answers every GET with a 403 problem, as the API refuses."""

    def do_GET(self) -> None:  # the name http.server calls
        body = b'{"type": "forbidden", "status": 403}'
        self.send_response(403)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # its signature
        """Quiet: the test shows what matters."""


def test_an_error_answer_fails_its_step_and_shows_the_problem(tmp_path: Path) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        steps = [Block("sh", f"curl -s {README_URL}/funding/v1/transfers\necho never\n", 30)]
        url = f"http://127.0.0.1:{server.server_address[1]}"
        script, result = run_walk(steps, url=url, cwd=tmp_path, env=dict(os.environ))
    finally:
        server.shutdown()
        server.server_close()
    report = failure(steps, script, result.stdout, result.returncode)
    assert "README.md line 30 (exit 22): curl -s http://127.0.0.1:" in report, report
    assert '"forbidden"' in report
    assert "never" not in report


@pytest.fixture(scope="module")
async def readme_platform(
    test_run: DatabaseRun, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KvfUp]:
    """`kvf up` on a fresh database with the settings of the README's `make run` line."""
    database = await test_run.create_empty()
    home = tmp_path_factory.mktemp("readme-platform") / "home"
    async with running_platform(test_run, database, home, **start_settings(FOUND)) as run:
        yield run


async def test_every_example_of_the_usage_section_runs(
    readme_platform: KvfUp, tmp_path: Path
) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (tmp_path / ".kvf").symlink_to(readme_platform.home, target_is_directory=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    env.update(KVF_URL=readme_platform.gateway_url)
    steps = runnable(FOUND)
    script, result = await asyncio.to_thread(
        run_walk, steps, url=readme_platform.gateway_url, cwd=tmp_path, env=env
    )
    if result.returncode != 0:
        logs = blanked(readme_platform.output())[-8000:]
        pytest.fail(
            f"{failure(steps, script, result.stdout, result.returncode)}\n"
            f"--- the platform's output (end):\n{logs}",
            pytrace=False,
        )
