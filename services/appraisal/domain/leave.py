"""A staff member's leave (请假, DOMAIN.md §8) as a pure aggregate: requested, then approved or
rejected (with a reason) by the right person, and cancelled. Pure: no database, no protos, no
clock — every action takes the instant `at` from its caller, and the tenant's working days come
in as a predicate (`is_working`, the compiled calendar of libs.common.calendar).

State machine (an action not listed for the current state raises `InvalidTransition` and changes
nothing)::

    action     from                 to
    ---------  -------------------  ---------
    request    —                    pending
    approve    pending              approved
    reject     pending              rejected
    cancel     pending, approved    cancelled   (an approved leave only until its last day)

Rules and where they come from:
- **Authority** (seed 004 第五篇: "因公外出办事或请假一天以内的,报中心主任审批"; "请假二天以上的,报
  乡镇主要负责人审批"): a leave of at most 1 working day is decided by a `centre_head`, one of 2 or
  more by a `township_leader`; anyone else is `forbidden`. Working days are counted on the
  tenant's calendar (national ∘ county ∘ township: a statutory holiday inside the leave does not
  count, an adjusted working weekend 调休 does). A leave covering no working day is refused.
- **A/B posts** (seed 001 第二十三條（五）: "如果AB崗都請病事假或有其他事情,由窗口部門派人代崗,并來函
  政務中心管理辦公室備案方可準假"): a leave that would leave a window with neither its A nor its B on
  post on a working day is refused unless the department names a substitute, recorded with its
  letter (来函备案). Which windows and who else is away is the caller's to find (`uncovered`).
- **Leave rules broken** (seed 001 第二十三條（五）: "窗口工作人員違反請假制度1次扣1分"; seed 004
  第五篇: "有私事或生病不能上班须事先请假"): a leave asked for after its first day had begun is
  not asked in advance; its approval records a `LeaveRuleBroken` (rule S-QIN-05) for appraisal.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from libs.common.errors import Forbidden, InvalidTransition, ValidationFailed
from libs.common.tenancy import Principal, validate_username
from libs.common.text import check_text, clean_name

PENDING, APPROVED, REJECTED, CANCELLED = "pending", "approved", "rejected", "cancelled"
STATES = (PENDING, APPROVED, REJECTED, CANCELLED)
CENTRE_HEAD, TOWNSHIP_LEADER = "centre_head", "township_leader"
# at most this many working days are the centre head's to decide (seed 004 第五篇 "一天以内")
CENTRE_HEAD_MAX_DAYS = 1
MAX_LEAVE_DAYS = 366
REASON_MAX, LETTER_MAX = 500, 200
# the staff member's share of 第二十三條（五）(the rulebook's code)
RULE_NOT_IN_ADVANCE = "S-QIN-05"

_TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    "approve": (PENDING,),
    "reject": (PENDING,),
    "cancel": (PENDING, APPROVED),
}


# --- events (named after proto/bianmin/appraisal/v1/events.proto) --------------------------------


@dataclass(frozen=True)
class LeaveApproved:
    leave_id: str
    username: str
    first: date
    last: date
    substitute: str


@dataclass(frozen=True)
class LeaveCancelled:
    leave_id: str
    username: str


@dataclass(frozen=True)
class LeaveRuleBroken:
    leave_id: str
    username: str
    window: str
    rule: str
    department_approved: bool = False

    @property
    def ref(self) -> str:
        return f"leave:{self.leave_id}:{self.rule}"


LeaveEvent = LeaveApproved | LeaveCancelled | LeaveRuleBroken


# --- pure helpers --------------------------------------------------------------------------------


def working_days(first: date, last: date, is_working: Callable[[date], bool]) -> list[date]:
    """The working days of `first`..`last` (inclusive) on the tenant's calendar."""
    return [first + timedelta(n) for n in range((last - first).days + 1) if is_working(first + timedelta(n))]


def approver_role(days: int) -> str:
    """Who decides a leave of `days` working days (seed 004 第五篇)."""
    return CENTRE_HEAD if days <= CENTRE_HEAD_MAX_DAYS else TOWNSHIP_LEADER


@dataclass(frozen=True)
class Post:
    """A window's A/B posts as the directory has them."""

    window: str
    a: str | None
    b: str | None


def uncovered(
    username: str,
    days: Iterable[date],
    posts: Iterable[Post],
    away: Callable[[str, date], bool],
) -> list[tuple[str, date]]:
    """The (window, day) pairs on which `username`'s absence would leave a window of theirs with
    neither A nor B on post: the other post is empty or `away` (on leave) that day."""
    found: list[tuple[str, date]] = []
    days = list(days)
    for post in posts:
        if username not in (post.a, post.b):
            continue
        other = post.b if post.a == username else post.a
        for day in days:
            if not other or other == username or away(other, day):
                found.append((post.window, day))
    return found


# --- the aggregate ---------------------------------------------------------------------------------


