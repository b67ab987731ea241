"""What the deployment tests share: what the code reads from the environment, and how an app
would read the environment a manifest gives it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from common.settings import AppSettings, PlatformSettings
from kvf.apps import APPS, AppSpec
from tests.support import env_names

ROOT = Path(__file__).resolve().parents[2]
JWKS_URL = "http://gateway:8000/auth/v1/jwks"
"""The gateway's documented key set (`/auth/v1/jwks.json` is an alias left out of the docs)."""
SERVICES = tuple(spec.name for spec in APPS if spec.name != "gateway")

Doc = dict[str, Any]


SETTINGS_READ = env_names(PlatformSettings, "KVF_").union(
    *(env_names(type(spec.settings()), spec.env_prefix) for spec in APPS)
)
"""Every variable the platform's processes read: a manifest that sets another has a typo."""


def settings_from(
    env: Mapping[str, str], spec: AppSpec, monkeypatch: pytest.MonkeyPatch
) -> tuple[AppSettings, PlatformSettings]:
    """The app's settings, and the platform's, as the process would read them from `env`."""
    for name in [name for name in os.environ if name.startswith("KVF_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return spec.settings(), PlatformSettings()


def default_port(spec: AppSpec) -> int:
    """The app's port when nothing sets it (as in the manifests)."""
    port: int = type(spec.settings()).model_fields["port"].default
    return port


def host_and_port(url: str) -> tuple[str, int]:
    """The host and the explicit port of a URL."""
    parts = urlsplit(url)
    assert parts.hostname is not None, url
    assert parts.port is not None, url
    return parts.hostname, parts.port
