from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from billing.models import Invoice, InvoiceLine
from billing.services import customers as billing_customers
from tests.training.service_fixtures import *  # noqa: F403
from tests.training.service_fixtures import START, seat
from training import services
from training.models import Booking

ON = date(2026, 6, 30)


def _present(session, training, *bookings):
    services.mark_attendance(session, training.id, {(b.id, START, "am"): True for b in bookings})


@pytest.fixture
def billed_setup(
    session, make_course, make_session, training_service, coordinator, make_cooperative
):
    def make(bill_booked_seats=False):
        course = make_course(service_id=training_service.id, bill_booked_seats=bill_booked_seats)
        training = make_session(capacity=5, course=course)
        first, second = make_cooperative(), make_cooperative()
        outsider = billing_customers.create_customer(
            session, code=f"NM-{training.id}", kind="non_member", name="Association Amal"
        )
        seats = {
            "a1": seat(session, training, coordinator, name="A1", cooperative_id=first.id),
            "a2": seat(session, training, coordinator, name="A2", cooperative_id=first.id),
            "b1": seat(session, training, coordinator, name="B1", cooperative_id=second.id),
            "out": seat(session, training, coordinator, name="N1", customer_id=outsider.id),
        }
        _present(session, training, seats["a1"], seats["b1"], seats["out"])  # a2 is absent
        services.set_state(session, training.id, "done")
        session.commit()
        return training, seats, first, outsider

    return make


def test_attended_seats_are_billed_per_payer_at_member_and_public_prices(session, billed_setup):
    training, seats, first, outsider = billed_setup()
    summary = services.bill_session(session, training.id, on=ON)
    session.commit()
    assert (summary.invoices_created, summary.seats_billed, summary.already_billed) == (3, 3, False)
    invoices = session.scalars(select(Invoice).where(Invoice.id.in_(summary.invoice_ids))).all()
    prices = {
        invoice.customer_id: [line.unit_price for line in invoice.lines] for invoice in invoices
    }
    member = billing_customers.member_customer(session, first.id)
    assert prices[member.id] == [Decimal("800.00")]
    assert prices[outsider.id] == [Decimal("1200.00")]
    assert all(invoice.state == "draft" for invoice in invoices)
    for key in ("a1", "b1", "out"):
        line = session.get(InvoiceLine, session.get(Booking, seats[key].id).invoice_line_id)
        assert seats[key].participant_name in line.description
    assert session.get(Booking, seats["a2"].id).invoice_line_id is None
    assert session.get(type(training), training.id).billed


def test_billing_a_session_twice_bills_nothing_twice(session, billed_setup):
    training, *_ = billed_setup()
    services.bill_session(session, training.id, on=ON)
    lines = session.scalar(select(func.count()).select_from(InvoiceLine))
    again = services.bill_session(session, training.id, on=ON)
    assert (again.invoices_created, again.seats_billed, again.already_billed) == (0, 0, True)
    assert session.scalar(select(func.count()).select_from(InvoiceLine)) == lines


def test_a_course_billing_booked_seats_bills_the_absent_too(session, billed_setup):
    training, seats, *_ = billed_setup(bill_booked_seats=True)
    summary = services.bill_session(session, training.id, on=ON)
    assert (summary.invoices_created, summary.seats_billed) == (3, 4)
    assert session.get(Booking, seats["a2"].id).invoice_line_id is not None


def test_only_a_session_that_is_done_is_billed(
    session, make_course, make_session, training_service
):
    training = make_session(course=make_course(service_id=training_service.id))
    with pytest.raises(services.TrainingRefused):
        services.bill_session(session, training.id, on=ON)
