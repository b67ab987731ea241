"""The gateway's tables (API clients, signing keys) live in schema `gateway`."""

from common.db import SchemaBase, schema_metadata

SCHEMA = "gateway"


class Base(SchemaBase):
    __abstract__ = True
    metadata = schema_metadata(SCHEMA)
