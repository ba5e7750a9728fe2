"""Choices of the inventory, and the one table of allowed asset status moves."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssetStatus(models.TextChoices):
    ORDERED = "ordered", _("Ordered")
    IN_STOCK = "in_stock", _("In stock")
    IN_USE = "in_use", _("In use")
    IN_REPAIR = "in_repair", _("In repair")
    ON_LOAN = "on_loan", _("On loan")
    RETIRED = "retired", _("Retired")
    DISPOSED = "disposed", _("Disposed")


# The allowed moves of an asset's status. `on_loan` returns to where the asset was before
# the loan (Asset.status_before_loan); that is checked by the service, not listed here.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    AssetStatus.ORDERED: frozenset({AssetStatus.IN_STOCK}),
    AssetStatus.IN_STOCK: frozenset({AssetStatus.IN_USE, AssetStatus.ON_LOAN, AssetStatus.RETIRED}),
    AssetStatus.IN_USE: frozenset(
        {AssetStatus.IN_STOCK, AssetStatus.IN_REPAIR, AssetStatus.ON_LOAN, AssetStatus.RETIRED}
    ),
    AssetStatus.IN_REPAIR: frozenset({AssetStatus.IN_USE, AssetStatus.RETIRED}),
    AssetStatus.ON_LOAN: frozenset({AssetStatus.IN_STOCK, AssetStatus.IN_USE}),
    AssetStatus.RETIRED: frozenset({AssetStatus.DISPOSED}),
    AssetStatus.DISPOSED: frozenset(),
}

# Statuses an asset may be created in; later states are reached only by moves.
INITIAL_STATUSES = (AssetStatus.ORDERED, AssetStatus.IN_STOCK, AssetStatus.IN_USE)

# Statuses of equipment that is still the library's to look after.
ACTIVE_STATUSES = (
    AssetStatus.ORDERED,
    AssetStatus.IN_STOCK,
    AssetStatus.IN_USE,
    AssetStatus.IN_REPAIR,
    AssetStatus.ON_LOAN,
)


def allowed_moves(current: str, status_before_loan: str = "") -> tuple[str, ...]:
    """The statuses an asset in `current` may move to, in the order of AssetStatus."""
    targets = STATUS_TRANSITIONS[current]
    if current == AssetStatus.ON_LOAN and status_before_loan:
        targets = targets & {status_before_loan}
    return tuple(s for s in AssetStatus.values if s in targets)


class Usage(models.TextChoices):
    PUBLIC = "public", _("Public use")
    STAFF = "staff", _("Staff")


class Ownership(models.TextChoices):
    OWNED = "owned", _("Owned")
    LEASED = "leased", _("Leased")
    TRIAL = "trial", _("On trial")


class DisposalMethod(models.TextChoices):
    RECYCLED = "recycled", _("Recycled")
    SOLD = "sold", _("Sold")
    RETURNED = "returned", _("Returned to lessor")


class MaintenanceKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REIMAGING = "reimaging", _("Re-imaging")
    INSPECTION = "inspection", _("Inspection")
    BATTERY = "battery", _("Battery swap")
    CLEANING = "cleaning", _("Cleaning")
    UPGRADE = "upgrade", _("Upgrade")
    OTHER = "other", _("Other")


class ChangeSource(models.TextChoices):
    WEB = "web", _("Web form")
    BULK = "bulk", _("Bulk action")
    IMPORT = "import", _("Import")
    DELIVERY = "delivery", _("Delivery registration")
    STOCKTAKE = "stocktake", _("Stocktaking")
    ADMIN = "admin", _("Administration")
    SYSTEM = "system", _("System")


class ChangeAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")


# An uploaded file: previewed, then imported at once or, if large, in the background.
class ImportState(models.TextChoices):
    PREVIEW = "", _("Preview")
    QUEUED = "queued", _("Waiting to be imported")
    RUNNING = "running", _("Being imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


class FaultUrgency(models.TextChoices):
    UNUSABLE = "unusable", _("The public place cannot be used")
    POOR = "poor", _("Works badly")


class FaultStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("fault status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by IT")
    IN_REPAIR = "in_repair", _("In repair")
    CLOSED = "closed", _("Closed")


# The allowed moves of a fault report, performed only by inventory.faults.
FAULT_TRANSITIONS: dict[str, frozenset[str]] = {
    FaultStatus.OPEN: frozenset(
        {FaultStatus.ACKNOWLEDGED, FaultStatus.IN_REPAIR, FaultStatus.CLOSED}
    ),
    FaultStatus.ACKNOWLEDGED: frozenset({FaultStatus.IN_REPAIR, FaultStatus.CLOSED}),
    FaultStatus.IN_REPAIR: frozenset({FaultStatus.CLOSED}),
    FaultStatus.CLOSED: frozenset(),
}

# Fault reports that still wait on IT.
UNRESOLVED_FAULT_STATUSES = (FaultStatus.OPEN, FaultStatus.ACKNOWLEDGED, FaultStatus.IN_REPAIR)


class LoanState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    OUT = "out", pgettext_lazy("loan state", "Lent out")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


# Loans that hold the asset for their dates: two of them may not overlap.
HOLDING_LOAN_STATES = (LoanState.BOOKED, LoanState.OUT)


class StocktakeOutcome(models.TextChoices):
    """What the user did with a missing or unexpected asset when closing a stocktake."""

    OPEN = "", _("Not decided")
    LEFT = "left", _("Left as it is")
    MOVED = "moved", _("Moved to where it was found")
    MISSING = "missing", _("Marked missing")


# How a trial session went, 1 (badly) to 5 (very well).
TRIAL_RATINGS = range(1, 6)
