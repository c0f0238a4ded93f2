import pytest

from gie.forms import BIGINT_MAX, optional_int


@pytest.mark.parametrize("value", [None, "", "None", "abc", "1.5", "²", str(BIGINT_MAX + 1)])
def test_optional_int_reads_anything_but_a_storable_whole_number_as_none(value):
    assert optional_int(value) is None


@pytest.mark.parametrize("value, number", [("42", 42), (7, 7), (str(BIGINT_MAX), BIGINT_MAX)])
def test_optional_int_reads_a_whole_number(value, number):
    assert optional_int(value) == number
