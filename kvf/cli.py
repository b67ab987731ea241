"""The `kvf` command line.

Only the standard library and the app table are imported here; each command imports what it
needs when it runs, so `kvf --help` and a mistyped command answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kvf.apps import APPS, APPS_BY_NAME
from kvf.cli_api import Formatter, add_api_commands, as_option
from kvf.errors import EXIT_CODES, BadFile, KvfError, Unreachable

EPILOG = "\n".join(
    [
        "examples:",
        "  kvf up                                  # start everything, Ctrl-C stops it",
        "  kvf seed",
        "  kvf clients create --name Läsare --role reader --save reader",
        '  READER="$(kvf token reader)"',
        "  kvf --as reader report summary --year 2019 --csv",
        "",
        "API commands reach KVF_URL (default http://127.0.0.1:8000) as KVF_CLIENT_ID/SECRET,",
        "by default the admin in <KVF_HOME>/admin-credentials.json, or as --as NAME.",
        "",
        "exit codes:",
        *(f"  {code:<3}  {meaning}" for code, meaning in EXIT_CODES),
    ]
)

UP_EPILOG = """\
what it starts, in the foreground until Ctrl-C or SIGTERM:
  database        PostgreSQL at KVF_DATABASE_URL; unset, an embedded one in
                  <KVF_HOME>/pgdata on a unix socket (no port)
  gateway         127.0.0.1:8000, the one address clients use (KVF_URL)
  funding         127.0.0.1:8001
  goals           127.0.0.1:8002
  mvp-evaluation  127.0.0.1:8003
  Each app's address: KVF_<APP>_HOST and KVF_<APP>_PORT, <APP> being GATEWAY, FUNDING,
  GOALS or MVP_EVALUATION; the gateway finds the services by KVF_GATEWAY_UPSTREAMS.

what it keeps in KVF_HOME (default .kvf, folder 0700, files 0600):
  admin-credentials.json   the first admin client, which `kvf` commands act as
  signing-keys.json        the gateway's signing keys (KVF_GATEWAY_SIGNING_KEYS_FILE)
  db-passwords.json        the app roles' passwords (unless KVF_<APP>_DB_PASSWORD)
  logs/                    one log per app

It migrates the database first (safe to run again), restarts an app that exits, and
stops everything on Ctrl-C. Every setting: the README's Configuration section.

examples:
  kvf up
  KVF_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres kvf up
  KVF_GATEWAY_PORT=9000 KVF_URL=http://127.0.0.1:9000 kvf up"""


def _db_init(args: argparse.Namespace) -> int:
    import asyncio

    from common.settings import get_platform_settings
    from kvf.database import init_database, migrated_note
    from kvf.errors import Usage
    from kvf.up import role_passwords

    platform = get_platform_settings()
    if not platform.database_url:
        raise Usage("Set KVF_DATABASE_URL to the database to initialise.")
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


def _keys_rotate(args: argparse.Namespace) -> int:
    from kvf.admin import keys_rotate

    return keys_rotate()


def _add_local(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The commands that run or administer the system on this machine."""
    up = commands.add_parser(
        "up",
        help="start the database (if none is given) and every app, in the foreground",
        description="Start the whole platform: the database, migrations, signing keys, the "
        "first admin, and the four apps as separate processes.",
        epilog=UP_EPILOG,
        formatter_class=Formatter,
    )
    up.set_defaults(handler=_up)
    serve = commands.add_parser(
        "serve",
        help="run one app in this process (KVF_<APP>_HOST/PORT)",
        description="Run one app in this process, on KVF_<APP>_HOST and KVF_<APP>_PORT.",
        epilog="example:\n  KVF_DATABASE_URL=postgresql://... kvf serve funding",
        formatter_class=Formatter,
    )
    serve.add_argument("app", choices=sorted(APPS_BY_NAME), help="the app to run")
    serve.set_defaults(handler=_serve)
    db = commands.add_parser(
        "db",
        help="database administration",
        epilog="example:\n  KVF_DATABASE_URL=postgresql://postgres@db/kvf kvf db init",
        formatter_class=Formatter,
    )
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser(
        "init",
        help="create roles and schemas, run every migration; safe to run again",
        description="Create the app roles and schemas in KVF_DATABASE_URL and run every "
        "migration; safe to run again.",
        epilog="example:\n  KVF_DATABASE_URL=postgresql://postgres@db/kvf kvf db init",
        formatter_class=Formatter,
    ).set_defaults(handler=_db_init)
    keys = commands.add_parser(
        "keys",
        help="the gateway's signing keys",
        epilog="example:\n  kvf keys rotate",
        formatter_class=Formatter,
    )
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_sub.add_parser(
        "rotate",
        help="make a new signing key, keep the previous one",
        description="Make a new signing key in the keyring (KVF_GATEWAY_SIGNING_KEYS_FILE); "
        "the previous one keeps verifying tokens already issued.",
        epilog="example:\n  kvf keys rotate",
        formatter_class=Formatter,
    ).set_defaults(handler=_keys_rotate)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="kvf",
        description="Run and administer the Kvinnofrid platform, and use its API.",
        epilog=EPILOG,
        formatter_class=Formatter,
    )
    as_option(root, default=None)
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_local(commands)
    add_api_commands(commands)
    return root


def _routine(error: BaseException) -> KvfError | None:
    """A routine failure of a library as a `KvfError`, or None for a real bug.

    httpx is looked up, not imported: `kvf --help` must not load it."""
    if isinstance(error, KvfError):
        return error
    if isinstance(error, FileNotFoundError | IsADirectoryError | PermissionError):
        return BadFile(f"{error.strerror}: {error.filename}" if error.filename else str(error))
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(error, httpx.TransportError):
        return _unreachable(error)
    return None


def _unreachable(error: BaseException) -> Unreachable:
    from kvf.client import ClientSettings

    url = ClientSettings().url
    httpx = sys.modules["httpx"]
    what = (
        "did not answer in time"
        if isinstance(error, httpx.TimeoutException)
        else ("could not be reached")
    )
    return Unreachable(
        f"The platform at {url} (KVF_URL) {what}: {error or type(error).__name__}.\n"
        "Start it with `make run` or `kvf up`, or set KVF_URL to where it runs."
    )


def _run(argv: Sequence[str] | None) -> int:
    args = parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except Exception as error:
        routine = _routine(error)
        if routine is None:
            raise
        from kvf.output import print_error

        print_error(routine)
        return routine.exit_code
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a routine failure is a message and an exit code, never a traceback
    (the codes are in `kvf --help`)."""
    try:
        try:
            return _run(argv)
        finally:
            sys.stdout.flush()  # here, so a closed pipe is caught below and not at exit
    except BrokenPipeError:
        # The reader (`head`, say) has gone: say nothing more. As Python's documentation
        # advises, stdout is pointed at devnull so the flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
