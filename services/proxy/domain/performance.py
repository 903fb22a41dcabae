"""Quotas and stars (DOMAIN.md §6.5; API.md *Proxy*). Pure.

Quotas — seed 002 篇6 五是建立考核机制: "乡级代办员每周至少完成1件代办事项，
村级代办员每月至少完成2件代办事项，组级代办员每月至少完成1件代办事项，未按时完成代办任务的分别按照乡级代办员每件100元、村组级代办员80元的标准予以处罚".
- A township agent's quota is per week: a week (Monday–Sunday) belongs to the month its Sunday
  falls in, so every week is counted once; `required` is 1 × the month's weeks, `shortfall` the
  weeks' missing ones (a busy week does not make up an idle one: "每周至少").
- Village and group agents: per month (2 and 1). Petition agents (信访代办员) have none.
- `done`: the delegations the agent completed in the period — whose result came back (decided on
  the spot, or returned from the township or county): the agent who registered it, and the
  township agent who carried it to the county.
- The penalty per missing one is a tenant setting (in fen; default 100 / 80 / 80 yuan).

Stars — seed 002 篇7 三是建立考核激励机制: "凡民主评议满意率达90%以上 … 且代办事务 … 的办结率和成功率在
80%、85%、90%以上的，分别评为一、二、三星级服务点". Per village and quarter: the delegations
registered in the quarter (withdrawn ones left out), the completion rate (those with a result by
the quarter's end), the satisfaction rate (satisfied or basically satisfied among those rated);
satisfaction below 90 % or nothing to rate is 0 stars."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from libs.common.errors import ValidationFailed

WEEKLY, MONTHLY = "week", "month"
DEFAULT_QUOTAS: dict[str, tuple[str, int]] = {
    "township": (WEEKLY, 1),
    "village": (MONTHLY, 2),
    "group": (MONTHLY, 1),
}
DEFAULT_PENALTY_FEN = {"township": 10000, "village": 8000, "group": 8000}  # 100 / 80 / 80 元
STAR_SATISFACTION = 0.90  # "满意率达90%以上"
STAR_COMPLETION = ((0.90, 3), (0.85, 2), (0.80, 1))  # "80%、85%、90%以上 … 一、二、三星级"
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"(\d{4})Q([1-4])")


@dataclass(frozen=True)
class Quota:
    agent: str
    level: str
    month: str  # YYYY-MM
    required: int
    done: int
    shortfall: int
    penalty_fen: int


@dataclass(frozen=True)
class VillageStars:
    village: str
    quarter: str  # YYYYQn
    delegations: int
    completion_rate: float
    satisfaction_rate: float
    stars: int


@dataclass(frozen=True)
class Counted:
    """A delegation as stars count it."""

    village: str
    completed_on: date | None  # the local day its result came back, if it did
    satisfaction: str  # "" while not rated
    withdrawn: bool = False


def month_span(month: str) -> tuple[date, date]:
    m = _MONTH.fullmatch(month)
    if m is None:
        raise ValidationFailed(f"month must be YYYY-MM, got {month!r}", field="month")
    year, number = int(m.group(1)), int(m.group(2))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def quarter_span(quarter: str) -> tuple[date, date]:
    q = _QUARTER.fullmatch(quarter)
    if q is None:
        raise ValidationFailed(f"quarter must be YYYYQn (n 1–4), got {quarter!r}", field="quarter")
    year, n = int(q.group(1)), int(q.group(2))
    last_month = 3 * n
    return date(year, last_month - 2, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_of(day: date) -> str:
    return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"


def previous_month(day: date) -> str:
    return month_of(day.replace(day=1) - timedelta(days=1))


def previous_quarter(day: date) -> str:
    first, _ = quarter_span(quarter_of(day))
    return quarter_of(first - timedelta(days=1))


def weeks_of(month: str) -> list[tuple[date, date]]:
    """The weeks (Monday, Sunday) whose Sunday is in `month`."""
    first, last = month_span(month)
    sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    weeks = []
    while sunday <= last:
        weeks.append((sunday - timedelta(days=6), sunday))
        sunday += timedelta(days=7)
    return weeks


def quota_of(
    agent: str,
    level: str,
    month: str,
    completed: Iterable[date],
    *,
    quotas: Mapping[str, tuple[str, int]] = DEFAULT_QUOTAS,
    penalties: Mapping[str, int] = DEFAULT_PENALTY_FEN,
) -> Quota | None:
    """The agent's quota of `month` from the days it completed delegations (None: no quota)."""
    if level not in quotas:
        return None
    per, count = quotas[level]
    days = list(completed)
    if per == WEEKLY:
        weeks = weeks_of(month)
        in_week = [sum(1 for d in days if start <= d <= end) for start, end in weeks]
        required, done = count * len(weeks), sum(in_week)
        shortfall = sum(max(0, count - n) for n in in_week)
    else:
        first, last = month_span(month)
        required, done = count, sum(1 for d in days if first <= d <= last)
        shortfall = max(0, required - done)
    return Quota(agent, level, month, required, done, shortfall, shortfall * penalties.get(level, 0))


def stars_for(completion_rate: float, satisfaction_rate: float, delegations: int) -> int:
    if delegations == 0 or satisfaction_rate < STAR_SATISFACTION:
        return 0
    return next((stars for floor, stars in STAR_COMPLETION if completion_rate >= floor), 0)


def village_stars(village: str, quarter: str, counted: Iterable[Counted]) -> VillageStars:
    """The stars of `village` for `quarter` from its delegations registered in the quarter."""
    _, last = quarter_span(quarter)
    mine = [c for c in counted if c.village == village and not c.withdrawn]
    done = sum(1 for c in mine if c.completed_on is not None and c.completed_on <= last)
    rated = [c for c in mine if c.satisfaction]
    completion = done / len(mine) if mine else 0.0
    satisfaction = sum(1 for c in rated if c.satisfaction in SATISFIED) / len(rated) if rated else 0.0
    return VillageStars(
        village, quarter, len(mine), round(completion, 4), round(satisfaction, 4),
        stars_for(completion, satisfaction, len(mine)),
    )  # fmt: skip


def quota_settings(
    quotas_setting: object, penalties_setting: object
) -> tuple[dict[str, tuple[str, int]], dict[str, int]]:
    """The tenant's quotas and penalties (settings `extra.proxy_quotas` {level: n}, per week for
    township agents and per month for the others, and `extra.proxy_penalty_fen` {level: fen});
    a missing or unusable value keeps its default."""
    quotas, penalties = dict(DEFAULT_QUOTAS), dict(DEFAULT_PENALTY_FEN)
    if isinstance(quotas_setting, Mapping):
        for level, value in quotas_setting.items():
            if (
                level in quotas
                and isinstance(value, int)
                and not isinstance(value, bool)
                and 0 <= value <= 100
            ):
                quotas[level] = (quotas[level][0], value)
    if isinstance(penalties_setting, Mapping):
        for level, value in penalties_setting.items():
            ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000_000
            if level in penalties and ok:
                penalties[level] = value
    return quotas, penalties
