"""Each role's home page: what needs that role's attention today, and nothing it may not see."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency
from dateutil.relativedelta import relativedelta

from accounting import services as accounting
from accounting import vat_rates
from accounting.services import LineInput
from billing.services import catalogue as billing_catalogue
from billing.services import customers as billing_customers
from billing.services import invoices as billing_invoices
from billing.services import subscriptions as billing_subscriptions
from commercial import services as commercial
from commercial.models import Activity, Buyer
from gie.cooperatives.models import Cooperative
from training import services as training
from training.models import Booking


def mad(amount: str) -> str:
    return format_currency(Decimal(amount), "MAD", locale="fr_MA")


def short(on: date) -> str:
    return format_date(on, "short", locale="fr")


def _section(page: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert match, section_id
    return match.group(0)


@pytest.fixture
def books(session):
    """The GIE's books over last year and this one, so that documents of either may post."""

    def open_books(code: str):
        ledger = accounting.open_ledger(session, code, first_year=date.today().year - 1)
        accounting.add_fiscal_year(session, ledger.id)
        session.commit()
        return ledger

    open_books("GIE")
    return open_books


@pytest.fixture
def catalogue(session):
    vat_rates.ensure_vat_rates(session)
    found = {}
    for code, name, price in (
        ("COMPTA", "Tenue de comptabilité", "1500.00"),
        ("FORM-J", "Journée de formation", "800.00"),
    ):
        found[code] = billing_catalogue.create_service(
            session,
            code=code,
            name=name,
            category="training" if code == "FORM-J" else "bookkeeping",
            unit="day",
            public_price=Decimal(price),
            member_price=Decimal(price),
            valid_from=date(date.today().year - 1, 1, 1),
        ).id
    session.commit()
    return found


@pytest.fixture
def member(session, books, make_cooperative):
    """A member cooperative with books kept by the GIE and a customer record."""

    def make(**overrides):
        cooperative = make_cooperative(**overrides)
        books(cooperative.code)
        customer = billing_customers.member_customer(session, cooperative.id)
        session.commit()
        return cooperative, customer

    return make


def _invoice(session, customer_id: int, lines: dict[int, str], *, on: date):
    draft = billing_invoices.save_draft_invoice(
        session,
        customer_id,
        [
            billing_invoices.DraftLine(service_id, Decimal(quantity))
            for service_id, quantity in lines.items()
        ],
        on=on,
    )
    invoice = billing_invoices.issue_invoice(session, draft.id, on=on)
    session.commit()
    return invoice


def test_president_sees_what_their_cooperative_owes_and_nothing_of_another(
    session, client, login_as, member, catalogue, make_user
):
    own, own_customer = member(name="Coopérative Assafa")
    other, other_customer = member(name="Coopérative Voisine")
    issued_on = date.today() - timedelta(days=5)
    invoice = _invoice(session, own_customer.id, {catalogue["FORM-J"]: "1"}, on=issued_on)
    own_number, due_on = invoice.number, invoice.due_date
    other_number = _invoice(
        session, other_customer.id, {catalogue["COMPTA"]: "3"}, on=issued_on
    ).number
    coordinator = make_user("training_coordinator")
    course = training.create_course(session, code="CRS-OWN", title="Gestion de stock", hours=6)
    hidden = training.create_course(session, code="CRS-OTH", title="Cours secret", hours=6)
    for item, cooperative in ((course, own), (hidden, other)):
        slot = training.create_session(
            session,
            course_id=item.id,
            start_on=date.today() + timedelta(days=10),
            end_on=date.today() + timedelta(days=10),
            town="Tétouan",
            capacity=5,
        )
        training.open_for_booking(session, slot.id)
        training.book(
            session,
            slot.id,
            participant_name="Amina",
            sex="female",
            age_band="25_34",
            cooperative_id=cooperative.id,
            actor=coordinator,
        )
    adviser = make_user("sales_adviser")
    commercial.ensure_default_stages(session)
    for title, cooperative in (("Huile pour Riad", own), ("Commande voisine", other)):
        buyer = Buyer(name=f"Acheteur {title}", kind="hotel")
        session.add(buyer)
        session.flush()
        commercial.save_lead(
            session,
            {
                "title": title,
                "buyer_id": buyer.id,
                "amount": Decimal("5000"),
                "owner_id": adviser.id,
                "cooperative_ids": [cooperative.id],
            },
            actor=adviser,
        )
    session.commit()
    other_name = other.name
    login_as("president", session.get(Cooperative, own.id))

    page = client.get("/").text

    assert mad("960.00") in page  # 800 net + 20 % VAT, nothing paid yet
    assert short(due_on) in page
    assert own_number in page
    assert mad("-800.00") in page  # the service is a charge in the cooperative's own books
    assert "Gestion de stock" in page and "Huile pour Riad" in page
    for foreign in (other_number, other_name, "Cours secret", "Commande voisine", mad("5400.00")):
        assert foreign not in page
    assert "/billing/overdue/" not in page and "chart-svg" not in page


