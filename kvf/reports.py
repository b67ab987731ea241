"""`kvf seed`, `kvf upload` and `kvf report`: the API, as the admin scripts use it."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kvf.client import api
from kvf.errors import BadFile, KvfError, Usage, checked
from kvf.output import print_json

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def seed(*, as_client: str | None = None) -> int:
    """Load the programme's facts through the API; a second run changes nothing."""
    from kvf.seed import SeedError
    from kvf.seed import seed as run_seed

    try:
        with api(as_client) as client:
            counts = run_seed(client)
    except SeedError as error:
        raise KvfError(f"The seed stopped: {error}") from None
    print_json(counts)
    return 0


def _upload_file(path: Path) -> tuple[str, IO[bytes]]:
    """The content type of `path` and the file open for reading, or `BadFile` saying why not."""
    content_type = CONTENT_TYPES.get(path.suffix.lower())
    if content_type is None:
        kind = f"Unknown file type {path.suffix!r} of" if path.suffix else "No file type on"
        raise BadFile(f"{kind} {path.name}: use .csv, .json or .xlsx.")
    if not path.exists():
        raise BadFile(f"No such file: {path}")
    if not path.is_file():
        raise BadFile(f"Not a file: {path}")
    return content_type, path.open("rb")


def upload(
    wave: int,
    path: Path,
    *,
    dry_run: bool,
    allow_unmatched: bool = False,
    as_client: str | None = None,
) -> int:
    """Post one survey file to a wave, streamed; the key is the file's hash, so a retry is safe
    (a dry run, and an upload that overrides the wrong-file checks, have keys of their own, so
    neither is taken for the replay of the other). On a terminal a progress bar counts the
    bytes sent."""
    from kvf.progress import UploadProgress

    content_type, file = _upload_file(path)
    with file:
        digest = hashlib.sha256()
        while chunk := file.read(1 << 20):
            digest.update(chunk)
        size = file.tell()
        file.seek(0)
        purpose = ("dry-run" if dry_run else "upload") + ("-allowed" if allow_unmatched else "")
        key = f"{purpose}-{wave}-{digest.hexdigest()[:40]}"
        headers = {"Content-Type": content_type, "Idempotency-Key": key}
        params = {"file_name": path.name[:255]}
        if dry_run:
            params["dry_run"] = "true"
        if allow_unmatched:
            params["allow_unmatched"] = "true"
        with (
            api(as_client) as client,
            UploadProgress(file, total=size, label=path.name) as body,
        ):
            response = client.post(
                f"/mvp-evaluation/v1/waves/{wave}/responses",
                content=body,
                headers=headers,
                params=params,
            )
    print_json(checked(response).json())
    return 0


@dataclass(frozen=True)
class Report:
    """One of the API's reports: where it is and whether it answers `Accept: text/csv`."""

    path: str
    has_csv: bool


REPORTS: dict[str, Report] = {
    "summary": Report("/funding/v1/summary", has_csv=True),
    "progress": Report("/goals/v1/progress", has_csv=True),
    "effects": Report("/mvp-evaluation/v1/effects", has_csv=False),
}


def report(
    name: str,
    params: dict[str, Any],
    *,
    csv: bool = False,
    excel: bool = False,
    as_client: str | None = None,
) -> int:
    """Print one of the system's reports, as JSON or (those with rows) as CSV."""
    spec = REPORTS[name]
    if (csv or excel) and not spec.has_csv:
        option = "--excel" if excel else "--csv"
        raise Usage(
            f"kvf report {name} has no CSV ({option}): its figures are nested, not rows. "
            f"Leave out {option} for JSON; CSV is offered by: "
            f"{', '.join(n for n, r in REPORTS.items() if r.has_csv)}."
        )
    headers = {"Accept": "text/csv"} if csv or excel else {}
    query = {key: value for key, value in params.items() if value is not None}
    if excel:
        query["excel"] = "true"
    with api(as_client) as client:
        response = checked(client.get(spec.path, params=query, headers=headers))
    if csv or excel:
        sys.stdout.buffer.write(response.content)  # as sent: Excel's BOM stays
        sys.stdout.flush()
    else:
        print_json(response.json())
    return 0
