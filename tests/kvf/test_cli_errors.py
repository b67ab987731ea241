"""The command line without a running system: every command and option explained with an
example, refusals printed as a person reads them, and each routine failure a message and a
documented exit code, never a traceback."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from kvf.cli import parser
from kvf.errors import Refused
from kvf.output import MAX_FIELD_ERRORS, error_lines, problem_lines
from kvf.progress import ProgressReader

ROOT = Path(__file__).resolve().parents[2]

# `kvf up` replaced by a command printing 1 MB, run through `kvf.cli.main`.
LONG_OUTPUT = """
import sys
import kvf.cli
kvf.cli._up = lambda args: print("x" * 1_000_000) or 0
sys.exit(kvf.cli.main(["up"]))
"""


def _kvf(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """`python -m kvf ARGS` with no KVF_ setting but `env`, in a fresh home."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    return subprocess.run(  # noqa: S603  # our own interpreter and module
        [sys.executable, "-m", "kvf", *args],
        cwd=cwd,
        env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _problem(status: int, body: dict[str, Any]) -> httpx.Response:
    request = httpx.Request("POST", "http://kvf.test/mvp-evaluation/v1/waves/4/responses")
    headers = {"Content-Type": "application/problem+json"}
    return httpx.Response(status, json=body, headers=headers, request=request)


