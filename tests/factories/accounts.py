"""Courts, users and their devices."""

from __future__ import annotations

import itertools
import uuid
from functools import cache
from typing import Any

from sqlmodel import Session

from enforcement.accounts.passwords import hash_password
from enforcement.models import (
    Court,
    Device,
    Role,
    User,
    utcnow,
)

PASSWORD = "correct horse battery staple"


_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def unique(prefix: str) -> str:
    """A name no other row of the run has: a counter, and random hex for parallel workers."""
    return f"{prefix}{next(_counter)}-{uuid.uuid4().hex[:6]}"


def create_court(session: Session, **overrides: Any) -> Court:
    values: dict[str, Any] = {
        "code": unique("C"), "name": "测试县人民法院", "county_name": "测试县",
        "region_code": "621025", "case_prefix": "甘1025",
    }
    court = Court(**(values | overrides))
    session.add(court)
    session.flush()
    return court


def create_user(session: Session, court: Court, role: Role = Role.GRID_ASSISTANT,
                **overrides: Any) -> User:
    values: dict[str, Any] = {
        "court_id": court.id, "username": unique(role.value), "display_name": "张小明",
        "role": role, "password_hash": _password_hash(),
    }
    user = User(**(values | overrides))
    session.add(user)
    session.flush()
    return user


def create_device(session: Session, user: User, **overrides: Any) -> Device:
    """A device the user has signed in from (without the sign-in)."""
    values: dict[str, Any] = {"court_id": user.court_id, "id": unique("device-"),
                              "user_id": user.id, "last_seen_at": utcnow()}
    device = Device(**(values | overrides))
    session.add(device)
    session.flush()
    return device
