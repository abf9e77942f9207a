"""All Gridwork tables. Importing this package registers every table on ``metadata``."""

from enforcement.models.accounts import Court, Device, LoginAttempt, RefreshToken, Role, User
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
    CreditRepair,
    MeasureAction,
    MeasureEvent,
    MeasureKind,
    PartyMeasure,
    RepairGrounds,
    RepairStatus,
)
from enforcement.models.credit_linkage import (
    AidStatus,
    JudicialAid,
    JudicialAidPayment,
    LinkageListEntry,
    ListColour,
    PunishmentNotice,
)
from enforcement.models.field import (
    Instalment,
    Lead,
    LeadKind,
    LeadStatus,
    LeadTransition,
    MediationNote,
    MediationOutcome,
    Settlement,
    SettlementKind,
    Sighting,
    Task,
    TaskAnswer,
    TaskGrid,
    TaskKind,
    TaskStatus,
    TaskTransition,
    Urgency,
)
from enforcement.models.grids import GridAssignment, Township, VillageGrid
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
from enforcement.models.supervision import (
    Attachment,
    AttachmentRef,
    AuditEntry,
    AuditHead,
    CaseFollow,
    DeputyEvaluation,
    EnforcementNode,
    LinkageKind,
    LinkageRequest,
    LinkageRequestKind,
    LinkageRequestStatus,
    LinkageUnit,
    NodeEvent,
    NodeEventRead,
    NodeWitness,
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
    "NodeEventRead", "NodeWitness", "Outcome", "OutcomeKind", "Party", "PartyKind", "PartyMeasure",
    "PartyRole", "PunishmentNotice", "RefreshToken", "RepairGrounds", "RepairStatus",
    "RewardEntry", "RewardRule", "RewardStatus", "Role", "RoundStatus", "RoundTarget", "RoundTeam",
    "Settlement", "SettlementKind", "Sighting", "TargetStatus", "Task", "TaskAnswer", "TaskGrid",
    "TaskKind", "TaskStatus", "TaskTransition", "Township", "Urgency", "User", "VillageGrid",
    "Visit", "VisitResult", "metadata", "new_id", "utcnow",
]
