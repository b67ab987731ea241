"""The `kvf` command line against a running system, as the README uses it: a client saved
with `--save`, its bearer header from `kvf token` for curl, `--as` to act as it, refusals as
a person reads them, and the upload's progress bar on a terminal only."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import pty
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.outside import admin_bearer, create, kvf
from tests.processes import ROOT, KvfUp

MVP = "/mvp-evaluation/v1"


def _env(run: KvfUp) -> dict[str, str]:
    """The environment `kvf()` of outside.py runs the command line in."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    return {**env, "KVF_HOME": str(run.home), "KVF_URL": run.gateway_url}


def _run(run: KvfUp, *args: str) -> subprocess.CompletedProcess[str]:
    """`kvf ARGS` against the platform as its admin, whatever its exit code."""
    return subprocess.run(  # noqa: S603  # our own interpreter and module
        [sys.executable, "-m", "kvf", *args],
        cwd=ROOT,
        env=_env(run),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _on_a_terminal(run: KvfUp, *args: str) -> tuple[int, str, str]:
    """`kvf ARGS` with stderr on a pseudo-terminal, as a person runs it: exit code, stdout
    and what the terminal showed."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(  # noqa: S603  # our own interpreter and module
        [sys.executable, "-m", "kvf", *args],
        cwd=ROOT,
        env=_env(run),
        stdout=subprocess.PIPE,
        stderr=secondary,
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError as error:  # EIO: the command has ended and closed the terminal
            if error.errno != errno.EIO:
                raise
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    return process.wait(timeout=60), stdout, shown.decode(errors="replace")


def _saved(run: KvfUp, role: str, *options: str) -> tuple[str, dict[str, Any]]:
    """A new client of `role` saved under a fresh name: the name and what was printed."""
    name = f"cli-{role}-{uuid.uuid4().hex[:8]}"
    printed = kvf(
        run, "clients", "create", "--name", name, "--role", role, "--save", name, *options
    )
    return name, printed


def _mode_and_content(path: Path) -> tuple[int, dict[str, Any]]:
    return stat.S_IMODE(path.stat().st_mode), json.loads(path.read_text())


async def test_a_saved_clients_token_works_with_curl_and_its_secret_is_not_printed(
    platform: KvfUp, outside: httpx.AsyncClient
) -> None:
    name, printed = await asyncio.to_thread(_saved, platform, "reader")

    assert "client_secret" not in printed
    assert Path(printed["path"]) == platform.home / "clients" / f"{name}.json"
    mode, stored = await asyncio.to_thread(_mode_and_content, Path(printed["path"]))
    assert mode == 0o600
    assert stored["client_id"] == printed["client_id"]
    header = (await asyncio.to_thread(kvf, platform, "token", name)).strip()
    raw = (await asyncio.to_thread(kvf, platform, "token", name, "--raw")).strip()
    key, value = header.split(": ", 1)
    assert (key, value.split()[0]) == ("Authorization", "Bearer")
    assert raw.count(".") == 2  # a JWT alone
    assert " " not in raw
    summary = await outside.get("/funding/v1/summary", params={"year": 2019}, headers={key: value})
    assert summary.status_code == 200, summary.text


async def test_acting_as_a_reader_an_admin_command_is_refused_with_exit_1(
    platform: KvfUp,
) -> None:
    name, _ = await asyncio.to_thread(_saved, platform, "reader")

    result = await asyncio.to_thread(_run, platform, "--as", name, "clients", "list")

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "(403)" in result.stderr.splitlines()[0]
    assert result.stdout == ""


async def test_a_refusal_lists_each_field_error_on_its_own_line(platform: KvfUp) -> None:
    result = await asyncio.to_thread(_run, platform, "report", "progress", "--year", "1999")

    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].endswith("(422)")
    assert any(line.startswith("  query.year: ") for line in lines), lines
    assert "Traceback" not in result.stderr


async def test_a_wrong_secret_is_refused_naming_the_client(platform: KvfUp) -> None:
    secret = f"wrong-{uuid.uuid4().hex}"
    env = {**_env(platform), "KVF_CLIENT_ID": "no-such-client", "KVF_CLIENT_SECRET": secret}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "kvf", "token"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Could not get a token for client no-such-client: ")
    assert secret not in result.stderr
    assert result.stdout == ""


async def _wave(outside: httpx.AsyncClient, admin: dict[str, str]) -> int:
    """A pre wave, at a new school, of a new one-question instrument; its id."""
    suffix = f"{uuid.uuid4().int % 10**5:05d}"
    item = {"code": "q1", "text": "Påstående", "min": 1, "max": 5, "reverse": False, "scale": "s"}
    instrument = {"code": f"kvf-cli-{suffix}", "version": 1, "items": [item]}
    await create(outside, admin, f"{MVP}/instruments", instrument)
    school = {"school_unit_code": f"950{suffix}", "name": "Terminalskolan", "arm": "intervention"}
    school |= {"organisation_number": "212000-0142", "municipality_code": "0180"}
    await create(outside, admin, f"{MVP}/schools", school)
    wave = {"school_unit_code": school["school_unit_code"], "instrument_code": instrument["code"]}
    wave |= {"instrument_version": 1, "kind": "pre", "cohort": "2019"}
    opened = await create(outside, admin, f"{MVP}/waves", {**wave, "administered_on": "2019-09-02"})
    wave_id: int = opened["id"]
    return wave_id


async def test_upload_shows_progress_on_a_terminal_and_nothing_extra_in_a_pipe(
    platform: KvfUp, outside: httpx.AsyncClient, tmp_path: Path
) -> None:
    wave = await _wave(outside, await admin_bearer(platform, outside))
    path = tmp_path / "terminal.csv"
    path.write_text("respondent;q1\r\n" + "".join(f"t-{n};{1 + n % 5}\r\n" for n in range(40)))

    piped = await asyncio.to_thread(_run, platform, "upload", str(wave), str(path), "--dry-run")
    code, stdout, shown = await asyncio.to_thread(
        _on_a_terminal, platform, "upload", str(wave), str(path)
    )

    assert (piped.returncode, piped.stderr) == (0, "")
    assert json.loads(piped.stdout)["valid"] == 40
    assert code == 0, shown
    assert json.loads(stdout)["imported"] == 40
    for part in ("terminal.csv", "100%", "B/s"):
        assert part in shown, shown


async def test_a_wrong_file_is_refused_then_stored_with_allow_unmatched(
    platform: KvfUp, outside: httpx.AsyncClient, tmp_path: Path
) -> None:
    admin = await admin_bearer(platform, outside)
    first, second = await _wave(outside, admin), await _wave(outside, admin)
    path = tmp_path / "school-a.csv"
    path.write_text("respondent;q1\r\n" + "".join(f"a-{n};{1 + n % 5}\r\n" for n in range(20)))
    await asyncio.to_thread(kvf, platform, "upload", str(first), str(path))

    refused = await asyncio.to_thread(_run, platform, "upload", str(second), str(path))
    forced = await asyncio.to_thread(
        _run, platform, "upload", str(second), str(path), "--allow-unmatched"
    )

    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.splitlines()[0].endswith("(409)")
    assert "allow_unmatched" in refused.stderr
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["imported"] == 20
    assert json.loads(forced.stdout)["in_other_schools"] == 20


async def test_an_internal_report_is_refused_to_a_reader(platform: KvfUp, tmp_path: Path) -> None:
    name, _ = await asyncio.to_thread(_saved, platform, "reader")

    result = await asyncio.to_thread(
        _run,
        platform,
        "--as",
        name,
        "report",
        "results",
        "--year",
        "2019",
        "--internal",
        "--out",
        str(tmp_path),
    )

    assert result.returncode == 2, result.stderr
    assert "--internal needs an admin or evaluator client; this one is a reader" in result.stderr
    assert "Traceback" not in result.stderr
    assert await asyncio.to_thread(lambda: list(tmp_path.iterdir())) == []
