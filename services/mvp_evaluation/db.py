"""The mvp-evaluation service's tables live in schema `mvp_evaluation`, and nowhere else."""

from common.db import SchemaBase, schema_metadata

SCHEMA = "mvp_evaluation"


class Base(SchemaBase):
    __abstract__ = True
    metadata = schema_metadata(SCHEMA)
