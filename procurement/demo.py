"""Demo data for procurement: the 2026 rule set, suppliers, agreements and cases in
every stage, made through the real services by the demo users. Loading twice changes
nothing: a case whose title exists is left as it is.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from inventory.models import Category, ChangeRecord, Library, Location

from . import services
from .choices import AgreementBody, CallOffMethod, Decision, DocumentKind, Funding, Stage
from .models import FrameworkAgreement, ProcurementCase, PurchasingRuleSet, Supplier

LOU = "LOU (SFS 2016:1145) 19 a kap. 2 §"
RULE_SETS = [
    {
        "name": "LOU och kommunens riktlinjer 2024",
        "effective_from": date(2024, 1, 1),
        "eu_threshold": Decimal("2389585"),
        "eu_threshold_eur": Decimal("221000"),
        "eu_threshold_source": "Kommissionens meddelande 2023, tröskelvärde för kommuner",
        "eu_threshold_confirmed": True,
    },
    {
        "name": "LOU och kommunens riktlinjer 2026",
        "effective_from": date(2026, 1, 1),
        "eu_threshold": None,
        "eu_threshold_eur": Decimal("216000"),
        "eu_threshold_source": "Kommissionens meddelande 2025-10-23; beloppet i kronor ej "
        "bekräftat",
        "eu_threshold_confirmed": False,
    },
]
COMMON_RULES = {
    "direct_award_limit": Decimal("700000"),
    "direct_award_limit_source": LOU + ", gäller från 2022-02-01",
    "documentation_threshold": Decimal("100000"),
    "documentation_threshold_source": "LOU 19 a kap. 11 §, gäller från 2022-02-01",
    "quote_tiers": [["0", 1], ["100000", 3]],
    "approval_levels": [
        ["0", "Bibliotekschef"],
        ["100000", "Kultur- och fritidschef"],
        ["700000", "Kultur- och fritidsnämnden"],
    ],
    "notes": "Under 100 000 kr en offert; från 100 000 kr till direktupphandlingsgränsen "
    "tre skriftliga offerter och dokumentation; från gränsen annonserad upphandling "
    "genom upphandlingsenheten.",
}
SUPPLIERS = [
    ("Datorhuset Norr AB", "556000-1111"),
    ("Kontorsteknik i Syd AB", "556000-2222"),
    ("Nordisk IT-partner AB", "556000-3333"),
    ("VR-lösningar Sverige AB", "556000-4444"),
]


def _pdf(title: str) -> SimpleUploadedFile:
    """A small real PDF standing in for a document someone uploaded."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setTitle(title)
    page.drawString(72, 770, title)
    page.drawString(72, 750, "Demodokument i Inventera.")
    page.save()
    return SimpleUploadedFile(f"{title}.pdf", buffer.getvalue(), "application/pdf")


def seed_rules() -> None:
    for values in RULE_SETS:
        PurchasingRuleSet.objects.get_or_create(
            effective_from=values["effective_from"], defaults={**COMMON_RULES, **values}
        )
    suppliers = {}
    for name, number in SUPPLIERS:
        suppliers[name], _ = Supplier.objects.get_or_create(
            name=name, defaults={"organisation_number": number}
        )
    expired, created = FrameworkAgreement.objects.get_or_create(
        name="Digitala enheter för arbetsplatsen 2019",
        defaults={
            "body": AgreementBody.ADDA,
            "valid_from": date(2021, 11, 1),
            "valid_to": date(2025, 10, 31),
            "call_off_method": CallOffMethod.MINI_COMPETITION,
        },
    )
    if created:
        expired.categories.set(
            Category.objects.filter(code__in=["workstation", "staff_pc", "tablet"])
        )
        expired.suppliers.set([suppliers["Datorhuset Norr AB"]])
    screens, created = FrameworkAgreement.objects.get_or_create(
        name="Skärmar och tillbehör 2025–2027",
        defaults={
            "body": AgreementBody.MUNICIPALITY,
            "valid_from": date(2025, 1, 1),
            "valid_to": date(2027, 12, 31),
            "call_off_method": CallOffMethod.RANKING,
        },
    )
    if created:
        screens.categories.set(Category.objects.filter(code__in=["screen", "accessory"]))
        screens.suppliers.set([suppliers["Kontorsteknik i Syd AB"]])


def _move(case, actor, *stages, **kwargs):
    for stage in stages:
        case = services.case_transition(case=case, to_stage=stage, actor=actor, **kwargs)
    return case


def _quote(case, it, supplier: str, amount: str, today: date, days_ago: int, valid: int = 60):
    return services.quote_add(
        case=case,
        actor=it,
        supplier=Supplier.objects.get(name=supplier),
        amount=Decimal(amount),
        received_on=today - timedelta(days=days_ago),
        valid_until=today - timedelta(days=days_ago) + timedelta(days=valid),
    )


