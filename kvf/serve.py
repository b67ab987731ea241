"""`kvf serve APP`: one app in one uvicorn process, logging JSON lines."""

from __future__ import annotations

import uvicorn

from common.logging import configure_logging
from common.settings import get_platform_settings
from kvf.apps import APPS_BY_NAME


def serve(name: str) -> None:
    spec = APPS_BY_NAME[name]
    settings = spec.settings()
    configure_logging(spec.name, get_platform_settings().log_level)
    uvicorn.run(
        spec.factory()(),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        server_header=False,
    )
