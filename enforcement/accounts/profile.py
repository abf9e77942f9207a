"""What a signed-in user may know about themselves: account, court, grids and device."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from enforcement.accounts.principal import Principal
from enforcement.errors import NotFound
from enforcement.infrastructure.db import Database
from enforcement.models import Court, Device, GridAssignment, Township, User, VillageGrid


@dataclass(frozen=True, slots=True)
class GridRef:
    village_grid_id: str
    village_code: str
    village_name: str
    township_id: str | None
    township_name: str | None


@dataclass(frozen=True, slots=True)
class Profile:
    user: User
    court: Court
    device: Device
    grids: list[GridRef] = field(default_factory=list)


def profile(db: Database, principal: Principal) -> Profile:
    with db.unit_of_work() as session:
        user = session.get(User, (principal.court_id, principal.user_id))
        court = session.get(Court, principal.court_id)
        device = session.get(Device, (principal.court_id, principal.device_id))
        if user is None or court is None or device is None:
            raise NotFound("no such user", code="user_not_found")
        rows = session.execute(
            sa.select(VillageGrid.id, VillageGrid.code, VillageGrid.name, Township.id,
                      Township.name)
            .join(GridAssignment, sa.and_(
                GridAssignment.court_id == VillageGrid.court_id,
                GridAssignment.village_grid_id == VillageGrid.id))
            .outerjoin(Township, sa.and_(
                Township.court_id == VillageGrid.court_id,
                Township.id == VillageGrid.township_id))
            .where(GridAssignment.court_id == principal.court_id,
                   GridAssignment.user_id == principal.user_id,
                   GridAssignment.ended_on.is_(None))
            .order_by(VillageGrid.code)
        ).all()
        return Profile(user, court, device, [GridRef(*row) for row in rows])
