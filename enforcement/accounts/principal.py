"""Who is calling: the signed-in user, their court, role and device."""

from __future__ import annotations

from dataclasses import dataclass, field

from enforcement.models import Role


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: str
    court_id: str
    role: Role
    device_id: str
    username: str = field(default="", compare=False)
    """For people reading logs: not part of who the caller is, so a principal read from a
    token's claims equals the one its sign-in check admits (and shares its cached scope)."""

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
