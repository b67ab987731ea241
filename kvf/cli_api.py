"""The `kvf` commands that talk to the running system through its gateway: seed, upload,
report, letters, clients and token.

Like `kvf.cli`, only the standard library is imported here; each handler imports its module
when it runs. Every one of these commands takes `--as NAME` to act as a saved client.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from common.roles import Role


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Text written on several lines (the epilogs' examples) is printed as written; a text on
    one line (a description) is wrapped to the terminal like argparse's default."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return super()._fill_text(text, width, indent)
        return argparse.HelpFormatter._fill_text(self, text, width, indent)


AS_HELP = (
    "act as the client saved under NAME (`kvf clients create ... --save NAME`); default: "
    "KVF_CLIENT_ID/KVF_CLIENT_SECRET, else the admin `kvf up` wrote"
)


def as_option(parser: argparse.ArgumentParser, *, default: Any = argparse.SUPPRESS) -> None:
    """`--as NAME` on `parser`. On a command its default is SUPPRESS, so that `kvf --as NAME
    CMD` (the root's option) is not overwritten by the command's own default."""
    parser.add_argument("--as", dest="as_", metavar="NAME", default=default, help=AS_HELP)


def _command(commands: Any, name: str, *, help: str, epilog: str) -> argparse.ArgumentParser:
    """A subcommand with `help`, the same text as its description, an example epilog and
    `--as NAME`."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=epilog,
        formatter_class=Formatter,
    )
    as_option(parser)
    return parser


def _seed(args: argparse.Namespace) -> int:
    from kvf.reports import seed

    return seed(as_client=args.as_)


def _upload(args: argparse.Namespace) -> int:
    from kvf.reports import upload

    return upload(
        args.wave,
        Path(args.file),
        dry_run=args.dry_run,
        allow_unmatched=args.allow_unmatched,
        as_client=args.as_,
    )


def _rows_report(args: argparse.Namespace) -> int:
    from kvf.reports import report

    params: dict[str, Any] = {
        key: getattr(args, key, None) for key in ("year", "scale", "cohort", "compare")
    }
    return report(args.report_name, params, csv=args.csv, excel=args.excel, as_client=args.as_)


def _results(args: argparse.Namespace) -> int:
    from kvf.documents.results import write_results

    return write_results(
        year=args.year, internal=args.internal, out_dir=Path(args.out), as_client=args.as_
    )


def _letters(args: argparse.Namespace) -> int:
    from kvf.documents.letters import write_letters

    return write_letters(call_id=args.call, out_dir=Path(args.out), as_client=args.as_)


def _csv_options(parser: argparse.ArgumentParser, *, offered: bool) -> None:
    """`--csv` and `--excel`; where the report has no rows they are refused when it runs
    (exit 2, saying which reports have CSV) rather than silently ignored."""
    why = "" if offered else " (not offered for this report: refused)"
    parser.add_argument(
        "--csv", action="store_true", help=f"CSV (comma-separated, UTF-8) instead of JSON{why}"
    )
    parser.add_argument(
        "--excel",
        action="store_true",
        help=f"CSV for Swedish Excel: semicolons and a UTF-8 BOM{why}",
    )


