"""The VAT rates of the books: dated records with their legal reference, read by whatever
prices, invoices or declares VAT (billing, training, the VAT return)."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accounting.models import VatRate
from gie.errors import DomainError

DEFAULT_VAT_RATES = (
    ("TVA20", Decimal("20"), "CGI art. 98 (taux normal)", False),
    ("TVA10", Decimal("10"), "CGI art. 99", False),
    ("EXO91", Decimal("0"), "Exonération CGI art. 91", True),
)


class NoVatRateInForce(DomainError):
    """No rate of the code asked is in force on the date asked; nothing changed."""


def ensure_vat_rates(session: Session, since: date = date(2000, 1, 1)) -> None:
    """The rates every installation starts with; later changes are new dated records."""
    known = set(session.scalars(select(VatRate.code)))
    for code, rate, reference, exempt in DEFAULT_VAT_RATES:
        if code not in known:
            session.add(
                VatRate(
                    code=code, rate=rate, valid_from=since, legal_reference=reference, exempt=exempt
                )
            )
    session.flush()


def _in_force(on: date):
    return (VatRate.valid_from <= on) & or_(VatRate.valid_to.is_(None), VatRate.valid_to >= on)


def vat_rate_on(session: Session, code: str, on: date) -> VatRate:
    """The rate `code` in force on `on`. Raises NoVatRateInForce."""
    rate = session.scalar(
        select(VatRate)
        .where(VatRate.code == code, _in_force(on))
        .order_by(VatRate.valid_from.desc())
    )
    if rate is None:
        raise NoVatRateInForce(
            _l("No VAT rate %(code)s is in force on %(date)s.", code=code, date=on.isoformat())
        )
    return rate


def rates_in_force(session: Session, *, on: date) -> list[VatRate]:
    """Every rate in force on `on`, the highest first."""
    return list(
        session.scalars(
            select(VatRate).where(_in_force(on)).order_by(VatRate.rate.desc(), VatRate.code)
        )
    )