def test_adviser_sees_overdue_and_today_activities_pipeline_and_leads_without_next_step(
    session, client, login_as, make_user, make_cooperative
):
    adviser = login_as("sales_adviser")
    colleague = make_user("sales_adviser")
    stages = {stage.name: stage.id for stage in commercial.ensure_default_stages(session)}
    cooperative = make_cooperative()

    def lead(title, amount, stage, owner=adviser):
        buyer = Buyer(name=f"Acheteur {title}", kind="shop")
        session.add(buyer)
        session.flush()
        return commercial.save_lead(
            session,
            {
                "title": title,
                "buyer_id": buyer.id,
                "amount": Decimal(amount),
                "owner_id": owner.id,
                "stage_id": stages[stage],
                "cooperative_ids": [cooperative.id],
            },
            actor=owner,
        )

    followed = lead("Miel pour épicerie", "10000", "Nouveau")
    idle = lead("Tapis pour hôtel", "5000", "Qualifié")
    lead("Lead du collègue", "90000", "Nouveau", owner=colleague)
    for subject, due_on in (
        ("Relancer l'épicerie", date.today() - timedelta(days=2)),
        ("Appeler le chef", date.today()),
        ("Visite plus tard", date.today() + timedelta(days=9)),
    ):
        session.add(
            Activity(
                lead_id=followed.id,
                owner_id=adviser.id,
                kind="call",
                subject=subject,
                due_on=due_on,
            )
        )
    session.commit()
    idle_id = idle.id

    page = client.get("/").text

    due = _section(page, "activities-due")
    assert "Relancer l’épicerie" in due or "Relancer l&#39;épicerie" in due
    assert "Appeler le chef" in due and "Visite plus tard" not in due
    assert due.count('class="overdue"') == 1
    assert mad("15000.00") in page  # own open leads only, not the colleague's
    assert mad("2250.00") in page  # 10 000 x 10 % + 5 000 x 25 %
    assert mad("90000.00") not in page
    idle_section = _section(page, "idle-leads")
    assert f"/commercial/leads/{idle_id}" in idle_section
    assert "Miel pour épicerie" not in idle_section
    assert "<svg" in page and "Tapis pour hôtel" in page


def test_coordinator_sees_fill_rate_and_waitlist_of_upcoming_sessions(
    session, client, login_as, make_cooperative
):
    coordinator = login_as("training_coordinator")
    honey = make_cooperative(filiere="honey")
    course = training.create_course(session, code="CRS-MIEL", title="Apiculture", hours=12)
    slot = training.create_session(
        session,
        course_id=course.id,
        start_on=date.today(),
        end_on=date.today() + timedelta(days=1),
        town="Chefchaouen",
        capacity=10,
    )
    training.open_for_booking(session, slot.id)
    for name in ("Amina", "Khadija", "Salma"):
        training.book(
            session,
            slot.id,
            participant_name=name,
            sex="female",
            age_band="25_34",
            cooperative_id=honey.id,
            actor=coordinator,
        )
    # waitlisted while a seat was briefly lacking, still waiting
    for position, name in enumerate(("Nadia", "Imane"), start=1):
        session.add(
            Booking(
                session_id=slot.id,
                cooperative_id=honey.id,
                participant_name=name,
                sex="female",
                age_band="under_25",
                state="waitlisted",
                waitlist_position=position,
            )
        )
    far = training.create_session(
        session,
        course_id=course.id,
        start_on=date.today() + timedelta(days=90),
        end_on=date.today() + timedelta(days=90),
        town="Larache",
        capacity=8,
    )
    session.commit()
    slot_id, far_id = slot.id, far.id

    page = client.get("/").text

    row = re.search(rf'<tr data-session="{slot_id}">.*?</tr>', page, re.S).group(0)
    assert 'data-fill="3/10"' in row and 'data-waitlist="2"' in row
    assert "Apiculture" in row
    assert f'data-session="{far_id}"' not in page
    chart = re.search(r"<figure.*?</figure>", page, re.S).group(0)
    assert "Miel" in chart and ">36<" in chart  # 3 participants x 12 hours


