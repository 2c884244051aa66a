from ratings.ladder import consecutive_years


def test_consecutive_years_count_back_from_the_year_and_stop_at_a_gap():
    assert consecutive_years({1997, 1999, 2000}, 2000) == 2
    assert consecutive_years({1998, 1999, 2000}, 2000) == 3
    assert consecutive_years({1999}, 2000) == 0
    assert consecutive_years(set(), 2000) == 0
