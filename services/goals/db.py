"""The goals service's tables live in schema `goals`, and nowhere else."""

from common.db import SchemaBase, schema_metadata

SCHEMA = "goals"


class Base(SchemaBase):
    __abstract__ = True
    metadata = schema_metadata(SCHEMA)
