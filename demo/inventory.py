"""Demo data for the register: three libraries, a digital help centre, mixed equipment.

Dates are relative to the day the demo is loaded, so that warranties end "soon" and
replacements are "due" whenever someone tries it. Loading twice changes nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction

from inventory import roles, services
from inventory.choices import AssetStatus, ChangeSource, MaintenanceKind, Ownership, Usage
from inventory.dates import add_months
from inventory.models import (
    Asset,
    Category,
    Feature,
    Library,
    Location,
    Manufacturer,
    ProductModel,
    Profile,
)

DEMO_PASSWORD = "inventera-demo"  # noqa: S105 - documented demo password, DEBUG only

LIBRARIES = [
    ("HB", "Stadsbiblioteket", "Stora torget 1"),
    ("NO", "Norrbiblioteket", "Norra vägen 12"),
    ("SO", "Södra biblioteket", "Södra allén 3"),
]
HELP_CENTRE = "Plan 2 – vid vuxeninformationen"
LOCATIONS = {
    "HB": [HELP_CENTRE, "Plan 2 – VR-hörnan", "Förråd IT", "Personalrum plan 3"],
    "NO": ["Publika datorer", "Personalrum"],
    "SO": ["Publika datorer", "Barnavdelningen", "Personalrum"],
}
# code, Swedish, English, lifecycle months, is kit, stores data
CATEGORIES = [
    ("workstation", "Publik dator", "Public workstation", 48, False, True),
    ("staff_pc", "Personaldator", "Staff PC", 48, False, True),
    ("scanner", "Skanner", "Scanner", 60, False, False),
    ("printer", "Skrivare", "Printer", 60, False, False),
    ("vr_headset", "VR-headset", "VR headset", 36, False, True),
    ("vr_kit", "VR-kit", "VR kit", 36, True, False),
    ("tablet", "Surfplatta", "Tablet", 48, False, True),
    ("screen", "Skärm", "Screen", 60, False, False),
    ("accessory", "Tillbehör", "Accessory", 36, False, False),
    ("other", "Övrigt", "Other", 48, False, False),
]
# What is checked when a lent asset of the category comes back.
LOAN_CHECKLISTS = {
    "vr_kit": "\n".join(
        [
            "Headset och två handkontroller",
            "Dator och nätsladd",
            "Länkkabel",
            "Ansiktsskydd rengjorda",
            "Handkontrollernas batterier laddade",
        ]
    ),
    "tablet": "Laddare och kabel\nSkal utan sprickor\nLaddad",
}
FEATURES = [
    ("screen_reader", "Skärmläsare", "Screen reader"),
    ("magnifier", "Förstoringsprogram", "Screen magnifier"),
    ("large_keys", "Tangentbord med stora tangenter", "Large-key keyboard"),
    ("height_adjustable", "Höj- och sänkbart bord", "Height-adjustable desk"),
    ("headphones", "Hörlurar", "Headphones"),
    ("scanner", "Skanner ansluten", "Scanner attached"),
]
MODELS = {
    "Lenovo": ["ThinkCentre M70q Gen 4", "ThinkCentre M75q Gen 2"],
    "HP": ["EliteDesk 800 G6", "Color LaserJet Pro MFP M479fdw"],
    "Epson": ["Perfection V600 Photo"],
    "Canon": ["CanoScan LiDE 400"],
    "Meta": ["Quest 3", "Quest Touch Plus"],
    "ASUS": ["ROG G22CH"],
    "Pico": ["4 Ultra"],
    "Apple": ["iPad 10,9 tum"],
    "Samsung": ["Galaxy Tab S9 FE"],
    "Dell": ["P2423"],
}
USERS = [
    ("chef", "Karin", "Berg", roles.LIBRARY_MANAGER, ["HB"]),
    ("it", "Jonas", "Ek", roles.IT_STAFF, []),
    ("strateg", "Sara", "Nilsson", roles.STRATEGIST, []),
    ("admin", "Ali", "Haddad", roles.ADMINISTRATOR, []),
]


def seed_users() -> dict[str, User]:
    """The four demo logins, password `inventera-demo`; existing ones are left as they are."""
    users = {}
    for username, first, last, role, library_codes in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.org",
                "is_staff": username == "admin",
                "is_superuser": username == "admin",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.libraries.add(*Library.objects.filter(code__in=library_codes))
        users[username] = user
    return users


def seed_reference_data() -> None:
    for code, name, address in LIBRARIES:
        library, _ = Library.objects.get_or_create(
            code=code, defaults={"name": name, "address": address}
        )
        for location in LOCATIONS[code]:
            Location.objects.get_or_create(library=library, name=location)
    for code, sv, en, months, is_kit, stores_data in CATEGORIES:
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name_sv": sv,
                "name_en": en,
                "lifecycle_months": months,
                "is_kit": is_kit,
                "stores_data": stores_data,
                "loan_checklist": LOAN_CHECKLISTS.get(code, ""),
            },
        )
    for code, sv, en in FEATURES:
        Feature.objects.get_or_create(code=code, defaults={"name_sv": sv, "name_en": en})
    for manufacturer, names in MODELS.items():
        maker, _ = Manufacturer.objects.get_or_create(name=manufacturer)
        for name in names:
            ProductModel.objects.get_or_create(manufacturer=maker, name=name)


def _asset_rows(today: date) -> list[dict]:
    """Every demo asset as the keyword arguments of asset_create (plus a few extras)."""
    ago = lambda months: add_months(today, -months)  # noqa: E731
    rows = []
    for n in range(1, 9):
        # Four bought four years ago (due for replacement), four last year.
        old = n <= 4
        features = ["headphones"] + (["scanner"] if n <= 4 else [])
        if n == 1:
            features += ["screen_reader", "magnifier", "large_keys"]
        if n == 2:
            features += ["height_adjustable"]
        bought = ago(47) if old else ago(14)
        rows.append(
            {
                "tag": f"HB-PC-{n:02}",
                "library": "HB",
                "location": HELP_CENTRE,
                "category": "workstation",
                "model": ("Lenovo", "ThinkCentre M75q Gen 2" if old else "ThinkCentre M70q Gen 4"),
                "serial_number": f"PF3{n:05}{'A' if old else 'C'}",
                "hostname": f"hb-pub-{n:02}",
                "status": AssetStatus.IN_USE,
                "usage": Usage.PUBLIC,
                "purchase_date": bought,
                "purchase_price": Decimal("7950.00") if old else Decimal("8495.00"),
                "warranty_end": add_months(bought, 48 if old else 36) - timedelta(days=20 * n),
                "features": features,
            }
        )
    for n in range(1, 5):
        bought = ago(30)
        rows.append(
            {
                "tag": f"HB-SC-{n:02}",
                "library": "HB",
                "location": HELP_CENTRE,
                "category": "scanner",
                "model": ("Epson", "Perfection V600 Photo")
                if n <= 2
                else ("Canon", "CanoScan LiDE 400"),
                "serial_number": f"X4{n:06}",
                "status": AssetStatus.IN_USE,
                "usage": Usage.PUBLIC,
                "purchase_date": bought,
                "purchase_price": Decimal("2390.00") if n <= 2 else Decimal("1190.00"),
                "warranty_end": add_months(bought, 36) + timedelta(days=10 * n),
                "notes": f"Ansluten till HB-PC-{n:02}.",
            }
        )
    rows += [
        {
            "tag": "HB-PR-01",
            "library": "HB",
            "location": HELP_CENTRE,
            "category": "printer",
            "model": ("HP", "Color LaserJet Pro MFP M479fdw"),
            "serial_number": "CNB1R40211",
            "hostname": "hb-print-01",
            "status": AssetStatus.IN_USE,
            "usage": Usage.PUBLIC,
            "purchase_date": ago(40),
            "purchase_price": Decimal("6990.00"),
            "warranty_end": ago(16),
            "it_reference": "CMDB-20931",
        },
        {
            "tag": "HB-VR-01",
            "library": "HB",
            "location": "Plan 2 – VR-hörnan",
            "category": "vr_kit",
            "status": AssetStatus.IN_USE,
            "usage": Usage.PUBLIC,
            "purchase_date": ago(11),
            "lendable": True,
            "notes": "Komplett VR-kit: headset, handkontroller och dator.",
        },
        {
            "tag": "HB-VR-02",
            "library": "HB",
            "location": "Plan 2 – VR-hörnan",
            "category": "vr_headset",
            "model": ("Meta", "Quest 3"),
            "serial_number": "2G0YC5ZF8R0123",
            "status": AssetStatus.IN_USE,
            "purchase_date": ago(11),
            "purchase_price": Decimal("6490.00"),
            "warranty_end": add_months(ago(11), 24),
            "parent": "HB-VR-01",
        },
        {
            "tag": "HB-VR-03",
            "library": "HB",
            "location": "Plan 2 – VR-hörnan",
            "category": "accessory",
            "model": ("Meta", "Quest Touch Plus"),
            "status": AssetStatus.IN_USE,
            "purchase_date": ago(11),
            "purchase_price": Decimal("1490.00"),
            "parent": "HB-VR-01",
            "notes": "Två handkontroller.",
        },
        {
            "tag": "HB-VR-04",
            "library": "HB",
            "location": "Plan 2 – VR-hörnan",
            "category": "workstation",
            "model": ("ASUS", "ROG G22CH"),
            "serial_number": "R9NRKD000412",
            "hostname": "hb-vr-01",
            "status": AssetStatus.IN_USE,
            "purchase_date": ago(11),
            "purchase_price": Decimal("17990.00"),
            "warranty_end": add_months(ago(11), 24),
            "parent": "HB-VR-01",
        },
        {
            "tag": "HB-VR-05",
            "library": "HB",
            "location": "Förråd IT",
            "category": "vr_headset",
            "model": ("Pico", "4 Ultra"),
            "serial_number": "PA7L10MGH4",
            "status": AssetStatus.IN_STOCK,
            "ownership": Ownership.TRIAL,
            "trial_return_by": today + timedelta(days=24),
            "notes": "Demoexemplar från leverantören, testas med besökare.",
        },
        {
            "tag": "HB-TAB-01",
            "library": "HB",
            "location": HELP_CENTRE,
            "category": "tablet",
            "model": ("Samsung", "Galaxy Tab S9 FE"),
            "serial_number": "R52W70AB1CD",
            "status": AssetStatus.IN_USE,
            "usage": Usage.PUBLIC,
            "ownership": Ownership.TRIAL,
            "trial_return_by": today + timedelta(days=5),
            "notes": "Lånad av leverantören för att prova med seniorer före ett köp.",
        },
    ]
    for n in range(1, 4):
        rows.append(
            {
                "tag": f"HB-ST-{n:02}",
                "library": "HB",
                "location": "Personalrum plan 3",
                "category": "staff_pc",
                "model": ("HP", "EliteDesk 800 G6"),
                "serial_number": f"CZC1{n:05}",
                "hostname": f"hb-staff-{n:02}",
                "status": AssetStatus.IN_USE,
                "usage": Usage.STAFF,
                "ownership": Ownership.LEASED,
                "lease_end": add_months(today, 6 + n),
                "purchase_date": ago(36 + n),
                "purchase_price": Decimal("9800.00"),
                "warranty_end": add_months(ago(36 + n), 36) + timedelta(days=60),
            }
        )
    rows.append(
        {
            "tag": "HB-PC-09",
            "library": "HB",
            "location": "Förråd IT",
            "category": "workstation",
            "model": ("Lenovo", "ThinkCentre M75q Gen 2"),
            "serial_number": "PF200077",
            "status": AssetStatus.IN_USE,
            "usage": Usage.PUBLIC,
            "purchase_date": ago(70),
            "purchase_price": Decimal("7200.00"),
            "warranty_end": ago(34),
        }
    )
    for code, count_pc, count_tab, count_screen in (("NO", 3, 4, 1), ("SO", 2, 2, 2)):
        for n in range(1, count_pc + 1):
            bought = ago(20 + 9 * n)
            rows.append(
                {
                    "tag": f"{code}-PC-{n:02}",
                    "library": code,
                    "location": "Publika datorer",
                    "category": "workstation",
                    "model": ("Lenovo", "ThinkCentre M70q Gen 4"),
                    "serial_number": f"{code}PF{n:05}",
                    "hostname": f"{code.lower()}-pub-{n:02}",
                    "status": AssetStatus.IN_USE,
                    "usage": Usage.PUBLIC,
                    "purchase_date": bought,
                    "purchase_price": Decimal("8495.00"),
                    "warranty_end": add_months(bought, 36),
                    "features": ["headphones"],
                }
            )
        for n in range(1, count_tab + 1):
            bought = ago(8 + 6 * n)
            rows.append(
                {
                    "tag": f"{code}-TAB-{n:02}",
                    "library": code,
                    "location": "Barnavdelningen" if code == "SO" else "Publika datorer",
                    "category": "tablet",
                    "model": ("Apple", "iPad 10,9 tum"),
                    "serial_number": f"{code}DMP{n:04}",
                    "status": AssetStatus.IN_USE if n > 1 else AssetStatus.IN_STOCK,
                    "usage": Usage.PUBLIC,
                    "purchase_date": bought,
                    "purchase_price": Decimal("4990.00"),
                    "warranty_end": add_months(bought, 12),
                }
            )
        for n in range(1, count_screen + 1):
            rows.append(
                {
                    "tag": f"{code}-SK-{n:02}",
                    "library": code,
                    "location": "Personalrum",
                    "category": "screen",
                    "model": ("Dell", "P2423"),
                    "serial_number": f"{code}CN0{n:04}",
                    "status": AssetStatus.IN_USE,
                    "usage": Usage.STAFF,
                    "purchase_date": ago(26),
                    "purchase_price": Decimal("2290.00"),
                    "warranty_end": add_months(ago(26), 36),
                }
            )
    return rows


@transaction.atomic
def seed_assets(actor: User, today: date) -> int:
    """Create the demo assets that do not exist yet; return how many were created."""
    created = 0
    libraries = {library.code: library for library in Library.objects.all()}
    for row in _asset_rows(today):
        if Asset.objects.filter(tag=row["tag"]).exists():
            continue
        row = dict(row)
        library = libraries[row.pop("library")]
        row["library"] = library
        row["location"] = Location.objects.get(library=library, name=row["location"])
        row["category"] = Category.objects.get(code=row["category"])
        if "model" in row:
            maker, name = row.pop("model")
            row["model"] = ProductModel.objects.get(manufacturer__name=maker, name=name)
        if "parent" in row:
            row["parent"] = Asset.objects.get(tag=row["parent"])
        features = Feature.objects.filter(code__in=row.pop("features", []))
        services.asset_create(
            actor=actor,
            features=features,
            source=ChangeSource.SYSTEM,
            source_detail="seed_demo",
            **row,
        )
        created += 1
    _demo_moves(actor, today)
    return created


def _demo_moves(actor: User, today: date) -> None:
    """A staff PC in repair and an old workstation retired, through the real moves."""
    repair = Asset.objects.get(tag="HB-ST-02")
    if repair.status == AssetStatus.IN_USE:
        services.asset_change_status(
            asset=repair,
            to_status=AssetStatus.IN_REPAIR,
            actor=actor,
            comment="Startar inte. Skickad till leverantörens verkstad.",
            source=ChangeSource.SYSTEM,
            source_detail="seed_demo",
        )
        Asset.objects.filter(pk=repair.pk).update(
            status_changed_at=repair.status_changed_at - timedelta(days=12)
        )
    retired = Asset.objects.get(tag="HB-PC-09")
    if retired.status == AssetStatus.IN_USE:
        services.asset_change_status(
            asset=retired,
            to_status=AssetStatus.RETIRED,
            actor=actor,
            comment="Ersatt av nyare dator; väntar på kassering.",
            source=ChangeSource.SYSTEM,
            source_detail="seed_demo",
        )
    reimaged = Asset.objects.get(tag="HB-PC-03")
    if not reimaged.maintenance.exists():
        services.maintenance_add(
            asset=reimaged,
            actor=actor,
            date=today - timedelta(days=40),
            kind=MaintenanceKind.REIMAGING,
            description="Ny standardavbild efter uppdatering av Windows.",
            performed_by="IT-supporten",
        )