def _add_report(commands: Any) -> None:
    report = commands.add_parser(
        "report",
        help="print a report (summary, progress, effects) or write the results report",
        description="Print one of the system's reports, or write the year's results report.",
        epilog=(
            "examples:\n"
            "  kvf report summary --year 2019 --excel > summary.csv\n"
            "  kvf report progress --year 2019\n"
            "  kvf report effects --scale attityd --cohort 2019\n"
            "  kvf report results --year 2019 --out reports/"
        ),
        formatter_class=Formatter,
    )
    reports = report.add_subparsers(dest="report_name", required=True, metavar="REPORT")
    summary = _command(
        reports,
        "summary",
        help="the money: every account of the year's tree, in öre (JSON or CSV)",
        epilog="example:\n  kvf report summary --year 2019 --csv > summary-2019.csv",
    )
    summary.add_argument("--year", type=int, help="the year (default: every year)")
    _csv_options(summary, offered=True)
    progress = _command(
        reports,
        "progress",
        help="the follow-up: each goal's counties and indicators (JSON or CSV)",
        epilog="example:\n  kvf --as reader report progress --year 2019 --excel > progress.csv",
    )
    progress.add_argument(
        "--year", type=int, help="the year (default: the latest any county has a plan for)"
    )
    _csv_options(progress, offered=True)
    effects = _command(
        reports,
        "effects",
        help="the MVP evaluation: effects on a scale in a cohort (JSON only)",
        epilog="example:\n  kvf report effects --scale attityd --cohort 2019 --compare follow_up",
    )
    effects.add_argument("--scale", required=True, help="the scale's code, e.g. attityd")
    effects.add_argument("--cohort", required=True, help="the cohort, e.g. 2019")
    effects.add_argument(
        "--compare",
        choices=["post", "follow_up"],
        help="the wave compared with pre (default: post)",
    )
    _csv_options(effects, offered=False)
    for parser in (summary, progress, effects):
        parser.set_defaults(handler=_rows_report)
    _add_results(reports)


def _add_results(reports: Any) -> None:
    results = _command(
        reports,
        "results",
        help="write the year's results report (Resultatrapport) as PDF and HTML",
        epilog=(
            "By default the report shows what a reader may see and says where figures are\n"
            "suppressed; --internal (admin or evaluator) shows every figure and says so on\n"
            "every page.\n\n"
            "examples:\n"
            "  kvf report results --year 2019\n"
            "  kvf report results --year 2019 --internal --out internal/"
        ),
    )
    results.add_argument("--year", type=int, required=True, help="the year reported on")
    results.add_argument(
        "--internal",
        action="store_true",
        help="every figure, unsuppressed (needs an admin or evaluator client)",
    )
    results.add_argument(
        "--out", default=".", metavar="DIR", help="folder to write into (default: this one)"
    )
    results.set_defaults(handler=_results)


def _add_letters(commands: Any) -> None:
    letters = _command(
        commands,
        "letters",
        help="write a decision letter (beslut) as PDF for each decided application of a call",
        epilog=("examples:\n  kvf letters --call 1\n  kvf letters --call 1 --out letters/"),
    )
    letters.add_argument("--call", type=int, required=True, metavar="ID", help="the call's id")
    letters.add_argument(
        "--out", default=".", metavar="DIR", help="folder to write into (default: this one)"
    )
    letters.set_defaults(handler=_letters)


def _add_data(commands: Any) -> None:
    seed = _command(
        commands,
        "seed",
        help="load the programme's facts: budgets, county allocations, the grants call; "
        "twice changes nothing",
        epilog="example:\n  kvf seed",
    )
    seed.set_defaults(handler=_seed)
    upload = _command(
        commands,
        "upload",
        help="post survey responses (CSV, JSON or XLSX) to a wave, streamed",
        epilog=(
            "On a terminal a progress bar shows bytes sent, rate and time left (on stderr).\n"
            "Sending the same file again is safe: it is keyed by its hash.\n\n"
            "examples:\n"
            "  kvf upload 3 pre-wave.csv --dry-run   # validate only, store nothing\n"
            "  kvf upload 3 pre-wave.csv\n"
            "  kvf upload 4 moved-pupils.csv --allow-unmatched   # after checking the 409"
        ),
    )
    upload.add_argument("wave", type=int, help="the wave's id")
    upload.add_argument("file", help="a .csv, .json or .xlsx file of responses")
    upload.add_argument(
        "--dry-run", action="store_true", help="validate every row only; store nothing"
    )
    upload.add_argument(
        "--allow-unmatched",
        action="store_true",
        help="store the file although its codes mostly belong to another school, or a post "
        "or follow-up file matches no pre respondent (refused with 409 otherwise)",
    )
    upload.set_defaults(handler=_upload)
    _add_report(commands)
    _add_letters(commands)


