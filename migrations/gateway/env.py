"""Alembic environment of the gateway: schema `gateway` only."""

import gateway.models  # noqa: F401  # registers every table on the metadata
from common.migrations import run_environment
from gateway.db import SCHEMA, Base

run_environment(SCHEMA, Base.metadata)
