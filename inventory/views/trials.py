"""The trial log of equipment on trial: its summary, its sessions, and the form to log
a session (posted to the same page)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from .. import trials
from ..choices import TRIAL_RATINGS
from ..forms import DateInput, DateRangeMixin
from ..models import TrialSession
from ..viewmixins import ServiceFormMixin
from .assets import AssetObjectMixin

# How a session went, in words beside the figure.
RATING_LABELS = {
    1: gettext_lazy("1 – It did not work"),
    2: gettext_lazy("2 – Poorly"),
    3: gettext_lazy("3 – Fairly well"),
    4: gettext_lazy("4 – Well"),
    5: gettext_lazy("5 – Very well"),
}


class TrialSessionForm(DateRangeMixin, forms.Form):
    """A session of a trial; the service checks the date, the rating and the asset."""

    held_on = forms.DateField(
        label=gettext_lazy("Date of the session"), widget=DateInput, initial=timezone.localdate
    )
    tried = forms.CharField(
        label=gettext_lazy("What was tried"),
        max_length=TrialSession._meta.get_field("tried").max_length,
        help_text=gettext_lazy("For example: reading e-books and video calls on the tablet."),
    )
    group = forms.CharField(
        label=gettext_lazy("With whom"),
        max_length=TrialSession._meta.get_field("group").max_length,
        help_text=gettext_lazy(
            "A kind of group, for example “seniors' course” or “homework help”; never a "
            "person's name."
        ),
    )
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How did it go?"),
        choices=[(value, RATING_LABELS[value]) for value in TRIAL_RATINGS],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=TrialSession._meta.get_field("comment").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the visitors said, what worked and what did not."),
    )

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if problem := trials.held_on_error(day, timezone.localdate()):
            raise forms.ValidationError(problem)
        return day


class TrialLogView(ServiceFormMixin, AssetObjectMixin, PermissionRequiredMixin, FormView):
    """The trial log: whoever may read trial logs reads it; whoever may log a session
    posts the form here."""

    form_class = TrialSessionForm
    template_name = "inventory/trial_log.html"

    def get_permission_required(self):
        if self.request.method == "POST":
            return (trials.ADD_PERMISSION,)
        return (trials.VIEW_PERMISSION,)

    def get_context_data(self, **kwargs):
        asset = self.asset
        prefetch_related_objects(
            [asset],
            Prefetch(
                "trial_sessions",
                TrialSession.objects.select_related("logged_by").order_by("-held_on", "-id"),
            ),
        )
        summary = trials.trial_summary(asset)
        today = timezone.localdate()
        return super().get_context_data(
            asset=asset,
            summary=summary,
            sessions=asset.trial_sessions.all(),
            rating_rows=[(RATING_LABELS[value], count) for value, count in summary.rating_counts],
            overdue=bool(summary.return_by and summary.return_by < today),
            may_log=trials.may_log(self.request.user, asset),
            **kwargs,
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def call_service(self, form):
        data = form.cleaned_data
        trials.trial_session_log(
            actor=self.request.user,
            asset=self.asset,
            held_on=data["held_on"],
            tried=data["tried"],
            group=data["group"],
            rating=data["rating"],
            comment=data["comment"],
        )
        messages.success(self.request, _("The session is logged. Thank you."))
        url = reverse("inventory:trial_log", kwargs={"tag": self.asset.tag})
        return redirect(f"{url}#sessions-heading")
