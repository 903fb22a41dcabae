"""Sign-ins and the attendance day of a township (考勤, DOMAIN.md §8; the judging rules in
domain/attendance.py, the judging job in attendance_judging.py).

Who (DOMAIN.md §1; the township itself is the gRPC interceptor's check, repeated here):
- a sign-in: the staff member themself (`self`), or the `township_admin` back-filling it
  (`back_fill`: the record keeps who entered it);
- a sign-in device's export (`import_sign_ins`): the `township_admin`, all or nothing — every
  problem of the file (an unknown user, a non-working day, an instant in the future) listed in
  one `validation_error` and nothing stored; a row already stored (the same user and instant) is
  counted as a duplicate, so importing a file twice stores it once;
- reading the day: the township admin, the centre head, township leaders, the county admin and
  supervisor read everyone; other staff their own.

Sign-ins are taken on working days of the township's calendar only, dated in its time zone.
Whose attendance is judged (`subjects`): active staff with the role `window_staff` or
`intake_desk`, and whoever holds a window's A or B post (seed 001 第二十三條（一）: "窗口工作人員
實行每天兩次考勤")."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.calendar import WorkCalendar
from libs.common.errors import Forbidden, ValidationFailed
from libs.common.tenancy import USERNAME_RE, Principal, require_tenant, validate_username
from libs.common.tenant_projection import require_known
from services.appraisal.adapters import leave_repository as leave_repo
from services.appraisal.adapters import tables
from services.appraisal.domain import attendance as at
from services.appraisal.domain import duty_rota as dates
from services.appraisal.domain.attendance import AttendanceDay, SignIn, SpotCheck
from services.appraisal.domain.leave import Leave
from services.appraisal.service_layer.calendar import sign_in_slots, tenant_calendar
from services.appraisal.service_layer.duty_rota import STAFF_ROLES, require_caller
from services.appraisal.service_layer.leaves import ALL_READERS

SUBJECT_ROLES = ("window_staff", "intake_desk")
SELF, BACK_FILL, DEVICE = "self", "back_fill", "device"
FINDINGS = (at.OFF_POST, at.PRESENT)
READER_ROLES = (*STAFF_ROLES, "county_admin", "county_supervisor")
FUTURE_SLACK = timedelta(minutes=5)  # a device's clock a little ahead is not "the future"
MAX_AGE = timedelta(days=366)  # a sign-in (or a device export) at most a year old
READ_YEARS = 2  # the attendance day is read at most this many years either side of today
MAX_IMPORT_ROWS = 100_000
MAX_PROBLEMS = 40  # listed in an error's detail up to this many; the count says how many more
MAX_DRY_RUN_PROBLEMS = 1000

st, si = tables.staff, tables.sign_in


@dataclass(frozen=True)
class ImportRow:
    at: str  # where it is in the file ("row 12")
    username: str
    instant: datetime


# --- sign-ins ------------------------------------------------------------------------------------


def record_sign_in(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    username: str,
    instant: datetime | None,
    *,
    now: datetime | None = None,
) -> SignIn:
    scope = require_tenant(tenant)
    now = now or datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *STAFF_ROLES)
        if who.username == username:
            source = SELF
        elif who.has_role("township_admin"):
            source = BACK_FILL
        else:
            raise Forbidden("a sign-in is entered by the staff member themself or the township admin")
        if instant is None or instant.tzinfo is None:
            raise ValidationFailed("at must be an RFC 3339 instant with its offset")
        if problems := _bounds([ImportRow("", username, instant)], now):
            raise ValidationFailed("; ".join(problems))
        calendar = _calendar(s, scope, [instant])
        problems = _problems(s, calendar, [ImportRow("", username, instant)], now)
        if problems:
            raise ValidationFailed("; ".join(problems))
        stored = _store(s, scope, [(username, instant)], calendar, who.username, source, now)
        sign_in = stored[0] if stored else _existing(s, username, instant)
    return sign_in


def import_sign_ins(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    rows: Sequence[ImportRow],
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> tuple[int, int, list[str]]:
    """Store a device export's rows, all or nothing: (stored, duplicates, []). `dry_run`: check
    only, (0, 0, every problem) — a file sent in parts is checked whole before any is stored."""
    scope = require_tenant(tenant)
    now = now or datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, "township_admin")
        if not rows:
            raise ValidationFailed("the export has no sign-in")
        if len(rows) > MAX_IMPORT_ROWS:
            raise ValidationFailed(f"an import takes at most {MAX_IMPORT_ROWS} sign-ins; split the file")
        problems = [
            f"{r.at}: no time with its offset" for r in rows if r.instant is None or r.instant.tzinfo is None
        ]
        problems = problems or _bounds(rows, now)  # before any calendar of odd years is compiled
        if not problems:
            calendar = _calendar(s, scope, [r.instant for r in rows])
            problems = _problems(s, calendar, rows, now)
        if dry_run:
            return 0, 0, problems[:MAX_DRY_RUN_PROBLEMS]
        if problems:
            raise ValidationFailed(_summary(problems), count=len(problems))
        unique = list(dict.fromkeys((r.username, r.instant) for r in rows))
        stored = _store(s, scope, unique, calendar, who.username, DEVICE, now)
    return len(stored), len(rows) - len(stored), []


def _summary(problems: list[str]) -> str:
    shown = problems[:MAX_PROBLEMS]
    more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    n = len(problems)
    return (
        f"{n} problem{'s' if n != 1 else ''}, nothing stored:\n" + "\n".join(f"  - {p}" for p in shown) + more
    )


def _bounds(rows: Sequence[ImportRow], now: datetime) -> list[str]:
    """What is wrong before anything is read: a username that is no username, an instant more
    than a year old or in the future (then no calendar of odd years is compiled)."""
    problems = []
    for r in rows:
        where = f"{r.at}: " if r.at else ""
        if not isinstance(r.username, str) or not USERNAME_RE.match(r.username):
            problems.append(f"{where}{r.username!r} is not a username")
        if r.instant > now + FUTURE_SLACK:
            problems.append(f"{where}{r.instant.isoformat()} is in the future")
        elif r.instant < now - MAX_AGE:
            problems.append(f"{where}{r.instant.isoformat()} is more than a year ago")
    return problems


def _calendar(s: Session, tenant: str, instants: Iterable[datetime]) -> WorkCalendar:
    years = [i.astimezone(UTC).year for i in instants]
    return tenant_calendar(s, tenant, min(years) - 1, max(years) + 1)


def _problems(s: Session, calendar: WorkCalendar, rows: Sequence[ImportRow], now: datetime) -> list[str]:
    known = set(
        s.execute(
            sa.select(st.c.username).where(
                st.c.username.in_(sorted({r.username for r in rows})), st.c.active.is_(True)
            )
        ).scalars()
    )
    problems = []
    working: dict[date, bool] = {}
    for r in rows:
        where = f"{r.at}: " if r.at else ""
        if r.username not in known:
            problems.append(f"{where}{r.username!r} is not an active staff member of the township")
        local = r.instant.astimezone(calendar.tz).date()
        if local not in working:
            working[local] = calendar.day_info(local).working
        if not working[local]:
            problems.append(f"{where}{local} is not a working day of the township's calendar")
    return problems


def _store(
    s: Session,
    tenant: str,
    pairs: Sequence[tuple[str, datetime]],
    calendar: WorkCalendar,
    entered_by: str,
    source: str,
    now: datetime,
) -> list[SignIn]:
    """Insert the sign-ins not stored yet; the ones inserted."""
    stored: list[SignIn] = []
    for start in range(0, len(pairs), 5000):
        chunk = pairs[start : start + 5000]
        common = {"tenant_id": tenant, "entered_by": entered_by, "source": source, "recorded_at": now}
        values = [
            {**common, "id": uuid.uuid4(), "username": u, "at": i, "day": i.astimezone(calendar.tz).date()}
            for u, i in chunk
        ]
        rows = s.execute(
            insert(si)
            .values(values)
            .on_conflict_do_nothing(constraint="sign_in_once")
            .returning(si.c.id, si.c.username, si.c.at)
        ).all()
        stored += [SignIn(str(r.id), r.username, r.at, entered_by, source) for r in rows]
    return stored


def _existing(s: Session, username: str, instant: datetime) -> SignIn:
    r = s.execute(sa.select(si).where(si.c.username == username, si.c.at == instant)).one()
    return SignIn(str(r.id), r.username, r.at, r.entered_by, r.source)


def record_spot_check(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    username: str,
    instant: datetime | None,
    finding: str,
    *,
    now: datetime | None = None,
) -> SpotCheck:
    """A spot check (明查暗访) of the management office (`township_admin`): `finding` off_post or
    present; the half-day it falls in is judged `off_post` when it was otherwise on post."""
    scope = require_tenant(tenant)
    now = now or datetime.now(UTC)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, "township_admin")
        if finding not in FINDINGS:
            raise ValidationFailed(f"finding must be one of {', '.join(FINDINGS)}")
        if instant is None or instant.tzinfo is None:
            raise ValidationFailed("at must be an RFC 3339 instant with its offset")
        if problems := _bounds([ImportRow("", username, instant)], now):
            raise ValidationFailed("; ".join(problems))
        calendar = _calendar(s, scope, [instant])
        if problems := _problems(s, calendar, [ImportRow("", username, instant)], now):
            raise ValidationFailed("; ".join(problems))
        local = instant.astimezone(calendar.tz)
        check = SpotCheck(
            str(uuid.uuid4()),
            username,
            instant,
            local.date(),
            sign_in_slots(s, scope).half_of(local.hour * 60 + local.minute),
            finding,
            who.username,
        )
        s.execute(
            tables.spot_check.insert().values(
                tenant_id=scope,
                id=uuid.UUID(check.id),
                username=username,
                at=instant,
                day=check.day,
                half=check.half,
                finding=finding,
                recorded_by=who.username,
                recorded_at=now,
            )
        )
    return check


# --- the attendance day ------------------------------------------------------------------------------


def subjects(s: Session) -> dict[str, str]:
    """Whose attendance is judged: username → the window of their post ("" without one)."""
    w = tables.window
    posts: dict[str, str] = {}
    for r in s.execute(sa.select(w.c.code, w.c.post_a, w.c.post_b).order_by(w.c.code)):
        for username in (r.post_a, r.post_b):
            if username:
                posts.setdefault(username, r.code)
    rows = s.execute(sa.select(st.c.username, st.c.roles, st.c.window).where(st.c.active.is_(True))).all()
    found: dict[str, str] = {}
    for r in rows:
        if r.username in posts or set(r.roles) & set(SUBJECT_ROLES):
            found[r.username] = posts.get(r.username) or r.window or ""
    return found


def compute_day(
    s: Session, tenant: str, day: date, calendar: WorkCalendar
) -> tuple[
    dict[str, tuple[at.Half, at.Half]], dict[str, str], list[Leave], at.Slots, dict[str, list[SignIn]]
]:
    """Every subject's two halves of `day` from its sign-ins and approved leaves."""
    slots = sign_in_slots(s, tenant)
    who = subjects(s)
    signs: dict[str, list[SignIn]] = defaultdict(list)
    for r in s.execute(sa.select(si).where(si.c.day == day).order_by(si.c.at)):
        signs[r.username].append(SignIn(str(r.id), r.username, r.at, r.entered_by, r.source))
    approved = [x for x in leave_repo.live_between(s, day, day) if x.state == "approved"]
    away = {x.username for x in approved}
    sc = tables.spot_check
    off: dict[str, set[str]] = defaultdict(set)
    for r in s.execute(
        sa.select(sc.c.username, sc.c.half).where(sc.c.day == day, sc.c.finding == at.OFF_POST)
    ):
        off[r.username].add(r.half)
    halves = {}
    for username in who:
        minutes = [_local_minutes(x.at, calendar) for x in signs.get(username, [])]
        halves[username] = at.judge_day(
            minutes, slots, on_leave=username in away, off_post=off.get(username, ())
        )
    return halves, who, approved, slots, signs


