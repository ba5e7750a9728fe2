def nav_section(request):
    """Which main-menu entry is the current page's: its URL namespace, or its name."""
    match = getattr(request, "resolver_match", None)
    return {"nav_current": (match.namespace or match.url_name or "") if match else ""}