def _to_approval(case, chef, strateg, level: int, analysis: str):
    case = _move(case, chef, Stage.ANALYSIS)
    case = services.case_update(
        case=case, actor=chef, expected_version=case.version, data={"analysis": analysis}
    )
    case = _move(case, chef, Stage.APPROVAL)
    if strateg is None:
        return case
    return services.case_decide(
        case=case, actor=strateg, decision=Decision.APPROVED, level=level, comment="Beviljas."
    )


def _age(case, days: int) -> None:
    """Let the demo show how long a case has waited: the whole case moved `days` back,
    so that its last move was `days` ago and the timeline keeps its order."""
    shift = timedelta(days=days)
    ProcurementCase.objects.filter(pk=case.pk).update(
        stage_changed_at=F("stage_changed_at") - shift, created_at=F("created_at") - shift
    )
    case.timeline.update(at=F("at") - shift)
    ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(ProcurementCase), object_id=case.pk
    ).update(at=F("at") - shift)


def _open(title: str, actor, library: str, category: str, value: str, lines, **fields):
    if ProcurementCase.objects.filter(title=title).exists():
        return None
    return services.case_create(
        actor=actor,
        library=Library.objects.get(code=library),
        title=title,
        category=Category.objects.get(code=category),
        estimated_value=Decimal(value),
        lines=[
            {
                "category": Category.objects.get(code=code),
                "description": text,
                "quantity": quantity,
                "estimated_unit_price": Decimal(price),
            }
            for code, text, quantity, price in lines
        ],
        **fields,
    )


