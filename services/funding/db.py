"""The funding service's tables live in schema `funding`, and nowhere else."""

from __future__ import annotations

from common.db import SchemaBase, schema_metadata

SCHEMA = "funding"


class Base(SchemaBase):
    __abstract__ = True
    metadata = schema_metadata(SCHEMA)
    # Server defaults (created_at, ids) come back with the INSERT (RETURNING), so async code
    # never triggers a lazy load to read them.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012  # read by SQLAlchemy, never mutated
