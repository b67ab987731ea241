"""The four apps of the platform: where each lives, its schema and its settings.

Imported by the command line before it knows the command, so it imports no app and no web
stack itself: an app's settings and factory are imported when asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from common.settings import AppSettings


@dataclass(frozen=True)
class AppSpec:
    """One app: its name on the command line, its schema (= Alembic section), its module."""

    name: str
    schema: str
    module: str
    env_prefix: str

    def settings(self) -> AppSettings:
        config = importlib.import_module(self.module.rsplit(".", 1)[0] + ".config")
        settings: AppSettings = config.Settings()
        return settings

    def factory(self) -> Callable[[], FastAPI]:
        module = importlib.import_module(self.module)
        factory: Callable[[], FastAPI] = module.create_app
        return factory


APPS: tuple[AppSpec, ...] = (
    AppSpec("gateway", "gateway", "gateway.main", "KVF_GATEWAY_"),
    AppSpec("funding", "funding", "services.funding.main", "KVF_FUNDING_"),
    AppSpec("goals", "goals", "services.goals.main", "KVF_GOALS_"),
    AppSpec(
        "mvp-evaluation", "mvp_evaluation", "services.mvp_evaluation.main", "KVF_MVP_EVALUATION_"
    ),
)
APPS_BY_NAME = {spec.name: spec for spec in APPS}
SCHEMAS = tuple(spec.schema for spec in APPS)
