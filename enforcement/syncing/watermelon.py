"""WatermelonDB sync use cases: pull and push for ``synchronize()`` on a phone.

Same engine, specs and rights as the native protocol (``syncing``); only the wire shape
differs (``sync.watermelon``). Each opens one unit of work: a push applies whole or not
at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from enforcement.accounts.auth import Credentials
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, NotFound, ValidationFailed
from enforcement.infrastructure.db import Database
from enforcement.leads.settings import LeadSettings
from enforcement.models import Device
from enforcement.syncing.registry import REGISTRY, registry_for
from enforcement.syncing.usecases import pull_admission
from sync import watermelon
from sync.protocol import MutationResult, Status
from sync.spec import Registry


def app_schema(schema_version: int | None, *, registry: Registry = REGISTRY
               ) -> dict[str, Any]:
    """What a WatermelonDB app declares for ``schema_version`` (default: the newest)."""
    latest = watermelon.latest_version(registry)
    version = latest if schema_version is None else schema_version
    if not 1 <= version <= latest:
        raise NotFound(f"no schema version {version}: the newest is {latest}",
                       code="schema_version_unknown")
    return watermelon.app_schema(registry, version)


def pull(db: Database, caller: Principal | Credentials, last_pulled_at: int | None,
         schema_version: int, migration: Mapping[str, Any] | None = None, *,
         registry: Registry = REGISTRY) -> dict[str, Any]:
    """``{changes, timestamp}`` for the caller's scope since ``last_pulled_at``. The
    caller's sign-in is checked by the pull's first statement: an up-to-date phone's poll
    is that one statement, read on its own (bench/profile-findings.md, findings 20, 37)."""
    with db.unit_of_work() as session:
        actor, admission = pull_admission(caller)
        answer = watermelon.pull(session, registry, actor, actor.device_id, last_pulled_at,
                                 schema_version, migration, admission, db.read_once)
        if session.in_transaction():  # an up-to-date phone's poll began none
            session.commit()  # the device's bases
        return answer


def push(db: Database, settings: LeadSettings, principal: Principal,
         last_pulled_at: int | None, schema_version: int,
         changes: Mapping[str, Mapping[str, list[Any]]]) -> list[MutationResult]:
    """Apply the device's changes under the court's ``settings``; 409 ``sync_pull_first``
    (nothing applied) when one of its records changed on the server after
    ``last_pulled_at``."""
    with db.unit_of_work() as session:
        try:
            results = watermelon.push(session, registry_for(settings), principal,
                                      principal.device_id, last_pulled_at, schema_version,
                                      changes)
        except watermelon.PullFirst as exc:
            raise Conflict(str(exc), code=exc.code,
                           records=[{"table": t, "id": i} for t, i in exc.records]) from exc
        except watermelon.InvalidPush as exc:
            raise ValidationFailed(str(exc), code=exc.code,
                                   errors={"changes": [str(exc)]}) from exc
        device = session.get(Device, (principal.court_id, principal.device_id))
        if device is not None:
            device.schema_version = schema_version
        session.commit()
        return results


def summary(results: list[MutationResult]) -> dict[str, Any]:
    """What the push did: ``experimentalRejectedIds`` for ``synchronize()`` (refused records
    stay unsynced on the phone), and for the developer the counts and every result that
    was not applied as sent."""
    counts = {status.value: 0 for status in Status}
    for result in results:
        counts[result.status.value] += 1
    return {"experimentalRejectedIds": watermelon.rejected_ids(results), "counts": counts,
            "results": [r for r in results if r.status is not Status.APPLIED
                        or r.rejected_fields]}