def _subcommands(command: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _leaves(
    command: argparse.ArgumentParser, path: str = "kvf"
) -> list[tuple[str, argparse.ArgumentParser]]:
    """Every command line that runs something, with its parser."""
    children = _subcommands(command)
    if not children:
        return [(path, command)]
    return [leaf for name, child in children.items() for leaf in _leaves(child, f"{path} {name}")]


class TestProblemLines:
    def test_a_refused_upload_shows_title_detail_and_each_row_on_its_own_line(self) -> None:
        response = _problem(
            422,
            {
                "type": "invalid-responses",
                "title": "Invalid input / Ogiltig indata",
                "status": 422,
                "detail": "2 rows are invalid; nothing was stored.",
                "request_id": "req-1",
                "errors": [
                    {"row": 4, "field": "answers.q3", "value": "9", "message": "must be 1–5"},
                    {"location": "query.wave", "message": "not a number", "value": "x"},
                ],
            },
        )

        assert problem_lines(response) == [
            "Invalid input / Ogiltig indata (422)",
            "2 rows are invalid; nothing was stored.",
            "  answers.q3 (row 4): must be 1–5",
            "  query.wave: not a number",
            "request id: req-1",
        ]

    def test_the_value_given_is_never_printed(self) -> None:
        error = {"row": 2, "field": "q1", "value": "secret-answer-7", "message": "not allowed"}
        response = _problem(422, {"title": "Invalid", "status": 422, "errors": [error]})

        assert "secret-answer-7" not in "\n".join(problem_lines(response))

    def test_a_long_list_of_errors_is_cut_and_counted(self) -> None:
        errors = [{"row": n, "field": "q1", "message": "missing"} for n in range(1, 121)]
        response = _problem(422, {"title": "Invalid", "status": 422, "errors": errors})

        lines = problem_lines(response)

        assert len([line for line in lines if "(row " in line]) == MAX_FIELD_ERRORS
        assert lines[-1] == f"  … and {120 - MAX_FIELD_ERRORS} more"

    def test_a_body_that_is_not_a_problem_gives_status_and_its_first_line(self) -> None:
        request = httpx.Request("GET", "http://kvf.test/funding/v1/summary")
        response = httpx.Response(502, text="Bad gateway\n<html>...</html>", request=request)

        assert problem_lines(response) == ["502 Bad Gateway", "Bad gateway"]

    def test_a_refused_token_says_which_client(self) -> None:
        response = _problem(
            401,
            {"title": "Unauthorized / Obehörig", "status": 401, "detail": "Unknown client."},
        )

        lines = error_lines(Refused(response, doing="Could not get a token for client c-1"))

        assert lines == [
            "Could not get a token for client c-1: Unauthorized / Obehörig (401)",
            "Unknown client.",
        ]


class TestFailuresWithoutTheSystem:
    def test_a_missing_upload_file_is_exit_4_without_a_traceback(self, tmp_path: Path) -> None:
        result = _kvf("upload", "1", "missing.csv", cwd=tmp_path)

        assert result.returncode == 4
        assert result.stderr.strip() == "No such file: missing.csv"

    def test_an_unknown_file_type_names_its_extension(self, tmp_path: Path) -> None:
        (tmp_path / "x.txt").write_text("respondent\n")

        result = _kvf("upload", "1", "x.txt", cwd=tmp_path)

        assert result.returncode == 4
        assert result.stderr.strip() == (
            "Unknown file type '.txt' of x.txt: use .csv, .json or .xlsx."
        )

    def test_a_closed_port_is_exit_3_naming_kvf_url(self) -> None:
        with socket.socket() as held:  # a port nobody listens on while the test runs
            held.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{held.getsockname()[1]}"
            env = {"KVF_URL": url, "KVF_CLIENT_ID": "someone", "KVF_CLIENT_SECRET": "s3cret-x"}
            result = _kvf("report", "summary", env=env)

        assert result.returncode == 3, result.stderr
        assert "Traceback" not in result.stderr
        assert f"{url} (KVF_URL)" in result.stderr
        assert "kvf up" in result.stderr
        assert "s3cret-x" not in result.stderr + result.stdout

    def test_no_credentials_is_wrong_usage_saying_what_to_set(self, tmp_path: Path) -> None:
        result = _kvf("report", "summary", env={"KVF_HOME": str(tmp_path)})

        assert result.returncode == 2
        assert "KVF_CLIENT_ID" in result.stderr
        assert "Traceback" not in result.stderr

    def test_an_unknown_saved_client_is_wrong_usage(self, tmp_path: Path) -> None:
        result = _kvf("--as", "nobody", "token", env={"KVF_HOME": str(tmp_path)})

        assert result.returncode == 2
        assert "No saved client 'nobody'" in result.stderr

    @pytest.mark.parametrize("option", ["--csv", "--excel"])
    def test_csv_of_the_effects_is_refused_as_wrong_usage(self, option: str) -> None:
        result = _kvf("report", "effects", "--scale", "attityd", "--cohort", "2019", option)

        assert result.returncode == 2
        assert result.stderr.startswith(f"kvf report effects has no CSV ({option})")
        assert "summary, progress" in result.stderr
        assert result.stdout == ""

    @pytest.mark.parametrize(
        "args",
        [
            ["-m", "kvf", "--help"],
            # A command whose output is far larger than the pipe's buffer, so the write fails
            # inside the command rather than at the final flush.
            ["-c", LONG_OUTPUT],
        ],
        ids=["help", "long-output"],
    )
    def test_output_into_a_closed_pipe_is_quiet(self, args: list[str]) -> None:
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader has gone, as `| head -1` leaves it
        try:
            result = subprocess.run(  # noqa: S603  # our own interpreter and module
                [sys.executable, *args],
                cwd=ROOT,
                stdout=write_end,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            os.close(write_end)

        assert (result.returncode, result.stderr) == (0, "")


class TestParser:
    def test_every_command_and_option_has_help_and_every_command_an_example(self) -> None:
        for path, command in _leaves(parser()):
            assert command.description, path
            assert "example" in (command.epilog or ""), path
            for action in command._actions:
                assert action.help, f"{path} {action.option_strings or action.dest}"

    def test_as_is_taken_before_or_after_the_command(self) -> None:
        before = parser().parse_args(["--as", "reader", "report", "summary", "--year", "2019"])
        after = parser().parse_args(["report", "summary", "--year", "2019", "--as", "reader"])
        neither = parser().parse_args(["report", "summary"])

        assert (before.as_, after.as_, neither.as_) == ("reader", "reader", None)

    def test_results_and_letters_take_their_options(self) -> None:
        results = parser().parse_args(["report", "results", "--year", "2019", "--internal"])
        letters = parser().parse_args(["letters", "--call", "3", "--out", "letters"])

        assert (results.year, results.internal, results.out) == (2019, True, ".")
        assert (letters.call, letters.out, letters.as_) == (3, "letters", None)

    def test_clients_create_saves_under_a_name(self) -> None:
        args = parser().parse_args(
            ["clients", "create", "--name", "Läsare", "--role", "reader", "--save", "reader"]
        )

        assert (args.save, args.role) == ("reader", "reader")


class TestProgressReader:
    def test_the_body_is_streamed_whole_with_its_length_and_counted(self, tmp_path: Path) -> None:
        path = tmp_path / "pre.csv"
        path.write_bytes(b"respondent;q1\r\n" + b"u-1;3\r\n" * 50_000)
        received: dict[str, Any] = {}

        def answer(request: httpx.Request) -> httpx.Response:
            received["length"] = request.headers.get("content-length")
            received["body"] = request.read()
            return httpx.Response(200, json={})

        class Bar:
            counted = 0

            def update(self, n: int) -> None:
                self.counted += n

        bar = Bar()
        with path.open("rb") as file, httpx.Client(transport=httpx.MockTransport(answer)) as c:
            c.post("http://kvf.test/upload", content=ProgressReader(file, bar))

        assert received["body"] == path.read_bytes()
        assert received["length"] == str(path.stat().st_size)
        assert bar.counted == path.stat().st_size
