"""Who is calling: the signed-in user, their court, role and device."""

from __future__ import annotations

from dataclasses import dataclass

from enforcement.models import Role


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    court_id: str
    role: Role
    device_id: str
    username: str = ""

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