@dataclass
class Leave:
    id: str
    username: str
    first: date
    last: date
    reason: str
    working_days: int
    approver_role: str
    requested_by: str
    requested_at: datetime
    state: str = PENDING
    substitute: str = ""
    substitute_letter: str = ""
    windows: tuple[str, ...] = ()  # the windows whose A or B the staff member is
    not_in_advance: bool = False
    decided_by: str = ""
    decided_at: datetime | None = None
    decision_reason: str = ""
    cancelled_by: str = ""
    cancelled_at: datetime | None = None
    version: int = 1
    events: list[LeaveEvent] = field(default_factory=list, repr=False, compare=False)

    # --- the factory ---------------------------------------------------------------------------

    @classmethod
    def request(
        cls,
        *,
        username: str,
        first: date,
        last: date,
        reason: object,
        requested_by: str,
        at: datetime,
        is_working: Callable[[date], bool],
        posts: Iterable[Post] = (),
        away: Callable[[str, date], bool] = lambda _u, _d: False,
        substitute: object = "",
        substitute_letter: object = "",
        begun: bool = False,
        leave_id: str | None = None,
    ) -> Leave:
        """A new pending leave of `username` from `first` to `last` (inclusive). `begun`: the
        leave's first day has already begun (its first sign-in time has passed) — a leave not
        asked in advance, recorded as a broken rule when it is approved."""
        validate_username(username)
        if first > last:
            raise ValidationFailed(f"the leave ends ({last}) before it starts ({first})")
        if (last - first).days + 1 > MAX_LEAVE_DAYS:
            raise ValidationFailed(f"a leave spans at most {MAX_LEAVE_DAYS} days")
        check_text(reason, "reason", REASON_MAX)
        assert isinstance(reason, str)
        sub, letter = _substitute(substitute, substitute_letter)
        days = working_days(first, last, is_working)
        if not days:
            raise ValidationFailed(
                f"the leave {first}..{last} covers no working day of the township's calendar"
            )
        posts = list(posts)
        gaps = uncovered(username, days, posts, away)
        if gaps and not sub:
            listed = ", ".join(f"{w} on {d}" for w, d in gaps[:10])
            raise ValidationFailed(
                f"the leave would leave a window with neither A nor B on post ({listed}): the "
                "department must name a substitute with its letter (来函备案)",
                windows=sorted({w for w, _ in gaps}),
            )
        return cls(
            id=leave_id or str(uuid.uuid4()),
            username=username,
            first=first,
            last=last,
            reason=reason.strip(),
            working_days=len(days),
            approver_role=approver_role(len(days)),
            requested_by=requested_by,
            requested_at=at,
            substitute=sub,
            substitute_letter=letter,
            windows=tuple(sorted({p.window for p in posts if username in (p.a, p.b)})),
            not_in_advance=begun,
        )

    # --- actions ---------------------------------------------------------------------------------

    def approve(
        self,
        principal: Principal,
        at: datetime,
        reason: object = "",
        *,
        gaps: Iterable[tuple[str, date]] = (),
    ) -> None:
        """Approve; `gaps`: the (window, day) pairs the leave leaves with neither A nor B as the
        posts and other leaves stand now — refused without a substitute, as at the request."""
        self._guard("approve")
        gaps = list(gaps)
        if gaps and not self.substitute:
            listed = ", ".join(f"{w} on {d}" for w, d in gaps[:10])
            raise ValidationFailed(
                f"approving would leave a window with neither A nor B on post ({listed}) and the leave "
                "names no substitute (来函备案)",
                windows=sorted({w for w, _ in gaps}),
            )
        self._decide("approve", principal, at, reason, required=False)
        self.state = APPROVED
        self.events.append(LeaveApproved(self.id, self.username, self.first, self.last, self.substitute))
        if self.not_in_advance:
            window = self.windows[0] if self.windows else ""
            self.events.append(LeaveRuleBroken(self.id, self.username, window, RULE_NOT_IN_ADVANCE))

    def reject(self, principal: Principal, at: datetime, reason: object) -> None:
        self._decide("reject", principal, at, reason, required=True)
        self.state = REJECTED

    def cancel(self, principal: Principal, at: datetime, today: date) -> None:
        """Cancelled by the staff member, the township admin or the role that decides it; an
        approved leave only until its last day (`today`, the tenant's date) is over."""
        self._guard("cancel")
        if principal.username != self.username and not principal.has_role(
            "township_admin", self.approver_role
        ):
            raise Forbidden(
                f"a leave is cancelled by its staff member, the township admin or a {self.approver_role}"
            )
        if self.state == APPROVED and self.last < today:
            raise InvalidTransition(f"leave {self.id} ended on {self.last}: it can no longer be cancelled")
        was_approved = self.state == APPROVED
        self.state, self.cancelled_by, self.cancelled_at = CANCELLED, principal.username, at
        self.version += 1
        if was_approved:
            self.events.append(LeaveCancelled(self.id, self.username))

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    # --- internals -------------------------------------------------------------------------------

    def _guard(self, action: str) -> None:
        if self.state not in _TRANSITIONS[action]:
            raise InvalidTransition(f"leave {self.id} is {self.state}: it cannot {action}")

    def _decide(
        self, action: str, principal: Principal, at: datetime, reason: object, *, required: bool
    ) -> None:
        self._guard(action)
        if not principal.has_role(self.approver_role):
            raise Forbidden(
                f"a leave of {self.working_days} working day(s) is decided by a {self.approver_role}"
            )
        if principal.username == self.username:
            raise Forbidden("nobody decides their own leave")
        check_text(reason if reason is not None else "", "reason", REASON_MAX, required=required)
        assert isinstance(reason, str)
        self.decided_by, self.decided_at, self.decision_reason = principal.username, at, reason.strip()
        self.version += 1


def _substitute(substitute: object, letter: object) -> tuple[str, str]:
    if substitute in (None, "") and letter in (None, ""):
        return "", ""
    sub = clean_name(substitute, "substitute", 64) if substitute not in (None, "") else ""
    if not sub:
        raise ValidationFailed(
            "a department's letter (substitute_letter) names a substitute: substitute is missing"
        )
    if letter in (None, ""):
        raise ValidationFailed(
            "a substitute is recorded with the department's letter (来函备案): substitute_letter is missing"
        )
    return sub, clean_name(letter, "substitute_letter", LETTER_MAX)
