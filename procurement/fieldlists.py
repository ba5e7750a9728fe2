"""The case's fields and where each is used, declared once (see inventory.fieldlists).

The case forms, the fields case_update accepts, who may change which, and the fields the
history tracks are derived from CASE_FIELDS.
"""

from inventory.fieldlists import FORM, FieldList

from .models import ProcurementCase

# A fact of the need, which the library manager who asks for it may change; the rest are
# IT's and the procurement unit's.
NEED = "need"

CASE_FIELDS = FieldList(
    ProcurementCase,
    [
        ("title", {FORM, NEED}),
        ("need", {FORM, NEED}),
        ("analysis", {FORM, NEED}),
        ("category", {FORM, NEED}),
        ("estimated_value", {FORM, NEED}),
        ("funding", {FORM, NEED}),
        ("grant_name", {FORM, NEED}),
        ("grant_spend_by", {FORM, NEED}),
        ("expected_delivery", {FORM, NEED}),
        ("handler", {FORM}),
        # The library often knows the agreement that covers its need; the services accept
        # only agreements joined and in force.
        ("framework_agreement", {FORM, NEED}),
        ("advertisement_id", {FORM}),
        ("award_notice_sent_on", {FORM}),
        ("award_notice_electronic", {FORM}),
        ("order_reference", {FORM}),
        ("competition_method", {FORM}),
        ("suppliers_asked", {FORM}),
        ("award_reason", {FORM}),
        ("contract_start", {FORM}),
        ("contract_end", {FORM}),
        # decided by the rules from the value and the category, never typed
        ("procedure", ()),
    ],
    stamps=("version", "updated_by", "updated_at"),
    # The library, year and number make the reference, given once at creation; the stage
    # and its details move through case_transition, which records them in StageChange.
    untracked=(
        "reference",
        "library",
        "year",
        "number",
        "requested_by",
        "stage",
        "stage_before_hold",
        "stage_changed_at",
        "hold_reason",
        "cancel_reason",
        "created_at",
    ),
)
