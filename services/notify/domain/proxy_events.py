"""Proxy's trip events as notify reads them (decoded by adapters/proxy_event_proto.py), and the
texts they oblige (DOMAIN.md §6.3 step 3, §6.4, §10): each agent is told its trip's manifest, the
township admins are warned of a delegation that missed its trip day and of a county item no
township agent can carry. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.notify.domain.notices import chinese_date

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
DESTINATIONS = {"township": "送乡镇", "county": "送县级部门"}
MAX_LISTED = 10  # an SMS names at most this many cases; the rest are counted


@dataclass(frozen=True)
class ManifestEntry:
    delegation_id: str
    case_number: str
    item_code: str
    village: str = ""


@dataclass(frozen=True)
class TripManifest:
    """`trip_planned`: a trip of a trip day and what it carries."""

    trip_id: str
    day: date
    agent: str
    destination: str  # "township" | "county"
    entries: tuple[ManifestEntry, ...] = ()


@dataclass(frozen=True)
class TripMissed:
    """`delegation_trip_missed`: a delegation still waiting after its trip day."""

    delegation_id: str
    agent: str
    day: date | None


@dataclass(frozen=True)
class Uncarried:
    """`delegation_uncarried`: a county item no township agent can carry."""

    delegation_id: str
    case_number: str
    agent: str
    day: date | None


@dataclass(frozen=True)
class Reassigned:
    """`delegation_reassigned`: dispatch chose another carrier (the backup, a township agent)."""

    delegation_id: str
    carrier: str
    previous_carrier: str
    day: date | None
    reason: str = ""


def day_label(day: date) -> str:
    return f"{chinese_date(day.year, day.month, day.day)}（{WEEKDAYS[day.weekday()]}）"


def manifest_message(trip: TripManifest) -> tuple[str, str]:
    """(title, text) telling the carrier its manifest; the same text goes by SMS."""
    where = DESTINATIONS.get(trip.destination, "")
    count = len(trip.entries)
    listed = "、".join(e.case_number or e.delegation_id for e in trip.entries[:MAX_LISTED])
    more = f"等{count}件" if count > MAX_LISTED else ""
    title = f"代办行程：{day_label(trip.day)} {count}件"
    text = (
        f"您{day_label(trip.day)}的代办行程（{where}）共{count}件：{listed}{more}。"
        "请按时送达，清单可在代办员页面打印。"
    )
    return title, text


def missed_message(missed: TripMissed) -> tuple[str, str]:
    """(title, text) warning the township admins."""
    when = day_label(missed.day) if missed.day is not None else "代办日"
    title = f"代办误期：{missed.agent}"
    text = (
        f"代办员 {missed.agent} 承运的代办事项（{missed.delegation_id}）未在{when}送达，"
        "已排入下一代办日，请督促办理。"
    )
    return title, text


def uncarried_message(u: Uncarried) -> tuple[str, str]:
    """(title, text) warning the township admins that a county item has no carrier."""
    when = f"{day_label(u.day)}的" if u.day is not None else ""
    title = f"无人代办送县：{u.case_number or u.delegation_id}"
    text = (
        f"代办事项 {u.case_number or u.delegation_id}（代办员 {u.agent}）已报送县级部门，"
        f"但没有可承运的乡级代办员（无在岗乡级代办员或均在请假），未能排入{when}代办行程。"
        "请指定乡级代办员或安排专人送件。"
    )
    return title, text


def reassigned_message(r: Reassigned) -> tuple[str, str]:
    """(title, text) telling the new carrier what it now carries."""
    when = f"，排入{day_label(r.day)}的代办行程" if r.day is not None else ""
    before = f"（原承运：{r.previous_carrier}）" if r.previous_carrier else ""
    why = f"原因：{r.reason}。" if r.reason else ""
    title = "新的代办承运任务"
    text = f"代办事项（{r.delegation_id}）改由您承运{before}{when}。{why}"
    return title, text
