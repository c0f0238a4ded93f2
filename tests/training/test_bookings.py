from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from gie.errors import NotFound, PermissionDenied, ValidationError
from tests.snapshot import assert_unchanged, snapshot
from tests.training.service_fixtures import *  # noqa: F403
from tests.training.service_fixtures import START, seat
from training import services
from training.models import Attendance, Booking


def test_a_course_code_is_unique_and_hours_are_positive(session, make_course):
    make_course(code="CPT-1")
    with pytest.raises(ValidationError) as error:
        services.create_course(session, code="cpt-1", title="", hours=0, category="nope")
    assert set(error.value.field_errors) == {"code", "title", "hours", "category"}


def test_a_session_cannot_end_before_it_starts_nor_have_no_seat(session, make_course):
    course = make_course()
    with pytest.raises(ValidationError) as error:
        services.create_session(
            session,
            course_id=course.id,
            start_on=date(2026, 6, 9),
            end_on=date(2026, 6, 8),
            town="",
            capacity=0,
        )
    assert set(error.value.field_errors) == {"end_on", "town", "capacity"}


def test_a_planned_session_takes_no_booking(session, make_course, coordinator, make_cooperative):
    course = make_course()
    training = services.create_session(
        session, course_id=course.id, start_on=START, end_on=START, town="Larache", capacity=2
    )
    with pytest.raises(services.TrainingRefused):
        services.book(
            session,
            training.id,
            participant_name="Amina",
            sex="female",
            age_band="under_25",
            cooperative_id=make_cooperative().id,
            actor=coordinator,
        )


def test_seats_beyond_capacity_are_waitlisted_in_order_and_the_session_is_full(
    session, make_session, coordinator, make_cooperative
):
    training = make_session(capacity=2)
    cooperative = make_cooperative()
    bookings = [
        seat(session, training, coordinator, name=f"P{n}", cooperative_id=cooperative.id)
        for n in range(5)
    ]
    assert [b.state for b in bookings] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [b.waitlist_position for b in bookings] == [None, None, 1, 2, 3]
    session.refresh(training)
    assert training.state == "full"


def test_cancelling_a_seat_promotes_the_first_waitlisted_and_returns_it(
    session, make_session, make_user
):
    president = make_user("president")
    training = make_session(capacity=1)
    first = seat(session, training, president, name="A")
    second = seat(session, training, president, name="B")
    third = seat(session, training, president, name="C")
    promoted = services.cancel_booking(session, first.id, actor=president)
    session.commit()
    assert promoted.id == second.id
    assert (promoted.state, promoted.waitlist_position) == ("confirmed", None)
    session.refresh(third)
    assert (third.state, third.waitlist_position) == ("waitlisted", 2)
    # a waitlisted booking cancelled promotes nobody
    assert services.cancel_booking(session, third.id, actor=president) is None
    # the last confirmed seat cancelled with nobody waiting reopens the session
    assert services.cancel_booking(session, second.id, actor=president) is None
    session.refresh(training)
    assert training.state == "open"


def test_the_next_waitlisted_after_a_promotion_takes_the_next_position(
    session, make_session, coordinator, make_cooperative
):
    training = make_session(capacity=1)
    coop = make_cooperative().id
    first = seat(session, training, coordinator, name="A", cooperative_id=coop)
    seat(session, training, coordinator, name="B", cooperative_id=coop)
    services.cancel_booking(session, first.id, actor=coordinator)
    late = seat(session, training, coordinator, name="C", cooperative_id=coop)
    assert (late.state, late.waitlist_position) == ("waitlisted", 1)


def test_a_president_books_only_for_their_cooperative(
    session, make_session, make_user, make_cooperative
):
    president = make_user("president")
    other = make_cooperative()
    training = make_session()
    with pytest.raises(PermissionDenied):
        seat(session, training, president, cooperative_id=other.id)
    mine = seat(session, training, president)
    assert mine.cooperative_id == president.cooperative_id


def test_a_president_cannot_cancel_another_cooperatives_booking(
    session, make_session, make_user, coordinator, make_cooperative
):
    president = make_user("president")
    training = make_session()
    theirs = seat(session, training, coordinator, cooperative_id=make_cooperative().id)
    with pytest.raises(NotFound):
        services.cancel_booking(session, theirs.id, actor=president)
    session.refresh(theirs)
    assert theirs.state == "confirmed"


def test_a_non_member_needs_a_paying_customer_and_other_roles_cannot_book(
    session, make_session, coordinator, make_user
):
    training = make_session()
    with pytest.raises(ValidationError) as error:
        seat(session, training, coordinator)
    assert "customer_id" in error.value.field_errors
    with pytest.raises(PermissionDenied):
        seat(session, training, make_user("accountant"))


