"""All Gridwork tables. Importing this package registers every table on ``metadata``."""

from enforcement.models.accounts import Court, Device, LoginAttempt, RefreshToken, Role, User
from enforcement.models.attachments import Attachment, AttachmentRef
from enforcement.models.audit import AuditEntry, AuditHead
from enforcement.models.base import Datum, metadata, new_id, utcnow
from enforcement.models.cases import (
    CaseEvent,
    CaseMediator,
    CaseParty,
    CaseStatus,
    EnforcementCase,
    Party,
    PartyKind,
    PartyRole,
)
from enforcement.models.credit import (
    AidStatus,
    CreditRepair,
    JudicialAid,
    JudicialAidPayment,
    MeasureAction,
    MeasureEvent,
    MeasureKind,
    PartyMeasure,
    RepairGrounds,
    RepairStatus,
)
from enforcement.models.grids import GridAssignment, Township, VillageGrid
from enforcement.models.leads import Lead, LeadKind, LeadStatus, LeadTransition, Urgency
from enforcement.models.linkage import (
    LinkageKind,
    LinkageListEntry,
    LinkageRequest,
    LinkageRequestKind,
    LinkageRequestStatus,
    LinkageUnit,
    ListColour,
    PunishmentNotice,
)
from enforcement.models.mediation import (
    Instalment,
    MediationNote,
    MediationOutcome,
    Settlement,
    SettlementKind,
)
from enforcement.models.public import PartyEvaluation, QueryCode
from enforcement.models.review import RewardEntry, RewardRule, RewardStatus
from enforcement.models.rounds import (
    EnforcementRound,
    Outcome,
    OutcomeKind,
    RoundStatus,
    RoundTarget,
    RoundTeam,
    TargetStatus,
    Visit,
    VisitResult,
)
from enforcement.models.sightings import Sighting
from enforcement.models.supervision import (
    CaseFollow,
    DeputyEvaluation,
    EnforcementNode,
    NodeEvent,
    NodeEventRead,
    NodeWitness,
)
from enforcement.models.tasks import (
    Task,
    TaskAnswer,
    TaskGrid,
    TaskKind,
    TaskStatus,
    TaskTransition,
)
from sync import tables as _sync_tables  # noqa: F401  (the sync engine's tables, same metadata)

__all__ = [
    "AidStatus", "Attachment", "AttachmentRef", "AuditEntry", "AuditHead", "CaseEvent",
    "CaseFollow", "CaseMediator", "CaseParty", "CaseStatus", "Court", "CreditRepair", "Datum",
    "DeputyEvaluation", "Device", "EnforcementCase", "EnforcementNode", "EnforcementRound",
    "GridAssignment", "Instalment", "JudicialAid", "JudicialAidPayment", "Lead", "LeadKind",
    "LeadStatus", "LeadTransition", "LinkageKind", "LinkageListEntry", "LinkageRequest",
    "LinkageRequestKind", "LinkageRequestStatus", "LinkageUnit", "ListColour", "LoginAttempt",
    "MeasureAction",
    "MeasureEvent", "MeasureKind", "MediationNote", "MediationOutcome", "NodeEvent",
    "NodeEventRead", "NodeWitness", "Outcome", "OutcomeKind", "Party", "PartyEvaluation",
    "PartyKind", "PartyMeasure", "PartyRole", "PunishmentNotice", "QueryCode", "RefreshToken",
    "RepairGrounds", "RepairStatus",
    "RewardEntry", "RewardRule", "RewardStatus", "Role", "RoundStatus", "RoundTarget", "RoundTeam",
    "Settlement", "SettlementKind", "Sighting", "TargetStatus", "Task", "TaskAnswer", "TaskGrid",
    "TaskKind", "TaskStatus", "TaskTransition", "Township", "Urgency", "User", "VillageGrid",
    "Visit", "VisitResult", "metadata", "new_id", "utcnow",
]
