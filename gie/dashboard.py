"""Home page: what needs each role's attention today. One section builder per role, each a
handful of scoped queries on the packages' reports; charts drawn on the server."""

from datetime import date

from babel.numbers import format_compact_decimal
from dateutil.relativedelta import relativedelta
from flask import Blueprint, render_template
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from accounting import services as accounting_services
from accounting.reports import home as accounting_home
from billing import reports as billing_reports
from billing.forms import DOCUMENT_LABELS, STATE_LABELS
from commercial import reports as commercial_reports
from commercial import services as commercial_services
from commercial.forms import ACTIVITY_KIND_LABELS
from financial_close.cockpit import cockpit
from financial_close.cockpit import totals as cockpit_totals
from gie import db, i18n
from gie.charts import Bar, bar_chart, column_chart
from gie.cooperatives import reports as cooperative_reports
from gie.cooperatives.models import FILIERES, STATUSES
from gie.money import ZERO
from gie.security import requires
from training.reports import home as training_home
from training.reports import sessions as training_sessions

bp = Blueprint("dashboard", __name__)

UPCOMING_DAYS = 60
LIST_SIZE = 8


def _rtl() -> bool:
    return i18n.language() == "ar"


def _filiere(code: str | None) -> str:
    return str(FILIERES.get(code, code)) if code else _("Non-members")


def _year_to_date(today: date) -> tuple[date, date]:
    return today.replace(month=1, day=1), today


def _accountant(session, user, today: date) -> dict:
    """The cockpit's ledgers with something waiting, plus those whose lock date is older
    than the end of last month (a period due for locking), and the overdue invoices."""
    end_of_last_month = today + relativedelta(day=1, days=-1)
    waiting = []
    for row in cockpit(session, today):
        lock_due = row.lock_date is None or row.lock_date < end_of_last_month
        if row.drafts or row.unreconciled or row.vat_due or row.open_years or lock_due:
            waiting.append((row, lock_due))
    overdue = billing_reports.overdue_by_customer(session, user, on=today)
    return {
        "ledgers": waiting[:LIST_SIZE],
        "ledgers_count": len(waiting),
        "todo": cockpit_totals([row for row, _lock_due in waiting]),
        "lock_due_count": sum(1 for _row, lock_due in waiting if lock_due),
        "end_of_last_month": end_of_last_month,
        "overdue": overdue[:LIST_SIZE],
        "overdue_count": sum(len(item.invoices) for item in overdue),
        "overdue_total": sum((item.total for item in overdue), ZERO),
    }


def _revenue_chart(session, today: date):
    first = today + relativedelta(months=-11, day=1)
    by_month = billing_reports.revenue_by_month(session, date_from=first, date_to=today)
    months = [first + relativedelta(months=offset) for offset in range(12)]
    bars = [
        Bar(format_date(month, "LLL"), by_month.get(month, ZERO), format_date(month, "LLLL y"))
        for month in months
    ]
    return column_chart(
        bars,
        title=_("Revenue of the last twelve months, net of credit notes"),
        format_value=i18n.money,
        format_label=_compact,
        headings=(_("Month"), _("Net revenue")),
        rtl=_rtl(),
    )


def _compact(value) -> str:
    """Short figures for chart labels, e.g. 12 k; the tables give the exact amounts."""
    return format_compact_decimal(
        value, locale=i18n.FORMAT_LOCALES[i18n.language()], fraction_digits=1
    )


def _admin(session, user, today: date) -> dict:
    year_start, _today = _year_to_date(today)
    by_service = billing_reports.revenue_by_service(session, date_from=year_start, date_to=today)
    subscriptions = billing_reports.subscriptions_by_filiere(session, on=today)
    return {
        "by_status": cooperative_reports.count_by_status(session, user),
        "statuses": STATUSES,
        "revenue_by_service": by_service,
        "revenue_total": sum((amount for _service, amount in by_service), ZERO),
        "revenue_chart": _revenue_chart(session, today),
        "subscriptions": [(_filiere(code), count) for code, count in subscriptions],
        "subscriptions_chart": bar_chart(
            [Bar(_filiere(code), count) for code, count in subscriptions],
            title=_("Running subscriptions by filière"),
            format_value=i18n.number,
            headings=(_("Filière"), _("Subscriptions")),
            rtl=_rtl(),
        ),
    }


