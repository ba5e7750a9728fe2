# The pages of the work on the floor that have a main-menu entry of their own, though
# they live in the inventory's namespace.
_OWN_ENTRIES = {
    "inventory:stocktake_list": "stocktakes",
    "inventory:stocktake_start": "stocktakes",
    "inventory:stocktake_detail": "stocktakes",
    "inventory:stocktake_found": "stocktakes",
    "inventory:stocktake_close": "stocktakes",
    "inventory:loan_list": "loans",
}


def nav_section(request):
    """Which main-menu entry is the current page's: its own, its URL namespace, or its
    name."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"nav_current": ""}
    own = _OWN_ENTRIES.get(match.view_name)
    return {"nav_current": own or match.namespace or match.url_name or ""}
