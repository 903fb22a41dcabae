"""The open-case gauges of intake's /metrics (DOMAIN.md §12), computed by one grouped query over
every township when Prometheus scrapes."""

from __future__ import annotations

import builtins
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from prometheus_client.core import GaugeHistogramMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from services.intake.adapters import tables
from services.intake.domain import case as case_model

log = logging.getLogger(__name__)

OPEN_STATES = tuple(sorted(case_model.OPEN_STATES))
DAY = 86400
# the time-to-deadline buckets (seconds left): past it, within a day, 3, 7 and 30 days
DEADLINE_BUCKETS = (0, DAY, 3 * DAY, 7 * DAY, 30 * DAY)
c = tables.case_with_clock  # a case with its clock
item = tables.catalogue_item


class OpenCasesCollector(Collector):
    """`bianmin_cases_open{county,township,category,colour}` (DOMAIN.md §12: open cases by clock
    colour), `bianmin_cases_overdue{county,township}` (open cases past their deadline) and
    `bianmin_escalations_waiting_county{county,township}` (cases escalated to the county whose
    clock waits, apart from the township's own escalations), the names the alert rules and the
    dashboard of deploy/observability use — computed by one grouped query when Prometheus
    scrapes. Labelled by county and township (the tenant id's two codes: ARCHITECTURE.md §7, a
    deployment serves one county's few dozen townships, so ops see *where* cases are late) and
    item category. `paused` counts escalated cases whose clock waits; cases whose clock has not
    started are not counted. The colours follow the clock's (domain/clock.py): overdue past the
    deadline, red on the deadline's local day (due today), yellow past the warning."""

    def __init__(self) -> None:
        self.ops_sessions: sessionmaker[Session] | None = None
        self.tz = ZoneInfo("Asia/Shanghai")

    def describe(self) -> Iterable[Metric]:
        return (*self._families(), _time_to_deadline_family())  # no query when registered

    def collect(self) -> Iterable[Metric]:
        open_, overdue, at_county = self._families()
        left = _time_to_deadline_family()
        if self.ops_sessions is not None:
            try:
                rows = open_cases_by_colour(self.ops_sessions, self.tz)
                buckets, sums = time_to_deadline(self.ops_sessions)
            except Exception:  # noqa: BLE001 - a failed query must not take the other metrics down
                log.warning("bianmin_cases_open: the query failed; no series this scrape", exc_info=True)
                rows, buckets, sums = [], {}, {}
            for place, counts in sorted(buckets.items()):
                cumulative = [sum(counts[: i + 1]) for i in range(len(DEADLINE_BUCKETS))]
                le = [(str(b), float(n)) for b, n in zip(DEADLINE_BUCKETS, cumulative, strict=True)]
                seconds = sums.get(place, 0.0)
                left.add_metric(list(place), [*le, ("+Inf", float(sum(counts)))], gsum_value=seconds)
            late: Counter[tuple[str, str]] = Counter()
            waiting: Counter[tuple[str, str]] = Counter()
            for r in rows:
                open_.add_metric([r.county, r.township, r.category, r.colour], r.cases)
                place = (r.county, r.township)
                late[place] += r.cases if r.colour == "overdue" else 0
                waiting[place] += r.cases if r.waiting_at_county else 0
            for place in sorted({(r.county, r.township) for r in rows}):
                overdue.add_metric(list(place), late[place])
                at_county.add_metric(list(place), waiting[place])
        yield from (open_, overdue, at_county, left)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "bianmin_cases_open",
                "Open cases with a started clock, by county, township, item category and clock "
                "colour (green | yellow | red | overdue | paused).",
                labels=["county", "township", "category", "colour"],
            ),
            GaugeMetricFamily(
                "bianmin_cases_overdue",
                "Open cases past their deadline (running clocks), by county and township.",
                labels=["county", "township"],
            ),
            GaugeMetricFamily(
                "bianmin_escalations_waiting_county",
                "Open cases escalated to the county whose clock waits, by county and township.",
                labels=["county", "township"],
            ),
        )


class OpenCases(NamedTuple):
    county: str
    township: str
    category: str
    colour: str
    waiting_at_county: bool  # escalated to the county, its clock paused
    cases: int


def open_cases_by_colour(
    ops_sessions: sessionmaker[Session], tz: ZoneInfo, at: datetime | None = None
) -> builtins.list[OpenCases]:
    """The open cases counted by place, category and colour over every township; `ops_sessions`
    crosses tenants."""
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
    waiting_at_county = sa.and_(
        c.c.clock_state == "paused", c.c.state == case_model.ESCALATED, c.c.escalated_to == "county"
    ).label("waiting_at_county")
    county = sa.func.split_part(c.c.tenant_id, ".", 1).label("county")
    township = sa.func.split_part(c.c.tenant_id, ".", 2).label("township")
    category = sa.func.coalesce(item.c.category, "other").label("category")
    keys = (county, township, category, colour, waiting_at_county)
    query = (
        sa.select(*keys, sa.func.count())
        .select_from(c)
        .outerjoin(item, sa.and_(item.c.tenant_id == c.c.tenant_id, item.c.code == c.c.item_code))
        .where(c.c.state.in_(OPEN_STATES), c.c.clock_state.in_(("running", "paused")))
        .group_by(*keys)
        .order_by(*keys)
    )
    with db.transaction(ops_sessions, None) as s:
        return [
            OpenCases(str(a), str(t), str(b), str(k), bool(w), int(n))
            for a, t, b, k, w, n in s.execute(query)
        ]


def _time_to_deadline_family() -> GaugeHistogramMetricFamily:
    return GaugeHistogramMetricFamily(
        "bianmin_cases_time_to_deadline_seconds",
        "Open cases with a running clock by the time left to their deadline (le=0: past it), "
        "by county and township (DOMAIN.md §12: time-to-deadline).",
        labels=["county", "township"],
    )


def time_to_deadline(
    ops_sessions: sessionmaker[Session], at: datetime | None = None
) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str], float]]:
    """Running clocks of every township counted per (county, township) into DEADLINE_BUCKETS
    plus one for later (not cumulative), and the seconds left summed: one grouped query."""
    at = at or datetime.now(UTC)
    left = sa.extract("epoch", c.c.due_at - sa.literal(at, sa.DateTime(timezone=True)))
    # the first bucket whose bound the time left does not exceed (le), else the last (later)
    whens = [(left <= bound, i) for i, bound in enumerate(DEADLINE_BUCKETS)]
    bucket = sa.case(*whens, else_=len(DEADLINE_BUCKETS)).label("bucket")
    county = sa.func.split_part(c.c.tenant_id, ".", 1).label("county")
    township = sa.func.split_part(c.c.tenant_id, ".", 2).label("township")
    query = (
        sa.select(county, township, bucket, sa.func.count(), sa.func.sum(left))
        .where(c.c.state.in_(OPEN_STATES), c.c.clock_state == "running", c.c.due_at.is_not(None))
        .group_by(county, township, bucket)
    )
    counts: dict[tuple[str, str], list[int]] = {}
    sums: dict[tuple[str, str], float] = {}
    with db.transaction(ops_sessions, None) as s:
        for a, t, b, n, total in s.execute(query):
            place = (str(a), str(t))
            counts.setdefault(place, [0] * (len(DEADLINE_BUCKETS) + 1))[int(b)] += int(n)
            sums[place] = sums.get(place, 0.0) + float(total)
    return counts, sums


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
