"""A believable GIE to try the product with: `flask --app gie demo load` (idempotent)."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from gie.cooperatives.models import Cooperative
from gie.cooperatives.services import create_cooperative
from gie.errors import DomainError
from gie.users.models import User
from gie.users.services import create_user

PASSWORD = "demo-gie-2026"


def ice_for(enterprise: int, establishment: int = 1) -> str:
    """A valid ICE: 9 enterprise digits, 4 establishment digits, 2 check digits (MOD 97)."""
    base = int(f"{enterprise:09d}{establishment:04d}")
    return f"{base:013d}{(-base * 100) % 97:02d}"


# code, French name, Arabic name, filière, province, commune, women, men, youth, status
COOPERATIVES = [
    (
        "COOP-001",
        "Coopérative Laitière Jbala",
        "تعاونية جبالة للحليب",
        "dairy",
        "MA-CHE",
        "Bab Taza",
        14,
        9,
        6,
        "active",
    ),
    (
        "COOP-002",
        "Coopérative Fromagère Chefchaouen",
        "تعاونية شفشاون للجبن",
        "dairy",
        "MA-CHE",
        "Chefchaouen",
        21,
        3,
        8,
        "active",
    ),
    (
        "COOP-003",
        "Coopérative des Potiers de Tétouan",
        "تعاونية فخارين تطوان",
        "pottery",
        "MA-TET",
        "Tétouan",
        4,
        12,
        5,
        "active",
    ),
    (
        "COOP-004",
        "Coopérative Tissage Akhmas",
        "تعاونية أخماس للنسيج",
        "weaving",
        "MA-CHE",
        "Bab Berred",
        27,
        0,
        11,
        "active",
    ),
    (
        "COOP-005",
        "Coopérative Huile d'Olive Ouezzane",
        "تعاونية وزان لزيت الزيتون",
        "olive_oil",
        "MA-OUZ",
        "Ouezzane",
        8,
        17,
        4,
        "active",
    ),
    (
        "COOP-006",
        "Coopérative Apicole du Rif",
        "تعاونية الريف لتربية النحل",
        "honey",
        "MA-HOC",
        "Imzouren",
        6,
        10,
        7,
        "active",
    ),
    (
        "COOP-007",
        "Coopérative Bois et Marqueterie Tanger",
        "تعاونية طنجة للخشب",
        "wood",
        "MA-TNG",
        "Tanger",
        2,
        15,
        3,
        "active",
    ),
    (
        "COOP-008",
        "Coopérative Plantes Aromatiques Larache",
        "تعاونية العرائش للنباتات العطرية",
        "aromatic_plants",
        "MA-LAR",
        "Ksar El Kébir",
        19,
        4,
        9,
        "active",
    ),
    (
        "COOP-009",
        "Coopérative Artisans Bâtisseurs Fnideq",
        "تعاونية الصناع البنائين الفنيدق",
        "building",
        "MA-MDF",
        "Fnideq",
        0,
        11,
        4,
        "suspended",
    ),
    (
        "COOP-010",
        "Coopérative Cuir Anjra",
        "تعاونية أنجرة للجلد",
        "leather",
        "MA-FAH",
        "Ksar Sghir",
        7,
        6,
        5,
        "active",
    ),
    (
        "COOP-011",
        "Coopérative Couscous Beni Ahmed",
        "تعاونية بني أحمد للكسكس",
        "food",
        "MA-CHE",
        "Bni Ahmed",
        16,
        0,
        6,
        "candidate",
    ),
    (
        "COOP-012",
        "Coopérative Pêcheurs Al Hoceima",
        "تعاونية صيادي الحسيمة",
        "fishing",
        "MA-HOC",
        "Al Hoceïma",
        1,
        22,
        9,
        "withdrawn",
    ),
]

USERS = [
    ("admin@gie-tta.ma", "Salma Bennani", "admin", None),
    ("comptable@gie-tta.ma", "Youssef El Amrani", "accountant", None),
    ("commercial@gie-tta.ma", "Nadia Tazi", "sales_adviser", None),
    ("formation@gie-tta.ma", "Karim Alaoui", "training_coordinator", None),
    ("president.jbala@gie-tta.ma", "Fatima Zahra Ouazzani", "president", "COOP-001"),
    ("president.potiers@gie-tta.ma", "Mohamed Riffi", "president", "COOP-003"),
]


class DemoRefused(DomainError):
    """The demo would be loaded into a database that is not a demo's."""


def refuse_real_data(session: Session, environment: str) -> None:
    """Refuse to load the demo in production or into a database holding anything but the
    demo's cooperatives and users: its users' shared password would open real data.
    Raises DemoRefused."""
    if environment == "production":
        raise DemoRefused(_l("The demo is not loaded in production (GIE_ENV=production)."))
    demo_codes = [row[0] for row in COOPERATIVES]
    demo_emails = [row[0] for row in USERS]
    foreign = session.scalar(
        select(
            exists().where(Cooperative.code.not_in(demo_codes))
            | exists().where(User.email.not_in(demo_emails))
        )
    )
    if foreign:
        raise DemoRefused(
            _l(
                "This database holds cooperatives or users that are not the demo's: the demo "
                "is not loaded into it."
            )
        )


def load(session: Session) -> list[tuple[str, str]]:
    """Create what is missing, leave what exists. Returns the demo logins (email, role)."""
    existing = set(session.scalars(select(Cooperative.code)))
    for number, row in enumerate(COOPERATIVES, start=1):
        code, name, name_ar, filiere, province, commune, women, men, youth, status = row
        if code in existing:
            continue
        year = 2008 + number
        create_cooperative(
            session,
            {
                "code": code,
                "name": name,
                "name_ar": name_ar,
                "filiere": filiere,
                "province": province,
                "commune": commune,
                "address": f"{commune}, Maroc",
                "ice": ice_for(1_561_190 + number * 7),
                "if_number": f"{40_100_000 + number}",
                "rc_number": f"{2_000 + number}",
                "local_register_number": f"{number:03d}/{year}",
                "created_on": date(year, 3, 1 + number),
                "share_capital": Decimal(1000 * (number + 4)),
                "membership_start_on": date(2024, 1, 1) if status != "candidate" else None,
                "membership_end_on": date(2026, 6, 30) if status == "withdrawn" else None,
                "status": status,
                "members_women": women,
                "members_men": men,
                "members_youth": youth,
                "president_name": "",
            },
        )
    session.flush()
    ids = dict(session.execute(select(Cooperative.code, Cooperative.id)).all())
    emails = set(session.scalars(select(User.email)))
    for email, name, role, code in USERS:
        if email not in emails:
            create_user(
                session,
                email=email,
                name=name,
                role=role,
                password=PASSWORD,
                cooperative_id=ids[code] if code else None,
            )
    return [(email, role) for email, _, role, _ in USERS]
