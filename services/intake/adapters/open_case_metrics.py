"""The open-case gauges of intake's /metrics (DOMAIN.md §12), computed by one grouped query over
every township when Prometheus scrapes."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from services.intake.adapters import tables
from services.intake.domain import case as case_model

log = logging.getLogger(__name__)

OPEN_STATES = tuple(sorted(case_model.OPEN_STATES))
c = tables.case_with_clock  # a case with its clock
item = tables.catalogue_item


class OpenCasesCollector(Collector):
    """`bianmin_cases_open{county,category,colour}` (DOMAIN.md §12: open cases by clock colour)
    and `bianmin_cases_overdue{county}` (open cases past their deadline), the names the alert
    rules and the dashboard of deploy/observability use — computed by one grouped query when
    Prometheus scrapes. Labelled by county and category, not by tenant (ARCHITECTURE.md §7: no
    tenant ids in labels). `paused` counts escalated cases whose clock waits; cases whose clock
    has not started are not counted. The colours follow the clock's (domain/clock.py): overdue
    past the deadline, red on the deadline's local day, yellow past the warning."""

    def __init__(self) -> None:
        self.ops_sessions: sessionmaker[Session] | None = None
        self.tz = ZoneInfo("Asia/Shanghai")

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return self._families()  # no query when the collector is registered

    def collect(self) -> Iterable[GaugeMetricFamily]:
        open_, overdue = self._families()
        if self.ops_sessions is not None:
            try:
                rows = open_cases_by_colour(self.ops_sessions, self.tz)
            except Exception:  # noqa: BLE001 - a failed query must not take the other metrics down
                log.warning("bianmin_cases_open: the query failed; no series this scrape", exc_info=True)
                rows = []
            late: dict[str, int] = {}
            for county, category, colour, n in rows:
                open_.add_metric([county, category, colour], n)
                if colour == "overdue":
                    late[county] = late.get(county, 0) + n
            for county in sorted({r[0] for r in rows}):
                overdue.add_metric([county], late.get(county, 0))
        yield from (open_, overdue)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "bianmin_cases_open",
                "Open cases with a started clock, by county, item category and clock colour "
                "(green | yellow | red | overdue | paused).",
                labels=["county", "category", "colour"],
            ),
            GaugeMetricFamily(
                "bianmin_cases_overdue",
                "Open cases past their deadline (running clocks), by county.",
                labels=["county"],
            ),
        )


def open_cases_by_colour(
    ops_sessions: sessionmaker[Session], tz: ZoneInfo, at: datetime | None = None
) -> builtins.list[tuple[str, str, str, int]]:
    """(county, category, colour, count) over every township; `ops_sessions` crosses tenants."""
    at = at or datetime.now(UTC)
    today = sa.cast(sa.func.timezone(tz.key, sa.literal(at, sa.DateTime(timezone=True))), sa.Date)
    due_day = sa.cast(sa.func.timezone(tz.key, c.c.due_at), sa.Date)
    colour = sa.case(
        (c.c.clock_state == "paused", "paused"),
        (c.c.due_at < at, "overdue"),
        (due_day == today, "red"),
        (c.c.warn_at <= at, "yellow"),
        else_="green",
    ).label("colour")
    county = sa.func.split_part(c.c.tenant_id, ".", 1).label("county")
    category = sa.func.coalesce(item.c.category, "other").label("category")
    query = (
        sa.select(county, category, colour, sa.func.count())
        .select_from(c)
        .outerjoin(item, sa.and_(item.c.tenant_id == c.c.tenant_id, item.c.code == c.c.item_code))
        .where(c.c.state.in_(OPEN_STATES), c.c.clock_state.in_(("running", "paused")))
        .group_by(county, category, colour)
        .order_by(county, category, colour)
    )
    with db.transaction(ops_sessions, None) as s:
        return [(str(a), str(b), str(k), int(n)) for a, b, k, n in s.execute(query)]


OPEN_CASES = OpenCasesCollector()
_registered = False


def export_metrics(ops_sessions: sessionmaker[Session], timezone: str) -> None:
    """Let the process's /metrics serve the case gauges from these sessions (once per process;
    a later runtime replaces the sessions)."""
    global _registered
    OPEN_CASES.ops_sessions, OPEN_CASES.tz = ops_sessions, ZoneInfo(timezone)
    if not _registered:
        REGISTRY.register(OPEN_CASES)
        _registered = True
