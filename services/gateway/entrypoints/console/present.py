"""How the console says things, in zh-CN: dates (2026年12月7日), the states, actions and colours of
a case, and the working days left as words beside the colour (剩余3个工作日, 今日到期, 已超期2天)
— never the colour alone (research/console.md §4: MIIT's elderly-friendly rules; GB/T 37668).

Pure: no I/O. The working days come from the township's effective calendar, which the console
reads through the API (`GET /v1/townships/{tenant}/calendar`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

STATES = {
    "received": "已收件",
    "supplement_requested": "待补正",
    "not_accepted": "不予受理",
    "accepted": "已受理",
    "in_progress": "办理中",
    "escalated": "已上报",
    "completed": "已办结",
    "returned": "已退件",
    "replied": "已回复",
    "archived": "已归档",
    "withdrawn": "已撤回",
}
# the worklist: every state in which the case still waits for someone at the township
WORKLIST_STATES = (
    "received",
    "supplement_requested",
    "accepted",
    "in_progress",
    "escalated",
    "completed",
    "replied",
)

COLOURS = {"green": "绿", "yellow": "黄", "red": "红", "overdue": "超期"}
COLOUR_ORDER = ("overdue", "red", "yellow", "green")

# the history's action words (intake's domain actions) and the console's action forms (API.md paths)
HISTORY_ACTIONS = {
    "receive": "收件",
    "accept": "受理",
    "request_supplement": "一次性告知补正",
    "submit_materials": "补齐材料",
    "refuse": "不予受理",
    "assign": "指派承办人",
    "escalate": "上报",
    "resume": "恢复办理",
    "extend": "延期",
    "complete": "办结",
    "return": "退件",
    "reply": "回复申请人",
    "archive": "归档",
    "withdraw": "撤回",
    "press": "督办",
}
ACTIONS = {
    "accept": "受理",
    "request-supplement": "一次性告知补正",
    "materials": "补齐材料",
    "refuse": "不予受理",
    "assign": "指派承办人",
    "escalate": "上报",
    "resume": "恢复办理",
    "extend": "延期",
    "complete": "办结",
    "reply": "回复申请人",
    "archive": "归档",
    "return": "退件",
    "withdraw": "撤回",
    "press": "督办",
}
# the states each action may be taken from: intake's state machine (services/intake/domain/case.py
# ALLOWED; the gateway may not import intake). The console only offers what the state allows;
# the API decides, and its answer is shown when it refuses.
_OPEN = frozenset({"received", "supplement_requested", "accepted", "in_progress", "escalated"})
ALLOWED: dict[str, frozenset[str]] = {
    "accept": frozenset({"received"}),
    "request-supplement": frozenset({"received"}),
    "materials": frozenset({"received", "supplement_requested"}),
    "refuse": frozenset({"received", "supplement_requested"}),
    "assign": frozenset({"accepted", "in_progress", "escalated"}),
    "escalate": frozenset({"in_progress"}),
    "resume": frozenset({"escalated"}),
    "extend": frozenset({"in_progress"}),
    "complete": frozenset({"in_progress"}),
    "return": frozenset({"accepted", "in_progress"}),
    "reply": frozenset({"completed"}),
    "archive": frozenset({"replied"}),
    "withdraw": _OPEN,
    "press": _OPEN,
}
# who takes them (cases.py: the actions by window staff and the township admin; a press also by
# the county supervisor)
_HANDLERS = frozenset({"window_staff", "township_admin"})
ACTORS: dict[str, frozenset[str]] = {a: _HANDLERS for a in ALLOWED} | {
    "press": frozenset({"township_admin", "county_supervisor"})
}
RECEIVERS = frozenset({"intake_desk", "window_staff", "township_admin", "proxy_agent"})
# who may find a case by its applicant's name or phone (API.md *Cases*: audited)
APPLICANT_SEARCHERS = RECEIVERS | {"petition_officer"}

SATISFACTIONS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
OUTCOMES = {"approved": "准予（办结）", "denied": "不予（办结）"}
LEVELS = {"hall": "便民服务大厅", "township": "乡镇", "village": "村（社区）", "county": "县级"}
CHANNELS = {"walk_in": "窗口现场", "phone": "电话", "proxy": "代办", "online": "网上"}
CLOCK_STATES = {"not_started": "未起算", "running": "计时中", "paused": "已暂停", "stopped": "已停止"}
ROLES = {
    "county_admin": "县级管理员",
    "county_supervisor": "县级督查",
    "county_department": "县直部门",
    "ops": "运维",
    "township_admin": "乡镇管理员",
    "window_staff": "窗口工作人员",
    "intake_desk": "综合受理",
    "proxy_agent": "代办员",
    "petition_officer": "信访专员",
}
NOTICE_KINDS = {
    "acceptance": "受理通知书",
    "supplement": "一次性告知书",
    "refusal": "不予受理通知书",
    "escalation": "上报告知",
    "extension": "延期告知",
    "result": "办理结果通知",
    "satisfaction": "满意度回访",
}
NOTICE_STATUS = {"queued": "待发送", "sent": "已发送", "delivered": "已送达", "failed": "发送失败"}
PROBLEMS = {
    "validation_error": "填写有误",
    "unauthenticated": "请先登录",
    "forbidden": "无此权限",
    "not_found": "未找到",
    "invalid_transition": "当前状态不能这样办理",
    "version_conflict": "案件已被他人更新，请核对最新内容后重试",
    "idempotency_conflict": "重复提交",
    "materials_incomplete": "材料不齐，不能受理",
    "rate_limited": "操作太频繁，请稍后再试",
    "unavailable": "服务暂不可用，请稍后再试",
}


def date_zh(value: date | datetime | str | None) -> str:
    """2026年12月7日 (the county's local date of a time)."""
    d = _parse(value)
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def datetime_zh(value: datetime | str | None) -> str:
    """2026年12月7日 09:30"""
    t = _parse(value)
    if not isinstance(t, datetime):
        return date_zh(t)
    return f"{date_zh(t)} {t:%H:%M}"


def _parse(value: date | datetime | str | None) -> date | datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class WorkingDays:
    """The township's working days over a span (from its effective calendar)."""

    working: frozenset[date]
    first: date
    last: date

    @classmethod
    def of(cls, days: Iterable[dict]) -> WorkingDays | None:
        listed = list(days)
        if not listed:
            return None
        dates = [date.fromisoformat(d["date"]) for d in listed]
        working = frozenset(date.fromisoformat(d["date"]) for d in listed if d.get("working"))
        return cls(working, min(dates), max(dates))

    def between(self, after: date, until: date) -> int | None:
        """Working days d with after < d ≤ until; None when the span is not all known."""
        if after < self.first - _ONE or until > self.last:
            return None
        return sum(1 for d in self.working if after < d <= until)


_ONE = date(2000, 1, 2) - date(2000, 1, 1)


def deadline_words(due_at: datetime | str | None, now: datetime, calendar: WorkingDays | None) -> str:
    """剩余3个工作日 / 今日到期 / 已超期2天 — the words beside the colour chip. Working days are
    counted on the township's calendar; past the span it knows, calendar days with 约 (about)."""
    due = _parse(due_at)
    if not isinstance(due, datetime):
        return "未起算"
    today, due_day = now.date(), due.date()
    if due <= now:
        n = calendar.between(due_day, today) if calendar else None
        if n is None:
            n, about = (today - due_day).days, "约"
        else:
            about = ""
        return "今日已超期" if n == 0 else f"已超期{about}{n}天"
    if due_day == today:
        return "今日到期"
    n = calendar.between(today, due_day) if calendar else None
    if n is None:
        return f"剩余约{(due_day - today).days}天"
    return f"剩余{n}个工作日"


RUNNING = frozenset({"running", "paused"})


def clock_words(clock: dict, now: datetime, calendar: WorkingDays | None) -> str:
    """The words of a case's clock: its deadline's while it runs, 已暂停 while it is paused (the
    case is escalated), 计时已停止 once it stopped (completed, returned, withdrawn), 未起算 before."""
    state = clock.get("state")
    if state == "stopped":
        return "计时已停止"
    if state not in RUNNING:
        return "未起算"
    words = deadline_words(clock.get("due_at"), now, calendar)
    return f"已暂停（{words}）" if state == "paused" else words


def shows_colour(clock: dict) -> bool:
    """The colour means something only while the clock runs (or is paused)."""
    return clock.get("state") in RUNNING and bool(clock.get("due_at"))


def problem_words(code: str | None, detail: str | None) -> str:
    """A problem of the API as the console shows it: the Chinese title, then the API's detail."""
    title = PROBLEMS.get(code or "", "操作未成功")
    return f"{title}：{detail}" if detail else title
