"""Template tags of procurement, used also on the pages of the register."""

from django import template

from ..models import DeliveredAsset, ProcurementCase
from ..services import line_lock_reason

register = template.Library()


@register.simple_tag
def asset_origin(asset) -> ProcurementCase | None:
    """The case that bought `asset`, or None for an asset bought outside a case.

    Read through the link procurement owns, so the inventory never imports procurement.
    """
    link = DeliveredAsset.objects.select_related("case").filter(asset=asset).first()
    return link.case if link else None


@register.simple_tag
def case_lines_state(case: ProcurementCase, user) -> dict:
    """For the case page's lines: why they are locked ("" while they are not), and
    whether `user` may change them now (the services check it again)."""
    reason = line_lock_reason(case)
    return {
        "lock_reason": reason,
        "may_edit": not reason and user.has_perm("procurement.change_procurementcase"),
    }
