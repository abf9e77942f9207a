"""rounds: team settings as round_team columns; a target's last visit result

Teams' base, shift, stops per day and vehicle capacity move out of
``enforcement_round.plan -> 'teams'`` (JSON keyed by team id) into columns of
``round_team``, so they can be edited, checked and queried; existing rounds are
migrated both ways. A round target remembers its last visit's result and time.

Revision ID: b8f2a6d4e908
Revises: e5d2f7c9a605
Create Date: 2026-11-23 16:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "b8f2a6d4e908"
down_revision: str | Sequence[str] | None = "e5d2f7c9a605"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VISIT_RESULTS = ("debtor_met", "debtor_absent", "paid", "settled", "property_found",
                 "refused", "address_wrong", "other")

# plan->'teams' is an object keyed by team id (rounds created through the API); the demo
# seed wrote a list there, which carries no settings, so those teams keep the defaults
# and start from the round's depot.
_SETTINGS = """
    SELECT t.court_id, t.id, r.plan -> 'teams' -> t.id AS s, r.depot_point
      FROM round_team t
      JOIN enforcement_round r ON r.court_id = t.court_id AND r.id = t.round_id
"""


def upgrade() -> None:
    op.add_column("round_team", sa.Column(
        "start_point", Geometry(geometry_type="POINT", srid=4326, spatial_index=False,
                                from_text="ST_GeomFromEWKT", name="geometry"),
        nullable=True))
    op.add_column("round_team", sa.Column("shift_start", sa.Time(), server_default="08:00",
                                          nullable=False))
    op.add_column("round_team", sa.Column("shift_end", sa.Time(), server_default="18:00",
                                          nullable=False))
    op.add_column("round_team", sa.Column("max_stops", sa.Integer(), server_default="12",
                                          nullable=False))
    op.add_column("round_team", sa.Column("capacity", sa.Integer(), nullable=True))
    op.create_geospatial_index("idx_round_team_start_point", "round_team", ["start_point"],
                               unique=False, postgresql_using="gist", postgresql_ops={})
    op.execute(f"""
        UPDATE round_team t SET
          start_point = CASE WHEN jsonb_typeof(x.s) = 'object' THEN ST_SetSRID(ST_MakePoint(
                          (x.s -> 'start' ->> 'lon')::float8, (x.s -> 'start' ->> 'lat')::float8),
                          4326) ELSE x.depot_point END,
          shift_start = COALESCE((x.s ->> 'work_start')::time, '08:00'),
          shift_end = COALESCE((x.s ->> 'work_end')::time, '18:00'),
          max_stops = COALESCE((x.s ->> 'max_stops')::int, 12),
          capacity = (x.s ->> 'capacity')::int
        FROM ({_SETTINGS}) x
        WHERE x.court_id = t.court_id AND x.id = t.id
    """)
    op.execute("""
        UPDATE enforcement_round SET plan = plan - 'teams'
         WHERE jsonb_typeof(plan -> 'teams') = 'object'
    """)
    op.create_check_constraint("shift_ordered", "round_team", "shift_end > shift_start")
    op.create_check_constraint("max_stops_range", "round_team", "max_stops BETWEEN 1 AND 60")
    op.create_check_constraint("capacity_range", "round_team",
                               "capacity IS NULL OR capacity BETWEEN 1 AND 60")
    op.add_column("round_target", sa.Column(
        "last_result", sa.Enum(*VISIT_RESULTS, name="last_result", native_enum=False,
                               create_constraint=True, length=32), nullable=True))
    op.add_column("round_target", sa.Column("visited_at", sa.DateTime(timezone=True),
                                            nullable=True))


def downgrade() -> None:
    op.drop_column("round_target", "visited_at")
    op.drop_constraint(op.f("ck_round_target_last_result"), "round_target", type_="check")
    op.drop_column("round_target", "last_result")
    op.execute("""
        UPDATE enforcement_round r SET plan = jsonb_set(r.plan, '{teams}', x.teams)
          FROM (SELECT court_id, round_id, jsonb_object_agg(id, jsonb_build_object(
                  'start', CASE WHEN start_point IS NULL THEN NULL ELSE jsonb_build_object(
                           'lon', ST_X(start_point), 'lat', ST_Y(start_point)) END,
                  'work_start', to_char(shift_start, 'HH24:MI'),
                  'work_end', to_char(shift_end, 'HH24:MI'),
                  'max_stops', max_stops, 'capacity', capacity)) AS teams
                  FROM round_team GROUP BY court_id, round_id) x
         WHERE x.court_id = r.court_id AND x.round_id = r.id
           AND jsonb_typeof(r.plan -> 'teams') IS DISTINCT FROM 'array'
    """)
    for name in ("capacity_range", "max_stops_range", "shift_ordered"):
        op.drop_constraint(op.f(f"ck_round_team_{name}"), "round_team", type_="check")
    op.drop_geospatial_index("idx_round_team_start_point", table_name="round_team",
                             postgresql_using="gist", column_name="start_point")
    for column in ("capacity", "max_stops", "shift_end", "shift_start", "start_point"):
        op.drop_column("round_team", column)
