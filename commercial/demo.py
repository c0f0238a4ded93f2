"""Demo pipeline: the default stages, a few buyers (hotels in Tanger, a shop in Chefchaouen,
an exporter), products of COOP-001..COOP-005, about ten leads of the demo sales adviser
across the stages (with their timeline) and activities, some overdue. Idempotent."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from commercial import services
from commercial.models import Activity, Buyer, Contact, Lead, Product
from gie.cooperatives.models import Cooperative
from gie.users.models import User

ADVISER = "commercial@gie-tta.ma"

#: name, kind, city, phone, email, contact
BUYERS = (
    (
        "Hôtel Continental Tanger",
        "hotel",
        "Tanger",
        "+212 539 93 10 24",
        "achats@continental.ma",
        "Rachid Amrani",
    ),
    ("Riad Tanja", "hotel", "Tanger", "0539 33 35 38", "contact@riadtanja.ma", "Leila Berrada"),
    (
        "Bazar Chaouen Art",
        "shop",
        "Chefchaouen",
        "0661 22 33 44",
        "chaouenart@gmail.com",
        "Hamid Sbai",
    ),
    (
        "Atlas Terroir Export",
        "exporter",
        "Tanger Med",
        "0539 40 50 60",
        "sourcing@atlas-terroir.ma",
        "Sophie Marchand",
    ),
)

#: cooperative code, name, Arabic name, filière, unit, min price, max price, monthly capacity
PRODUCTS = (
    ("COOP-001", "Jben frais", "جبن طري", "dairy", "kg", 60, 80, 400),
    ("COOP-002", "Fromage de chèvre affiné", "جبن الماعز", "dairy", "kg", 120, 160, 150),
    ("COOP-003", "Tajine décoré", "طاجين مزخرف", "pottery", "piece", 90, 250, 300),
    ("COOP-004", "Tapis tissé main", "زربية منسوجة يدويا", "weaving", "m²", 600, 1200, 40),
    (
        "COOP-005",
        "Huile d'olive extra vierge",
        "زيت زيتون بكر ممتاز",
        "olive_oil",
        "litre",
        70,
        95,
        2000,
    ),
)

#: title, buyer index, cooperative codes, amount, stage position (1..6), months to close,
#: lost reason
LEADS = (
    ("Jben pour le petit-déjeuner", 0, ("COOP-001",), 36000, 1, 1, ""),
    ("Vaisselle tajine du restaurant", 0, ("COOP-003",), 54000, 2, 1, ""),
    ("Fromages pour le riad", 1, ("COOP-002",), 18000, 3, 2, ""),
    ("Tapis des chambres", 1, ("COOP-004",), 96000, 4, 2, ""),
    ("Huile d'olive en coffrets", 2, ("COOP-005",), 24000, 2, 3, ""),
    ("Poteries pour la boutique", 2, ("COOP-003",), 15000, 5, 0, ""),
    ("Container huile d'olive", 3, ("COOP-005",), 240000, 4, 3, ""),
    ("Gamme terroir export", 3, ("COOP-001", "COOP-002"), 120000, 1, 4, ""),
    ("Tapis pour salon Paris", 3, ("COOP-004",), 60000, 6, 0, "Prix trop élevé"),
    ("Fromage pour buffet", 0, ("COOP-002",), 12000, 6, 0, "Capacité insuffisante"),
)


SUBJECTS = ("Relancer l'acheteur", "Visite de la coopérative", "Envoyer les échantillons")


def load(session: Session, today: date | None = None) -> None:
    today = today or date.today()
    stages = services.ensure_default_stages(session)
    adviser = session.scalar(select(User).where(User.email == ADVISER))
    cooperatives = dict(session.execute(select(Cooperative.code, Cooperative.id)).all())
    if adviser is None or not all(code in cooperatives for code, *_ in PRODUCTS):
        return
    _products(session, cooperatives, adviser)
    if session.scalar(select(Lead.id).where(Lead.title == LEADS[0][0])) is not None:
        return  # already loaded
    buyers = [_buyer(session, adviser, *row) for row in BUYERS]
    products = {p.cooperative_id: p.id for p in session.scalars(select(Product))}
    for title, buyer_index, codes, amount, position, months, reason in LEADS:
        buyer = buyers[buyer_index]
        ids = [cooperatives[code] for code in codes]
        lead = services.save_lead(
            session,
            {
                "title": title,
                "buyer_id": buyer.id,
                "contact_id": buyer.contacts[0].id if buyer.contacts else None,
                "amount": Decimal(amount),
                "owner_id": adviser.id,
                "source": ("trade_fair", "referral", "call", "website")[buyer_index],
                "expected_close_on": today + timedelta(days=30 * months),
                "cooperative_ids": ids,
                "product_ids": [products[i] for i in ids if i in products],
            },
            actor=adviser,
        )
        path = [s for s in stages[1 : position - 1] if s.kind == "open"]
        path += stages[position - 1 : position] if position > 1 else []
        for stage in path:
            services.move_lead(session, lead.id, stage.id, actor=adviser, lost_reason=reason)
        if stages[position - 1].kind == "open":
            _activities(session, lead, adviser, today)
    session.flush()


def _products(session, cooperatives, adviser) -> None:
    """The demo adviser's products, so that they may edit them."""
    for code, name, name_ar, filiere, unit, low, high, capacity in PRODUCTS:
        exists = session.scalar(
            select(Product.id).where(
                Product.cooperative_id == cooperatives[code], Product.name == name
            )
        )
        if exists is None:
            session.add(
                Product(
                    cooperative_id=cooperatives[code],
                    name=name,
                    name_ar=name_ar,
                    filiere=filiere,
                    unit=unit,
                    price_min=Decimal(low),
                    price_max=Decimal(high),
                    monthly_capacity=capacity,
                    owner_id=adviser.id,
                )
            )
    session.flush()


def _buyer(session, adviser, name, kind, city, phone, email, contact_name) -> Buyer:
    """A buyer of the demo adviser, with its first contact."""
    buyer = session.scalar(select(Buyer).where(Buyer.name == name))
    if buyer is None:
        buyer = Buyer(
            name=name,
            kind=kind,
            city=city,
            phone=phone,
            email=email,
            phone_key=services.normalise_phone(phone),
            email_key=services.normalise_email(email),
            owner_id=adviser.id,
        )
        session.add(buyer)
        session.flush()
        session.add(
            Contact(
                buyer_id=buyer.id,
                name=contact_name,
                phone=phone,
                email=email,
                phone_key=buyer.phone_key,
                email_key=buyer.email_key,
            )
        )
        session.flush()
        session.refresh(buyer)
    return buyer


def _activities(session, lead, adviser, today) -> None:
    number = lead.id % 3
    session.add_all(
        [
            Activity(
                lead_id=lead.id,
                owner_id=adviser.id,
                kind=("call", "visit", "sample")[number],
                subject=SUBJECTS[number],
                due_on=today - timedelta(days=3 - number),
            ),
            Activity(
                lead_id=lead.id,
                owner_id=adviser.id,
                kind="meeting",
                subject="Réunion de négociation",
                due_on=today + timedelta(days=7),
            ),
        ]
    )