@transaction.atomic
def seed_cases(users: dict, today: date) -> int:
    """The demo's cases; returns how many were created."""
    chef, it, strateg, admin = users["chef"], users["it"], users["strateg"], users["admin"]
    made = 0

    # The help centre's replacement, at sourcing with two of three quotes in.
    case = _open(
        "Ersätta åtta publika datorer och fyra skannrar i digitala hjälpcentret",
        chef,
        "HB",
        "workstation",
        "102000",
        [
            ("workstation", "Publik dator med skärm och tangentbord", 8, "11000"),
            ("scanner", "Flatbäddsskanner A4", 4, "3500"),
        ],
        need="Datorerna vid vuxeninformationen är fyra år gamla och långsamma; besökare "
        "som gör bankärenden och jobbansökningar får vänta. Fyra platser behöver skanner.",
        funding=Funding.GRANT,
        grant_name="Regionens bidrag för digital delaktighet 2026",
        grant_spend_by=today + timedelta(days=45),
    )
    if case:
        made += 1
        case = _to_approval(case, chef, strateg, 1, "Åtta platser används 6 timmar om dagen.")
        services.document_add(
            case=case, actor=it, kind=DocumentKind.SPECIFICATION, upload=_pdf("Kravlista")
        )
        case = _move(case, it, Stage.SOURCING)
        _quote(case, it, "Datorhuset Norr AB", "99400", today, 9)
        _quote(case, it, "Nordisk IT-partner AB", "104900", today, 4, valid=10)
        _age(case, 9)

    # VR equipment for the three libraries with four years' support: advertised, in standstill.
    case = _open(
        "VR-utrustning med support för tre bibliotek",
        chef,
        "HB",
        "vr_kit",
        "720000",
        [("vr_kit", "VR-kit med headset, handkontroller och dator, 4 års support", 6, "120000")],
        need="Besökare frågar efter VR; grannbiblioteket har visat att det lockar unga.",
        funding=Funding.INVESTMENT,
    )
    if case:
        made += 1
        case = _to_approval(case, chef, strateg, 2, "Sex kit fördelade på tre bibliotek.")
        services.document_add(
            case=case, actor=it, kind=DocumentKind.SPECIFICATION, upload=_pdf("Kravspec VR")
        )
        case = _move(case, it, Stage.SOURCING)
        case = services.case_update(
            case=case,
            actor=it,
            expected_version=case.version,
            data={"advertisement_id": "2026-KFF-0193"},
        )
        quote = _quote(case, it, "VR-lösningar Sverige AB", "688000", today, 20, valid=90)
        _quote(case, it, "Nordisk IT-partner AB", "712500", today, 19, valid=90)
        case = _move(case, it, Stage.AWARD)
        services.quote_choose(case=case, quote=quote, actor=it)
        services.document_add(
            case=case, actor=it, kind=DocumentKind.AWARD_DECISION, upload=_pdf("Tilldelning")
        )
        case = services.case_update(
            case=case,
            actor=it,
            expected_version=case.version,
            data={"award_notice_sent_on": today - timedelta(days=4)},
        )
        case = _move(case, it, Stage.STANDSTILL)
        _age(case, 4)

    # Staff PCs: the year's direct awards of the category add up (the aggregation warning).
    for library, title, value, stage_to in (
        ("HB", "Personaldatorer till informationsdisken", "380000", Stage.ORDERED),
        ("SO", "Personaldatorer till Södra biblioteket", "290000", Stage.APPROVAL),
        ("SO", "Bärbara personaldatorer för programverksamhet", "60000", Stage.NEED),
    ):
        opener = chef if library == "HB" else admin
        count = int(Decimal(value) / 12500) or 1
        case = _open(
            title,
            opener,
            library,
            "staff_pc",
            value,
            [("staff_pc", "Personaldator med dockningsstation", count, "12500")],
            need="Personalens datorer ersätts enligt livscykelplanen.",
        )
        if not case:
            continue
        made += 1
        if stage_to == Stage.NEED:
            _age(case, 3)
            continue
        case = _to_approval(
            case, opener, strateg if stage_to == Stage.ORDERED else None, 1, "Enligt plan."
        )
        if stage_to == Stage.APPROVAL:
            _age(case, 12)
            continue
        services.document_add(
            case=case, actor=it, kind=DocumentKind.SPECIFICATION, upload=_pdf("Krav personal")
        )
        case = _move(case, it, Stage.SOURCING)
        quotes = [
            _quote(case, it, supplier, amount, today, 50 - n)
            for n, (supplier, amount) in enumerate(
                [
                    ("Datorhuset Norr AB", "376000"),
                    ("Kontorsteknik i Syd AB", "389000"),
                    ("Nordisk IT-partner AB", "381500"),
                ]
            )
        ]
        case = _move(case, it, Stage.AWARD)
        services.quote_choose(case=case, quote=quotes[0], actor=it)
        services.document_add(
            case=case,
            actor=it,
            kind=DocumentKind.DIRECT_AWARD_DOCUMENTATION,
            upload=_pdf("Dokumentation direktupphandling"),
        )
        case = services.case_update(
            case=case,
            actor=it,
            expected_version=case.version,
            data={"order_reference": "IO-2026-5531", "expected_delivery": today - timedelta(7)},
        )
        case = _move(case, it, Stage.ORDERED)
        _age(case, 35)

    # Tablets for the children's department: delivered, waiting for registration.
    case = _open(
        "Surfplattor till barnavdelningen",
        admin,
        "SO",
        "tablet",
        "20800",
        [("tablet", "Surfplatta 10,9 tum med skal", 4, "5200")],
        need="Sagostunder och programmering för barn behöver fyra plattor.",
    )
    if case:
        made += 1
        case = _to_approval(case, admin, strateg, 0, "Fyra plattor räcker för en grupp.")
        case = _move(case, it, Stage.SOURCING)
        quote = _quote(case, it, "Datorhuset Norr AB", "20400", today, 30)
        case = _move(case, it, Stage.AWARD)
        services.quote_choose(case=case, quote=quote, actor=it)
        case = services.case_update(
            case=case,
            actor=it,
            expected_version=case.version,
            data={"order_reference": "IO-2026-4410", "expected_delivery": today},
        )
        case = _move(case, it, Stage.ORDERED, Stage.DELIVERED)
        _age(case, 2)

    # Screens called off from the municipality's agreement: installed and closed.
    case = _open(
        "Skärmar till personalrummet",
        admin,
        "NO",
        "screen",
        "9200",
        [("screen", "Skärm 24 tum", 4, "2300")],
        need="Personalen delar två små skärmar.",
    )
    if case:
        made += 1
        case = _to_approval(case, admin, strateg, 0, "En skärm per arbetsplats.")
        case = services.case_update(
            case=case,
            actor=it,
            expected_version=case.version,
            data={"framework_agreement": FrameworkAgreement.objects.get(name__startswith="Skärm")},
        )
        case = _move(case, it, Stage.SOURCING)
        quote = _quote(case, it, "Kontorsteknik i Syd AB", "9040", today, 80)
        case = _move(case, it, Stage.AWARD)
        services.quote_choose(case=case, quote=quote, actor=it)
        case = services.case_update(
            case=case, actor=it, expected_version=case.version, data={"order_reference": "A-881"}
        )
        case = _move(case, it, Stage.ORDERED, Stage.DELIVERED)
        services.assets_register_delivery(
            case=case,
            actor=it,
            location=Location.objects.get(library__code="NO", name="Personalrum"),
            delivered_on=today - timedelta(days=40),
            items=[
                services.DeliveryItem(
                    line=case.lines.get(), serial_numbers=[f"NOCN9{n:04}" for n in range(1, 5)]
                )
            ],
        )
        case = _move(case, it, Stage.INSTALLED, Stage.CLOSED)
        _age(case, 30)

    # A need just written down by the library manager.
    case = _open(
        "Hörslinga och hörlurar vid datorplatserna",
        chef,
        "HB",
        "accessory",
        "14000",
        [("accessory", "Hörlurar med mikrofon", 10, "400"), ("accessory", "Hörslinga", 1, "10000")],
        need="Besökare med hörapparat kan inte höra instruktionsfilmer vid datorerna.",
    )
    if case:
        made += 1
        _age(case, 1)
    return made
