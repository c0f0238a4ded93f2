from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gie.cooperatives.models import Cooperative
from gie.money import D, to_cents


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        D(0.1)


def test_rounding_is_half_up_to_the_centime():
    assert D("2.675") == Decimal("2.68")
    assert D("-2.675") == Decimal("-2.68")
    assert to_cents(Decimal("1234.565")) == 123457


def test_sums_over_money_columns_are_exact_decimals(session, make_cooperative):
    for _ in range(10):
        make_cooperative(share_capital=Decimal("0.10"))
    total = session.scalar(select(func.sum(Cooperative.share_capital)))
    assert isinstance(total, Decimal)
    assert str(total) == "1.00"
