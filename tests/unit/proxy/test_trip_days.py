"""Trip days (services/proxy/domain/trip.py): the setting or the default, the next one after today."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.proxy.domain.trip import DEFAULT_TRIP_DAYS, WEEKDAYS, next_trip_day, trip_days

MONDAY = date(2026, 12, 7)


def test_default_is_wednesday_and_sunday() -> None:
    assert trip_days(None) == trip_days([]) == trip_days(["xyz"]) == DEFAULT_TRIP_DAYS == ("wed", "sun")
    assert trip_days(["SUN", "mon"]) == ("mon", "sun")
    assert next_trip_day(MONDAY, DEFAULT_TRIP_DAYS) == date(2026, 12, 9)  # Wednesday
    assert next_trip_day(date(2026, 12, 9), DEFAULT_TRIP_DAYS) == date(2026, 12, 13)  # Wednesday → Sunday


@given(day=st.dates(), days=st.sets(st.sampled_from(WEEKDAYS), min_size=1))
def test_the_next_trip_day_is_the_first_one_after_today(day: date, days: set[str]) -> None:
    if day > date(9999, 12, 20):
        return
    trip = next_trip_day(day, days)
    assert day < trip <= day + timedelta(days=7)
    assert WEEKDAYS[trip.weekday()] in days
    assert all(WEEKDAYS[(day + timedelta(days=k)).weekday()] not in days for k in range(1, (trip - day).days))
