"""Fixtures of the training service tests, imported by their modules (not a conftest, which
another part of the suite may own)."""

from datetime import date
from decimal import Decimal

import pytest

from accounting import vat_rates
from billing.services import catalogue as billing_catalogue
from training import services

START = date(2026, 6, 8)


@pytest.fixture
def training_service(session):
    vat_rates.ensure_vat_rates(session)
    service = billing_catalogue.create_service(
        session,
        code="FORM-S",
        name="Place de formation",
        category="training",
        unit="flat",
        public_price=Decimal("1200.00"),
        member_price=Decimal("800.00"),
        valid_from=date(2026, 1, 1),
    )
    session.commit()
    return service


@pytest.fixture
def coordinator(make_user):
    return make_user("training_coordinator")


@pytest.fixture
def make_course(session):
    counter = iter(range(1, 1000))

    def make(**overrides):
        data = {
            "code": f"CRS-{next(counter):03d}",
            "title": "Tenue d'une comptabilité simple",
            "hours": 12,
            "category": "bookkeeping",
        }
        data.update(overrides)
        course = services.create_course(session, **data)
        session.commit()
        return course

    return make


@pytest.fixture
def make_session(session, make_course):
    def make(capacity=3, course=None, start_on=START, end_on=None, trainer="Salma B.", **kw):
        course = course or make_course()
        training = services.create_session(
            session,
            course_id=course.id,
            start_on=start_on,
            end_on=end_on or start_on,
            town="Tétouan",
            capacity=capacity,
            trainer=trainer,
            **kw,
        )
        services.open_for_booking(session, training.id)
        session.commit()
        return training

    return make


def seat(session, training, actor, name="Fatima", **kw):
    data = {"participant_name": name, "sex": "female", "age_band": "25_34", "actor": actor}
    if actor.role == "president":
        data["cooperative_id"] = actor.cooperative_id
    data.update(kw)
    booking = services.book(session, training.id, **data)
    session.commit()
    return booking
