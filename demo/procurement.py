"""Demo data for procurement: the 2026 rule set, suppliers, agreements and cases in
every stage, made through the real services by the demo users. Loading twice changes
nothing: a case whose title exists is left as it is.
"""

import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from inventory.models import Category, ChangeRecord, Library, Location
from procurement import services
from procurement.choices import (
    AgreementBody,
    CallOffMethod,
    CompetitionMethod,
    Decision,
    DocumentKind,
    Funding,
    Stage,
)
from procurement.models import (
    FrameworkAgreement,
    ProcurementCase,
    PurchasingRuleSet,
    StageChange,
    Supplier,
)

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
# Made-up companies; the numbers pass the organisation-number check.
SUPPLIERS = [
    ("Datorhuset Norr AB", "556000-1116"),
    ("Kontorsteknik i Syd AB", "556000-2221"),
    ("Nordisk IT-partner AB", "556000-3336"),
    ("VR-lösningar Sverige AB", "556000-4441"),
]


STAFF_PC_QUOTES = [
    ("Datorhuset Norr AB", "376000"),
    ("Kontorsteknik i Syd AB", "389000"),
    ("Nordisk IT-partner AB", "381500"),
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


SCREENS = "Skärmar och tillbehör"


def seed_rules(today: date | None = None) -> None:
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
    # In force from the start of last year to the end of next, whenever the demo is
    # loaded: its cases call it off, which only an agreement in force allows.
    year = (today or date.today()).year
    screens, created = FrameworkAgreement.objects.get_or_create(
        name__startswith=SCREENS,
        defaults={
            "name": f"{SCREENS} {year - 1}–{year + 1}",
            "body": AgreementBody.MUNICIPALITY,
            "valid_from": date(year - 1, 1, 1),
            "valid_to": date(year + 1, 12, 31),
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


def _timeline(case, today: date, days_ago: list[int]) -> None:
    """Spread a case's timeline over the past: the n-th stage change `days_ago[n]` days
    before today (at ten in the morning), so that the reports have lead times to show.
    The case's opening, its last move, its history and its decisions follow."""
    changes = list(case.timeline.order_by("at", "id"))
    if len(changes) != len(days_ago):
        raise ValueError(f"{case.reference}: {len(changes)} stage changes, {len(days_ago)} days")
    tz = timezone.get_current_timezone()
    moments = [
        datetime.combine(today - timedelta(days=days), time(10, 0), tzinfo=tz) for days in days_ago
    ]
    for change, moment in zip(changes, moments, strict=True):
        StageChange.objects.filter(pk=change.pk).update(at=moment)
        if change.to_stage == Stage.SPECIFICATION:
            case.approvals.update(decided_at=moment)
    ProcurementCase.objects.filter(pk=case.pk).update(
        created_at=moments[0], stage_changed_at=moments[-1]
    )
    ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(ProcurementCase), object_id=case.pk
    ).update(at=moments[0])


def _open(title: str, actor, library: str, category: str, value: str, lines, opened=None, **fields):
    """Open a demo case unless one of that title exists; `opened` is the day it was opened
    (its reference's year), for the cases of earlier years."""
    if ProcurementCase.objects.filter(title=title).exists():
        return None
    return services.case_create(
        today=opened,
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
        case = services.case_update(
            case=case,
            actor=it,
            expected_version=case.version,
            data={
                "competition_method": CompetitionMethod.ASKED,
                "suppliers_asked": Supplier.objects.filter(
                    name__in=[
                        "Datorhuset Norr AB",
                        "Nordisk IT-partner AB",
                        "Kontorsteknik i Syd AB",
                    ]
                ),
            },
        )
        _timeline(case, today, [48, 41, 35, 21, 9])

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
        _timeline(case, today, [110, 100, 92, 80, 60, 20, 4])

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
            _timeline(case, today, [3])
            continue
        case = _to_approval(
            case, opener, strateg if stage_to == Stage.ORDERED else None, 1, "Enligt plan."
        )
        if stage_to == Stage.APPROVAL:
            _timeline(case, today, [30, 20, 12])
            continue
        services.document_add(
            case=case, actor=it, kind=DocumentKind.SPECIFICATION, upload=_pdf("Krav personal")
        )
        case = _move(case, it, Stage.SOURCING)
        quotes = [
            _quote(case, it, supplier, amount, today, 50 - n)
            for n, (supplier, amount) in enumerate(STAFF_PC_QUOTES)
        ]
        case = _move(case, it, Stage.AWARD)
        services.quote_choose(case=case, quote=quotes[0], actor=it)
        case = services.case_update(
            case=case,
            actor=it,
            expected_version=case.version,
            data={
                "order_reference": "IO-2026-5531",
                "expected_delivery": today - timedelta(7),
                # What the documentation of a direct award of 100 000 kr or more must say.
                "competition_method": CompetitionMethod.ASKED,
                "suppliers_asked": Supplier.objects.filter(
                    name__in=[supplier for supplier, _amount in STAFF_PC_QUOTES]
                ),
                "award_reason": "Lägsta pris bland tre skriftliga offerter som alla "
                "uppfyllde kraven.",
            },
        )
        case = _move(case, it, Stage.ORDERED)
        _timeline(case, today, [120, 112, 105, 95, 70, 50, 35])

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
        _timeline(case, today, [75, 70, 64, 60, 45, 30, 20, 2])

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
        _timeline(case, today, [160, 155, 150, 147, 140, 80, 75, 40, 35, 30])

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
        _timeline(case, today, [1])
    made += _seed_history(users, today)
    return made


def _delivered(case, it, today: date, days_ago: int, location: tuple[str, str], prefix: str):
    """Register every line of a case as delivered `days_ago` days ago."""
    return services.assets_register_delivery(
        case=case,
        actor=it,
        location=Location.objects.get(library__code=location[0], name=location[1]),
        delivered_on=today - timedelta(days=days_ago),
        items=[
            services.DeliveryItem(
                line=line,
                serial_numbers=[f"{prefix}{line.pk}{n:03}" for n in range(1, line.quantity + 1)],
            )
            for line in case.lines.all()
        ],
    )


def _seed_history(users: dict, today: date) -> int:
    """Cases from the last year and a half, finished or stopped, with their timelines
    spread over the months they took: what the strategist report's lead times, spend
    and grants are made of."""
    chef, it, strateg, admin = users["chef"], users["it"], users["strateg"], users["admin"]
    made = 0

    def through_order(case, opener, supplier, amount, *, quote_days_ago, framework=None):
        case = _to_approval(case, opener, strateg, 0, "Behovet är beskrivet och förankrat.")
        if framework:
            case = services.case_update(
                case=case,
                actor=it,
                expected_version=case.version,
                data={
                    "framework_agreement": FrameworkAgreement.objects.get(
                        name__startswith=framework
                    )
                },
            )
        case = _move(case, it, Stage.SOURCING)
        quote = _quote(case, it, supplier, amount, today, quote_days_ago, valid=90)
        case = _move(case, it, Stage.AWARD)
        services.quote_choose(case=case, quote=quote, actor=it)
        case = services.case_update(
            case=case,
            actor=it,
            expected_version=case.version,
            data={"order_reference": f"IO-{case.year}-{case.number:04d}"},
        )
        return _move(case, it, Stage.ORDERED, Stage.DELIVERED)

    # Scanners for the help centre: from need to closed in three months, last year.
    case = _open(
        "Två skannrar till digitala hjälpcentret",
        chef,
        "HB",
        "scanner",
        "7000",
        [("scanner", "Dokumentskanner A4", 2, "3500")],
        need="Besökare vill skanna intyg och ansökningar till myndigheter.",
        opened=today - timedelta(days=300),
    )
    if case:
        made += 1
        case = through_order(case, chef, "Kontorsteknik i Syd AB", "6780", quote_days_ago=255)
        _delivered(case, it, today, 225, ("HB", "Förråd IT"), "SCN")
        case = _move(case, it, Stage.INSTALLED, Stage.CLOSED)
        _timeline(case, today, [300, 295, 290, 280, 270, 255, 250, 225, 220, 210])

    # A printer for Norrbiblioteket, paused for two months waiting on the budget.
    case = _open(
        "Skrivare till Norrbiblioteket",
        admin,
        "NO",
        "printer",
        "24000",
        [("printer", "Färglaserskrivare med skanner", 1, "24000")],
        need="Besökare behöver skriva ut biljetter, intyg och CV.",
        opened=today - timedelta(days=200),
    )
    if case:
        made += 1
        case = _to_approval(case, admin, strateg, 0, "En skrivare räcker för filialen.")
        case = _move(case, it, Stage.ON_HOLD, comment="Inväntar budgetbeslut.")
        case = _move(case, it, Stage.SPECIFICATION)
        case = _move(case, it, Stage.SOURCING)
        quote = _quote(case, it, "Kontorsteknik i Syd AB", "22900", today, 122)
        case = _move(case, it, Stage.AWARD)
        services.quote_choose(case=case, quote=quote, actor=it)
        case = services.case_update(
            case=case, actor=it, expected_version=case.version, data={"order_reference": "A-2291"}
        )
        case = _move(case, it, Stage.ORDERED, Stage.DELIVERED)
        _delivered(case, it, today, 95, ("NO", "Publika datorer"), "PRN")
        case = _move(case, it, Stage.INSTALLED)
        _timeline(case, today, [200, 190, 183, 170, 165, 140, 130, 120, 115, 95, 90])

    # Tablets for homework help, bought and delivered in the previous fiscal year.
    case = _open(
        "Surfplattor till läxhjälpen",
        admin,
        "SO",
        "tablet",
        "28800",
        [("tablet", "Surfplatta med tangentbordsfodral", 6, "4800")],
        need="Läxhjälpen på eftermiddagarna behöver plattor som barnen kan låna på plats.",
        funding=Funding.GRANT,
        grant_name="Stärkta bibliotek, läsfrämjande",
        grant_spend_by=today - timedelta(days=300),
        opened=today - timedelta(days=430),
    )
    if case:
        made += 1
        case = through_order(case, admin, "Datorhuset Norr AB", "27600", quote_days_ago=372)
        _delivered(case, it, today, 340, ("SO", "Barnavdelningen"), "TAB")
        case = _move(case, it, Stage.INSTALLED, Stage.CLOSED)
        _timeline(case, today, [430, 420, 410, 395, 385, 372, 368, 340, 335, 330])

    # Accessibility aids for the help centre, installed a month ago.
    case = _open(
        "Förstoringsprogram och tangentbord med stora tangenter",
        chef,
        "HB",
        "accessory",
        "7500",
        [("accessory", "Tangentbord med stora tangenter och förstoringsprogram", 3, "2500")],
        need="Synsvaga besökare behöver större text och tangenter vid datorerna.",
        opened=today - timedelta(days=84),
    )
    if case:
        made += 1
        case = through_order(
            case,
            chef,
            "Kontorsteknik i Syd AB",
            "7140",
            quote_days_ago=52,
            framework=SCREENS,
        )
        _delivered(case, it, today, 32, ("HB", "Förråd IT"), "ACC")
        case = _move(case, it, Stage.INSTALLED)
        _timeline(case, today, [84, 78, 71, 62, 55, 47, 42, 32, 28])

    # A wish that was turned down at the approval.
    case = _open(
        "Spelkonsol till ungdomsrummet",
        admin,
        "NO",
        "other",
        "12000",
        [("other", "Spelkonsol med två handkontroller", 1, "12000")],
        need="Ungdomarna vill spela tillsammans på fredagskvällarna.",
        opened=today - timedelta(days=150),
    )
    if case:
        made += 1
        case = _to_approval(case, admin, None, 0, "Önskemål från ungdomsrådet.")
        services.case_decide(
            case=case,
            actor=strateg,
            decision=Decision.REJECTED,
            level=0,
            comment="Ryms inte i årets budget; tas upp igen till hösten.",
        )
        case.refresh_from_db()
        _timeline(case, today, [150, 146, 140, 128])
    return made
