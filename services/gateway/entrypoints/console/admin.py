"""A township admin's screens (`/console/admin/`): staff and their roles, windows and their A/B posts
(AB岗), villages, the township's settings, its calendar days and the leaders' duty rota (带班).
Each section is the API's list with a short form; every form is one API call with the caller's
token (routers/directory_entities.py, calendar.py, duty_rota.py), so a window clerk sees the lists
the API shows them and every change they try is the API's `forbidden`, shown in words."""

from __future__ import annotations

import asyncio
import calendar as month_calendar
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from services.gateway.domain.directory import TOWNSHIP_ROLES
from services.gateway.entrypoints.console import present, routes, session
from services.gateway.entrypoints.console.agent import _section
from services.gateway.entrypoints.console.api import Api, ApiError, seg
from services.gateway.entrypoints.console.session import ConsoleSession

router = APIRouter(prefix="/console/admin", include_in_schema=False)

WEEKDAYS = {
    "mon": "周一",
    "tue": "周二",
    "wed": "周三",
    "thu": "周四",
    "fri": "周五",
    "sat": "周六",
    "sun": "周日",
}
SOURCES = {"national": "国家", "county": "县", "township": "本乡镇"}
CALENDAR_DAYS = 62  # the days ahead the calendar section lists
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_HOURS = re.compile(r"(\d{2}:\d{2})\s*[-–~至]\s*(\d{2}:\d{2})")
_TIME = re.compile(r"\d{2}:\d{2}")
_MESSAGES = {
    "staff": "已添加工作人员",
    "village": "已保存村",
    "window": "已保存窗口",
    "posts": "已设置AB岗",
    "settings": "已保存设置",
    "day": "已设置日历",
    "day-removed": "已取消该日调整",
    "rota": "已发布带班表",
}


def _month(asked: str, today: date) -> str:
    return asked if _MONTH.fullmatch(asked) else f"{today:%Y-%m}"


@router.get("/")
async def admin_page(request: Request, tenant: str = "", month: str = "", msg: str = "") -> Response:
    s = await session.current(request)
    return await _page(request, s, tenant, month, message=_MESSAGES.get(msg, ""))


