"""A ledger's VAT settings: how often it files, its regime, and which accounts mean what for
its returns (read by a return, booked by its settlement); changed only between years once a
return of the year is validated."""

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    or_,
    select,
)
from sqlalchemy.orm import Session

from accounting.models import (
    VAT_PERIODS,
    VAT_REGIMES,
    Account,
    Ledger,
)
from financial_close.models import VatReturn
from gie.errors import DomainError, NotFound, ValidationError

#: the ledger columns naming its VAT accounts, in the order the settings show them
VAT_ACCOUNT_SETTINGS = (
    "vat_collected_account",
    "vat_deductible_account",
    "vat_fixed_assets_account",
    "vat_credit_account",
    "vat_due_account",
)


@dataclass(frozen=True)
class VatAccounts:
    """Which accounts of a ledger mean what for its returns (a ledger setting): the three
    read by a return, each with its sub-accounts, and the two its settlement books."""

    collected: str
    deductible: str
    fixed_assets: str
    credit: str
    due: str

    @classmethod
    def of(cls, ledger: Ledger) -> "VatAccounts":
        return cls(*(getattr(ledger, name) for name in VAT_ACCOUNT_SETTINGS))

    def kind(self, code: str) -> str | None:
        """collected, deductible_fixed_assets or deductible_expenses; None for other accounts.
        The fixed assets' account is looked at first: by default it is a sub-account of the
        deductible one (34551 under 3455)."""
        if code.startswith(self.collected):
            return "collected"
        if code.startswith(self.fixed_assets):
            return "deductible_fixed_assets"
        if code.startswith(self.deductible):
            return "deductible_expenses"
        return None


def read_by_returns(code_column):
    """SQL: the account (of a query joined to its ledger) is one a return reads."""
    return or_(
        code_column.startswith(Ledger.vat_collected_account),
        code_column.startswith(Ledger.vat_deductible_account),
        code_column.startswith(Ledger.vat_fixed_assets_account),
    )


class VatReturnRefused(DomainError):
    """A return that cannot be validated (or settings refused); nothing was saved."""


def update_settings(
    session: Session,
    ledger_id: int,
    *,
    vat_period: str | None = None,
    vat_regime: str | None = None,
    accounts: dict[str, str] | None = None,
) -> Ledger:
    """Set how often the ledger files (monthly or quarterly), its regime and its VAT
    accounts (`accounts`: setting name of VAT_ACCOUNT_SETTINGS -> account code); what is
    None stays. Returns keep the settings of their year: once one is validated, changes wait
    until the year's last return is validated (an option for the next year).

    Raises ValidationError, VatReturnRefused (a return of the year validated), NotFound.
    """
    ledger = session.get(Ledger, ledger_id)
    if ledger is None:
        raise NotFound(_l("This page does not exist."))
    wanted = {"vat_period": vat_period, "vat_regime": vat_regime, **(accounts or {})}
    wanted = {name: value.strip() for name, value in wanted.items() if value is not None}
    errors = _settings_errors(session, ledger, {**settings_of(ledger), **wanted})
    if errors:
        raise ValidationError(_l("Check the VAT settings."), field_errors=errors)
    changes = {name: value for name, value in wanted.items() if getattr(ledger, name) != value}
    if not changes:
        return ledger
    last = session.scalar(
        select(VatReturn)
        .where(VatReturn.ledger_id == ledger.id)
        .order_by(VatReturn.period_end.desc())
        .limit(1)
    )
    if last is not None and (last.period_end + relativedelta(days=1)).year == last.period_end.year:
        raise VatReturnRefused(
            _l(
                "A return of %(year)s is validated: the VAT settings may change once the "
                "returns of %(year)s are all validated, for the next year.",
                year=last.period_end.year,
            )
        )
    for name, value in changes.items():
        setattr(ledger, name, value)
    session.flush()
    return ledger


def settings_of(ledger: Ledger) -> dict[str, str]:
    """The ledger's VAT settings by name: period, regime and VAT accounts."""
    return {
        name: getattr(ledger, name) for name in ("vat_period", "vat_regime", *VAT_ACCOUNT_SETTINGS)
    }


def _settings_errors(session: Session, ledger: Ledger, settings: dict[str, str]) -> dict:
    """Field errors of VAT settings: known choices, account codes of digits, read accounts
    that do not overlap, and booked accounts in the chart and outside the accounts read."""
    errors: dict[str, list] = {}
    if settings["vat_period"] not in VAT_PERIODS:
        errors["vat_period"] = [_l("Choose monthly or quarterly.")]
    if settings["vat_regime"] not in VAT_REGIMES:
        errors["vat_regime"] = [_l("Choose the regime of collection or of debit.")]
    codes = {name: settings[name] for name in VAT_ACCOUNT_SETTINGS}
    for name, code in codes.items():
        if not code.isdigit() or not 2 <= len(code) <= 12:
            errors[name] = [_l("An account code is 2 to 12 digits, e.g. 34211.")]
    if set(codes) & set(errors):
        return errors
    collected, deductible = codes["vat_collected_account"], codes["vat_deductible_account"]
    if collected.startswith(deductible) or deductible.startswith(collected):
        errors["vat_deductible_account"] = [
            _l("The VAT collected and the VAT deductible need accounts of their own.")
        ]
    read = VatAccounts(*codes.values())
    existing = set(
        session.scalars(
            select(Account.code).where(
                Account.ledger_id == ledger.id,
                Account.code.in_([codes["vat_credit_account"], codes["vat_due_account"]]),
            )
        )
    )
    for name in ("vat_credit_account", "vat_due_account"):
        if codes[name] not in existing:
            errors[name] = [_l("Account %(code)s does not exist in these books.", code=codes[name])]
        elif read.kind(codes[name]) is not None:
            errors[name] = [
                _l(
                    "Account %(code)s is one the returns read: choose an account of its own.",
                    code=codes[name],
                )
            ]
    return errors
