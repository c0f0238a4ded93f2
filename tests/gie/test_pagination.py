from gie.pagination import page_count


def test_an_empty_list_still_has_one_page():
    assert page_count(0, 50) == 1


def test_a_partial_last_page_counts_as_a_page():
    assert [page_count(total, 50) for total in (49, 50, 51, 100, 101)] == [1, 1, 2, 2, 3]
