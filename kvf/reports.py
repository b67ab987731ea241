"""`kvf seed`, `kvf upload` and `kvf report`: the API, as the admin scripts use it."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from kvf.client import api

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _fail(response: httpx.Response) -> int:
    print(response.text, file=sys.stderr)
    return 1


def seed() -> int:
    """Load the programme's facts through the API; a second run changes nothing."""
    from kvf.seed import seed as run_seed

    with api() as client:
        counts = run_seed(client)
    print(json.dumps(counts, indent=2, ensure_ascii=False))
    return 0


def upload(wave: int, path: Path, *, dry_run: bool) -> int:
    """Post one survey file to a wave, streamed; the key is the file's hash, so a retry is safe
    (a dry run has a key of its own, so the real upload after it is not taken for its replay)."""
    content_type = CONTENT_TYPES.get(path.suffix.lower())
    if content_type is None:
        print(f"Unknown file type {path.suffix}: use .csv, .json or .xlsx.", file=sys.stderr)
        return 2
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
    purpose = "dry-run" if dry_run else "upload"
    key = f"{purpose}-{wave}-{digest.hexdigest()[:40]}"
    headers = {"Content-Type": content_type, "Idempotency-Key": key}
    with api() as client, path.open("rb") as body:
        response = client.post(
            f"/mvp-evaluation/v1/waves/{wave}/responses",
            content=body,
            headers=headers,
            params={"file_name": path.name[:255], **({"dry_run": "true"} if dry_run else {})},
        )
    if response.is_error:
        return _fail(response)
    print(json.dumps(response.json(), indent=2))
    return 0


REPORTS: dict[str, tuple[str, list[str]]] = {
    "summary": ("/funding/v1/summary", ["year"]),
    "progress": ("/goals/v1/progress", ["year"]),
    "effects": ("/mvp-evaluation/v1/effects", ["scale", "cohort"]),
}


def report(name: str, params: dict[str, Any], *, csv: bool) -> int:
    """Print one of the system's reports, as JSON or (the summary) as CSV."""
    path, _ = REPORTS[name]
    headers = {"Accept": "text/csv"} if csv else {}
    query = {key: value for key, value in params.items() if value is not None}
    with api() as client:
        response = client.get(path, params=query, headers=headers)
    if response.is_error:
        return _fail(response)
    if csv:
        sys.stdout.buffer.write(response.content)  # as sent: Excel's BOM stays
        sys.stdout.flush()
    else:
        print(json.dumps(response.json(), indent=2, ensure_ascii=False))
    return 0