def _stage_name(stage) -> str:
    return stage.name_ar if i18n.language() == "ar" and stage.name_ar else stage.name


def _sales_adviser(session, user, today: date) -> dict:
    owner_id = user.id
    activities = commercial_services.my_activities(session, user, today)
    pipeline = commercial_reports.pipeline_by_stage(session, user, owner_id=owner_id)
    idle, idle_count = commercial_reports.leads_without_next_step(
        session, user, owner_id=owner_id, limit=LIST_SIZE
    )
    return {
        "activity_kinds": ACTIVITY_KIND_LABELS,
        "overdue_activities": activities["overdue"],
        "today_activities": activities["today"],
        "pipeline": pipeline,
        "pipeline_count": sum(count for _stage, count, _amount, _weighted in pipeline),
        "pipeline_amount": sum((row[2] for row in pipeline), ZERO),
        "pipeline_weighted": sum((row[3] for row in pipeline), ZERO),
        "pipeline_chart": bar_chart(
            [Bar(_stage_name(stage), amount) for stage, _count, amount, _weighted in pipeline],
            title=_("Pipeline by stage (expected amount)"),
            format_value=i18n.money,
            format_label=_compact,
            headings=(_("Stage"), _("Amount")),
            rtl=_rtl(),
        ),
        "idle_leads": idle,
        "idle_count": idle_count,
    }


def _training_coordinator(session, user, today: date) -> dict:
    sessions = training_home.upcoming_sessions(
        session, date_from=today, date_to=today + relativedelta(days=UPCOMING_DAYS)
    )
    hours = training_home.hours_by_filiere(session, today.year)
    ordered = sorted(hours.items(), key=lambda item: item[1], reverse=True)
    return {
        "sessions": sessions,
        "upcoming_days": UPCOMING_DAYS,
        "waitlisted_total": sum(waitlisted for _item, _confirmed, waitlisted in sessions),
        "hours_chart": bar_chart(
            [Bar(_filiere(code), count) for code, count in ordered],
            title=_("Training hours by filière, %(year)s", year=today.year),
            format_value=i18n.number,
            headings=(_("Filière"), _("Participant hours")),
            rtl=_rtl(),
        ),
        "course_title": lambda course: training_sessions.course_title(course, i18n.language()),
    }


def _president(session, user, today: date) -> dict:
    context: dict = {
        "cooperative": user.cooperative,
        "invoice_documents": DOCUMENT_LABELS,
        "invoice_states": STATE_LABELS,
    }
    customer = billing_reports.customer_of_cooperative(session, user.cooperative_id)
    if customer is not None:
        context["customer"] = customer
        context["due"] = billing_reports.amount_due(session, customer.id, on=today)
        context["documents"] = billing_reports.last_documents(session, customer.id)
    ledgers = accounting_services.visible_ledgers(session, user)
    if ledgers:
        year_start, _today = _year_to_date(today)
        context["ledger"] = ledgers[0]
        context["books"] = accounting_home.result_and_cash(
            session, ledgers[0].id, date_from=year_start, date_to=today
        )
    context["bookings"] = training_home.booked_sessions(session, user, date_from=today)
    context["leads"] = commercial_reports.recent_leads(session, user, limit=LIST_SIZE)
    context["course_title"] = lambda course: training_sessions.course_title(course, i18n.language())
    return context


SECTIONS = {
    "accountant": _accountant,
    "admin": _admin,
    "sales_adviser": _sales_adviser,
    "training_coordinator": _training_coordinator,
    "president": _president,
}


@bp.get("/")
@requires("dashboard.view")
def home():
    role = current_user.role
    context = SECTIONS[role](db.session, current_user, date.today())
    return render_template("dashboard.html", role=role, today=date.today(), **context)
