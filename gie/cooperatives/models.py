from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gie.db import Base, UTCDateTime, utcnow
from gie.money import Money

#: Filières of the region's artisan cooperatives, the observatory's first axis.
FILIERES = {
    "dairy": _l("Dairy and cheese"),
    "building": _l("Building crafts"),
    "pottery": _l("Pottery and ceramics"),
    "weaving": _l("Weaving and textiles"),
    "wood": _l("Woodwork"),
    "leather": _l("Leather"),
    "olive_oil": _l("Olive oil"),
    "honey": _l("Honey"),
    "aromatic_plants": _l("Aromatic and medicinal plants"),
    "food": _l("Food processing"),
    "fishing": _l("Fishing"),
}

#: Prefectures and provinces of Tanger-Tétouan-Al Hoceïma (ISO 3166-2, BO 6340).
PROVINCES = {
    "MA-TNG": _l("Tangier-Assilah"),
    "MA-MDF": _l("M'diq-Fnideq"),
    "MA-TET": _l("Tetouan"),
    "MA-FAH": _l("Fahs-Anjra"),
    "MA-LAR": _l("Larache"),
    "MA-HOC": _l("Al Hoceima"),
    "MA-CHE": _l("Chefchaouen"),
    "MA-OUZ": _l("Ouezzane"),
}

STATUSES = {
    "candidate": _l("Candidate"),
    "active": _l("Active"),
    "suspended": _l("Suspended"),
    "withdrawn": _l("Withdrawn"),
}

LEGAL_FORMS = {
    "cooperative": _l("Cooperative"),
    "union": _l("Union of cooperatives"),
}


class Cooperative(Base):
    __tablename__ = "gie_cooperative"
    __table_args__ = (
        CheckConstraint(
            "status IN ('candidate', 'active', 'suspended', 'withdrawn')", name="status"
        ),
        CheckConstraint(
            "members_women >= 0 AND members_men >= 0 AND members_youth >= 0", name="members"
        ),
        CheckConstraint("share_capital >= 0", name="share_capital"),
    )
    __audited__ = True
    __scope_column__ = "id"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  #: e.g. COOP-017
    name: Mapped[str] = mapped_column(String(200), index=True)  #: French name
    name_ar: Mapped[str] = mapped_column(String(200), default="")
    legal_form: Mapped[str] = mapped_column(String(20), default="cooperative")
    filiere: Mapped[str] = mapped_column(String(30), index=True)
    province: Mapped[str] = mapped_column(String(6), index=True)  #: ISO 3166-2 code
    commune: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    ice: Mapped[str] = mapped_column(String(15), default="")  #: 15 digits, MOD 97-10
    if_number: Mapped[str] = mapped_column(String(20), default="")  #: identifiant fiscal
    rc_number: Mapped[str] = mapped_column(String(30), default="")  #: registre de commerce
    local_register_number: Mapped[str] = mapped_column(String(30), default="")
    created_on: Mapped[date | None] = mapped_column(Date)
    share_capital: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    membership_start_on: Mapped[date | None] = mapped_column(Date)
    membership_end_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="candidate", index=True)
    members_women: Mapped[int] = mapped_column(Integer, default=0)
    members_men: Mapped[int] = mapped_column(Integer, default=0)
    #: members under 35, of either sex (the observatory counts youth separately)
    members_youth: Mapped[int] = mapped_column(Integer, default=0)
    president_name: Mapped[str] = mapped_column(String(120), default="")
    president_phone: Mapped[str] = mapped_column(String(30), default="")
    president_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def members_total(self) -> int:
        return self.members_women + self.members_men

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def audit_label(self) -> str:
        return f"Cooperative {self.code} {self.name}"
