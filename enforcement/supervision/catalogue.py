"""The catalogue of key enforcement nodes (执行节点) of a court.

Courts start from the 23 nodes of the Pingtan report and then add, rename, reorder and
retire their own. A node that an event or an evaluation refers to is never deleted:
it is retired, so what a deputy witnessed keeps its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from enforcement import policy
from enforcement.accounts.principal import Principal
from enforcement.errors import Conflict, PreconditionFailed
from enforcement.infrastructure.db import Database
from enforcement.models import DeputyEvaluation, EnforcementNode, NodeEvent
from enforcement.supervision import recorded

STANDARD_NODES: tuple[tuple[str, str, str, bool], ...] = (
    # code, 中文名, English name, deputies may witness it
    ("serve_notice", "送达执行通知书", "Service of the enforcement notice", True),
    ("order_property_report", "责令申报财产", "Order to declare property", True),
    ("property_investigation", "财产调查", "Property investigation", True),
    ("online_inquiry", "网络查控", "Online inquiry and control of property", False),
    ("on_site_investigation", "实地调查", "On-site investigation", True),
    ("seal_up", "查封", "Sealing up of property", True),
    ("seize", "扣押", "Seizure of movable property", True),
    ("freeze", "冻结", "Freezing of deposits and assets", False),
    ("deduct", "扣划", "Deduction and transfer of funds", False),
    ("appraisal", "评估", "Appraisal", True),
    ("auction", "拍卖", "Judicial auction", True),
    ("sale", "变卖", "Sale at an agreed price", True),
    ("set_off_in_kind", "以物抵债", "Property taken in satisfaction of the debt", True),
    ("distribution", "案款分配", "Distribution of proceeds", True),
    ("payout", "案款发放", "Payment of proceeds to the applicant", True),
    ("settlement", "执行和解", "Enforcement settlement", True),
    ("consumption_restriction", "限制消费", "Restriction on high consumption", False),
    ("dishonest_listing", "纳入失信名单", "Listing as a dishonest debtor", False),
    ("detention", "拘留", "Judicial detention", True),
    ("fine", "罚款", "Fine", True),
    ("eviction", "强制腾退", "Compulsory eviction", True),
    ("termination", "终结本次执行", "Termination of the current enforcement procedure", True),
    ("resumption", "恢复执行", "Resumption of enforcement", True),
)
"""The 23 key nodes deputies supervise. The Pingtan report (seeds/000) names four of them
(文书送达、财产查控、房产拍卖、案款分配); the rest follow the usual enforcement procedure.
Nodes done entirely through online systems have nothing to witness on site."""

ALWAYS_DISCLOSED = frozenset({
    "serve_notice", "order_property_report", "appraisal", "auction", "sale", "set_off_in_kind",
    "distribution", "payout", "settlement", "termination", "resumption"})
"""Standard nodes whose dates the parties are told ahead (a notice, an auction, a payout):
the parties' page shows them planned too. Every other standard node (an inquiry, a seal, a
detention…) is shown only once done, so that the page never warns a debtor of a seizure."""
DISCLOSURES = ("always", "after", "never")

NODE_FIELDS = ("code", "name_zh", "name_en", "seq", "witnessable", "active", "disclosure")


def list_nodes(db: Database, principal: Principal, include_retired: bool) -> list[EnforcementNode]:
    """The court's catalogue in order."""
    with db.unit_of_work() as session:
        query = sa.select(EnforcementNode).where(
            policy.scope_filter(principal, "node.read", EnforcementNode))
        if not include_retired:
            query = query.where(EnforcementNode.active.is_(True))
        return list(session.scalars(query.order_by(EnforcementNode.seq, EnforcementNode.code)))


