"""`bianmin admin calendar-import`'s service function on the real database."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.service_layer.calendars import import_national_year


def _stored(runtime: Runtime, year: int) -> tuple[sa.RowMapping | None, dict[date, bool]]:
    with db.transaction(runtime.sessions, None) as s:
        meta = (
            s.execute(
                sa.text(
                    "SELECT published, disagreements FROM gateway.calendar_year "
                    "WHERE scope = 'national' AND year = :y"
                ),
                {"y": year},
            )
            .mappings()
            .first()
        )
        days = s.execute(
            sa.text(
                "SELECT day, working FROM gateway.calendar_day "
                "WHERE scope = 'national' AND extract(year FROM day) = :y"
            ),
            {"y": year},
        ).all()
    return meta, {d: w for d, w in days}


def test_2026_is_stored_as_published_with_its_adjusted_days(runtime: Runtime) -> None:
    result = import_national_year(runtime.sessions, 2026)
    assert result["year"] == 2026 and result["published"] is True and result["disagreements"] == []
    meta, days = _stored(runtime, 2026)
    assert meta is not None and meta["published"] is True
    assert len(days) == result["days"]
    assert days[date(2026, 9, 20)] is True  # a Sunday worked (adjusted working day)
    assert days[date(2026, 10, 10)] is True  # a Saturday worked
    for d in (1, 2, 5, 6, 7):  # National Day: the weekdays off
        assert days[date(2026, 10, d)] is False
    assert days[date(2026, 9, 25)] is False  # Mid-Autumn
    assert date(2026, 10, 8) not in days  # an ordinary working Thursday is not stored


def test_importing_a_year_again_replaces_it(runtime: Runtime) -> None:
    first = import_national_year(runtime.sessions, 2026)
    second = import_national_year(runtime.sessions, 2026)
    assert first == second
    assert len(_stored(runtime, 2026)[1]) == second["days"]


def test_2027_is_stored_as_provisional(runtime: Runtime) -> None:
    result = import_national_year(runtime.sessions, 2027)
    assert result["published"] is False
    meta, days = _stored(runtime, 2027)
    assert meta is not None and meta["published"] is False
    assert days == {}  # weekends only: nothing differs from the weekday rule yet
