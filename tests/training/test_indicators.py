from datetime import date
from decimal import Decimal

import pytest

from billing.services import customers as billing_customers
from tests.training.service_fixtures import *  # noqa: F403
from tests.training.service_fixtures import seat
from training import services
from training.reports import indicators


@pytest.fixture
def year_of_training(session, make_course, make_session, coordinator, make_cooperative):
    """2026: two sessions done (12 h and 6 h), one still open; 2025: one session done."""
    long_course = make_course(hours=12)
    short_course = make_course(hours=6)
    honey = make_cooperative(filiere="honey", province="MA-HOC").id
    pottery = make_cooperative(filiere="pottery", province="MA-TET").id
    outsider = billing_customers.create_customer(
        session, code="NM-IND", kind="non_member", name="Amal"
    )

    def run(course, start, trainer, people, done=True):
        training = make_session(capacity=10, course=course, start_on=start, trainer=trainer)
        ratings = []
        for name, sex, band, coop, present, rating in people:
            who = {"cooperative_id": coop} if coop else {"customer_id": outsider.id}
            booking = seat(session, training, coordinator, name=name, sex=sex, age_band=band, **who)
            if present:
                services.mark_attendance(session, training.id, {(booking.id, start, "am"): True})
            if rating:
                ratings.append((booking.id, rating))
        if done:
            services.set_state(session, training.id, "done")
        # participants rate a session once it has taken place
        for booking_id, rating in ratings:
            services.rate(session, booking_id, rating=rating)
        session.commit()
        return training

    run(
        long_course,
        date(2026, 3, 2),
        "Salma",
        [
            ("A", "female", "under_25", honey, True, 5),
            ("B", "male", "35_49", pottery, True, 4),
            ("C", "female", "25_34", pottery, False, None),  # absent
        ],
    )
    run(
        short_course,
        date(2026, 10, 5),
        "Omar",
        [
            ("D", "female", "50_plus", None, True, 3),
            ("E", "female", "under_25", honey, True, None),
        ],
    )
    run(long_course, date(2026, 11, 9), "Omar", [("F", "male", "25_34", honey, True, None)], False)
    run(long_course, date(2025, 5, 5), "Salma", [("G", "male", "25_34", honey, True, 1)])
    return long_course, short_course


def test_indicators_of_a_year_match_the_hand_count(session, year_of_training):
    figures = indicators.training_indicators(session, 2026)
    assert (figures.sessions_done, figures.hours_delivered) == (2, 18)
    assert (figures.participants, figures.women, figures.youth) == (4, 3, 2)
    assert figures.by_sex == {"female": 3, "male": 1}
    assert figures.by_age_band == {"under_25": 2, "35_49": 1, "50_plus": 1}
    assert figures.by_sex_and_age_band == {
        ("female", "under_25"): 2,
        ("male", "35_49"): 1,
        ("female", "50_plus"): 1,
    }
    assert figures.by_filiere == {"honey": 2, "pottery": 1, None: 1}
    assert figures.by_province == {"MA-HOC": 2, "MA-TET": 1, None: 1}
    earlier = indicators.training_indicators(session, 2025)
    assert (earlier.hours_delivered, earlier.participants, earlier.by_sex) == (12, 1, {"male": 1})
    assert indicators.training_indicators(session, 2024).participants == 0


def test_evaluation_averages_per_course_and_trainer(session, year_of_training):
    long_course, short_course = year_of_training
    by_course = {
        row.key: (row.ratings, row.average) for row in indicators.evaluation_by_course(session)
    }
    assert by_course == {
        long_course.id: (3, Decimal("3.33")),
        short_course.id: (1, Decimal("3.00")),
    }
    in_2026 = {row.key: row.average for row in indicators.evaluation_by_course(session, year=2026)}
    assert in_2026[long_course.id] == Decimal("4.50")
    by_trainer = {
        row.key: (row.ratings, row.average) for row in indicators.evaluation_by_trainer(session)
    }
    assert by_trainer == {"Omar": (1, Decimal("3.00")), "Salma": (3, Decimal("3.33"))}
