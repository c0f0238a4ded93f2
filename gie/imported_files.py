"""Files imported once: each package records the files it imported (their SHA-256, name, who
and when) in its own table built on `ImportedFileColumns`, refuses the same file again, and
lets the user force it, the forcing kept in the audit log with the record.
"""

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from gie.db import UTCDateTime, utcnow
from gie.errors import ImportFailed


class AlreadyImported(ImportFailed):
    """The file, or some of its records, was imported before; the user may force it."""


class ImportedFileColumns:
    """What every imported-file table holds; a model adds its scope and its counts."""

    __audited__ = True  # the audit log keeps each import, and says when one was forced

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))  #: of the file's bytes, as uploaded
    filename: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: whoever imported it; empty when a command did
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("gie_user.id"))
    #: imported although it was refused as already imported, and why it was refused
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    forced_over: Mapped[str] = mapped_column(String(500), default="")

    @declared_attr
    def imported_by(cls):
        return relationship("User")

    def __str__(self) -> str:
        return self.filename or self.sha256[:12]

    @property
    def audit_label(self) -> str:
        return f"Imported file {self} (SHA-256 {self.sha256[:12]})"


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def who(record: ImportedFileColumns):
    """The name of whoever imported a file, for a message."""
    return record.imported_by.name if record.imported_by else _l("a command")


def when(record: ImportedFileColumns) -> str:
    """The time of an import, the same in every language and time zone."""
    return record.imported_at.strftime("%Y-%m-%d %H:%M UTC")


def same_file_refused(record: ImportedFileColumns) -> AlreadyImported:
    """The refusal of a file imported before, naming when and by whom."""
    message = _l(
        "This file (%(filename)s) was already imported on %(when)s by %(who)s.",
        filename=record.filename,
        when=when(record),
        who=who(record),
    )
    return AlreadyImported(message, [])
