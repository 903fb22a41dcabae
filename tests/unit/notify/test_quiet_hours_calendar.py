"""Quiet hours over a township's compiled calendar (services/notify/domain/delivery.py
`quiet_until_in`) and the pure composition step shared by the gateway and the projections
(libs/common/calendar_projection.py `compose`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from libs.common.calendar import national_year, tenant_calendar
from libs.common.calendar_projection import compose
from services.notify.domain.delivery import quiet_until_in

TZ = ZoneInfo("Asia/Shanghai")
SATURDAY, MONDAY = date(2026, 3, 7), date(2026, 3, 9)
FESTIVAL = date(2026, 4, 20)  # a Monday: 三月三, a county holiday


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def test_a_township_working_saturday_opens_at_its_office_hours() -> None:
    plain = tenant_calendar(2026, 2026)
    worked = tenant_calendar(2026, 2026, township_overrides={SATURDAY: True})
    assert quiet_until_in(plain, local(SATURDAY, 10)) == local(MONDAY, 9)
    assert quiet_until_in(worked, local(SATURDAY, 10)) is None
    assert quiet_until_in(worked, local(SATURDAY, 7)) == local(SATURDAY, 9)
    assert quiet_until_in(worked, local(SATURDAY, 12, 30)) == local(SATURDAY, 14)


def test_a_county_festival_holds_until_the_next_working_day() -> None:
    cal = tenant_calendar(2026, 2026, county_overrides={FESTIVAL: False})
    assert quiet_until_in(cal, local(FESTIVAL, 10)) == local(FESTIVAL + timedelta(days=1), 9)
    assert quiet_until_in(cal, local(FESTIVAL - timedelta(days=3), 18)) == local(
        FESTIVAL + timedelta(days=1), 9
    )


def test_national_holidays_and_the_townships_hours_and_zone() -> None:
    cal = tenant_calendar(2026, 2026, hours=((time(8, 30), time(11, 30)),), tz="Asia/Urumqi")
    urumqi = ZoneInfo("Asia/Urumqi")
    # 2026-10-01..07 national holidays; Sat 10-10 an adjusted working day (2026's State Council notice)
    assert national_year(2026).published
    before = datetime(2026, 9, 30, 12, tzinfo=urumqi)
    after = quiet_until_in(cal, before)
    assert after is not None and after.astimezone(urumqi) == datetime(2026, 10, 8, 8, 30, tzinfo=urumqi)


def test_beyond_the_calendar_nothing_is_held() -> None:
    cal = tenant_calendar(2026, 2026)
    assert quiet_until_in(cal, local(date(2026, 12, 31), 20)) is None  # no working day in range


def test_compose_is_the_national_import_with_the_overrides() -> None:
    years = [national_year(2026), national_year(2027)]
    national = {d: y.is_working(d) for y in years for d in y.off_days | y.work_days}
    published = {y.year: y.published for y in years}
    composed = compose(
        2026, 2027, national, published, {FESTIVAL: False}, {SATURDAY: True}, tz="Asia/Shanghai"
    )
    expected = tenant_calendar(2026, 2027, {FESTIVAL: False}, {SATURDAY: True})
    day = date(2026, 1, 1)
    while day <= date(2027, 12, 31):
        assert composed.day_info(day) == expected.day_info(day), day
        day += timedelta(days=1)
    assert composed.provisional_years == expected.provisional_years
    # a year never imported is provisional: weekends only
    bare = compose(2026, 2026, {}, {}, {}, {})
    assert bare.provisional_years == {2026} and bare.day_info(date(2026, 10, 1)).working is True
