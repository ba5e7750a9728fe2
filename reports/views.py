from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from inventory.roles import role_labels

from .selectors import asset_dashboard, case_dashboard


class DashboardView(TemplateView):
    """`/`: what each role needs to see first, scoped to what the user may see."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["roles"] = role_labels(user)
        if user.has_perm("inventory.view_asset"):
            context["assets"] = asset_dashboard(user)
        if user.has_perm("procurement.view_procurementcase"):
            context["cases"] = case_dashboard(user)
        return context


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For the load balancer: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
