"""`kvf serve APP`: one app in one uvicorn process, logging JSON lines."""

from __future__ import annotations

import uvicorn

from common.logging import configure_logging
from common.settings import AppSettings, get_platform_settings
from gateway.config import Settings as GatewaySettings
from kvf.apps import APPS_BY_NAME


def trusted_proxies(settings: AppSettings) -> list[str]:
    """The peers whose X-Forwarded-For uvicorn may take as the client's address: the
    gateway's `trusted_proxies` (none by default), and none for a service, whose client is
    whoever connects. uvicorn would otherwise believe any X-Forwarded-For from 127.0.0.1."""
    return list(settings.trusted_proxies) if isinstance(settings, GatewaySettings) else []


def serve(name: str) -> None:
    spec = APPS_BY_NAME[name]
    settings = spec.settings()
    configure_logging(spec.name, get_platform_settings().log_level)
    proxies = trusted_proxies(settings)
    uvicorn.run(
        spec.factory()(),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        server_header=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
