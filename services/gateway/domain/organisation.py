"""The rules of a township's organisation (DOMAIN.md §1, §5, §6, §8): villages, departments,
windows and their AB posts, staff, and the tenant's settings. Pure: no database, no web framework.

Each `new_*` function validates a request against what the township has already (passed in as
plain collections) and returns a frozen value, or raises `ValidationFailed`."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from libs.common.contact import check_phone
from libs.common.errors import Forbidden, ValidationFailed
from libs.common.tenancy import Principal, validate_code, validate_username
from services.gateway.domain.directory import (
    TOWNSHIP_ROLES,
    Group,
    Village,
    _require_name,
    _unique,
)

# --- who may change a township's organisation --------------------------------------------------


def require_township_admin(principal: Principal, tenant: str) -> Principal:
    """Writes: a `county_admin`, or a `township_admin` of *this* township (not of another one
    that happens to be in the same county)."""
    if principal.has_role("county_admin"):
        return principal
    if principal.has_role("township_admin") and tenant in principal.tenants:
        return principal
    raise Forbidden("needs the role township_admin of this township, or county_admin")


# --- villages ----------------------------------------------------------------------------------


def new_village(code: str, name: str, groups: list[dict]) -> Village:
    parsed = tuple(
        Group(validate_code(g["code"], "group code"), _require_name(g["name"], "group name")) for g in groups
    )
    _unique([g.code for g in parsed], f"group codes in village {code}")
    return Village(validate_code(code, "village code"), _require_name(name, "village name"), parsed)


# --- departments and windows -------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    code: str
    name: str


@dataclass(frozen=True)
class Posts:
    """The AB posts of a window (AB岗): A holds the post, B covers when A is away (§8)."""

    a: str
    b: str


@dataclass(frozen=True)
class Window:
    code: str
    name: str
    department: str
    item_codes: tuple[str, ...] = ()
    posts: Posts | None = None


def new_department(code: str, name: str) -> Department:
    return Department(validate_code(code, "department code"), _require_name(name, "department name"))


def new_window(
    code: str, name: str, department: str, item_codes: list[str], departments: Collection[str]
) -> Window:
    """A window belongs to one existing department of the township; its items are unique codes."""
    validate_code(code, "window code")
    name = _require_name(name, "window name")
    validate_code(department, "department code")
    if department not in departments:
        raise ValidationFailed(f"no department {department} in this township")
    items = tuple(validate_code(i, "item code") for i in item_codes)
    _unique(list(items), "item codes")
    return Window(code, name, department, items)


WINDOW_STAFF = "window_staff"


def assign_posts(a: str, b: str, staff_roles: Mapping[str, Collection[str]]) -> Posts:
    """A and B are two different staff users of the township, both with the role window_staff.

    `staff_roles`: the township's staff users and their roles, by username."""
    for post, username in (("A", a), ("B", b)):
        validate_username(username, f"username of post {post}")
        if username not in staff_roles:
            raise ValidationFailed(f"{username} (post {post}) is not a staff user of this township")
        if WINDOW_STAFF not in staff_roles[username]:
            raise ValidationFailed(f"{username} (post {post}) does not have the role {WINDOW_STAFF}")
    if a == b:
        raise ValidationFailed("posts A and B must be held by two different people")
    return Posts(a, b)


# --- staff -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMember:
    username: str
    name: str
    phone: str
    roles: tuple[str, ...]
    window: str = ""
    village: str = ""


def new_staff(
    username: str,
    name: str,
    phone: str,
    roles: list[str],
    *,
    window: str | None = None,
    village: str | None = None,
    windows: Collection[str] = (),
    villages: Collection[str] = (),
) -> StaffMember:
    """A township's staff user: township roles only (county roles are granted by the county),
    an existing window and village of the township when given."""
    validate_username(username)
    name = _require_name(name, "name")
    phone = check_phone(phone)
    if not roles:
        raise ValidationFailed(f"roles must be among {sorted(TOWNSHIP_ROLES)}")
    other = set(roles) - TOWNSHIP_ROLES
    if other:
        raise ValidationFailed(f"only township roles {sorted(TOWNSHIP_ROLES)} here; not {sorted(other)}")
    _unique(list(roles), "roles")
    if window is not None:
        validate_code(window, "window code")
        if window not in windows:
            raise ValidationFailed(f"no window {window} in this township")
    if village is not None:
        validate_code(village, "village code")
        if village not in villages:
            raise ValidationFailed(f"no village {village} in this township")
    return StaffMember(username, name, phone, tuple(sorted(roles)), window or "", village or "")


# --- settings ----------------------------------------------------------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\Z")
_LOCALE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-[A-Z]{2})?\Z")


def default_settings(time_zone: str) -> dict[str, Any]:
    """The defaults of DOMAIN.md (seed values); the time zone is the county's (§5)."""
    return {
        "office_hours": [["09:00", "12:00"], ["14:00", "17:30"]],  # §5, seed 003
        "time_zone": time_zone,
        "trip_days": ["wed", "sun"],  # §6.3, seed 002 篇1
        "warn_ratio": 0.8,  # §3.3
        "escalation_notice_days": 5,  # §3.2, seed 002 篇1 §四
        "appeal_days": 5,
        "visit_round_days": 14,  # §6.3 "三必访"
        "callback_ratio": 0.35,
        "locale": "zh-CN",
        "sign_in_times": ["08:30", "14:30"],  # §8
        "extra": {},
    }


