"""`bianmin admin calendar-import`'s service function on the real database."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from prometheus_client import REGISTRY

from libs.common import db
from libs.common.calendar import published_years
from libs.common.runtime import Runtime
from services.gateway.service_layer.calendars import (
    import_national_year,
    import_published_years,
    report_provisional_years,
)
from tests.integration.gateway.support import outbox_rows


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
    result = import_national_year(runtime.sessions, 2026, "tianyang")
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
    first = import_national_year(runtime.sessions, 2026, "tianyang")
    second = import_national_year(runtime.sessions, 2026, "tianyang")
    assert first == second
    assert len(_stored(runtime, 2026)[1]) == second["days"]


def test_2027_is_stored_as_provisional(runtime: Runtime) -> None:
    result = import_national_year(runtime.sessions, 2027, "tianyang")
    assert result["published"] is False
    meta, days = _stored(runtime, 2027)
    assert meta is not None and meta["published"] is False
    assert days == {}  # weekends only: nothing differs from the weekday rule yet


def test_an_import_publishes_the_year_under_the_county_scope(runtime: Runtime) -> None:
    before = len(outbox_rows(runtime, "tianyang.*", "national_calendar_imported"))
    result = import_national_year(runtime.sessions, 2026, "tianyang")
    rows = outbox_rows(runtime, "tianyang.*", "national_calendar_imported")
    assert len(rows) == before + 1
    data = rows[-1]["payload"]
    assert data["year"] == 2026 and data["published"] is True and data["county"] == "tianyang"
    assert int(data["version"]) >= 1
    days = {d["date"]: d.get("working", False) for d in data["days"]}
    assert len(days) == result["days"]
    assert days["2026-09-20"] is True and days["2026-10-01"] is False


def test_every_published_year_is_loaded_once_and_a_newly_published_one_at_the_next_start(
    runtime: Runtime,
) -> None:
    import_published_years(runtime.sessions, "tianyang")  # whatever earlier tests left: now complete
    for year in published_years():
        meta, _ = _stored(runtime, year)
        assert meta is not None and meta["published"] is True, year
    _, days_2025 = _stored(runtime, 2025)
    assert days_2025[date(2025, 1, 29)] is False and days_2025[date(2025, 2, 8)] is True  # 春节, 调休
    assert import_published_years(runtime.sessions, "tianyang") == []  # a second start imports nothing
    # a year stored before its notice was published (an older package): picked up at the next start
    with db.transaction(runtime.ops_sessions, None) as s:
        s.execute(
            sa.text(
                "UPDATE gateway.calendar_year SET published = false WHERE scope = 'national' AND year = 2025"
            )
        )
    assert [r["year"] for r in import_published_years(runtime.sessions, "tianyang")] == [2025]


def test_the_provisional_years_are_reported() -> None:
    report_provisional_years("tianyang", date(2026, 12, 7))
    value = REGISTRY.get_sample_value
    assert value("bianmin_calendar_provisional_year", {"county": "tianyang", "year": "2026"}) == 0
    assert value("bianmin_calendar_provisional_year", {"county": "tianyang", "year": "2027"}) == 1
