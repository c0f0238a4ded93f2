"""Training: courses, their sessions, bookings with a waitlist, attendance per half-day,
and participants' evaluations."""

from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gie.db import Base, UTCDateTime, utcnow

CATEGORIES = (
    "bookkeeping",
    "microcredit",
    "communication",
    "funding",
    "marketing",
    "hygiene",
    "other",
)
SESSION_STATES = ("planned", "open", "full", "done", "cancelled")
BOOKING_STATES = ("confirmed", "waitlisted", "cancelled")
SEXES = ("female", "male")
AGE_BANDS = ("under_25", "25_34", "35_49", "50_plus")  #: youth = under 35


class Course(Base):
    __tablename__ = "training_course"
    __table_args__ = (CheckConstraint("hours > 0", name="hours"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_ar: Mapped[str] = mapped_column(String(200), default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    objectives_ar: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), default="other")
    hours: Mapped[int] = mapped_column(Integer)  #: duration of the whole course
    prerequisites: Mapped[str] = mapped_column(Text, default="")
    #: the billing catalogue's service that prices a seat (public and member prices)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("billing_service.id"))
    #: bill attended seats (default) or every confirmed booking
    bill_booked_seats: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return f"Course {self.code} {self.title}"


class TrainingSession(Base):
    __tablename__ = "training_session"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("end_on >= start_on", name="dates"),
        CheckConstraint("state IN ('planned', 'open', 'full', 'done', 'cancelled')", name="state"),
        Index("ix_training_session_start", "start_on"),
    )
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[time] = mapped_column(Time, default=time(9, 0))
    ends_at: Mapped[time] = mapped_column(Time, default=time(17, 0))
    town: Mapped[str] = mapped_column(String(120))  #: a town of the region
    place: Mapped[str] = mapped_column(String(200), default="")
    trainer: Mapped[str] = mapped_column(String(120), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), default="planned")
    billed: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship()
    bookings: Mapped[list["Booking"]] = relationship(
        back_populates="session", order_by="Booking.id"
    )

    @property
    def audit_label(self) -> str:
        return f"Training session of course #{self.course_id} from {self.start_on} in {self.town}"


class Booking(Base):
    """A seat for a named participant. Confirmed bookings never exceed the capacity; the
    others wait in `waitlist_position` order."""

    __tablename__ = "training_booking"
    __table_args__ = (
        CheckConstraint("state IN ('confirmed', 'waitlisted', 'cancelled')", name="state"),
        CheckConstraint("sex IN ('female', 'male')", name="sex"),
        Index("ix_training_booking_session_state", "session_id", "state"),
    )
    __audited__ = True
    __scope_column__ = "cooperative_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"))
    #: the cooperative the participant comes from; empty for a non-member booked by the coordinator
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("gie_cooperative.id"), index=True)
    #: who pays when there is no cooperative (a billing customer)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("billing_customer.id"))
    participant_name: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(6))
    age_band: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10))
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invoice_line_id: Mapped[int | None] = mapped_column(ForeignKey("billing_invoice_line.id"))
    #: satisfaction 1-5 and comment, given after the session
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    session: Mapped[TrainingSession] = relationship(back_populates="bookings")
    cooperative = relationship("Cooperative")

    @property
    def audit_label(self) -> str:
        return f"Booking of {self.participant_name} on training session #{self.session_id}"


class Attendance(Base):
    """Presence of a booked participant at one half-day of the session."""

    __tablename__ = "training_attendance"
    __table_args__ = (
        UniqueConstraint("booking_id", "day", "half"),
        CheckConstraint("half IN ('am', 'pm')", name="half"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("training_booking.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    half: Mapped[str] = mapped_column(String(2))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
