"""Training documents: the attendance sheet of a session and a participant's attendance
certificate, in French and in Arabic (right to left), read back with pdftotext."""

import re
import subprocess
import unicodedata
from datetime import date

from tests.training.page_data import make_booking, make_course, make_session
from training.pdf import long_date

#: the invisible marks pdftotext puts around right-to-left runs
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return BIDI_MARKS.sub("", unicodedata.normalize("NFKC", text))


def compact(text: str) -> str:
    return re.sub(r"[\s\u202f\xa0]", "", text)


def arabic_words(text: str) -> set[str]:
    """Arabic words of a text, whatever order poppler extracts a right-to-left line in, with
    the lam-alef ligature read both ways."""
    return {word.replace("لا", "ال") for word in re.findall(r"[\u0600-\u06ff]+", text)}


def _sessions_with_two_participants(session, make_cooperative):
    own, other = make_cooperative(name="Coopérative Tifaout"), make_cooperative()
    course = make_course(
        session,
        title="Gestion financière des coopératives",
        title_ar="التدبير المالي للتعاونيات",
        hours=14,
    )
    training_session = make_session(
        session,
        course,
        start_on=date(2026, 6, 8),
        end_on=date(2026, 6, 9),
        town="Tanger",
        trainer="Samira Bennani",
    )
    attended = make_booking(
        session, training_session, own, participant_name="Zineb Alami", attended=True
    )
    absent = make_booking(session, training_session, other, participant_name="Hafsa Lahlou")
    make_booking(
        session,
        training_session,
        other,
        participant_name="Ilham Waitlisted",
        state="waitlisted",
        waitlist_position=1,
    )
    session.commit()
    return own, training_session.id, attended.id, absent.id


def test_attendance_sheet_lists_the_confirmed_participants(
    session, client, login_as, make_cooperative
):
    _own, session_id, _attended, _absent = _sessions_with_two_participants(
        session, make_cooperative
    )
    login_as("training_coordinator")
    response = client.get(f"/training/sessions/{session_id}/attendance-sheet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in (
        "Zineb Alami",
        "Hafsa Lahlou",
        "Gestion financière des coopératives",
        "Tanger",
        "Samira Bennani",
        "Coopérative Tifaout",
    ):
        assert expected in text, expected
    assert "Ilham Waitlisted" not in text

    arabic = client.get(f"/training/sessions/{session_id}/attendance-sheet.pdf?lang=ar")
    assert arabic.status_code == 200
    assert "Zineb Alami" in pdf_text(arabic.data)
    assert {"التدبير", "المالي", "للتعاونيات"} <= arabic_words(pdf_text(arabic.data))


def test_attendance_sheet_is_for_training_managers(session, client, login_as, make_cooperative):
    own, session_id, _attended, _absent = _sessions_with_two_participants(session, make_cooperative)
    login_as("president", own)
    assert client.get(f"/training/sessions/{session_id}/attendance-sheet.pdf").status_code == 403


def test_certificate_in_french(session, client, login_as, make_cooperative):
    _own, _session_id, attended, _absent = _sessions_with_two_participants(
        session, make_cooperative
    )
    login_as("training_coordinator")
    response = client.get(f"/training/bookings/{attended}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in (
        "Attestation de participation",
        "Zineb Alami",
        "Gestion financière des coopératives",
        "14 heures",
        "Tanger",
        "GIE Tanger-Tétouan-Al Hoceïma",
    ):
        assert expected in text, expected
    assert compact("8 juin 2026") in compact(text)
    assert compact("9 juin 2026") in compact(text)


def test_certificate_in_arabic(session, client, login_as, make_cooperative):
    _own, _session_id, attended, _absent = _sessions_with_two_participants(
        session, make_cooperative
    )
    login_as("admin")
    response = client.get(f"/training/bookings/{attended}/certificate.pdf?lang=ar")
    assert response.status_code == 200
    text = pdf_text(response.data)
    words = arabic_words(text)
    assert "Zineb Alami" in text
    assert {"شهادة", "المشاركة", "التدبير", "المالي", "للتعاونيات"} <= words
    assert "14" in text
    assert long_date(date(2026, 6, 8), "ar") == "8 يونيو 2026"
    assert "يونيو" in words
    assert "8يونيو" in compact(text) and "9يونيو" in compact(text)
    assert "2026" in text


def test_no_certificate_without_attendance(session, client, login_as, make_cooperative):
    _own, _session_id, _attended, absent = _sessions_with_two_participants(
        session, make_cooperative
    )
    login_as("training_coordinator")
    response = client.get(f"/training/bookings/{absent}/certificate.pdf")
    assert response.status_code == 422
    assert "n’a assisté à aucune demi-journée" in response.text


def test_president_prints_only_their_own_participants_certificates(
    session, client, login_as, make_cooperative
):
    own, _session_id, attended, absent = _sessions_with_two_participants(session, make_cooperative)
    login_as("president", own)
    assert client.get(f"/training/bookings/{attended}/certificate.pdf").status_code == 200
    other = client.get(f"/training/bookings/{absent}/certificate.pdf")
    assert other.status_code == 404
    assert "Hafsa Lahlou" not in other.text


def test_certificates_are_not_for_other_staff(session, client, login_as, make_cooperative):
    _own, _session_id, attended, _absent = _sessions_with_two_participants(
        session, make_cooperative
    )
    login_as("accountant")
    assert client.get(f"/training/bookings/{attended}/certificate.pdf").status_code == 403


def test_session_page_links_the_certificates_of_who_attended(
    session, client, login_as, make_cooperative
):
    _own, session_id, attended, absent = _sessions_with_two_participants(session, make_cooperative)
    login_as("training_coordinator")
    page = client.get(f"/training/sessions/{session_id}").text
    assert f"/training/bookings/{attended}/certificate.pdf?lang=ar" in page
    assert f"/training/bookings/{absent}/certificate.pdf" not in page
    assert f"/training/sessions/{session_id}/attendance-sheet.pdf" in page
