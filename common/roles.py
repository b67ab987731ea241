"""The roles a client can have; a module of its own so that the command line can offer them
without importing the web stack (`common.auth` re-exports `Role`)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    rss = "rss"
    organiser = "organiser"
    evaluator = "evaluator"
    reader = "reader"
