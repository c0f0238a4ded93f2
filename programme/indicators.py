"""The observatory feed: anonymised aggregate indicators of a year per filière and province
(or per filière only, or per province only: the grouping), for the ORESS. SQL aggregates
grouped by the grouping's columns; Python only merges the cells.

Which cooperatives a cell counts: the GIE's members at some time in the year, i.e. not
candidates, membership started by 31 December (or start unknown) and not ended before
1 January; a withdrawn cooperative without an end date is left out (when it left is
unknown). Their subscriptions, invoices and trainees are counted; non-members' are not.

Small-cell suppression: a cell built from fewer than THRESHOLD cooperatives publishes no
figure (every value None, `suppressed` true). The total is computed over the published
cells only, so that no suppressed cell can be recovered by subtracting published cells
from it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from billing.models import Invoice, Subscription
from gie import tabular
from gie.cooperatives.models import Cooperative
from gie.money import Money
from training.models import AGE_BANDS, Attendance, Booking, Course, TrainingSession
from training.reports.indicators import YOUTH_AGE_BANDS

#: a cell of fewer cooperatives than this is suppressed
THRESHOLD = 3

#: grouping -> the cooperative columns a cell is keyed by
GROUPINGS = {
    "filiere_province": ("filiere", "province"),
    "filiere": ("filiere",),
    "province": ("province",),
}
DEFAULT_GROUPING = "filiere_province"
GROUPING_LABELS = {
    "filiere_province": _l("Filière and province"),
    "filiere": _l("Filière"),
    "province": _l("Prefecture or province"),
}
GROUPING_NOTES = {
    "filiere_province": _l("One cell per filière and province."),
    "filiere": _l("One cell per filière, all provinces together."),
    "province": _l("One cell per prefecture or province, all filières together."),
}

COLUMNS = (
    "cooperatives_active",  #: members at 31 December
    "cooperatives_new",  #: membership started in the year
    "cooperatives_withdrawn",  #: membership ended in the year
    "members_women",
    "members_men",
    "members_youth",  #: under 35, of either sex
    "subscriptions",  #: subscriptions running at some time in the year
    "invoiced_net",  #: MAD excluding VAT: invoices issued in the year less credit notes
    "training_hours",  #: course hours x participants who attended (participant-hours)
    "participants",
    "participants_women",
    "participants_men",
    "participants_youth",
    *(f"participants_{band}" for band in AGE_BANDS),
)

COLUMN_LABELS = {
    "cooperatives_active": _l("Member cooperatives at year end"),
    "cooperatives_new": _l("New members"),
    "cooperatives_withdrawn": _l("Withdrawn"),
    "members_women": _l("Women members"),
    "members_men": _l("Men members"),
    "members_youth": _l("Members under 35"),
    "subscriptions": _l("Services subscribed"),
    "invoiced_net": _l("Invoiced excl. VAT (MAD)"),
    "training_hours": _l("Training hours (participant-hours)"),
    "participants": _l("Participants trained"),
    "participants_women": _l("Women trained"),
    "participants_men": _l("Men trained"),
    "participants_youth": _l("Trained under 35"),
    "participants_under_25": _l("Trained under 25"),
    "participants_25_34": _l("Trained 25-34"),
    "participants_35_49": _l("Trained 35-49"),
    "participants_50_plus": _l("Trained 50 and over"),
}

COUNTED_NOTE = _l(
    "Cooperatives counted: the GIE's members at some time in the year (candidates and "
    "non-members left out)."
)
FIGURES_NOTES = (
    _l(
        "A cell built from fewer than %(threshold)d cooperatives is suppressed: its figures "
        "are not published.",
        threshold=THRESHOLD,
    ),
    _l("The total adds up the published cells only: no suppressed cell can be recovered from it."),
    _l("Members by sex and age are those recorded on each cooperative's file."),
    _l("Invoiced amounts: invoices issued in the year less credit notes, excluding VAT."),
    _l(
        "Training: sessions done that started in the year; participants who attended at "
        "least one half-day; hours are course hours per participant."
    ),
)


def notes(by: str) -> tuple:
    """The notes that go with a feed grouped by `by`."""
    return (COUNTED_NOTE, GROUPING_NOTES[by], *FIGURES_NOTES)


@dataclass
class Cell:
    group: dict  #: grouping column -> code, e.g. {"filiere": "honey", "province": "MA-HOC"}
    cooperatives: int  #: how many cooperatives the cell is built from (never published)
    values: dict = field(default_factory=dict)  #: column -> int or Decimal; None if suppressed

    @property
    def suppressed(self) -> bool:
        return self.cooperatives < THRESHOLD

    @property
    def filiere(self) -> str | None:
        return self.group.get("filiere")

    @property
    def province(self) -> str | None:
        return self.group.get("province")


@dataclass
class Feed:
    year: int
    by: str  #: the grouping, a key of GROUPINGS
    cells: list[Cell]
    total: dict  #: column -> sum over the published cells

    @property
    def suppressed(self) -> int:
        return sum(1 for cell in self.cells if cell.suppressed)

    @property
    def published(self) -> int:
        return len(self.cells) - self.suppressed


def _counted(first: date, last: date) -> tuple:
    """The cooperatives a year's cells are built from (see the module's docstring)."""
    return (
        Cooperative.status != "candidate",
        or_(Cooperative.membership_start_on.is_(None), Cooperative.membership_start_on <= last),
        or_(Cooperative.membership_end_on.is_(None), Cooperative.membership_end_on >= first),
        ~and_(Cooperative.status == "withdrawn", Cooperative.membership_end_on.is_(None)),
    )


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _cooperative_rows(session: Session, first: date, last: date, dimensions: Sequence):
    start, end = Cooperative.membership_start_on, Cooperative.membership_end_on
    return session.execute(
        select(
            *dimensions,
            func.count(Cooperative.id),
            _count_if(or_(end.is_(None), end > last)),
            _count_if(start.between(first, last)),
            _count_if(end.between(first, last)),
            func.coalesce(func.sum(Cooperative.members_women), 0),
            func.coalesce(func.sum(Cooperative.members_men), 0),
            func.coalesce(func.sum(Cooperative.members_youth), 0),
        )
        .where(*_counted(first, last))
        .group_by(*dimensions)
    ).all()


def _subscription_rows(session: Session, first: date, last: date, dimensions: Sequence):
    return session.execute(
        select(*dimensions, func.count(Subscription.id))
        .join(Cooperative, Cooperative.id == Subscription.cooperative_id)
        .where(
            *_counted(first, last),
            Subscription.start_on <= last,
            or_(Subscription.end_on.is_(None), Subscription.end_on >= first),
        )
        .group_by(*dimensions)
    ).all()


def _invoiced_rows(session: Session, first: date, last: date, dimensions: Sequence):
    # Cancelled invoices stay in: the credit note that cancelled them takes them off.
    signed = case((Invoice.kind == "credit_note", -Invoice.total_net), else_=Invoice.total_net)
    return session.execute(
        select(
            *dimensions,
            type_coerce(func.coalesce(func.sum(signed), 0), Money),
        )
        .join(Cooperative, Cooperative.id == Invoice.cooperative_id)
        .where(
            *_counted(first, last),
            Invoice.state != "draft",
            Invoice.issue_date.between(first, last),
        )
        .group_by(*dimensions)
    ).all()


def _training_rows(session: Session, first: date, last: date, dimensions: Sequence):
    """The same participants as training.reports.training_indicators (sessions done that
    started in the year, confirmed bookings present at one half-day at least), here split
    by their cooperative's cell."""
    attended = exists(
        select(Attendance.id).where(
            Attendance.booking_id == Booking.id, Attendance.present.is_(True)
        )
    )
    return session.execute(
        select(
            *dimensions,
            Booking.sex,
            Booking.age_band,
            func.count(Booking.id),
            func.coalesce(func.sum(Course.hours), 0),
        )
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .join(Cooperative, Cooperative.id == Booking.cooperative_id)
        .where(
            *_counted(first, last),
            TrainingSession.state == "done",
            TrainingSession.start_on.between(first, last),
            Booking.state == "confirmed",
            attended,
        )
        .group_by(*dimensions, Booking.sex, Booking.age_band)
    ).all()


