"""Training pages: the sessions calendar, a session with its participants (a president sees
only their own cooperative's), the courses, and the public iCalendar feed."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from tests.training.page_data import make_booking, make_course, make_session

STAFF = ("admin", "accountant", "sales_adviser", "training_coordinator")


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@pytest.mark.parametrize("role", STAFF)
def test_staff_see_the_calendar_and_a_session(session, client, login_as, make_cooperative, role):
    cooperative = make_cooperative(name="Coopérative Assafa")
    course = make_course(session, title="Marketing digital des produits du terroir")
    training_session = make_session(session, course, town="Chefchaouen", trainer="Youssef Amrani")
    make_booking(session, training_session, cooperative, participant_name="Khadija Ouazzani")
    make_booking(
        session,
        training_session,
        cooperative,
        participant_name="Rachid Tazi",
        sex="male",
        state="waitlisted",
        waitlist_position=1,
    )
    session.commit()
    login_as(role)

    page = client.get(f"/training/?month={_month(training_session.start_on)}")
    assert page.status_code == 200
    for text in ("Marketing digital des produits du terroir", "Chefchaouen", "Youssef Amrani"):
        assert text in page.text
    assert f'href="/training/sessions/{training_session.id}"' in page.text

    detail = client.get(f"/training/sessions/{training_session.id}")
    assert detail.status_code == 200
    assert "Khadija Ouazzani" in detail.text and "Rachid Tazi" in detail.text
    assert "Coopérative Assafa" in detail.text


def test_calendar_moves_by_month_and_shows_seats_left(session, client, login_as):
    training_session = make_session(
        session, capacity=3, start_on=date(2030, 3, 4), end_on=date(2030, 3, 5)
    )
    make_booking(session, training_session)
    session.commit()
    session_id, title = training_session.id, training_session.course.title
    login_as("training_coordinator")

    page = client.get("/training/?month=2030-03")
    assert page.status_code == 200
    assert "?month=2030-02" in page.text and "?month=2030-04" in page.text
    row = page.text.split(f"/training/sessions/{session_id}")[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row

    assert title not in client.get("/training/?month=2030-05").text
    assert client.get("/training/?month=nonsense").status_code == 404


def test_calendar_shows_the_arabic_title_in_arabic(session, client, login_as):
    training_session = make_session(session)
    session.commit()
    login_as("training_coordinator", locale="ar")
    page = client.get(f"/training/?month={_month(training_session.start_on)}")
    assert page.status_code == 200
    assert "مسك محاسبة التعاونية" in page.text
    assert 'dir="rtl"' in page.text


def test_president_sees_only_their_own_participants(session, client, login_as, make_cooperative):
    own = make_cooperative(name="Coopérative Nour")
    other = make_cooperative(name="Coopérative Al Amal")
    training_session = make_session(session)
    make_booking(session, training_session, own, participant_name="Amina Berrada")
    make_booking(session, training_session, other, participant_name="Hanane Chraibi")
    make_booking(
        session,
        training_session,
        other,
        participant_name="Salma Filali",
        state="waitlisted",
        waitlist_position=1,
    )
    session.commit()
    login_as("president", own)

    detail = client.get(f"/training/sessions/{training_session.id}")
    assert detail.status_code == 200
    assert "Amina Berrada" in detail.text
    for hidden in ("Hanane Chraibi", "Salma Filali", "Coopérative Al Amal"):
        assert hidden not in detail.text
    calendar = client.get(f"/training/?month={_month(training_session.start_on)}")
    assert calendar.status_code == 200
    assert "Hanane Chraibi" not in calendar.text


def test_course_list_and_detail(session, client, login_as):
    course = make_course(session, title="Hygiène alimentaire", objectives="Les bonnes pratiques")
    make_session(session, course, town="Larache")
    session.commit()
    course_id, code = course.id, course.code
    login_as("president")

    listing = client.get("/training/courses")
    assert listing.status_code == 200
    assert "Hygiène alimentaire" in listing.text and code in listing.text
    detail = client.get(f"/training/courses/{course_id}")
    assert detail.status_code == 200
    assert "Les bonnes pratiques" in detail.text and "Larache" in detail.text
    assert client.get("/training/courses/999999").status_code == 404
    assert client.get("/training/sessions/999999").status_code == 404


def test_the_nav_links_to_training(client, login_as):
    login_as("accountant")
    assert 'href="/training/"' in client.get("/training/courses").text


def test_ics_feed_lists_the_coming_open_sessions_only(session, client, make_cooperative):
    today = date.today()
    course = make_course(session, title="Accès au microcrédit")
    open_one = make_session(
        session, course, start_on=today + timedelta(days=3), end_on=today + timedelta(days=4)
    )
    planned = make_session(
        session,
        course,
        start_on=today + timedelta(days=30),
        end_on=today + timedelta(days=30),
        state="planned",
    )
    cancelled = make_session(session, course, state="cancelled")
    past = make_session(
        session, course, start_on=today - timedelta(days=9), end_on=today - timedelta(days=8)
    )
    done = make_session(session, course, state="done")
    make_booking(session, open_one, make_cooperative(), participant_name="Nadia Secret")
    session.commit()
    first, second = (open_one.id, open_one.start_on, open_one.end_on), planned.id
    absent_ids = [item.id for item in (cancelled, past, done)]

    response = client.get("/training/sessions.ics")  # anonymous: calendar apps subscribe
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "Nadia Secret" not in response.text
    calendar = Calendar.from_ical(response.data)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    uids = {uid.split("@")[0] for uid in events}
    assert f"training-session-{first[0]}" in uids
    assert f"training-session-{second}" in uids
    for absent in absent_ids:
        assert f"training-session-{absent}" not in uids

    event = next(e for uid, e in events.items() if uid.startswith(f"training-session-{first[0]}@"))
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.date(), start.hour, start.minute) == (first[1], 9, 0)
    assert (end.date(), end.hour, end.minute) == (first[2], 16, 30)
    assert str(start.tzinfo) == "Africa/Casablanca"
    assert str(event["summary"]) == "Accès au microcrédit"
    assert "Tétouan" in str(event["location"])
    description = str(event["description"])
    assert "Samira Bennani" in description and "11" in description


def test_ics_feed_names_the_configured_server_never_the_host_header(app, session, client):
    today = date.today()
    coming = make_session(
        session, start_on=today + timedelta(days=3), end_on=today + timedelta(days=3)
    )
    session.commit()
    app.config["GIE_SERVER_NAME"] = "formation.gie-tta.ma"
    app.config["PREFERRED_URL_SCHEME"] = "https"
    response = client.get("/training/sessions.ics", headers={"Host": "evil.example"})
    assert "evil.example" not in response.text
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["uid"]) == f"training-session-{coming.id}@formation.gie-tta.ma"
    assert str(event["url"]) == f"https://formation.gie-tta.ma/training/sessions/{coming.id}"