def _clients_create(args: argparse.Namespace) -> int:
    from kvf.admin import clients_create

    return clients_create(
        name=args.name,
        role=args.role,
        county=args.county,
        organisation=args.organisation,
        rate_limit=args.rate_limit,
        save=args.save,
        as_client=args.as_,
    )


def _clients_list(args: argparse.Namespace) -> int:
    from kvf.admin import clients_list

    return clients_list(as_client=args.as_)


def _clients_revoke(args: argparse.Namespace) -> int:
    from kvf.admin import clients_revoke

    return clients_revoke(args.client_id, as_client=args.as_)


def _token(args: argparse.Namespace) -> int:
    from kvf.admin import token

    return token(args.name or args.as_, raw=args.raw)


def _add_create(sub: Any) -> None:
    create = _command(
        sub,
        "create",
        help="create a client; prints its id and secret once (or saves them with --save)",
        epilog=(
            "examples:\n"
            "  kvf clients create --name 'Läsare' --role reader --save reader\n"
            "  kvf clients create --name 'RSS Skåne' --role rss --county 12 --save rss\n"
            "  kvf clients create --name 'Malmö stad' --role organiser \\\n"
            "      --organisation 212000-1124 --save malmo"
        ),
    )
    create.add_argument("--name", required=True, help="a name people recognise the client by")
    create.add_argument(
        "--role", required=True, choices=[r.value for r in Role], help="what the client may do"
    )
    create.add_argument(
        "--county", metavar="CODE", help="two-digit county code (role rss), e.g. 12"
    )
    create.add_argument(
        "--organisation", metavar="NUMBER", help="organisation number NNNNNN-NNNN (role organiser)"
    )
    create.add_argument(
        "--rate-limit",
        type=int,
        metavar="N",
        help="requests per second for this client (default: the gateway's, 200)",
    )
    create.add_argument(
        "--save",
        metavar="NAME",
        help="keep the id and secret as <KVF_HOME>/clients/NAME.json (mode 0600) instead of "
        "printing the secret; then `kvf token NAME` and `--as NAME` use it",
    )
    create.set_defaults(handler=_clients_create)


def _add_clients(commands: Any) -> None:
    clients = commands.add_parser(
        "clients",
        help="API clients: create, list, revoke (as an admin)",
        description="The API's clients, managed as an admin (by default the one `kvf up` wrote).",
        epilog="examples:\n  kvf clients list\n  kvf clients revoke 6f1c0d2e-...",
        formatter_class=Formatter,
    )
    sub = clients.add_subparsers(dest="clients_command", required=True, metavar="ACTION")
    _add_create(sub)
    _command(
        sub, "list", help="list every client", epilog="example:\n  kvf clients list"
    ).set_defaults(handler=_clients_list)
    revoke = _command(
        sub,
        "revoke",
        help="revoke a client: no new token, and the ones it holds stop working within seconds",
        epilog="example:\n  kvf clients revoke 6f1c0d2e-5a8b-4c1d-9e2f-3a4b5c6d7e8f",
    )
    revoke.add_argument("client_id", help="the client's id, as `kvf clients list` shows it")
    revoke.set_defaults(handler=_clients_revoke)
    token = commands.add_parser(
        "token",
        help="print a bearer header (or token) for a client, for curl and scripts",
        description="Print `Authorization: Bearer <token>` for the client saved as NAME, or "
        "for the default client (KVF_CLIENT_ID/SECRET, else the admin) without NAME. The "
        "token is valid for 15 minutes by default.",
        epilog=(
            "examples:\n"
            '  READER="$(kvf token reader)"\n'
            '  curl -H "$READER" http://127.0.0.1:8000/funding/v1/summary?year=2019\n'
            "  kvf token --raw             # the admin's token alone"
        ),
        formatter_class=Formatter,
    )
    token.add_argument("name", nargs="?", metavar="NAME", help="a client saved with --save")
    token.add_argument("--raw", action="store_true", help="print only the token")
    as_option(token)
    token.set_defaults(handler=_token)


def add_api_commands(commands: Any) -> None:
    """Every command that talks to the system, on the root's subcommands."""
    _add_data(commands)
    _add_clients(commands)