async def _page(
    request: Request,
    s: ConsoleSession,
    tenant: str,
    month: str,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    t = routes._home_tenant(s, tenant)
    if t is None:
        return routes.redirect(request, "/console/county/", s)
    api = Api(request, s.access)
    today = routes._now(request).date()
    m = _month(month, today)
    first = date.fromisoformat(f"{m}-01")
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    base = f"/v1/townships/{seg(t)}"
    try:
        township = await api.get(base)
    except ApiError as exc:
        return routes._problem_page(request, s, exc)
    staff, windows, villages, departments, settings, days, rota = await asyncio.gather(
        _section(api.items(f"{base}/staff")),
        _section(api.items(f"{base}/windows")),
        _section(api.items(f"{base}/villages")),
        _section(api.items(f"{base}/departments")),
        _section(api.get(f"{base}/settings")),
        _section(
            api.get(
                f"{base}/calendar",
                **{"from": today.isoformat(), "to": (today + timedelta(days=CALENDAR_DAYS)).isoformat()},
            )
        ),
        _section(api.get(f"{base}/duty-rota", **{"from": first.isoformat(), "to": last.isoformat()})),
    )
    people = staff[0][0] if staff[0] else []
    on_duty = {d["date"]: d["username"] for d in (rota[0] or {}).get("days", [])}
    return routes.render(
        request,
        "admin.html.j2",
        s,
        status=status,
        tenant=t,
        township=township,
        staff=people,
        staff_error=staff[1],
        windows=windows[0][0] if windows[0] else [],
        windows_error=windows[1],
        villages=villages[0][0] if villages[0] else [],
        villages_error=villages[1],
        departments=departments[0][0] if departments[0] else [],
        department_names={d["code"]: d["name"] for d in (departments[0][0] if departments[0] else [])},
        settings=settings[0] or {},
        settings_error=settings[1],
        special_days=[d for d in (days[0] or []) if _special(d)],
        days_error=days[1],
        month=m,
        month_days=[
            {"date": (first + timedelta(days=i)).isoformat(), "day": first + timedelta(days=i)}
            for i in range((last - first).days + 1)
        ],
        on_duty=on_duty,
        rota_error=rota[1],
        prev_month=f"{(first - timedelta(days=1)):%Y-%m}",
        next_month=f"{(last + timedelta(days=1)):%Y-%m}",
        township_roles=sorted(TOWNSHIP_ROLES),
        WEEKDAYS=WEEKDAYS,
        weekday_names=list(WEEKDAYS.values()),
        calendar_days=CALENDAR_DAYS,
        SOURCES=SOURCES,
        hours_text=lambda hours: "，".join(f"{a}-{b}" for a, b in hours),
        message=message,
        error=error,
        can_admin=s.has("township_admin", "county_admin"),
    )


def _special(day: dict) -> bool:
    """A day off on a weekday, a working weekend day, or one a county or township override set."""
    weekday = date.fromisoformat(day["date"]).weekday()
    return day["source"] != "national" or day["working"] == (weekday >= 5)


# --- the forms ---------------------------------------------------------------------------------


def _t(form: FormData, name: str) -> str:
    return routes._text(form, name)


def _staff(form: FormData) -> tuple[str, str, dict | None]:
    body: dict[str, Any] = {
        "username": _t(form, "username"),
        "password": form.get("password") if isinstance(form.get("password"), str) else "",
        "name": _t(form, "name"),
        "phone": _t(form, "phone"),
        "roles": routes._texts(form, "roles"),
    }
    for optional in ("window", "village"):
        if _t(form, optional):
            body[optional] = _t(form, optional)
    return "POST", "/staff", body


def _village(form: FormData) -> tuple[str, str, dict | None]:
    return "POST", "/villages", {"code": _t(form, "code"), "name": _t(form, "name")}


def _window(form: FormData) -> tuple[str, str, dict | None]:
    items = [i for i in re.split(r"[\s,，]+", _t(form, "item_codes")) if i]
    body = {"code": _t(form, "code"), "name": _t(form, "name"), "department": _t(form, "department")}
    return "POST", "/windows", body | {"item_codes": items}


def _posts(form: FormData) -> tuple[str, str, dict | None]:
    return "PUT", f"/windows/{seg(_t(form, 'window'))}/posts", {"a": _t(form, "a"), "b": _t(form, "b")}


def _settings(form: FormData) -> tuple[str, str, dict | None]:
    """Office hours as `09:00-12:00，14:00-17:30`, sign-in times as `08:30 14:30`; a text the
    console cannot read is sent as it stands, for the API's own `validation_error`."""
    hours_text = _t(form, "office_hours")
    hours = [list(pair) for pair in _HOURS.findall(hours_text)]
    body: dict[str, Any] = {
        "office_hours": hours if hours or not hours_text else [[hours_text]],
        "trip_days": routes._texts(form, "trip_days"),
        "sign_in_times": _TIME.findall(_t(form, "sign_in_times")),
    }
    for name, kind in (("warn_ratio", float), ("visit_round_days", int)):
        raw = _t(form, name)
        if raw:
            try:
                body[name] = kind(raw)
            except ValueError:
                body[name] = raw
    return "PATCH", "/settings", body


def _day(form: FormData) -> tuple[str, str, dict | None]:
    body = {"kind": _t(form, "kind"), "reason": _t(form, "reason")}
    return "PUT", f"/calendar/days/{seg(_t(form, 'date'))}", body


def _day_removed(form: FormData) -> tuple[str, str, dict | None]:
    return "DELETE", f"/calendar/days/{seg(_t(form, 'date'))}", None


def _rota(form: FormData) -> tuple[str, str, dict | None]:
    month = _t(form, "month")
    days = [
        {"date": key.removeprefix("duty-"), "username": value.strip()}
        for key, value in form.multi_items()
        if key.startswith("duty-") and isinstance(value, str) and value.strip()
    ]
    return "PUT", f"/duty-rota/{seg(month)}", {"days": days}


FORMS = {
    "staff": _staff,
    "village": _village,
    "window": _window,
    "posts": _posts,
    "settings": _settings,
    "day": _day,
    "day-removed": _day_removed,
    "rota": _rota,
}


@router.post("/{name}")
async def submit(request: Request, name: str) -> Response:
    s, form = await routes._acting(request)
    t = _t(form, "tenant") or routes._home_tenant(s, "") or ""
    month = _t(form, "month")
    if name not in FORMS:
        return await _page(request, s, t, month, error="没有这个表单", status=404)
    try:
        method, path, body = FORMS[name](form)
        reply = await Api(request, s.access).call(method, f"/v1/townships/{seg(t)}{path}", json=body)
        if reply.status_code >= 400:
            problem = reply.json() if reply.headers.get("content-type", "").endswith("json") else {}
            raise ApiError(reply.status_code, problem.get("code"), problem.get("detail"))
    except ApiError as exc:
        words = present.problem_words(exc.code, exc.detail)
        return await _page(request, s, t, month, error=words, status=exc.status)
    query = {"tenant": t, "msg": name} | ({"month": month} if month else {})
    return routes.redirect(request, f"/console/admin/?{urlencode(query, quote_via=quote)}#{name}", s)
