"""Alembic environment of the goals service: schema `goals` only."""

import services.goals.models  # noqa: F401  # registers every table on the metadata
from common.migrations import run_environment
from services.goals.db import SCHEMA, Base

run_environment(SCHEMA, Base.metadata)
