"""Booking and cancelling seats from the session page; a president only for their own
cooperative."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from accounting import vat_rates
from tests.snapshot import assert_unchanged, snapshot
from tests.training.page_data import make_booking, make_session
from training.models import Booking

FORM = {"participant_name": "Hanae Berrada", "sex": "female", "age_band": "25_34"}


def _bookings(session, session_id):
    session.expire_all()
    return session.scalars(
        select(Booking).where(Booking.session_id == session_id).order_by(Booking.id)
    ).all()


def test_session_page_shows_the_booking_form(session, client, login_as, make_cooperative):
    own = make_cooperative(name="Coopérative Nour")
    training_session = make_session(session)
    session.commit()
    login_as("president", own, locale="en")
    page = client.get(f"/training/sessions/{training_session.id}")
    assert page.status_code == 200
    assert f'action="/training/sessions/{training_session.id}/bookings"' in page.text


def test_who_may_not_book_sees_no_booking_form(session, client, login_as):
    training_session = make_session(session)
    session.commit()
    login_as("accountant")
    page = client.get(f"/training/sessions/{training_session.id}")
    assert page.status_code == 200
    assert "/bookings" not in page.text


def test_president_books_confirmed_then_waitlisted(session, client, login_as, make_cooperative):
    own = make_cooperative(name="Coopérative Nour")
    training_session = make_session(session, capacity=1)
    session.commit()
    session_id = training_session.id
    login_as("president", own, locale="en")

    response = client.post(f"/training/sessions/{session_id}/bookings", data=FORM)
    assert response.status_code == 302
    page = client.get(response.location)
    assert "Booking confirmed for Hanae Berrada." in page.text

    second = dict(FORM, participant_name="Salma Alaoui")
    response = client.post(
        f"/training/sessions/{session_id}/bookings", data=second, follow_redirects=True
    )
    assert "Salma Alaoui is waitlisted at position 1." in response.text
    bookings = _bookings(session, session_id)
    assert [(b.state, b.cooperative_id) for b in bookings] == [
        ("confirmed", own.id),
        ("waitlisted", own.id),
    ]


def test_president_cannot_book_for_another_cooperative(session, client, login_as, make_cooperative):
    own, other = make_cooperative(), make_cooperative()
    training_session = make_session(session)
    session.commit()
    session_id = training_session.id
    login_as("president", own, locale="en")
    response = client.post(
        f"/training/sessions/{session_id}/bookings", data=dict(FORM, cooperative_id=other.id)
    )
    assert response.status_code in (302, 403, 404)
    assert all(b.cooperative_id == own.id for b in _bookings(session, session_id))


def test_invalid_booking_shows_errors_and_saves_nothing(session, client, login_as):
    training_session = make_session(session)
    session.commit()
    session_id = training_session.id
    login_as("training_coordinator", locale="en")
    response = client.post(
        f"/training/sessions/{session_id}/bookings", data={"participant_name": "Ali"}
    )
    assert response.status_code == 422
    assert 'class="error"' in response.text
    response = client.post(f"/training/sessions/{session_id}/bookings", data=FORM)
    assert response.status_code == 422
    assert 'id="customer_id-error"' in response.text
    assert _bookings(session, session_id) == []


@pytest.mark.parametrize("state", ["cancelled", "done"])
def test_a_session_that_takes_no_booking_refuses_it_and_changes_nothing(
    session, client, login_as, make_cooperative, state
):
    own = make_cooperative(name="Coopérative Nour")
    training_session = make_session(session, state=state)
    session.commit()
    session_id = training_session.id
    login_as("president", own, locale="en")
    before = snapshot(session)
    response = client.post(f"/training/sessions/{session_id}/bookings", data=FORM)
    # The session's page again, with the reason and the participant as typed.
    assert response.status_code == 422
    assert "This session is not open for booking." in response.text
    assert 'value="Hanae Berrada"' in response.text
    assert_unchanged(session, before)


def test_coordinator_books_for_a_cooperative(session, client, login_as, make_cooperative):
    cooperative = make_cooperative()
    training_session = make_session(session)
    session.commit()
    session_id = training_session.id
    login_as("training_coordinator", locale="en")
    response = client.post(
        f"/training/sessions/{session_id}/bookings",
        data=dict(FORM, cooperative_id=cooperative.id),
    )
    assert response.status_code == 302
    assert [b.cooperative_id for b in _bookings(session, session_id)] == [cooperative.id]


def test_cancelling_promotes_and_says_who(session, client, login_as, make_cooperative):
    own = make_cooperative()
    training_session = make_session(session, capacity=1)
    first = make_booking(session, training_session, own, participant_name="Amina Lahlou")
    make_booking(
        session,
        training_session,
        own,
        participant_name="Nadia Chraibi",
        state="waitlisted",
        waitlist_position=1,
    )
    session.commit()
    login_as("president", own, locale="en")
    page = client.get(f"/training/sessions/{training_session.id}")
    assert f'action="/training/bookings/{first.id}/cancel"' in page.text
    assert "data-confirm=" in page.text

    response = client.post(f"/training/bookings/{first.id}/cancel", follow_redirects=True)
    assert response.status_code == 200
    assert "Booking of Amina Lahlou cancelled." in response.text
    assert "Nadia Chraibi was promoted from the waiting list." in response.text
    states = {b.participant_name: b.state for b in _bookings(session, training_session.id)}
    assert states == {"Amina Lahlou": "cancelled", "Nadia Chraibi": "confirmed"}


def test_president_cannot_cancel_another_cooperatives_booking(
    session, client, login_as, make_cooperative
):
    own, other = make_cooperative(), make_cooperative()
    training_session = make_session(session)
    booking = make_booking(session, training_session, other)
    session.commit()
    login_as("president", own, locale="en")
    response = client.post(f"/training/bookings/{booking.id}/cancel")
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Booking, booking.id).state == "confirmed"


# --- managing courses and sessions ------------------------------------------------------------


def test_coordinator_creates_a_course(session, client, login_as):
    from training.models import Course

    login_as("training_coordinator", locale="en")
    assert client.get("/training/courses/new").status_code == 200
    response = client.post(
        "/training/courses/new",
        data={"code": "cpt-9", "title": "Comptabilité", "category": "bookkeeping", "hours": "6"},
    )
    assert response.status_code == 302
    session.expire_all()
    course = session.scalar(select(Course).where(Course.code == "CPT-9"))
    assert course is not None and course.hours == 6
    assert response.location == f"/training/courses/{course.id}"
    again = client.post(
        "/training/courses/new",
        data={"code": "CPT-9", "title": "Autre", "category": "bookkeeping", "hours": "6"},
    )
    assert again.status_code == 422
    assert 'id="code-error"' in again.text


def test_coordinator_plans_opens_and_closes_a_session(session, client, login_as):
    from tests.training.page_data import make_course
    from training.models import TrainingSession

    course = make_course(session)
    session.commit()
    login_as("training_coordinator", locale="en")
    assert client.get("/training/sessions/new").status_code == 200
    data = {
        "course_id": str(course.id),
        "start_on": "2030-05-06",
        "end_on": "2030-05-05",
        "town": "Larache",
        "capacity": "8",
    }
    invalid = client.post("/training/sessions/new", data=data)
    assert invalid.status_code == 422
    assert 'id="end_on-error"' in invalid.text
    response = client.post("/training/sessions/new", data=dict(data, end_on="2030-05-07"))
    assert response.status_code == 302
    session.expire_all()
    created = session.scalar(select(TrainingSession).where(TrainingSession.town == "Larache"))
    assert created.state == "planned" and created.capacity == 8
    assert response.location == f"/training/sessions/{created.id}"

    page = client.get(response.location)
    assert f'action="/training/sessions/{created.id}/open"' in page.text
    opened = client.post(f"/training/sessions/{created.id}/open", follow_redirects=True)
    assert "The session is now Open." in opened.text
    session.expire_all()
    assert session.get(TrainingSession, created.id).state == "open"

    done = client.post(
        f"/training/sessions/{created.id}/state", data={"state": "done"}, follow_redirects=True
    )
    assert "The session is now Done." in done.text
    session.expire_all()
    assert session.get(TrainingSession, created.id).state == "done"

    refused = client.post(f"/training/sessions/{created.id}/state", data={"state": "open"})
    assert refused.status_code == 302
    session.expire_all()
    assert session.get(TrainingSession, created.id).state == "done"


def test_president_may_not_manage_sessions(session, client, login_as, make_cooperative):
    training_session = make_session(session, state="planned")
    session.commit()
    login_as("president", make_cooperative())
    assert client.get("/training/courses/new").status_code == 403
    assert client.post(f"/training/sessions/{training_session.id}/open").status_code == 403


# --- attendance and billing -------------------------------------------------------------------


def test_coordinator_marks_attendance(session, client, login_as, make_cooperative):
    from training.models import Attendance

    cooperative = make_cooperative()
    # two days that have taken place
    start = date.today() - timedelta(days=3)
    training_session = make_session(session, start_on=start, end_on=start + timedelta(days=1))
    here = make_booking(session, training_session, cooperative, participant_name="Here")
    away = make_booking(session, training_session, cooperative, participant_name="Away")
    session.commit()
    day = training_session.start_on.isoformat()
    login_as("training_coordinator", locale="en")
    page = client.get(f"/training/sessions/{training_session.id}")
    assert f'name="present-{here.id}-{day}-am"' in page.text

    response = client.post(
        f"/training/sessions/{training_session.id}/attendance",
        data={f"present-{here.id}-{day}-am": "1", f"present-{here.id}-{day}-pm": "1"},
        follow_redirects=True,
    )
    assert "Attendance saved (8 half-days)." in response.text
    session.expire_all()
    rows = session.scalars(select(Attendance).where(Attendance.present.is_(True))).all()
    assert sorted((a.booking_id, a.half) for a in rows) == [(here.id, "am"), (here.id, "pm")]
    assert f'name="present-{here.id}-{day}-am" value="1" aria-label="Here" checked' in (
        response.text
    )
    assert all(a.booking_id != away.id for a in rows)


def test_coordinator_bills_a_done_session_once(session, client, login_as, make_cooperative):
    from datetime import date as _date
    from decimal import Decimal

    from billing.services import catalogue as billing_catalogue
    from tests.training.page_data import make_course

    vat_rates.ensure_vat_rates(session)
    service = billing_catalogue.create_service(
        session,
        code="FORM-P",
        name="Place de formation",
        category="training",
        unit="flat",
        public_price=Decimal("1200.00"),
        member_price=Decimal("800.00"),
        valid_from=_date(2020, 1, 1),
    )
    course = make_course(session, service_id=service.id)
    training_session = make_session(session, course, state="done")
    make_booking(session, training_session, make_cooperative(), attended=True)
    session.commit()
    login_as("training_coordinator", locale="en")
    page = client.get(f"/training/sessions/{training_session.id}")
    assert f'action="/training/sessions/{training_session.id}/bill"' in page.text

    first = client.post(f"/training/sessions/{training_session.id}/bill", follow_redirects=True)
    assert "1 seats billed on 1 draft invoices." in first.text
    second = client.post(f"/training/sessions/{training_session.id}/bill", follow_redirects=True)
    assert "Nothing new billed" in second.text


def test_an_open_session_is_not_billed(session, client, login_as):
    training_session = make_session(session)
    session.commit()
    login_as("training_coordinator", locale="en")
    response = client.post(f"/training/sessions/{training_session.id}/bill")
    assert response.status_code == 302
    session.expire_all()
    assert not session.get(type(training_session), training_session.id).billed


def test_a_participant_of_a_done_session_is_rated_from_the_session_page(
    session, client, login_as, make_cooperative
):
    from tests.training.page_data import make_booking as make_seat
    from tests.training.page_data import make_session as make_training_session
    from training.models import Booking

    cooperative = make_cooperative()
    done = make_training_session(session, state="done")
    seat = make_seat(session, done, cooperative, attended=True)
    session.commit()
    login_as("president", cooperative, locale="en")
    page = client.get(f"/training/sessions/{done.id}").text
    assert f"/training/bookings/{seat.id}/rating" in page
    client.post(
        f"/training/bookings/{seat.id}/rating", data={"rating": "4", "comment": "Très utile"}
    )
    session.expire_all()
    rated = session.get(Booking, seat.id)
    assert (rated.rating, rated.comment) == (4, "Très utile")
    client.post(f"/training/bookings/{seat.id}/rating", data={"rating": "9"})
    session.expire_all()
    assert session.get(Booking, seat.id).rating == 4
