"""Procurement cases through the municipality's purchasing rules.

Figures of the law and the municipality's guidelines are data (PurchasingRuleSet), never
constants in code; `procurement.rules` turns them into an assessment of a case.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import Asset, Category, Library, user_stamp

from . import rules
from .choices import (
    AgreementBody,
    CallOffMethod,
    CompetitionMethod,
    Decision,
    DocumentKind,
    Funding,
    Procedure,
    Stage,
)
from .validators import validate_organisation_number

money = {"max_digits": 14, "decimal_places": 2}


def _parse_tiers(value, label) -> tuple[tuple[Decimal, object], ...]:
    """[[from, x], ...] as written in the admin, ascending by `from`."""
    try:
        pairs = tuple((Decimal(str(low)), item) for low, item in value or [])
    except (TypeError, ValueError, ArithmeticError):
        raise ValidationError(
            _("%(label)s must be a list of [from amount, value] pairs.") % {"label": label}
        ) from None
    if list(pairs) != sorted(pairs, key=lambda pair: pair[0]):
        raise ValidationError(_("%(label)s must be in ascending order.") % {"label": label})
    return pairs


class PurchasingRuleSet(models.Model):
    """The thresholds and the municipality's own tiers in force from a date, with sources.

    A figure not yet confirmed (such as the EU threshold's SEK value for 2026–2027) is
    shown as unconfirmed, and the rules engine treats it as unknown.
    """

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("in force from"), unique=True)
    direct_award_limit = models.DecimalField(_("direct-award limit"), **money)
    direct_award_limit_source = models.CharField(_("source"), max_length=200, blank=True)
    direct_award_limit_confirmed = models.BooleanField(_("confirmed"), default=True)
    documentation_threshold = models.DecimalField(_("documentation threshold"), **money)
    documentation_threshold_source = models.CharField(_("source"), max_length=200, blank=True)
    documentation_threshold_confirmed = models.BooleanField(_("confirmed"), default=True)
    eu_threshold = models.DecimalField(
        _("EU threshold (supplies and services)"), null=True, blank=True, **money
    )
    eu_threshold_eur = models.DecimalField(
        _("EU threshold in euro"), null=True, blank=True, **money
    )
    eu_threshold_source = models.CharField(_("source"), max_length=200, blank=True)
    eu_threshold_confirmed = models.BooleanField(_("confirmed"), default=False)
    quote_tiers = models.JSONField(
        _("quote tiers"),
        default=list,
        help_text=_('From which value how many written quotes, e.g. [["0", 1], ["100000", 3]].'),
    )
    approval_levels = models.JSONField(
        _("approval levels"),
        default=list,
        help_text=_(
            'Who approves from which value, e.g. [["0", "Bibliotekschef"], '
            '["100000", "Kultur- och fritidschef"]].'
        ),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("purchasing rule set")
        verbose_name_plural = _("purchasing rule sets")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"

    def clean(self) -> None:
        errors = {}
        for field, label in (("quote_tiers", _("Quote tiers")), ("approval_levels", _("Levels"))):
            try:
                _parse_tiers(getattr(self, field), label)
            except ValidationError as exc:
                errors[field] = exc
        if errors:
            raise ValidationError(errors)
        if self.direct_award_limit is not None and self.documentation_threshold is not None:
            try:
                self.thresholds()
            except (TypeError, ValueError) as exc:
                raise ValidationError(
                    _("The figures do not make a usable rule set: %(error)s") % {"error": exc}
                ) from None

    def thresholds(self) -> rules.Thresholds:
        """The figures for the rules engine; an unconfirmed EU threshold counts as unknown."""
        return rules.Thresholds(
            direct_award_limit=self.direct_award_limit,
            documentation_threshold=self.documentation_threshold,
            eu_threshold=self.eu_threshold if self.eu_threshold_confirmed else None,
            quote_tiers=tuple(
                (low, int(n)) for low, n in _parse_tiers(self.quote_tiers, "quote_tiers")
            ),
            approval_levels=tuple(
                (low, str(name))
                for low, name in _parse_tiers(self.approval_levels, "approval_levels")
            ),
        )

    @property
    def level_names(self) -> list[str]:
        return [str(name) for _low, name in self.approval_levels or []]


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=20,
        blank=True,
        validators=[validate_organisation_number],
        help_text=_("Ten digits, e.g. 556036-0793. Needed for the direct-award documentation."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class FrameworkAgreement(models.Model):
    """A framework agreement the municipality has joined (or not), e.g. Adda's."""

    name = models.CharField(_("name"), max_length=200)
    body = models.CharField(_("contracting body"), max_length=20, choices=AgreementBody.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    suppliers = models.ManyToManyField(Supplier, blank=True, verbose_name=_("suppliers"))
    categories = models.ManyToManyField(
        Category, blank=True, related_name="framework_agreements", verbose_name=_("categories")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    call_off_method = models.CharField(
        _("call-off method"), max_length=20, choices=CallOffMethod.choices
    )
    joined = models.BooleanField(
        _("joined by the municipality"),
        default=True,
        help_text=_("Only agreements the municipality has joined can be called off."),
    )

    class Meta:
        ordering = ["-valid_to", "name"]
        verbose_name = _("framework agreement")
        verbose_name_plural = _("framework agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="agreement_valid_range"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReferenceCounter(models.Model):
    """The last running number given per library and year; locked while a case is made,
    so two cases created at the same moment never share a number, and none is reused."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["library", "year"], name="refcounter_library_year")
        ]

    def __str__(self) -> str:
        return f"{self.library_id} {self.year}: {self.last_number}"


class ProcurementCase(models.Model):
    """A library's need on its way through the purchasing rules to installed equipment.

    `stage` changes only through `procurement.services.case_transition`.
    """

    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="cases", verbose_name=_("library")
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    need = models.TextField(_("the need"), help_text=_("In your own words: what is needed, why."))
    analysis = models.TextField(
        _("needs analysis"),
        blank=True,
        help_text=_("Who will use it, how many, what exists today, alternatives considered."),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    estimated_value = models.DecimalField(
        _("estimated value (SEK excl. VAT)"),
        validators=[MinValueValidator(0)],
        help_text=_("For the whole contract period, options and extensions included."),
        **money,
    )
    funding = models.CharField(
        _("funding"), max_length=12, choices=Funding.choices, default=Funding.OPERATING
    )
    grant_name = models.CharField(_("grant"), max_length=200, blank=True)
    grant_spend_by = models.DateField(_("grant to be spent by"), null=True, blank=True)
    procedure = models.CharField(
        _("procedure"),
        max_length=16,
        choices=Procedure.choices,
        blank=True,
        help_text=_("Leave empty to follow the recommendation of the rules."),
    )
    framework_agreement = models.ForeignKey(
        FrameworkAgreement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("framework agreement"),
    )
    advertisement_id = models.CharField(
        _("procurement id in the advertising database"), max_length=60, blank=True
    )
    award_notice_sent_on = models.DateField(_("award decision sent on"), null=True, blank=True)
    award_notice_electronic = models.BooleanField(
        _("award decision sent electronically"), default=True
    )
    order_reference = models.CharField(_("order or contract reference"), max_length=100, blank=True)
    # What the documentation of a direct award must say (LOU 19 a kap. 11 §), recorded
    # as the case goes and printed by the reports.
    competition_method = models.CharField(
        _("how competition was sought"),
        max_length=12,
        choices=CompetitionMethod.choices,
        blank=True,
    )
    suppliers_asked = models.ManyToManyField(
        Supplier,
        blank=True,
        related_name="cases_asked",
        verbose_name=_("suppliers asked"),
        help_text=_("Every supplier asked for a quote, whether or not they answered."),
    )
    award_reason = models.TextField(
        _("main reason for the choice"),
        blank=True,
        help_text=_("Why the chosen supplier won: lowest price, best fit to the requirements…"),
    )
    contract_start = models.DateField(_("contract period from"), null=True, blank=True)
    contract_end = models.DateField(_("contract period to"), null=True, blank=True)
    expected_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_cases",
        verbose_name=_("requested by"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("handler"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.NEED)
    stage_before_hold = models.CharField(
        max_length=16, choices=Stage.choices, blank=True, editable=False
    )
    stage_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    hold_reason = models.TextField(_("reason for the pause"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = user_stamp(blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-year", "library__code", "-number"]
        verbose_name = _("procurement case")
        verbose_name_plural = _("procurement cases")
        permissions = [
            ("advance_need", _("Can move a case through need and analysis")),
            ("approve_case", _("Can approve or reject cases")),
            ("advance_technical", _("Can move a case through the technical stages")),
            ("hold_case", _("Can pause and cancel cases")),
            ("override_guard", _("Can override a stage guard, with a reason")),
            ("register_delivery", _("Can register delivered items as assets")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "year", "number"], name="case_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(estimated_value__gte=0), name="case_value_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["stage", "stage_changed_at"], name="case_stage_since")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("procurement:case_detail", kwargs={"reference": self.url_reference})

    @property
    def url_reference(self) -> str:
        """`HB 2026/0042` written for a URL: `HB-2026-0042`."""
        return self.reference.replace(" ", "-").replace("/", "-")

    def clean(self) -> None:
        errors = {}
        if self.funding == Funding.GRANT and not self.grant_name.strip():
            errors["grant_name"] = _("Name the grant that pays for this.")
        if self.funding == Funding.GRANT and not self.grant_spend_by:
            errors["grant_spend_by"] = _("Say by when the grant must be spent.")
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            errors["contract_end"] = _("The contract period cannot end before it starts.")
        if errors:
            raise ValidationError(errors)


class CaseLine(models.Model):
    """What the case buys: a category, how many, at what estimated and ordered price."""

    case = models.ForeignKey(ProcurementCase, on_delete=models.CASCADE, related_name="lines")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, verbose_name=_("category"))
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    estimated_unit_price = models.DecimalField(
        _("estimated unit price"), validators=[MinValueValidator(0)], **money
    )
    ordered_unit_price = models.DecimalField(
        _("ordered unit price"), null=True, blank=True, validators=[MinValueValidator(0)], **money
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(estimated_unit_price__gte=0), name="line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    @property
    def unit_price(self) -> Decimal:
        return (
            self.ordered_unit_price
            if self.ordered_unit_price is not None
            else (self.estimated_unit_price)
        )


class Quote(models.Model):
    """A quote or tender received from a supplier."""

    case = models.ForeignKey(ProcurementCase, on_delete=models.CASCADE, related_name="quotes")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, verbose_name=_("supplier"))
    amount = models.DecimalField(
        _("amount (SEK excl. VAT)"), validators=[MinValueValidator(0)], **money
    )
    received_on = models.DateField(_("received"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    chosen = models.BooleanField(_("chosen"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    created_by = user_stamp()

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(chosen=True), name="quote_one_chosen_per_case"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quote_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.amount}"

    def clean(self) -> None:
        if self.valid_until and self.received_on and self.valid_until < self.received_on:
            raise ValidationError(
                {"valid_until": _("A quote cannot expire before it was received.")}
            )


def document_path(instance: "CaseDocument", filename: str) -> str:
    # The stored name is not the user's: no path tricks, no clashes.
    return f"cases/{instance.case_id}/{timezone.now():%Y%m%d%H%M%S}-{instance.token}"


class CaseDocument(models.Model):
    """An uploaded document, stored privately and served only through an access check."""

    case = models.ForeignKey(ProcurementCase, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=255)
    token = models.CharField(max_length=32, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = user_stamp(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name


class Comment(models.Model):
    case = models.ForeignKey(ProcurementCase, on_delete=models.CASCADE, related_name="comments")
    author = user_stamp(_("author"))
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.text[:50]


class Approval(models.Model):
    """A decision on a case by someone holding the approve permission, at a delegation level."""

    case = models.ForeignKey(ProcurementCase, on_delete=models.CASCADE, related_name="approvals")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    level = models.PositiveSmallIntegerField(_("delegation level"), default=0)
    level_name = models.CharField(_("delegation level"), max_length=100, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.level_name}"


class StageChange(models.Model):
    """The timeline: every stage move, who made it and why, overrides marked."""

    case = models.ForeignKey(ProcurementCase, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = user_stamp(_("who"))
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    comment = models.TextField(_("comment"), blank=True)
    overridden = models.TextField(
        _("guards overridden"), blank=True, help_text=_("What the rules said, when overridden.")
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class DeliveredAsset(models.Model):
    """The link from a delivered asset to the case and line that bought it.

    Owned by procurement so that the inventory never depends on it; the asset page reads
    it through the reverse relation `asset.delivery`.
    """

    case = models.ForeignKey(
        ProcurementCase, on_delete=models.PROTECT, related_name="delivered_assets"
    )
    line = models.ForeignKey(CaseLine, on_delete=models.PROTECT, related_name="delivered_assets")
    asset = models.OneToOneField(Asset, on_delete=models.PROTECT, related_name="delivery")

    class Meta:
        verbose_name = _("delivered asset")
        verbose_name_plural = _("delivered assets")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.asset_id}"


class TrialEvidence(models.Model):
    """A trial of equipment with patrons, attached to a case as evidence for its need.

    The trial's summary (sessions, average rating, comments) is read live from the asset's
    trial log, so the case shows what the log says today.
    """

    case = models.ForeignKey(
        ProcurementCase, on_delete=models.CASCADE, related_name="trial_evidence"
    )
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, related_name="+", verbose_name=_("equipment on trial")
    )
    attached_by = user_stamp(_("attached by"))
    attached_at = models.DateTimeField(_("attached"), default=timezone.now)

    class Meta:
        ordering = ["attached_at", "id"]
        verbose_name = _("trial evidence")
        verbose_name_plural = _("trial evidence")
        constraints = [
            models.UniqueConstraint(fields=["case", "asset"], name="trial_evidence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.asset_id}"


class ReminderSent(models.Model):
    """A reminder already e-mailed, so that the same event is never sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="reminder_once_per_event")
        ]

    def __str__(self) -> str:
        return self.key
