"""Sign-ins and how a half-day is judged (考勤, DOMAIN.md §8). Pure: local wall-clock times in,
findings out; the service layer turns instants into local minutes with the tenant's time zone.

The tenant's sign-in times (setting `sign_in_times`, default `["08:30", "14:30"]` — seed 001
第二十三條（一）: "窗口工作人員實行每天兩次考勤(早上8:30簽到;下午2:30簽到。)"):
- two times: a sign-in for the morning and one for the afternoon;
- four times (some counties, by face recognition): sign-in and sign-out of the morning, then of
  the afternoon.

A half-day (`am`, `pm`) takes the punches of its part of the day: the morning up to the midpoint
between the morning's last time and the afternoon's first, the afternoon after it.
- its first punch at or before the sign-in time: on time; up to 15 minutes after it: `late` by
  that many minutes ("遲到1次(15分鐘內)"); later, or no punch: `absent_half_day` (旷工 half a day);
- with sign-outs, its last punch (another than the sign-in) at or after the sign-out time: on
  time; up to 15 minutes before it: `early`; earlier or none: `absent_half_day`;
- a half-day on an approved leave is `on_leave`, whatever was punched;
- a half-day otherwise on post that a spot check (明查暗访) of the management office found off post
  is `off_post` ("脫崗1次").

A day's status for the API is the worse of its halves: `on_leave` when both halves are, `absent`
when both are absences, `absent_half_day` when one is, then `late`, `early`, `present`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from libs.common.errors import ValidationFailed

DEFAULT_SIGN_IN_TIMES = ("08:30", "14:30")
GRACE_MINUTES = 15  # "遲到1次(15分鐘內)…早退1次(15分鐘內)"
AM, PM = "am", "pm"
HALVES = (AM, PM)
PRESENT, LATE, EARLY, OFF_POST = "present", "late", "early", "off_post"
ABSENT_HALF_DAY, ABSENT, ON_LEAVE = "absent_half_day", "absent", "on_leave"
# a staff member on post for the half-day (the window is staffed)
ON_POST = (PRESENT, LATE, EARLY)


@dataclass(frozen=True)
class SignIn:
    id: str
    username: str
    at: datetime
    entered_by: str
    source: str


@dataclass(frozen=True)
class SpotCheck:
    id: str
    username: str
    at: datetime
    day: date
    half: str
    finding: str
    recorded_by: str


@dataclass(frozen=True)
class AttendanceDay:
    username: str
    day: date
    window: str
    sign_ins: tuple[SignIn, ...]
    status: str
    late_minutes: int
    early_minutes: int
    judged: bool


@dataclass(frozen=True)
class Slots:
    """The sign-in times in minutes of the local day: per half, (sign-in, sign-out or None)."""

    am: tuple[int, int | None]
    pm: tuple[int, int | None]
    noon: int  # the first minute that belongs to the afternoon

    def of(self, half: str) -> tuple[int, int | None]:
        return self.am if half == AM else self.pm

    def half_of(self, minute: int) -> str:
        return AM if minute < self.noon else PM


def minutes_of(text: object, what: str = "sign_in_times") -> int:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        raise ValidationFailed(f'{what} must be "HH:MM" times, got {text!r}')
    try:
        h, m = int(text[:2]), int(text[3:])
    except ValueError:
        raise ValidationFailed(f'{what} must be "HH:MM" times, got {text!r}') from None
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValidationFailed(f"{what}: {text} is not a time of day")
    return h * 60 + m


def slots(times: Sequence[str] | None) -> Slots:
    """The tenant's sign-in times (2: sign-ins; 4: sign-in/out of each half), sorted, distinct."""
    values = [minutes_of(t) for t in (times or DEFAULT_SIGN_IN_TIMES)]
    am: tuple[int, int | None]
    pm: tuple[int, int | None]
    if values != sorted(set(values)):
        raise ValidationFailed("sign_in_times must be sorted and distinct")
    if len(values) == 2:
        am, pm = (values[0], None), (values[1], None)
        noon = (values[0] + values[1] + 1) // 2
    elif len(values) == 4:
        am, pm = (values[0], values[1]), (values[2], values[3])
        noon = (values[1] + values[2] + 1) // 2
    else:
        raise ValidationFailed(
            "sign_in_times has 2 times (sign-ins) or 4 (sign-in and sign-out of each half-day)"
        )
    return Slots(am, pm, noon)


@dataclass(frozen=True)
class Half:
    half: str
    status: str
    late_minutes: int = 0
    early_minutes: int = 0


def judge_half(
    half: str, punches: Iterable[int], s: Slots, *, on_leave: bool = False, off_post: bool = False
) -> Half:
    """One half-day from the minutes (of the local day) of that staff member's punches;
    `off_post`: a spot check (明查暗访) found them away from their post in that half-day — a
    half-day that was otherwise on post is `off_post` ("脫崗1次")."""
    if on_leave:
        return Half(half, ON_LEAVE)
    judged = _judge_punches(half, punches, s)
    if off_post and judged.status in ON_POST:
        return Half(half, OFF_POST, judged.late_minutes, judged.early_minutes)
    return judged


def _judge_punches(half: str, punches: Iterable[int], s: Slots) -> Half:
    mine = sorted(m for m in punches if s.half_of(m) == half)
    sign_in, sign_out = s.of(half)
    if not mine:
        return Half(half, ABSENT_HALF_DAY)
    late = max(0, mine[0] - sign_in)
    if late > GRACE_MINUTES:
        return Half(half, ABSENT_HALF_DAY, late_minutes=late)
    early = 0
    if sign_out is not None:
        if len(mine) < 2:
            return Half(half, ABSENT_HALF_DAY, late_minutes=late)
        early = max(0, sign_out - mine[-1])
        if early > GRACE_MINUTES:
            return Half(half, ABSENT_HALF_DAY, late_minutes=late, early_minutes=early)
    status = LATE if late else EARLY if early else PRESENT
    return Half(half, status, late, early)


def judge_day(
    punches: Iterable[int], s: Slots, *, on_leave: bool = False, off_post: Iterable[str] = ()
) -> tuple[Half, Half]:
    """Both halves; `off_post`: the halves (`am`, `pm`) a spot check found them off post."""
    minutes, away = list(punches), set(off_post)
    return (
        judge_half(AM, minutes, s, on_leave=on_leave, off_post=AM in away),
        judge_half(PM, minutes, s, on_leave=on_leave, off_post=PM in away),
    )


def day_status(halves: Sequence[Half]) -> tuple[str, int, int]:
    """The day's status for the API, with its late and early minutes (summed over the halves)."""
    statuses = [h.status for h in halves]
    late = sum(h.late_minutes for h in halves if h.status == LATE)
    early = sum(h.early_minutes for h in halves if h.status == EARLY)
    if all(st == ON_LEAVE for st in statuses):
        status = ON_LEAVE
    elif all(st == ABSENT_HALF_DAY for st in statuses):
        status = ABSENT
    elif ABSENT_HALF_DAY in statuses:
        status = ABSENT_HALF_DAY
    elif OFF_POST in statuses:
        status = OFF_POST
    elif LATE in statuses:
        status = LATE
    elif EARLY in statuses:
        status = EARLY
    elif ON_LEAVE in statuses:
        status = ON_LEAVE
    else:
        status = PRESENT
    return status, late, early


def half_minutes(half: str, hours: Sequence[tuple[int, int]], s: Slots) -> int:
    """Office-hours minutes of a half-day (`hours`: the day's segments in local minutes; a
    segment starting before the noon of the sign-in times is the morning's)."""
    return sum(end - start for start, end in hours if (start < s.noon) == (half == AM))
