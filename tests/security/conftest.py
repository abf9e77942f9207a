"""The security suite runs through the same real HTTP and PostGIS fixtures as tests/api."""

from tests.api.conftest import login, session, world  # noqa: F401