def test_admin_sees_members_revenue_by_service_and_subscriptions_by_filiere(
    session, client, login_as, member, catalogue, make_cooperative
):
    login_as("admin")
    make_cooperative(status="suspended")
    cooperative, customer = member(filiere="weaving")
    on = date.today().replace(day=1)
    training_invoice = _invoice(session, customer.id, {catalogue["FORM-J"]: "2"}, on=on)
    _invoice(session, customer.id, {catalogue["COMPTA"]: "2"}, on=on)
    billing_invoices.create_credit_note(
        session, training_invoice.id, on=on, amount_net=Decimal("100")
    )
    billing_subscriptions.create_subscription(
        session,
        customer_id=customer.id,
        service_id=catalogue["COMPTA"],
        start_on=date(date.today().year, 1, 1),
    )
    session.commit()

    page = client.get("/").text

    table = re.search(r'<table class="dense revenue-by-service">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td class=\"num\">(.*?)</td>", table, re.S)
    revenue = {re.sub(r"<[^>]+>", "", name).strip(): amount for name, amount in rows}
    assert revenue == {
        "Tenue de comptabilité": mad("3000.00"),
        "Journée de formation": mad("1500.00"),  # 2 x 800, less the 100 credited
    }
    assert mad("4500.00") in table
    assert "/cooperatives/?status=suspended" in page
    subscriptions = re.search(r"<figure.*?</figure>", page, re.S).group(0)
    assert "Tissage et textile" in subscriptions and ">1<" in subscriptions
    assert page.count("<svg") == 2  # revenue by month too


def test_accountant_sees_drafts_per_ledger_locking_and_overdue_invoices(
    session, client, login_as, member, catalogue
):
    login_as("accountant")
    cooperative, customer = member()
    ledger = accounting.ledger_by_code(session, cooperative.code)
    for label in ("Achat de farine", "Facture EDF"):
        accounting.save_draft(
            session,
            ledger.id,
            journal_code="OD",
            entry_date=date.today(),
            label=label,
            lines=[
                LineInput("6111", debit=Decimal("10")),
                LineInput("5141", credit=Decimal("10")),
            ],
        )
    late = _invoice(
        session, customer.id, {catalogue["FORM-J"]: "1"}, on=date.today() - timedelta(days=90)
    )
    locked = accounting.ledger_by_code(session, "GIE")
    accounting.set_lock_date(session, locked.id, date.today() + relativedelta(day=1, days=-1))
    session.commit()
    ledger_id, gie_code, late_due = ledger.id, locked.code, late.due_date

    page = client.get("/").text

    ledgers = _section(page, "ledgers-to-do")
    drafts = re.search(r'<a href="([^"]+)" data-drafts="[^"]+">(\d+)</a>', ledgers)
    assert drafts.groups() == (f"/accounting/ledgers/{ledger_id}/entries?state=draft", "2")
    assert f'/accounting/ledgers/{ledger_id}#lock_date" data-lock=' in ledgers
    assert f'data-lock="{gie_code}"' not in ledgers  # locked up to last month's end
    assert f"/accounting/ledgers/{ledger_id}/closing" in ledgers  # last year is not closed
    assert customer.code in page and short(late_due) in page and mad("960.00") in page
    assert "/billing/overdue/" in page


@pytest.mark.parametrize(
    "role", ["admin", "accountant", "sales_adviser", "training_coordinator", "president"]
)
def test_every_home_page_answers_in_arabic_with_right_to_left_charts(client, login_as, role):
    login_as(role, locale="ar")
    page = client.get("/").text
    assert '<html lang="ar" dir="rtl">' in page
    assert 'direction="ltr"' not in page
    assert ("<svg" in page) == (role in ("admin", "sales_adviser", "training_coordinator"))