def _local_minutes(instant: datetime, calendar: WorkCalendar) -> int:
    local = instant.astimezone(calendar.tz)
    return local.hour * 60 + local.minute


def list_days(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    day_text: str,
    username: str = "",
) -> list[AttendanceDay]:
    scope = require_tenant(tenant)
    day = dates.parse_date(day_text, "date")
    if username:
        validate_username(username)
    if abs(day.year - datetime.now(UTC).year) > READ_YEARS:
        raise ValidationFailed(f"date {day} is more than {READ_YEARS} years from today")
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *READER_ROLES)
        if not who.has_role(*ALL_READERS):
            if username and username != who.username:
                return []
            username = who.username
        calendar = tenant_calendar(s, scope, day.year - 1, day.year + 1)
        if not calendar.day_info(day).working:
            raise ValidationFailed(f"{day} is not a working day of the township's calendar")
        halves, windows, _, _, signs = compute_day(s, scope, day, calendar)
        judged = _judged(s, day)
    found = []
    for name in sorted(windows):
        if username and name != username:
            continue
        pair = judged.get(name) or halves[name]
        status, late, early = at.day_status(pair)
        found.append(
            AttendanceDay(
                name, day, windows[name], tuple(signs.get(name, [])), status, late, early, name in judged
            )
        )
    return found


def _judged(s: Session, day: date) -> dict[str, tuple[at.Half, ...]]:
    j = tables.attendance_judgment
    found: dict[str, list[at.Half]] = defaultdict(list)
    for r in s.execute(sa.select(j).where(j.c.day == day).order_by(j.c.username, j.c.half)):
        found[r.username].append(at.Half(r.half, r.status, r.late_minutes, r.early_minutes))
    return {k: tuple(v) for k, v in found.items()}
