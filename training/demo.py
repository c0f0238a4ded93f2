"""Demo training data (`flask demo load`): two courses and their coming sessions, with a few
participants of the demo cooperatives booked. Loaded once: a second run adds nothing."""

from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gie.cooperatives.models import Cooperative
from training.models import Booking, Course, TrainingSession

COURSES = [
    # code, title, Arabic title, category, hours
    ("DEMO-CPT", "Tenue de la comptabilité coopérative", "مسك محاسبة التعاونية", "bookkeeping", 14),
    (
        "DEMO-MKT",
        "Vendre en ligne les produits du terroir",
        "البيع عبر الإنترنت لمنتجات المجال",
        "marketing",
        7,
    ),
]
#: course code, days from today, length in days, town, place, trainer, capacity, state
SESSIONS = [
    ("DEMO-CPT", 7, 2, "Tétouan", "Maison de l'artisan", "Samira Bennani", 12, "open"),
    ("DEMO-MKT", 21, 1, "Chefchaouen", "Centre culturel", "Youssef Amrani", 10, "planned"),
]
PARTICIPANTS = [
    ("Fatima Zahra El Idrissi", "female", "25_34"),
    ("Khadija Ouazzani", "female", "35_49"),
    ("Rachid Tazi", "male", "under_25"),
]


def load(session: Session, today: date | None = None) -> None:
    today = today or date.today()
    if session.scalar(select(Course.id).where(Course.code == COURSES[0][0])) is not None:
        return  # already loaded
    cooperatives = session.scalars(select(Cooperative.id).order_by(Cooperative.code)).all()
    courses = {}
    for code, title, title_ar, category, hours in COURSES:
        course = Course(code=code, title=title, title_ar=title_ar, category=category, hours=hours)
        session.add(course)
        courses[code] = course
    session.flush()
    for code, offset, days, town, place, trainer, capacity, state in SESSIONS:
        start = today + timedelta(days=offset)
        training_session = TrainingSession(
            course_id=courses[code].id,
            start_on=start,
            end_on=start + timedelta(days=days - 1),
            starts_at=time(9, 0),
            ends_at=time(16, 30),
            town=town,
            place=place,
            trainer=trainer,
            capacity=capacity,
            state=state,
        )
        session.add(training_session)
        session.flush()
        if state != "open" or not cooperatives:
            continue
        for index, (name, sex, age_band) in enumerate(PARTICIPANTS):
            session.add(
                Booking(
                    session_id=training_session.id,
                    cooperative_id=cooperatives[index % len(cooperatives)],
                    participant_name=name,
                    sex=sex,
                    age_band=age_band,
                    state="confirmed",
                )
            )
    session.flush()