def _empty() -> dict:
    return {column: Decimal("0.00") if column == "invoiced_net" else 0 for column in COLUMNS}


def observatory_indicators(session: Session, year: int, by: str = DEFAULT_GROUPING) -> Feed:
    """The year's cells grouped by `by` (a key of GROUPINGS), in code order, suppressed ones
    included (without their figures), and the total of the published cells."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    names = GROUPINGS[by]
    dimensions = [getattr(Cooperative, name) for name in names]
    width = len(dimensions)
    cells: dict[tuple, Cell] = {}
    for row in _cooperative_rows(session, first, last, dimensions):
        key = tuple(row[:width])
        count, active, new, withdrawn, women, men, youth = row[width:]
        values = _empty()
        values.update(
            cooperatives_active=int(active),
            cooperatives_new=int(new),
            cooperatives_withdrawn=int(withdrawn),
            members_women=int(women),
            members_men=int(men),
            members_youth=int(youth),
        )
        cells[key] = Cell(dict(zip(names, key, strict=True)), int(count), values)
    # Every subscription, invoice and trainee below belongs to a counted cooperative, so
    # its cell exists already.
    for row in _subscription_rows(session, first, last, dimensions):
        (count,) = row[width:]
        cells[tuple(row[:width])].values["subscriptions"] = int(count)
    for row in _invoiced_rows(session, first, last, dimensions):
        (amount,) = row[width:]
        cells[tuple(row[:width])].values["invoiced_net"] = amount
    for row in _training_rows(session, first, last, dimensions):
        sex, band, count, hours = row[width:]
        values = cells[tuple(row[:width])].values
        count = int(count)
        values["training_hours"] += int(hours)
        values["participants"] += count
        values["participants_women" if sex == "female" else "participants_men"] += count
        values[f"participants_{band}"] += count
        if band in YOUTH_AGE_BANDS:
            values["participants_youth"] += count

    ordered = [cells[key] for key in sorted(cells)]
    total = _empty()
    for cell in ordered:
        if cell.suppressed:
            cell.values = dict.fromkeys(COLUMNS)
            continue
        for column in COLUMNS:
            total[column] += cell.values[column]
    return Feed(year=year, by=by, cells=ordered, total=total)


def _plain(value):
    """Exact in JSON: amounts as strings of two decimals."""
    return format(value, "f") if isinstance(value, Decimal) else value


def as_dict(feed: Feed) -> dict:
    return {
        "year": feed.year,
        "source": "GIE Tanger-Tétouan-Al Hoceima",
        "grouping": feed.by,
        "grouped_by": list(GROUPINGS[feed.by]),
        "threshold": THRESHOLD,
        "notes": [str(note) for note in notes(feed.by)],
        "columns": list(COLUMNS),
        "cells": [
            {
                **cell.group,
                "suppressed": cell.suppressed,
                **{column: _plain(cell.values[column]) for column in COLUMNS},
            }
            for cell in feed.cells
        ],
        "total_of_published_cells": {
            "cells": feed.published,
            **{column: _plain(feed.total[column]) for column in COLUMNS},
        },
    }


def as_table(feed: Feed) -> tabular.Table:
    """The feed as a machine-readable table: codes, not labels; the grouping's columns after
    the year (filiere, province or both); a `suppressed` marker column with empty values on
    suppressed cells; the last row is the total of published cells."""
    grouped_by = GROUPINGS[feed.by]
    return tabular.Table(
        title=f"Observatory indicators {feed.year} by {feed.by}",
        headers=["row", "year", *grouped_by, "suppressed", *COLUMNS],
        rows=[
            [
                "cell",
                feed.year,
                *cell.group.values(),
                "true" if cell.suppressed else "false",
                *(cell.values[column] for column in COLUMNS),
            ]
            for cell in feed.cells
        ],
        totals=[
            "total_of_published_cells",
            feed.year,
            *("" for _name in grouped_by),
            "false",
            *(feed.total[column] for column in COLUMNS),
        ],
    )


def to_csv(feed: Feed, dialect: tabular.CsvDialect = tabular.INTERNATIONAL) -> str:
    return tabular.to_csv(as_table(feed), dialect)
