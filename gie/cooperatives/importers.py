"""CSV import of cooperatives: all rows or none, every error named by its line."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from gie.cooperatives import services
from gie.cooperatives.models import FILIERES, PROVINCES, STATUSES, Cooperative
from gie.csvfiles import parse_date, parse_decimal, read_rows
from gie.errors import ImportFailed
from gie.i18n import fold, labels_in_every_language

CHOICES = {"filiere": FILIERES, "province": PROVINCES, "status": STATUSES}


def _choice(field: str, text: str) -> str:
    """Accept a code (`olive_oil`, `MA-TET`) or its label in any language, any case."""
    wanted = fold(text)
    for code, label in CHOICES[field].items():
        if wanted == code.casefold() or wanted in labels_in_every_language(label):
            return code
    return text


def _convert(field: str, text: str):
    kind = services.FIELDS[field]
    if text == "":
        return None
    if field in CHOICES:
        return _choice(field, text)
    if kind is date:
        return parse_date(text)
    if kind is Decimal:
        return parse_decimal(text)
    if kind is int:
        return int(text)
    return text


def import_cooperatives(
    session: Session, data: bytes, *, encoding: str = "auto"
) -> tuple[int, int]:
    """Import a CSV of cooperatives; existing codes are updated with the columns given.

    `encoding` is one of `gie.csvfiles.ENCODINGS`. Returns (created, updated). Raises
    ImportFailed listing every bad line; nothing is saved then.
    """
    header, rows = read_rows(data, encoding=encoding)
    missing = [c for c in services.REQUIRED if c not in header]
    if missing:
        raise ImportFailed(
            _l("Required columns are missing."),
            [(1, _l("Missing columns: %(columns)s", columns=", ".join(missing)))],
        )
    unknown = [c for c in header if c and c not in services.FIELDS]
    if unknown:
        raise ImportFailed(
            _l("The file has columns this import does not know."),
            [(1, _l("Unknown columns: %(columns)s", columns=", ".join(unknown)))],
        )
    if not rows:
        raise ImportFailed(_l("The file has no cooperative."), [(2, _l("No data line."))])

    existing = {
        c.code: c
        for c in session.scalars(
            select(Cooperative).where(
                Cooperative.code.in_([r.get("code", "").strip().upper() for _, r in rows])
            )
        )
    }
    errors: list[tuple[int, str]] = []
    records: list[dict] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        record, line_errors = _record(session, row, existing)
        code = record.get("code")
        if code and code in seen:
            line_errors.append(
                _l("Code %(code)s is already on line %(line)d.", code=code, line=seen[code])
            )
        elif code:
            seen[code] = line
        errors += [(line, message) for message in line_errors]
        records.append(record)
    if errors:
        raise ImportFailed(_l("Nothing was imported: correct these lines."), errors)
    return services.save_all(session, records)


def _record(session: Session, row: dict, existing: dict) -> tuple[dict, list[str]]:
    messages: list[str] = []
    code = row.get("code", "").strip().upper()
    current = existing.get(code)
    values = {name: getattr(current, name) for name in services.FIELDS} if current else {}
    for field, text in row.items():
        if field not in services.FIELDS:
            continue
        try:
            values[field] = _convert(field, text)
        except (ValueError, OverflowError):
            messages.append(_l("%(field)s: “%(value)s” cannot be read.", field=field, value=text))
    record = services.normalise(values)
    if not messages:
        field_errors = services.check(
            session, record, cooperative_id=current.id if current else None
        )
        for field, field_messages in field_errors.items():
            messages += [f"{field}: {m}" for m in field_messages]
    return record, messages