def create_node(db: Database, principal: Principal, data: Mapping[str, Any]) -> EnforcementNode:
    policy.require(principal, "node.manage")
    with db.unit_of_work() as session:
        _require_free_code(session, principal.court_id, data["code"])
        seq = data.get("seq") or _next_seq(session, principal.court_id)
        node = EnforcementNode(court_id=principal.court_id, seq=seq,
                               **{k: v for k, v in data.items() if k in NODE_FIELDS and k != "seq"})
        session.add(node)
        try:
            session.flush()
        except sa.exc.IntegrityError as error:  # the same code added at the same moment
            raise Conflict("the court already has this node", code="node_code_exists") from error
        recorded(session, principal, "node.create", "enforcement_node", node.id, code=node.code)
        session.commit()
        return node


def edit_node(db: Database, principal: Principal, node_id: str, expected_version: int,
              data: Mapping[str, Any]) -> EnforcementNode:
    """Rename, reorder, retire or bring back a node; its code stays."""
    with db.unit_of_work() as session:
        node = _visible(session, principal, "node.manage", node_id, for_update=True)
        if node.version != expected_version:
            raise PreconditionFailed(f"the node is at version {node.version}",
                                     current_version=node.version)
        changed = {k: v for k, v in data.items() if k in NODE_FIELDS and k != "code"
                   and getattr(node, k) != v}
        for key, value in changed.items():
            setattr(node, key, value)
        if changed:
            node.version += 1
            recorded(session, principal, "node.update", "enforcement_node", node.id,
                     fields=sorted(changed))
        session.commit()
        return node


def delete_node(db: Database, principal: Principal, node_id: str) -> None:
    """Delete a node nobody used (a typo); 409 ``node_in_use`` otherwise: retire it."""
    with db.unit_of_work() as session:
        node = _visible(session, principal, "node.manage", node_id, for_update=True)
        for model in (NodeEvent, DeputyEvaluation):
            used = session.scalar(sa.select(sa.exists().where(
                model.court_id == node.court_id, model.node_id == node.id)))
            if used:
                raise Conflict("events or evaluations refer to this node; retire it instead",
                               code="node_in_use")
        recorded(session, principal, "node.delete", "enforcement_node", node.id, code=node.code)
        session.delete(node)
        session.commit()


def load_standard_nodes(db: Database, principal: Principal) -> list[EnforcementNode]:
    """Add the 23 standard nodes the court does not have yet (matched by code)."""
    policy.require(principal, "node.manage")
    with db.unit_of_work() as session:
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(
            sa.func.hashtext("nodes:" + principal.court_id))))
        have = set(session.scalars(sa.select(EnforcementNode.code).where(
            EnforcementNode.court_id == principal.court_id)))
        seq = _next_seq(session, principal.court_id)
        added = []
        for code, name_zh, name_en, witnessable in STANDARD_NODES:
            if code in have:
                continue
            added.append(EnforcementNode(
                court_id=principal.court_id, code=code, name_zh=name_zh, name_en=name_en,
                seq=seq, witnessable=witnessable,
                disclosure="always" if code in ALWAYS_DISCLOSED else "after"))
            seq += 1
        session.add_all(added)
        session.flush()
        if added:
            recorded(session, principal, "node.load_standard", "enforcement_node", added[0].id,
                     codes=[n.code for n in added])
        session.commit()
        return added


def _require_free_code(session: Session, court_id: str, code: str) -> None:
    taken = session.scalar(sa.select(sa.exists().where(
        EnforcementNode.court_id == court_id, EnforcementNode.code == code)))
    if taken:
        raise Conflict(f"the court already has a node {code!r}", code="node_code_exists")


def _next_seq(session: Session, court_id: str) -> int:
    return (session.scalar(sa.select(sa.func.max(EnforcementNode.seq)).where(
        EnforcementNode.court_id == court_id)) or 0) + 1


def _visible(session: Session, principal: Principal, action: str, node_id: str,
             for_update: bool = False) -> EnforcementNode:
    return policy.visible_row(session, principal, action, EnforcementNode, node_id,
                              "node_not_found", for_update=for_update)
