"""Template tags of procurement, used also on the pages of the register."""

from django import template

from ..models import DeliveredAsset, ProcurementCase

register = template.Library()


@register.simple_tag
def asset_origin(asset) -> ProcurementCase | None:
    """The case that bought `asset`, or None for an asset bought outside a case.

    Read through the link procurement owns, so the inventory never imports procurement.
    """
    link = DeliveredAsset.objects.select_related("case").filter(asset=asset).first()
    return link.case if link else None
