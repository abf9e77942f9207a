"""Leads pulled with their values formatted by PostgreSQL (``LEAD_VALUES``, the bootstrap
fix of bench/profile-findings.md, finding 2, now the leads' only definition of their values)
are the very JSON the pull sent when each lead was loaded and passed through the Python
``lead_values`` it replaced (kept below as the reference): same fields, same text, same
masking (amounts for court roles only), same schema-version filtering, same tombstones.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.attachments.refs import files_json, hang_files, replace_refs
from enforcement.leads.sync_spec import LEAD_SPEC
from enforcement.models import Datum, Lead, LeadKind, LeadStatus, Role, Urgency
from enforcement.models.base import table_of
from enforcement.syncing.reference import REFERENCE_SPECS
from enforcement.syncing.registry import FIELD_SPECS, REGISTRY
from enforcement.syncing.values import TableValues
from tests import factories


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def lead_values(lead: Any, principal: Principal) -> dict[str, Any]:
    """The Python definition of a lead's values before ``LEAD_VALUES`` (the reference)."""
    point = None
    if lead.reported_lon is not None and lead.reported_lat is not None:
        point = {"lon": lead.reported_lon, "lat": lead.reported_lat,
                 "datum": Datum(lead.datum or Datum.WGS84).value, "accuracy_m": lead.accuracy_m}
    values: dict[str, Any] = {
        "kind": LeadKind(lead.kind).value, "description": lead.description,
        "debtor_text": lead.debtor_text, "observed_at": _iso(lead.observed_at),
        "urgency": str(lead.urgency), "point": point, "case_id": lead.case_id,
        "party_id": lead.party_id, "status": LeadStatus(lead.status).value,
        "author_id": lead.author_id, "township_id": lead.township_id,
        "village_grid_id": lead.village_grid_id, "outside_grid": lead.outside_grid,
        "nearest_grid_distance_m": lead.nearest_grid_distance_m,
        "possible_duplicate_of_id": lead.possible_duplicate_of_id,
        "duplicate_of_id": lead.duplicate_of_id, "assigned_officer_id": lead.assigned_officer_id,
        "round_id": lead.round_id, "triaged_at": _iso(lead.triaged_at),
        "created_at": _iso(lead.created_at), "updated_at": _iso(lead.updated_at),
    }
    if principal.role in policy.COURT_ROLES:
        values["amount_recovered"] = str(lead.amount_recovered)
    values["attachments"] = files_json(lead.__dict__.get("attachments", []))
    values["position_source"] = lead.position_source
    values["position_note"] = lead.position_note
    return values


def _load_many(session: Session, principal: Principal, ids: Sequence[str]) -> Sequence[Any]:
    rows = session.execute(sa.select(*[c for c in table_of(Lead).c if c.name != "point"])
                           .where(table_of(Lead).c.court_id == principal.court_id,
                                  table_of(Lead).c.id.in_(ids))).all()
    return hang_files(session, "lead", [SimpleNamespace(**row._mapping) for row in rows])


def _values(session: Session, principal: Principal, rows: Sequence[Any]) -> dict[str, Any]:
    return {row.id: lead_values(row, principal) for row in rows}


BEFORE = dataclasses.replace(LEAD_SPEC, pull_many=None, load_many=_load_many, values=_values)
"""The lead spec as pulls used it before: loaded rows, then ``lead_values`` per row."""

instants = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                 timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)),
                                            timezone(timedelta(hours=-5, minutes=-30))])),
    # whole seconds: ``isoformat`` leaves the fraction out
    st.builds(lambda s: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=s),
              st.integers(0, 10**8)),
)
times = st.none() | instants
floats = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False),
                   st.integers(-1000, 1000).map(float))
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)

leads = st.fixed_dictionaries({
    "kind": st.sampled_from(LeadKind), "urgency": st.sampled_from(Urgency),
    "status": st.sampled_from(LeadStatus), "description": texts,
    "debtor_text": st.none() | texts, "observed_at": times, "triaged_at": times,
    "created_at": instants, "updated_at": instants,
    "deleted_at": st.none() | times, "reported_lon": floats, "reported_lat": floats,
    "datum": st.none() | st.sampled_from(Datum), "accuracy_m": floats,
    "nearest_grid_distance_m": floats, "outside_grid": st.booleans(),
    "amount_recovered": st.integers(0, 10**13).map(lambda cents: Decimal(cents) / 100),
    "version": st.integers(1, 10**6),
    "files": st.lists(st.none() | texts, max_size=3),
})


