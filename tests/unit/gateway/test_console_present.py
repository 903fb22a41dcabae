"""The console's words (services/gateway/entrypoints/console/present.py): zh-CN dates, the working
days left beside the colour, and the vendored htmx is the npm package's file, unmodified."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from services.gateway.entrypoints.console import present

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=TZ)  # a Monday
STATIC = Path(__file__).resolve().parents[3] / "services/gateway/entrypoints/console/static"


def calendar(first: date, last: date, off: set[date] = frozenset()) -> present.WorkingDays:  # type: ignore[assignment]
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    listed = [{"date": d.isoformat(), "working": d.weekday() < 5 and d not in off} for d in days]
    found = present.WorkingDays.of(listed)
    assert found is not None
    return found


def test_dates_are_written_the_chinese_way() -> None:
    assert present.date_zh(date(2026, 12, 7)) == "2026年12月7日"
    assert present.date_zh("2026-01-05T08:30:00+08:00") == "2026年1月5日"
    assert present.datetime_zh("2026-12-07T09:05:00+08:00") == "2026年12月7日 09:05"
    assert present.date_zh(None) == "" and present.datetime_zh("") == ""


def test_working_days_left_skip_weekends_and_days_off() -> None:
    cal = calendar(date(2026, 12, 1), date(2026, 12, 31), off={date(2026, 12, 9)})
    friday = datetime(2026, 12, 11, 17, 30, tzinfo=TZ)
    # Tue 8, (Wed 9 off), Thu 10, Fri 11
    assert present.deadline_words(friday.isoformat(), NOW, cal) == "剩余3个工作日"
    next_monday = datetime(2026, 12, 14, 17, 30, tzinfo=TZ)
    assert present.deadline_words(next_monday, NOW, cal) == "剩余4个工作日"
    assert present.deadline_words(NOW.replace(hour=17), NOW, cal) == "今日到期"


def test_overdue_cases_say_by_how_many_days() -> None:
    cal = calendar(date(2026, 11, 20), date(2026, 12, 31))
    thursday = datetime(2026, 12, 3, 17, 30, tzinfo=TZ)  # Fri 4, Mon 7 since
    assert present.deadline_words(thursday, NOW, cal) == "已超期2天"
    assert present.deadline_words(NOW.replace(hour=9), NOW, cal) == "今日已超期"


def test_without_the_calendar_the_words_say_about() -> None:
    assert present.deadline_words(datetime(2026, 12, 10, 17, 0, tzinfo=TZ), NOW, None) == "剩余约3天"
    assert present.deadline_words(datetime(2026, 12, 5, 17, 0, tzinfo=TZ), NOW, None) == "已超期约2天"
    assert present.deadline_words(None, NOW, None) == "未起算"


def test_the_actions_offered_follow_intakes_state_machine() -> None:
    from services.intake.domain import case as intake_case  # the test may read both sides

    expected = {a.replace("_", "-"): states for a, states in intake_case.ALLOWED.items()}
    expected["materials"] = expected.pop("submit-materials")
    assert expected == present.ALLOWED
    assert set(present.ACTIONS) == set(present.ALLOWED) and set(present.STATES) == set(intake_case.STATES)


def test_problems_are_told_in_chinese_with_the_apis_detail() -> None:
    assert present.problem_words("version_conflict", None).startswith("案件已被他人更新")
    assert present.problem_words("validation_error", "reason is required") == "填写有误：reason is required"
    assert present.problem_words("something_new", None) == "操作未成功"


def test_htmx_is_the_npm_packages_file_with_its_licence() -> None:
    digest = hashlib.sha256((STATIC / "htmx.min.js").read_bytes()).hexdigest()
    # htmx.org 2.0.11, dist/htmx.min.js (static/VENDORED.txt)
    assert digest == "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
    assert (STATIC / "LICENSE-htmx.txt").read_text().startswith("Zero-Clause BSD")
    # a page's JavaScript stays small (the issue: ≤ 150 KB)
    assert sum(p.stat().st_size for p in STATIC.glob("*.js")) < 150 * 1024


def test_a_stopped_or_paused_clock_says_so() -> None:
    due = datetime(2026, 12, 10, 17, 0, tzinfo=TZ).isoformat()
    assert present.clock_words({"state": "stopped", "due_at": due}, NOW, None) == "计时已停止"
    assert present.clock_words({"state": "paused", "due_at": due}, NOW, None) == "已暂停（剩余约3天）"
    assert present.clock_words({"state": "not_started", "due_at": None}, NOW, None) == "未起算"
    assert present.shows_colour({"state": "running", "due_at": due})
    assert not present.shows_colour({"state": "stopped", "due_at": due})


def test_a_pages_javascript_stays_under_150_kb_and_no_template_has_inline_script() -> None:
    """Issue 23: a page's JavaScript ≤ 150 KB (the agent's page loads the most); the CSP allows no
    inline script, so every <script> of a template names its file."""
    import re

    agent_page = ("htmx.min.js", "console.js", "agent.js")
    assert sum((STATIC / name).stat().st_size for name in agent_page) <= 150 * 1024
    assert (STATIC / "agent-sw.js").stat().st_size <= 20 * 1024  # the service worker, apart
    for template in (STATIC.parent / "templates").glob("*.j2"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8")):
            assert 'src="/console/static/' in tag, (template.name, tag)
