"""Column headers of the report files (docs/reports.md explains each figure), written in
English and translated in the gettext catalogs under ``translations/``."""

from __future__ import annotations

from api.i18n import _l
from api.reports.export import Column as C

OUTCOME_COLUMNS = (
    C("label", _l("Group")),
    C("leads_submitted", _l("Leads submitted")),
    C("leads_accepted", _l("Leads accepted")),
    C("leads_rejected", _l("Leads rejected")),
    C("leads_duplicate", _l("Duplicate leads")),
    C("median_hours_to_triage", _l("Median hours to triage")),
    C("leads_with_outcome", _l("Leads that led to an outcome")),
    C("debtors_located", _l("Debtors located")),
    C("property_sealed", _l("Property sealed, frozen or seized")),
    C("settlements", _l("Settlements")),
    C("amount_recovered", _l("Amount recovered (yuan)")),
    C("amount_through_leads", _l("Of which through leads (yuan)")),
    C("lead_share", _l("Share of all recovered money through leads")),
)

GROUP_HEADERS = {
    "township": _l("Township"), "village": _l("Village grid"),
    "assistant": _l("Grid assistant"), "round": _l("Round"), "month": _l("Month"),
}
NO_GROUP = _l("(none)")
TOTAL = _l("Total")

VISIT_RESULTS = {
    "debtor_met": _l("Debtor met"), "debtor_absent": _l("Debtor absent"),
    "paid": _l("Paid"), "settled": _l("Settled"), "property_found": _l("Property found"),
    "refused": _l("Refused"), "address_wrong": _l("Address wrong"), "other": _l("Other"),
}
OUTCOME_KINDS = {
    "debtor_located": _l("Debtor located"),
    "debtor_detained": _l("Debtor detained"),
    "property_found": _l("Property found"),
    "property_sealed": _l("Property sealed"),
    "property_frozen": _l("Property frozen"),
    "property_seized": _l("Property seized"),
    "payment_received": _l("Payment received"),
    "settlement_reached": _l("Settlement reached"),
    "no_result": _l("No result"),
}

_COMPARED = {"targets": _l("targets"), "visits": _l("visits"), "outcomes": _l("outcomes"),
             "amount_recovered": _l("amount")}

ROUND_COLUMNS = (
    C("seq", _l("Seq")), C("name", _l("Round")),
    C("starts_on", _l("Starts on")), C("ends_on", _l("Ends on")),
    C("targets", _l("Targets")), C("visits", _l("Visits made")),
    *(C(f"visit_{k}", _l("Visits: %(result)s", result=v)) for k, v in VISIT_RESULTS.items()),
    C("outcomes", _l("Outcomes")),
    *(C(f"outcome_{k}", _l("Outcomes: %(kind)s", kind=v)) for k, v in OUTCOME_KINDS.items()),
    C("amount_recovered", _l("Amount recovered (yuan)")),
    *(col for name, figure in _COMPARED.items() for col in (
        C(f"{name}_delta", _l("%(figure)s: change on previous round", figure=figure)),
        C(f"{name}_ratio", _l("%(figure)s: ratio to previous round", figure=figure)))),
)

ASSISTANT_COLUMNS = (
    C("display_name", _l("Grid assistant")), C("grids", _l("Grids served")),
    C("leads", _l("Leads")), C("leads_accepted", _l("Leads accepted")),
    C("useful_leads", _l("Useful leads")),
    C("task_answers", _l("Answers to tasks")), C("sightings", _l("Sightings")),
    C("amount_through_leads", _l("Recovered through leads (yuan)")),
    C("rewards_pending", _l("Rewards pending (yuan)")),
    C("rewards_approved", _l("Rewards approved (yuan)")),
    C("last_active_at", _l("Last active")),
)

REWARD_COLUMNS = (
    C("created_at", _l("Earned at")), C("assistant_name", _l("Grid assistant")),
    C("lead_id", _l("Lead")), C("outcome_kind", _l("Outcome")),
    C("occurred_on", _l("Outcome date")), C("amount", _l("Amount (yuan)")),
    C("status", _l("Status")), C("decided_at", _l("Decided at")),
    C("decision_note", _l("Note")),
)
REWARD_STATUSES = {"pending": _l("pending"), "approved": _l("approved"),
                   "rejected": _l("rejected")}

CREDIT_COLUMNS = (
    C("month", _l("Month")),
    C("dishonest_listed", _l("Listed as dishonest debtors")),
    C("consumption_restricted", _l("Consumption restricted")),
    C("exit_restricted", _l("Exit restricted")),
    C("measures_lifted", _l("Measures lifted")),
    C("lifted_by_repair", _l("Of which by credit repair")),
    C("repairs_approved", _l("Credit repairs approved")),
    C("repairs_rejected", _l("Credit repairs rejected")),
    C("notices_issued", _l("Joint punishment notices")),
    C("notice_copies", _l("Notice copies to units")),
    C("aid_payments", _l("Judicial aid payments")),
    C("aid_paid", _l("Judicial aid paid (yuan)")),
)