def _world(engine: Any) -> dict[str, Any]:
    with Session(engine, expire_on_commit=False) as session:
        court = factories.create_court(session)
        village = factories.create_village(session, factories.create_township(session, court))
        users = {role: factories.create_user(session, court, role)
                 for role in (Role.GRID_ASSISTANT, Role.OFFICER, Role.JUDGE)}
        case = factories.create_case(session, court)
        session.commit()
    return {"court": court, "village": village, "users": users, "case": case}


def _pulled(spec: Any, session: Session, principal: Principal, ids: list[str],
            schema_version: int) -> tuple[str, list[str]]:
    upserts, deletes = spec.pulled(session, principal, ids, schema_version)
    return (json.dumps(sorted(upserts, key=lambda r: r["id"]), ensure_ascii=False),
            sorted(deletes))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(leads, min_size=1, max_size=6))
def test_leads_formatted_by_postgresql_pull_as_lead_values_gives_them(engine, rows):
    world = _world(engine)
    author = world["users"][Role.GRID_ASSISTANT]
    with Session(engine) as session:
        # the session's time zone must not show through either way
        session.connection().exec_driver_sql("SET TIME ZONE 'Asia/Shanghai'")
        ids = []
        for n, row in enumerate(rows):
            values = {k: v for k, v in row.items() if k != "files"}
            lead = factories.create_lead(
                session, author, world["village"], case_id=world["case"].id if n % 2 else None,
                id=str(uuid.uuid4()), **values)
            files = [(factories.create_attachment(session, author), caption)
                     for caption in row["files"]]
            replace_refs(session, lead.court_id, "lead", lead.id,
                         [{"sha256": a.sha256, "caption": c} for a, c in files])
            ids.append(lead.id)
        ids.append(str(uuid.uuid4()))  # an id with no lead (another court's, or gone)
        for role, user in world["users"].items():
            principal = Principal(user_id=user.id, court_id=user.court_id, role=role,
                                  device_id="phone")
            for schema_version in (1, 2):
                assert (_pulled(LEAD_SPEC, session, principal, ids, schema_version)
                        == _pulled(BEFORE, session, principal, ids, schema_version))
        session.rollback()


def test_only_court_roles_see_amounts_and_only_new_clients_see_attachments(engine):
    world = _world(engine)
    author = world["users"][Role.GRID_ASSISTANT]
    with Session(engine) as session:
        lead = factories.create_lead(session, author, world["village"],
                                     amount_recovered=Decimal("12.50"))
        file = factories.create_attachment(session, author)
        replace_refs(session, lead.court_id, "lead", lead.id,
                     [{"sha256": file.sha256, "caption": "门口"}])
        for role, user in world["users"].items():
            principal = Principal(user_id=user.id, court_id=user.court_id, role=role,
                                  device_id="phone")
            (old,), _ = LEAD_SPEC.pulled(session, principal, [lead.id], 1)
            (new,), _ = LEAD_SPEC.pulled(session, principal, [lead.id], 2)
            assert "attachments" not in old
            assert new["attachments"] == [{"sha256": file.sha256, "caption": "门口"}]
            assert (old.get("amount_recovered") == "12.50") == (role is not Role.GRID_ASSISTANT)
            assert list(new)[:3] == ["id", "version", "kind"]
        session.rollback()


def test_every_field_table_defines_its_values_once_in_sql():
    """Every table's pulls (and the field tables' push results) come from one
    ``TableValues``, the reference data's too; only an officer's round stops are still
    built in Python (their single definition)."""
    for spec in (*FIELD_SPECS, *REFERENCE_SPECS):
        owner = getattr(spec.values, "__self__", None)
        assert isinstance(owner, TableValues), spec.table
        assert getattr(spec.pull_many, "__self__", None) is owner, spec.table
        assert spec.load_many is None, spec.table
    assert {t for t, spec in REGISTRY.specs.items() if spec.pull_many is None} == {
        "round_stop"}
