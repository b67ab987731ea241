"""Optimistic concurrency: a report's ETag is its version; changes name it in If-Match."""

from common.problems import PreconditionFailed, PreconditionRequired


def etag(version: int) -> str:
    """The strong ETag of a report version: `"3"`."""
    return f'"{version}"'


def check_if_match(header: str | None, version: int, *, required: bool) -> None:
    """Pass when If-Match names the current version (or `*`).

    A missing header is 428 where it is required (PATCH) and passes elsewhere; a stale one
    is 412 with the current version.
    """
    if header is None or not header.strip():
        if required:
            raise PreconditionRequired(
                "Send If-Match with the report's ETag (from GET /reports/{id}) to change it.",
                current_version=version,
            )
        return
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/").strip('"') == str(version):
            return
    raise PreconditionFailed(
        f"The report has changed since {header.strip()}: it is now at version {version}. "
        "Read it again and repeat the change.",
        current_version=version,
    )
