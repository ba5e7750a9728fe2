"""Choices of procurement, and the one table of allowed stage moves."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import rules


class Stage(models.TextChoices):
    NEED = "need", _("Need")
    ANALYSIS = "analysis", _("Needs analysis")
    APPROVAL = "approval", _("Approval")
    SPECIFICATION = "specification", _("Requirements")
    SOURCING = "sourcing", _("Sourcing / call-off")
    AWARD = "award", _("Award")
    STANDSTILL = "standstill", _("Standstill")
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    INSTALLED = "installed", _("Installed")
    CLOSED = "closed", _("Closed")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


# The stages a case passes in order; on hold and cancelled are beside it. The order is
# the rules engine's (procurement.rules knows no Django, so it is the source); a test
# checks that Stage and Procedure hold exactly the engine's values.
STAGE_ORDER: tuple[str, ...] = tuple(Stage(stage) for stage in rules.STAGES)
OPEN_STAGES: tuple[str, ...] = (*STAGE_ORDER[:-1], Stage.ON_HOLD)
CLOSED_STAGES: tuple[str, ...] = (Stage.CLOSED, Stage.CANCELLED)


# Stages in which the equipment has arrived, or never will: nothing is late any more,
# and a grant is spent.
DELIVERED_OR_ENDED: tuple[str, ...] = (
    Stage.DELIVERED,
    Stage.INSTALLED,
    Stage.CLOSED,
    Stage.CANCELLED,
)


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


class Mover(models.TextChoices):
    """Whose move a stage transition is; each maps to a permission (see PERMISSION_OF)."""

    LIBRARY = "library", _("Library")
    APPROVER = "approver", _("Approver")
    IT = "it", _("IT")


# Who may move a case INTO each stage of the main line. The permission names are the
# codenames on ProcurementCase.Meta.permissions.
MOVER_OF_TARGET: dict[str, str] = {
    Stage.ANALYSIS: Mover.LIBRARY,
    Stage.APPROVAL: Mover.LIBRARY,
    Stage.SPECIFICATION: Mover.APPROVER,
    Stage.SOURCING: Mover.IT,
    Stage.AWARD: Mover.IT,
    Stage.STANDSTILL: Mover.IT,
    Stage.ORDERED: Mover.IT,
    Stage.DELIVERED: Mover.IT,
    Stage.INSTALLED: Mover.IT,
    Stage.CLOSED: Mover.IT,
}
PERMISSION_OF: dict[str, str] = {
    Mover.LIBRARY: "procurement.advance_need",
    Mover.APPROVER: "procurement.approve_case",
    Mover.IT: "procurement.advance_technical",
}


def forward_moves(stage: str, *, standstill_applies: bool) -> tuple[str, ...]:
    """The next stage of the main line; award skips standstill where none applies."""
    if stage not in STAGE_ORDER or stage == Stage.CLOSED:
        return ()
    following = STAGE_ORDER[stage_index(stage) + 1]
    if following == Stage.STANDSTILL and not standstill_applies:
        following = Stage.ORDERED
    return (following,)


def allowed_moves(stage: str, *, stage_before_hold: str, standstill_applies: bool):
    """Every stage a case in `stage` may move to, in the order shown to the user."""
    if stage == Stage.ON_HOLD:
        return (stage_before_hold, Stage.CANCELLED) if stage_before_hold else (Stage.CANCELLED,)
    if stage in CLOSED_STAGES:
        return ()
    return (
        *forward_moves(stage, standstill_applies=standstill_applies),
        Stage.ON_HOLD,
        Stage.CANCELLED,
    )


class Party(models.TextChoices):
    """Who a case waits on."""

    LIBRARY = "library", _("Library")
    IT = "it", _("IT")
    STRATEGIST = "strategist", _("Strategist")
    PROCUREMENT_UNIT = "procurement_unit", _("Procurement unit")
    SUPPLIER = "supplier", _("Supplier")


# Who acts next in each stage (procurement-unit stages depend on the procedure).
WAITS_ON: dict[str, str] = {
    Stage.NEED: Party.LIBRARY,
    Stage.ANALYSIS: Party.LIBRARY,
    Stage.APPROVAL: Party.STRATEGIST,
    Stage.SPECIFICATION: Party.IT,
    Stage.SOURCING: Party.IT,
    Stage.AWARD: Party.IT,
    Stage.STANDSTILL: Party.PROCUREMENT_UNIT,
    Stage.ORDERED: Party.SUPPLIER,
    Stage.DELIVERED: Party.IT,
    Stage.INSTALLED: Party.LIBRARY,
    Stage.ON_HOLD: Party.LIBRARY,
}

# Who acts for each party in Inventera: IT also speaks for the procurement unit and the
# supplier, who have no logins of their own.
PARTY_PERMISSION: dict[str, str] = {
    Party.LIBRARY: "procurement.advance_need",
    Party.IT: "procurement.advance_technical",
    Party.PROCUREMENT_UNIT: "procurement.advance_technical",
    Party.SUPPLIER: "procurement.advance_technical",
    Party.STRATEGIST: "procurement.approve_case",
}


def waits_on(stage: str, procedure: str) -> str:
    """The party a case in `stage` waits on; "" for a closed or cancelled case."""
    if stage in (Stage.SOURCING, Stage.AWARD) and procedure in rules.ADVERTISED:
        return Party.PROCUREMENT_UNIT
    return WAITS_ON.get(stage, "")


class Procedure(models.TextChoices):
    CALL_OFF = "call_off", _("Call-off from framework agreement")
    DIRECT_AWARD = "direct_award", _("Direct award")
    ADVERTISED = "advertised", _("Advertised procedure")
    ADVERTISED_EU = "advertised_eu", _("Advertised procedure above the EU threshold")


class Funding(models.TextChoices):
    OPERATING = "operating", _("Operating budget")
    INVESTMENT = "investment", _("Investment")
    GRANT = "grant", _("Grant")


class AgreementBody(models.TextChoices):
    ADDA = "adda", _("Adda")
    KAMMARKOLLEGIET = "kammarkollegiet", _("Kammarkollegiet (Statens inköpscentral)")
    MUNICIPALITY = "municipality", _("The municipality's own")
    OTHER = "other", _("Other")


class CallOffMethod(models.TextChoices):
    RANKING = "ranking", _("Ranking")
    ALLOCATION_KEY = "allocation_key", _("Allocation key")
    MINI_COMPETITION = "mini_competition", _("Mini-competition")


class DocumentKind(models.TextChoices):
    NEEDS_ANALYSIS = "needs_analysis", _("Needs analysis")
    SPECIFICATION = "specification", _("Requirements specification")
    QUOTE = "quote", _("Quote")
    AWARD_DECISION = "award_decision", _("Award decision")
    CONTRACT = "contract", _("Contract")
    ORDER = "order", _("Order")
    DELIVERY_NOTE = "delivery_note", _("Delivery note")
    INVOICE = "invoice", _("Invoice")
    DIRECT_AWARD_DOCUMENTATION = "direct_award_doc", _("Direct-award documentation")
    OTHER = "other", _("Other")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CompetitionMethod(models.TextChoices):
    """How competition was sought in a direct award, as its documentation must say
    (LOU 19 a kap. 11 §)."""

    ADVERTISED = "advertised", _("Advertisement in an advertising database")
    WEBSITE = "website", _("Notice on the municipality's website")
    ASKED = "asked", _("Suppliers asked directly")
