"""Alembic environment of the funding service: schema `funding` only."""

import services.funding.models  # noqa: F401  # registers every table on the metadata
from common.migrations import run_environment
from services.funding.db import SCHEMA, Base

run_environment(SCHEMA, Base.metadata)