SETTINGS = frozenset(default_settings("UTC"))
READ_ONLY_SETTINGS = frozenset({"time_zone"})  # follows the county


def patch_settings(current: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """The settings after applying `patch` to `current`; every patched value is validated
    (all or nothing). `extra` is merged key by key; a key set to null is removed."""
    unknown = set(patch) - SETTINGS
    if unknown:
        raise ValidationFailed(f"unknown settings {sorted(unknown)}; known: {sorted(SETTINGS)}")
    fixed = set(patch) & READ_ONLY_SETTINGS
    if fixed:
        raise ValidationFailed(f"{sorted(fixed)} follow the county and cannot be changed per township")
    result = dict(current)
    for key, value in patch.items():
        result[key] = _CHECKS[key](value, current.get(key))
    return result


def parse_office_hours(value: Any) -> list[list[str]]:
    """At least one interval; each [start, end] of "HH:MM" with start < end; sorted and not
    overlapping (one may end when the next begins)."""
    if not isinstance(value, list) or not value:
        raise ValidationFailed('office_hours must be a non-empty list of ["HH:MM", "HH:MM"] intervals')
    intervals: list[tuple[int, int]] = []
    for interval in value:
        if not isinstance(interval, (list, tuple)) or len(interval) != 2:
            raise ValidationFailed(f'office_hours: {interval!r} is not a ["HH:MM", "HH:MM"] interval')
        start, end = (_minutes(t, "office_hours") for t in interval)
        if start >= end:
            raise ValidationFailed(f"office_hours: {interval[0]}-{interval[1]} does not end after it starts")
        if intervals and start < intervals[-1][1]:
            raise ValidationFailed("office_hours must be sorted and must not overlap")
        intervals.append((start, end))
    return [[_hhmm(s), _hhmm(e)] for s, e in intervals]


def parse_trip_days(value: Any) -> list[str]:
    """Weekday abbreviations, each at most once, returned in week order; empty means no trips."""
    if not isinstance(value, list) or any(not isinstance(d, str) or d not in WEEKDAYS for d in value):
        raise ValidationFailed(f"trip_days must be a list of {', '.join(WEEKDAYS)}")
    _unique(value, "trip days")
    return [d for d in WEEKDAYS if d in value]


def parse_ratio(value: Any, what: str, *, upper_inclusive: bool = False) -> float:
    ok = _is_number(value) and value > 0 and (value <= 1 if upper_inclusive else value < 1)
    if not ok:
        raise ValidationFailed(f"{what} must be a number with 0 < {what} {'≤' if upper_inclusive else '<'} 1")
    return float(value)


def parse_sign_in_times(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValidationFailed('sign_in_times must be a non-empty list of "HH:MM"')
    minutes = [_minutes(t, "sign_in_times") for t in value]
    if any(b <= a for a, b in zip(minutes, minutes[1:], strict=False)):
        raise ValidationFailed("sign_in_times must be sorted and distinct")
    return [_hhmm(m) for m in minutes]


def _days(what: str, upper: int) -> Any:
    def check(value: Any, _current: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
            raise ValidationFailed(f"{what} must be a whole number of days from 1 to {upper}")
        return value

    return check


def _locale(value: Any, _current: Any) -> str:
    if not isinstance(value, str) or not _LOCALE_RE.match(value):
        raise ValidationFailed("locale must be a language tag such as zh-CN")
    return value


def _extra(value: Any, current: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or any(not isinstance(k, str) or not k for k in value):
        raise ValidationFailed("extra must be an object of settings by name")
    if not _storable(value):
        raise ValidationFailed("extra must not contain the character NUL")
    merged = dict(current or {})
    for k, v in value.items():
        if k in SETTINGS:
            raise ValidationFailed(f"extra.{k}: set {k} itself, not through extra")
        if v is None:
            merged.pop(k, None)
        else:
            merged[k] = v
    return merged


_CHECKS = {
    "office_hours": lambda v, _c: parse_office_hours(v),
    "trip_days": lambda v, _c: parse_trip_days(v),
    "warn_ratio": lambda v, _c: parse_ratio(v, "warn_ratio"),
    "callback_ratio": lambda v, _c: parse_ratio(v, "callback_ratio", upper_inclusive=True),
    "escalation_notice_days": _days("escalation_notice_days", 30),
    "appeal_days": _days("appeal_days", 30),
    "visit_round_days": _days("visit_round_days", 366),
    "locale": _locale,
    "sign_in_times": lambda v, _c: parse_sign_in_times(v),
    "extra": _extra,
}


def _storable(value: Any) -> bool:
    """JSON that PostgreSQL's jsonb can hold: no NUL in any string."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(map(_storable, value))
    return True


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _minutes(value: Any, what: str) -> int:
    m = _HHMM_RE.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValidationFailed(f'{what}: {value!r} is not a time "HH:MM" (00:00-23:59)')
    return int(m.group(1)) * 60 + int(m.group(2))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
