"""The `kvf` command line.

Only the standard library and the app table are imported here; each command imports what it
needs when it runs, so `kvf --help` and a mistyped command answer at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common.roles import Role
from kvf.apps import APPS, APPS_BY_NAME


def _db_init(args: argparse.Namespace) -> int:
    import asyncio

    from common.settings import get_platform_settings
    from kvf.database import init_database, migrated_note
    from kvf.up import role_passwords

    platform = get_platform_settings()
    if not platform.database_url:
        print("Set KVF_DATABASE_URL to the database to initialise.", file=sys.stderr)
        return 2
    passwords = role_passwords(Path(platform.home))
    migrated = asyncio.run(
        init_database(platform.database_url, prefix=platform.db_role_prefix, passwords=passwords)
    )
    print(migrated_note(migrated))
    print(f"Initialised roles, schemas and migrations of {', '.join(a.schema for a in APPS)}.")
    return 0


def _up(args: argparse.Namespace) -> int:
    from kvf.up import up

    return up()


def _serve(args: argparse.Namespace) -> int:
    from kvf.serve import serve

    serve(args.app)
    return 0


def _clients_create(args: argparse.Namespace) -> int:
    from kvf.admin import clients_create

    return clients_create(
        name=args.name,
        role=args.role,
        county=args.county,
        organisation=args.organisation,
        rate_limit=args.rate_limit,
    )


def _clients_list(args: argparse.Namespace) -> int:
    from kvf.admin import clients_list

    return clients_list()


def _clients_revoke(args: argparse.Namespace) -> int:
    from kvf.admin import clients_revoke

    return clients_revoke(args.client_id)


def _keys_rotate(args: argparse.Namespace) -> int:
    from kvf.admin import keys_rotate

    return keys_rotate()


def _add_clients(commands: Any) -> None:
    clients = commands.add_parser("clients", help="API clients (as the admin in KVF_CLIENT_ID)")
    sub = clients.add_subparsers(dest="clients_command", required=True)
    create = sub.add_parser("create", help="create a client; prints its id and secret once")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--county", help="two-digit county code (role rss)")
    create.add_argument("--organisation", help="organisation number NNNNNN-NNNN (role organiser)")
    create.add_argument(
        "--rate-limit",
        type=int,
        metavar="N",
        help="requests per second for this client (default: the gateway's, 200)",
    )
    create.set_defaults(handler=_clients_create)
    sub.add_parser("list", help="list clients").set_defaults(handler=_clients_list)
    revoke = sub.add_parser("revoke", help="revoke a client: it gets no new token")
    revoke.add_argument("client_id")
    revoke.set_defaults(handler=_clients_revoke)
    keys = commands.add_parser("keys", help="the gateway's signing keys")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser(
        "rotate", help="make a new signing key, keep the previous one"
    ).set_defaults(handler=_keys_rotate)


def _seed(args: argparse.Namespace) -> int:
    from kvf.reports import seed

    return seed()


def _upload(args: argparse.Namespace) -> int:
    from kvf.reports import upload

    return upload(args.wave, Path(args.file), dry_run=args.dry_run)


def _report(args: argparse.Namespace) -> int:
    from kvf.reports import report

    params: dict[str, Any] = {"year": args.year, "scale": args.scale, "cohort": args.cohort}
    if args.excel:
        params["excel"] = "true"
    return report(args.name, params, csv=args.csv or args.excel)


def _add_data(commands: Any) -> None:
    seed = commands.add_parser("seed", help="load the programme's facts (twice changes nothing)")
    seed.set_defaults(handler=_seed)
    upload = commands.add_parser("upload", help="post survey responses (CSV, JSON, XLSX) to a wave")
    upload.add_argument("wave", type=int, help="the wave id")
    upload.add_argument("file", help="a .csv, .json or .xlsx file")
    upload.add_argument("--dry-run", action="store_true", help="validate only")
    upload.set_defaults(handler=_upload)
    report = commands.add_parser("report", help="print a report: summary, progress or effects")
    report.add_argument("name", choices=["summary", "progress", "effects"])
    report.add_argument("--year", type=int)
    report.add_argument("--scale")
    report.add_argument("--cohort")
    report.add_argument("--csv", action="store_true", help="CSV instead of JSON (summary)")
    report.add_argument(
        "--excel",
        action="store_true",
        help="CSV for Swedish Excel: semicolons and a UTF-8 BOM (summary)",
    )
    report.set_defaults(handler=_report)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="kvf", description="Run and administer the Kvinnofrid platform."
    )
    commands = root.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="start the database (if none is given) and every app")
    up.set_defaults(handler=_up)

    serve = commands.add_parser("serve", help="run one app in this process")
    serve.add_argument("app", choices=sorted(APPS_BY_NAME))
    serve.set_defaults(handler=_serve)

    db = commands.add_parser("db", help="database administration")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    init = db_commands.add_parser("init", help="create roles and schemas, run every migration")
    init.set_defaults(handler=_db_init)
    _add_clients(commands)
    _add_data(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handler = args.handler
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
