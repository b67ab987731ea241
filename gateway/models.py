"""Every ORM model of the gateway, imported so that Alembic sees them all."""

from gateway.buckets import RateBucket
from gateway.clients.models import ApiClient, LoginFailure

__all__ = ["ApiClient", "LoginFailure", "RateBucket"]