def test_attendance_is_kept_for_confirmed_seats_and_days_of_the_session(
    session, make_session, coordinator, make_cooperative
):
    training = make_session(capacity=1, end_on=date(2026, 6, 9))
    coop = make_cooperative().id
    present = seat(session, training, coordinator, cooperative_id=coop)
    absent = seat(session, training, coordinator, name="B", cooperative_id=coop)
    with pytest.raises(ValidationError):
        services.mark_attendance(session, training.id, {(absent.id, START, "am"): True})
    with pytest.raises(ValidationError):
        services.mark_attendance(
            session, training.id, {(present.id, date(2026, 6, 10), "am"): True}
        )
    services.mark_attendance(
        session, training.id, {(present.id, START, "am"): False, (present.id, START, "pm"): False}
    )
    assert not services.attended(present)
    services.mark_attendance(session, training.id, {(present.id, date(2026, 6, 9), "pm"): True})
    services.mark_attendance(session, training.id, {(present.id, START, "am"): True})
    assert services.attended(present)
    rows = session.scalars(select(Attendance).where(Attendance.booking_id == present.id)).all()
    assert len(rows) == 3


def test_session_states_follow_their_order(session, make_session):
    training = make_session()
    services.set_state(session, training.id, "done")
    with pytest.raises(services.TrainingRefused):
        services.set_state(session, training.id, "open")


def test_a_rating_is_from_1_to_5(session, make_session, coordinator, make_cooperative):
    training = make_session()
    booking = seat(session, training, coordinator, cooperative_id=make_cooperative().id)
    services.set_state(session, training.id, "done")
    with pytest.raises(ValidationError):
        services.rate(session, booking.id, rating=6)
    services.rate(session, booking.id, rating=4, comment=" Très utile ")
    assert (session.get(Booking, booking.id).rating, booking.comment) == (4, "Très utile")


def test_a_session_is_rated_only_once_it_has_taken_place(
    session, make_session, coordinator, make_cooperative
):
    training = make_session()
    booking = seat(session, training, coordinator, cooperative_id=make_cooperative().id)
    before = snapshot(session)
    with pytest.raises(services.TrainingRefused) as refused:
        services.rate(session, booking.id, rating=5)
    assert "once it has taken place" in str(refused.value.message)
    session.rollback()
    assert_unchanged(session, before)


def test_presence_is_not_recorded_for_a_half_day_to_come(
    session, make_session, coordinator, make_cooperative
):
    training = make_session(end_on=START + timedelta(days=1))
    booking = seat(session, training, coordinator, cooperative_id=make_cooperative().id)
    before_the_afternoon = datetime.combine(START, time(10, 0))
    services.mark_attendance(
        session, training.id, {(booking.id, START, "am"): True}, now=before_the_afternoon
    )
    for day, half in ((START, "pm"), (START + timedelta(days=1), "am")):
        with pytest.raises(ValidationError) as refused:
            services.mark_attendance(
                session, training.id, {(booking.id, day, half): True}, now=before_the_afternoon
            )
        assert "has not come yet" in str(refused.value.message)
    assert services.half_day_started(START, "pm", datetime.combine(START, time(12, 0)))


def test_more_seats_promote_the_waitlisted_and_fewer_than_confirmed_is_refused(
    session, make_session, coordinator, make_cooperative
):
    training = make_session(capacity=1)
    coop = make_cooperative().id
    bookings = [seat(session, training, coordinator, name=n, cooperative_id=coop) for n in "ABC"]
    fields = {
        "course_id": training.course_id,
        "start_on": training.start_on,
        "end_on": training.end_on,
        "town": training.town,
    }
    services.update_session(session, training.id, capacity=2, **fields)
    session.commit()
    states = [(session.get(Booking, b.id).state, b.waitlist_position) for b in bookings]
    assert states == [("confirmed", None), ("confirmed", None), ("waitlisted", 2)]
    assert training.state == "full"
    with pytest.raises(ValidationError) as error:
        services.update_session(session, training.id, capacity=1, **fields)
    assert "capacity" in error.value.field_errors


def test_a_course_is_updated_under_its_unique_code(session, make_course):
    first, second = make_course(code="UPD-1"), make_course(code="UPD-2")
    with pytest.raises(ValidationError) as error:
        services.update_course(session, second.id, code="upd-1", title="X", hours=3)
    assert "code" in error.value.field_errors
    course = services.update_course(
        session, first.id, code="upd-1", title=" Marketing ", hours=3, category="marketing"
    )
    assert (course.code, course.title, course.hours) == ("UPD-1", "Marketing", 3)


def test_a_booking_of_a_session_that_is_over_cannot_be_cancelled(
    session, make_session, coordinator, make_cooperative
):
    training = make_session()
    booking = seat(session, training, coordinator, cooperative_id=make_cooperative().id)
    services.set_state(session, training.id, "done")
    with pytest.raises(services.TrainingRefused):
        services.cancel_booking(session, booking.id, actor=coordinator)
