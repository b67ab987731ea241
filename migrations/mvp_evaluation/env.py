"""Alembic environment of the mvp-evaluation service: schema `mvp_evaluation` only."""

import services.mvp_evaluation.models  # noqa: F401  # registers every table on the metadata
from common.migrations import run_environment
from services.mvp_evaluation.db import SCHEMA, Base

run_environment(SCHEMA, Base.metadata)
