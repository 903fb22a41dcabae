"""The isolation matrix: every operation of the gateway's OpenAPI document × every role (and no
token) × the caller's own township, another township (and, for the county admin, a township
that does not exist), on the real migrated database.

The operations are read from the app's OpenAPI document, so a new endpoint gets its cells
automatically; each must be classified in `POLICIES` (who may call it) or its cells fail, and
`test_the_policy_table_covers_exactly_the_openapi_operations` fails until the table matches the
document exactly. Endpoints that need a body, query or a resource to act on get a valid minimal
request in `REQUESTS`, so that an allowed call answers 2xx and a refusal cannot be mistaken for a
validation error.

Expectations of one cell (API.md error model, DOMAIN.md §1):
- no token → 401 `unauthenticated` (except public operations);
- a township role on another township → 404 `not_found`, with the same body as for a township
  that does not exist (no existence leak);
- a role the policy does not name → 403 `forbidden` (on its own township, or county-wide);
- otherwise → 2xx; and an answer to a township role never mentions the other township (a list
  such as `GET /v1/townships` is filtered, not just the single-township routes).
Every refused call must change nothing: the gateway's outbox row count stays the same.

The catalogue routes reach a real intake served in process (`inprocess.py`): their role checks
are intake's, and the matrix holds them to the same table.

One app, one set of users and two townships serve the whole module (the cells only read them,
or create uniquely named things in them); destructive operations (suspend) are allowed on a
fresh township each time."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from httpx import Response

from libs.common import db
from libs.common.runtime import Runtime
from services.gateway.service_layer import identity
from tests.integration.gateway.inprocess import deliver, deliver_to_intake, document_app, gateway_with_intake
from tests.integration.gateway.support import PASSWORD, assert_problem, login, unique_code

COUNTY_ROLES = ("county_admin", "county_supervisor", "ops")
TOWNSHIP_ROLES = ("township_admin", "window_staff", "intake_desk", "proxy_agent", "petition_officer")
ROLES = COUNTY_ROLES + TOWNSHIP_ROLES
NO_TOKEN = "no_token"


# --- who may call what ------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    name: str
    allowed: frozenset[str]  # roles that get 2xx (on their own township when tenant-scoped)
    public: bool = False  # no token needed


PUBLIC = Policy("public", frozenset(ROLES), public=True)
ANY_USER = Policy("any authenticated caller", frozenset(ROLES))
COUNTY_ADMIN = Policy("county_admin only", frozenset({"county_admin"}))
COUNTY_READ = Policy("county_admin or county_supervisor", frozenset({"county_admin", "county_supervisor"}))
# tenant-scoped policies (the path has `{tenant}`): township roles act in their own township only
TENANT_MEMBER = Policy("any role of the tenant, or a county role", frozenset(ROLES))
# people's data (staff names, masked phones): every role but ops, which sees no personal data
TENANT_PEOPLE = Policy("any role of the tenant, or a county role but ops", frozenset(ROLES) - {"ops"})
TENANT_ADMIN = Policy(
    "township_admin of the tenant, or county_admin", frozenset({"township_admin", "county_admin"})
)
TENANT_OVERSIGHT = Policy(
    "township_admin of the tenant, county_admin or county_supervisor",
    frozenset({"township_admin", "county_admin", "county_supervisor"}),
)
TENANT_COUNTY_ADMIN = Policy("county_admin only (on a tenant)", frozenset({"county_admin"}))
# the first-ask register: staff who meet citizens register (the caller is the first-ask person)
TENANT_FIRST_ASK = Policy(
    "intake_desk, window_staff, township_admin or proxy_agent of the tenant",
    frozenset({"intake_desk", "window_staff", "township_admin", "proxy_agent"}),
)

# cases (routers/cases.py; intake's role checks): staff who meet citizens receive, window staff
# and the township admin act, a press is the county supervisor's or the township admin's; every
# role reads (the applicant masked for all but the case's handler and first-ask person)
TENANT_CASE_STAFF = Policy(
    "window_staff or township_admin of the tenant", frozenset({"window_staff", "township_admin"})
)
# a county department's work list (escalated to its department; its users are not in the matrix's
# roles, so every role here is refused — tests/e2e/test_cases.py exercises the allowed side)
COUNTY_DEPARTMENT = Policy("county_department only", frozenset({"county_department"}))
TENANT_PRESS = Policy(
    "township_admin of the tenant or county_supervisor", frozenset({"township_admin", "county_supervisor"})
)
# petitions and complaints (routers/petitions.py; intake's role checks): the petitioner's identity
# is the petition officer's alone, so readers are few (DOMAIN.md §9)
TENANT_PETITION_OFFICER = Policy("petition_officer of the tenant", frozenset({"petition_officer"}))
TENANT_PETITION_READ = Policy(
    "petition_officer or township_admin of the tenant, or county_supervisor",
    frozenset({"petition_officer", "township_admin", "county_supervisor"}),
)
TENANT_COMPLAINT_DESK = Policy(
    "petition_officer or township_admin of the tenant", frozenset({"petition_officer", "township_admin"})
)
TENANT_MANAGEMENT_OFFICE = Policy("township_admin of the tenant", frozenset({"township_admin"}))
COUNTY_OPERATOR = Policy("ops or county_admin", frozenset({"ops", "county_admin"}))
# the leader-on-duty rota (routers/duty_rota.py; appraisal's role checks): published by the
# township admin or the county admin, read by the township's people (it names them), not ops
DUTY_ROTA = "/v1/townships/{tenant}/duty-rota"
# the personal data access log (routers/personal_data.py; intake's role checks): who saw whose
# record in full — the township admin and the county supervisor, not the county admin (§1, §11)
TENANT_PII_AUDIT = Policy(
    "township_admin of the tenant or county_supervisor (access log)",
    frozenset({"township_admin", "county_supervisor"}),
)
DEAD_LETTERS = "/v1/notifications/dead-letters"
# proxy: agents, households, exclusions, visits (routers/proxy_agents.py; proxy's role checks)
PROXY = "/v1/townships/{tenant}/proxy"
PROXY_AGENTS = PROXY + "/agents"
PROXY_AGENT = PROXY_AGENTS + "/{username}"
PROXY_HOUSEHOLDS = PROXY + "/households"
PROXY_EXCLUSIONS = PROXY + "/exclusions"
PROXY_VISITS = PROXY + "/visits"
PROXY_DELEGATIONS = PROXY + "/delegations"
PROXY_DELEGATION = PROXY_DELEGATIONS + "/{delegation_id}"
# households (masked but for their own agent): who manages or carries for them, and the supervisor
TENANT_PROXY_READ = Policy(
    "township_admin or proxy_agent of the tenant, county_admin or county_supervisor",
    frozenset({"township_admin", "proxy_agent", "county_admin", "county_supervisor"}),
)
TENANT_PROXY_AGENT = Policy("proxy_agent of the tenant (the household's agent)", frozenset({"proxy_agent"}))
# a trip is delivered by its carrier (the matrix's agent carries its township's trips) or received by
# the township's staff at the centre
TENANT_TRIP_DELIVERY = Policy(
    "proxy_agent (the carrier), township_admin, window_staff or intake_desk of the tenant",
    frozenset({"proxy_agent", "township_admin", "window_staff", "intake_desk"}),
)
TENANT_EXCLUSION_READ = Policy(
    "township_admin of the tenant or county_supervisor (exclusion list)",
    frozenset({"township_admin", "county_supervisor"}),
)
# --- workforce: leaves and attendance (routers/workforce.py; appraisal's role checks)
LEAVES = "/v1/townships/{tenant}/leaves"
LEAVE = LEAVES + "/{leave_id}"
ATTENDANCE = "/v1/townships/{tenant}/attendance"
# a leave is decided by a centre_head (≤ 1 working day) or a township_leader (2 or more): neither
# is a role of the matrix's cells (adding them would refuse them on intake's reads, which this
# round leaves alone), so every cell here is refused — tests/integration/gateway/
# test_workforce_http.py exercises the allowed side
LEAVE_DECIDER = Policy(
    "centre_head or township_leader of the tenant", frozenset({"centre_head", "township_leader"})
)
# --- end of workforce
PETITIONS = "/v1/townships/{tenant}/petitions"
PETITION = PETITIONS + "/{petition_id}"
# appraisal (routers/appraisal.py; appraisal's role checks): rulebooks for every user, the county
# admin stores and activates; manual events by the management office or the county supervisor;
# events and scores read by the township's people (staff: their own and their window's rows);
# the subject appeals; the township admin decides (the county supervisor the county's events)
RULEBOOKS = "/v1/appraisal/rulebooks"
APPRAISAL = "/v1/townships/{tenant}/appraisal"
TENANT_COUNTY_READ = Policy(
    "county_admin or county_supervisor (on a tenant)", frozenset({"county_admin", "county_supervisor"})
)
TENANT_APPRAISAL_RECORDER = Policy(
    "township_admin of the tenant or county_supervisor (management office, county supervision)",
    frozenset({"township_admin", "county_supervisor"}),
)
CASE = "/v1/townships/{tenant}/cases/{case_id}"
NOTICES = CASE + "/notices"
CASE_ACTIONS = (
    "accept",
    "request-supplement",
    "materials",
    "refuse",
    "assign",
    "escalate",
    "resume",
    "extend",
    "complete",
    "reply",
    "archive",
    "return",
    "withdraw",
)

POLICIES: dict[tuple[str, str], Policy] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("POST", "/v1/auth/token"): PUBLIC,
    ("POST", "/v1/auth/refresh"): PUBLIC,  # the refresh token is the credential
    ("POST", "/v1/auth/logout"): PUBLIC,
    ("GET", "/v1/me"): ANY_USER,
    ("GET", "/v1/townships"): ANY_USER,  # filtered to what the caller may see
    ("POST", "/v1/townships"): COUNTY_ADMIN,
    ("GET", "/v1/townships/{tenant}"): TENANT_MEMBER,
    ("POST", "/v1/townships/{tenant}/suspend"): TENANT_COUNTY_ADMIN,
    ("POST", "/v1/townships/{tenant}/reactivate"): TENANT_COUNTY_ADMIN,
    ("GET", "/v1/townships/{tenant}/audit"): TENANT_OVERSIGHT,  # county roles' access to the township
    # calendar
    ("PUT", "/v1/calendar/days/{date}"): COUNTY_ADMIN,
    ("DELETE", "/v1/calendar/days/{date}"): COUNTY_ADMIN,
    ("PUT", "/v1/townships/{tenant}/calendar/days/{date}"): TENANT_ADMIN,
    ("DELETE", "/v1/townships/{tenant}/calendar/days/{date}"): TENANT_ADMIN,
    ("GET", "/v1/townships/{tenant}/calendar"): TENANT_MEMBER,
    ("GET", "/v1/townships/{tenant}/calendar/deadline"): TENANT_MEMBER,
    # a township's organisation (routers/directory_entities.py)
    ("POST", "/v1/townships/{tenant}/villages"): TENANT_ADMIN,
    ("GET", "/v1/townships/{tenant}/villages"): TENANT_MEMBER,
    ("POST", "/v1/townships/{tenant}/departments"): TENANT_ADMIN,
    ("GET", "/v1/townships/{tenant}/departments"): TENANT_MEMBER,
    ("POST", "/v1/townships/{tenant}/windows"): TENANT_ADMIN,
    ("GET", "/v1/townships/{tenant}/windows"): TENANT_MEMBER,
    ("PUT", "/v1/townships/{tenant}/windows/{code}/posts"): TENANT_ADMIN,
    ("POST", "/v1/townships/{tenant}/staff"): TENANT_ADMIN,
    ("GET", "/v1/townships/{tenant}/staff"): TENANT_PEOPLE,  # names, phones masked
    ("PATCH", "/v1/townships/{tenant}/settings"): TENANT_ADMIN,
    ("GET", "/v1/townships/{tenant}/settings"): TENANT_MEMBER,
    # the catalogue (routers/catalogue.py; the role checks are intake's, over gRPC)
    ("POST", "/v1/catalog/items"): COUNTY_ADMIN,
    ("PUT", "/v1/catalog/items/{code}"): COUNTY_ADMIN,
    ("GET", "/v1/catalog/items"): COUNTY_READ,  # the template; townships read their copy
    ("GET", "/v1/townships/{tenant}/catalog/items"): TENANT_MEMBER,
    ("GET", "/v1/townships/{tenant}/catalog/items/{code}"): TENANT_MEMBER,
    ("PATCH", "/v1/townships/{tenant}/catalog/items/{code}"): TENANT_ADMIN,
    ("GET", "/v1/public/townships/{tenant}/guides"): PUBLIC,
    ("GET", "/v1/public/townships/{tenant}/guides/{code}"): PUBLIC,
    # the first-ask register (routers/inquiries.py; intake's role checks): names and contacts
    # masked for all but the registrar, so every role but ops reads it
    ("POST", "/v1/townships/{tenant}/inquiries"): TENANT_FIRST_ASK,
    ("GET", "/v1/townships/{tenant}/inquiries"): TENANT_PEOPLE,
    ("POST", "/v1/townships/{tenant}/cases"): TENANT_FIRST_ASK,
    ("GET", "/v1/townships/{tenant}/cases"): TENANT_MEMBER,
    ("GET", CASE): TENANT_MEMBER,
    **{("POST", f"{CASE}/{action}"): TENANT_CASE_STAFF for action in CASE_ACTIONS},
    ("POST", f"{CASE}/press"): TENANT_PRESS,
    ("GET", "/v1/county/escalated-cases"): COUNTY_DEPARTMENT,
    ("POST", PETITIONS): TENANT_PETITION_OFFICER,  # a petition; complaints also the township admin
    ("GET", PETITIONS): TENANT_PETITION_READ,
    ("GET", PETITION): TENANT_PETITION_READ,
    ("POST", f"{PETITION}/answer"): TENANT_PETITION_OFFICER,  # a petition's answer
    ("POST", f"{PETITION}/forward"): TENANT_COMPLAINT_DESK,
    ("POST", f"{PETITION}/decide"): TENANT_MANAGEMENT_OFFICE,
    ("GET", "/v1/townships/{tenant}/personal-data-access"): TENANT_PII_AUDIT,
    ("PUT", DUTY_ROTA + "/{month}"): TENANT_ADMIN,
    ("GET", DUTY_ROTA): TENANT_PEOPLE,
    # --- appraisal: rulebooks, score events, scores, appeals (routers/appraisal.py)
    ("GET", RULEBOOKS): ANY_USER,
    ("GET", RULEBOOKS + "/{rulebook_id}"): ANY_USER,
    ("PUT", RULEBOOKS + "/{rulebook_id}"): COUNTY_ADMIN,
    ("POST", RULEBOOKS + "/{rulebook_id}/activate"): COUNTY_ADMIN,
    ("POST", APPRAISAL + "/events"): TENANT_APPRAISAL_RECORDER,
    ("GET", APPRAISAL + "/events"): TENANT_PEOPLE,  # names people: not ops
    ("GET", APPRAISAL + "/scores"): TENANT_PEOPLE,
    ("POST", APPRAISAL + "/appeals"): TENANT_PEOPLE,  # the subject: an event on the caller (per caller)
    ("POST", APPRAISAL + "/appeals/{appeal_id}/decide"): TENANT_APPRAISAL_RECORDER,
    # the county's township assessment: the county reads and sets; the management office reports
    ("GET", "/v1/appraisal/townships"): COUNTY_READ,
    ("PUT", "/v1/appraisal/townships/{tenant}/indicators/{code}"): TENANT_COUNTY_READ,
    ("POST", APPRAISAL + "/reports"): TENANT_MANAGEMENT_OFFICE,  # (and centre_head, not a matrix role)
    # --- workforce: a leave is asked by the staff member (not a matrix user) or the township admin
    ("POST", LEAVES): TENANT_MANAGEMENT_OFFICE,
    ("GET", LEAVES): TENANT_PEOPLE,  # names people: not ops; staff see their own
    ("POST", f"{LEAVE}/approve"): LEAVE_DECIDER,
    ("POST", f"{LEAVE}/reject"): LEAVE_DECIDER,
    ("POST", f"{LEAVE}/cancel"): TENANT_MANAGEMENT_OFFICE,  # or the staff member, or its decider
    # a sign-in: the staff member's own (not a matrix user) or back-filled by the township admin
    ("POST", f"{ATTENDANCE}/sign-ins"): TENANT_MANAGEMENT_OFFICE,
    ("POST", f"{ATTENDANCE}/imports"): TENANT_MANAGEMENT_OFFICE,  # a sign-in device's export
    ("POST", f"{ATTENDANCE}/spot-checks"): TENANT_MANAGEMENT_OFFICE,  # 明查暗访
    ("GET", ATTENDANCE): TENANT_PEOPLE,  # names people: not ops; staff see their own
    # --- end of workforce
    # --- proxy: agents, households, exclusions, visits (routers/proxy_agents.py; proxy's role checks)
    ("POST", PROXY_AGENTS): TENANT_ADMIN,
    ("GET", PROXY_AGENTS): TENANT_PEOPLE,  # names people: not ops
    ("GET", PROXY_AGENT): TENANT_PEOPLE,
    ("PATCH", PROXY_AGENT): TENANT_ADMIN,
    ("POST", PROXY_HOUSEHOLDS): TENANT_ADMIN,
    ("GET", PROXY_HOUSEHOLDS): TENANT_PROXY_READ,
    ("PATCH", PROXY_HOUSEHOLDS + "/{household_id}"): TENANT_ADMIN,
    ("POST", PROXY_EXCLUSIONS): TENANT_MANAGEMENT_OFFICE,
    ("GET", PROXY_EXCLUSIONS): TENANT_EXCLUSION_READ,
    ("POST", PROXY_VISITS): TENANT_PROXY_AGENT,
    ("GET", PROXY_VISITS + "/due"): TENANT_PROXY_READ,
    # delegations (routers/proxy_delegations.py; proxy's role checks): an agent registers, replies and
    # files; the township's people and the county admin and supervisor read (masked), not ops
    ("POST", PROXY_DELEGATIONS): TENANT_PROXY_AGENT,
    ("GET", PROXY_DELEGATIONS): TENANT_PEOPLE,
    ("GET", PROXY_DELEGATION): TENANT_PEOPLE,
    ("POST", PROXY_DELEGATION + "/reply"): TENANT_PROXY_AGENT,
    ("POST", PROXY_DELEGATION + "/file"): TENANT_PROXY_AGENT,
    ("GET", PROXY_DELEGATION + "/card"): TENANT_PEOPLE,  # the implementation card (PDF), as read
    ("GET", PROXY + "/trips"): TENANT_PEOPLE,
    ("POST", PROXY + "/trips/{trip_id}/deliver"): TENANT_TRIP_DELIVERY,
    # quotas name agents and their penalties: who manages or is an agent (its own), and the county
    ("GET", PROXY + "/quotas"): TENANT_PROXY_READ,
    ("GET", PROXY + "/stars"): TENANT_PEOPLE,  # the village service points' stars
    # --- end of proxy: agents, households, exclusions, visits, delegations
    # figures (routers/stats.py; intake's role checks): counts only, so every role, ops included
    ("GET", "/v1/townships/{tenant}/stats"): TENANT_MEMBER,
    ("GET", "/v1/public/townships/{tenant}/board"): PUBLIC,
    # notices and notifications (routers/notices.py; notify's role checks): the readers of the
    # township's cases, the applicant masked; the inbox is the caller's own
    ("GET", NOTICES): TENANT_MEMBER,
    ("GET", NOTICES + "/{notice_id}"): TENANT_MEMBER,
    ("GET", "/v1/townships/{tenant}/notifications"): TENANT_MEMBER,
    ("GET", "/v1/me/inbox"): ANY_USER,
    ("POST", "/v1/me/inbox/{item_id}/read"): ANY_USER,  # the caller's own item (built per caller)
    # notify's dead letters (routers/notifications.py; notify's role checks): ops and the county
    # admin, across the townships of their county
    ("GET", DEAD_LETTERS): COUNTY_OPERATOR,
    ("POST", f"{DEAD_LETTERS}/{{dead_letter_id}}/replay"): COUNTY_OPERATOR,
}


# --- a valid minimal request per operation ----------------------------------------------------


@dataclass
class Call:
    path_params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    params: dict[str, str] | None = None


@dataclass(frozen=True)
class Request:
    """How to call an operation validly on `tenant` (None when the path has no tenant)."""

    build: Callable[[World, str | None], Call] = lambda w, tenant: Call()
    # allowed calls act on a fresh township (the operation would spoil the shared ones)
    destructive: bool = False
    # an allowed call records an outbox event (proves the outbox probe of refusals is meaningful)
    emits: bool = False
    # allowed calls act on a fresh, suspended township (reactivation)
    suspended: bool = False
    # the call acts on something of the caller's own (their inbox item): built for each role
    per_caller: Callable[[World, str], Call] | None = None
    # the same, in the township called (a score event on the caller, to appeal)
    per_caller_in: Callable[[World, str, str | None], Call] | None = None


def _onboard_body(w: World, tenant: str | None) -> Call:
    return Call(json={"code": unique_code(), "name": "那坡镇", "villages": []})


def _token_body(w: World, tenant: str | None) -> Call:
    return Call(json={"username": w.usernames["window_staff"], "password": PASSWORD})


def _refresh_body(w: World, tenant: str | None) -> Call:
    login = identity.log_in(w.runtime.sessions, w.usernames["window_staff"], PASSWORD, address="matrix")
    return Call(json={"refresh_token": login.refresh_token})


_DAYS = (date(2090, 1, 1) + timedelta(n) for n in itertools.count())  # a fresh day per call


def _override(w: World, tenant: str | None) -> Call:
    return Call({"date": next(_DAYS).isoformat()}, json={"kind": "off", "reason": "矩阵测试"})


def _existing_override(w: World, tenant: str | None) -> Call:
    """A day that has an override in the scope (none can exist in a township that does not)."""
    call = _override(w, tenant)
    if tenant is None or tenant in (w.own, w.other):
        scope = "/v1/calendar" if tenant is None else f"/v1/townships/{tenant}/calendar"
        r = w.client.put(
            f"{scope}/days/{call.path_params['date']}", json=call.json, headers=w.headers["county_admin"]
        )
        assert r.status_code == 200, r.text
    return Call(call.path_params)


def _calendar_range(w: World, tenant: str | None) -> Call:
    return Call(params={"from": "2090-01-01", "to": "2090-01-31"})


def _deadline_query(w: World, tenant: str | None) -> Call:
    return Call(params={"start": "2090-03-05T10:00:00+08:00", "working_days": "3"})


def _code_and_name(w: World, tenant: str | None) -> Call:
    return Call(json={"code": unique_code("c"), "name": "矩阵"})


def _window(w: World, tenant: str | None) -> Call:
    return Call(json={"code": unique_code("w"), "name": "民政窗口", "department": DEPARTMENT})


def _posts(w: World, tenant: str | None) -> Call:
    a, b = w.post_staff.get(tenant or "", ("nobody_a", "nobody_b"))
    return Call({"code": WINDOW}, json={"a": a, "b": b})


def _staff(w: World, tenant: str | None) -> Call:
    body = {"username": unique_code("s"), "password": PASSWORD, "name": "王五", "phone": "13800138000"}
    return Call(json=body | {"roles": ["window_staff"]})


def _settings(w: World, tenant: str | None) -> Call:
    return Call(json={"warn_ratio": 0.8})


def _item_body(w: World, tenant: str | None, level: str = "township") -> Call:
    """A template item (proxyable: agents carry it, the delegation cells use it)."""
    body = {"code": unique_code("i"), "name": "矩阵事项", "category": "civil_affairs", "level": level}
    material = {"code": MATERIAL, "name": "身份证", "required": True}
    return Call(
        json=body
        | {"kind": "registration", "statutory_days": 5, "promised_days": 3, "materials": [material]}
        | {"proxyable": True}
    )


def _template_item_put(w: World, tenant: str | None) -> Call:
    """The shared item as it was made (`_item_body`'s limits), renamed: a change, but one that
    leaves every township's copy as usable as before."""
    body = _item_body(w, tenant).json | {"code": w.item, "name": "矩阵事项（改）"}
    return Call({"code": w.item}, json=body)


def _inbox_item(w: World, role: str) -> Call:
    """An item in the inbox of this role's user (what notify's handlers write)."""
    item_id = uuid.uuid4()
    with db.transaction(w.runtime.sessions, w.own) as s:
        s.execute(
            sa.text(
                "INSERT INTO notify.inbox_item (id, tenant_id, username, topic, title, text, source_event_id)"
                " VALUES (:id, :t, :u, 'assignment', '矩阵', '矩阵', :e)"
            ),
            {"id": item_id, "t": w.own, "u": w.usernames[role], "e": str(uuid.uuid4())},
        )
    return Call({"item_id": str(item_id)})


def _item(w: World, tenant: str | None) -> Call:
    return Call({"code": w.item})


def _item_patch(w: World, tenant: str | None) -> Call:
    return Call({"code": w.item}, json={"promised_days": 2})


def _inquiry(w: World, tenant: str | None) -> Call:
    body = {"channel": "walk_in", "citizen_name": "张三", "contact": "13800138000", "matter": "矩阵咨询"}
    return Call(json=body | {"result": "routed", "routed_to": "民政窗口", "item_code": w.item})


MATERIAL = "id_card"
# a case action → the actions (and bodies) that bring a fresh case to a state it is allowed from
_CASE_BODIES: dict[str, dict[str, Any]] = {
    "request-supplement": {"note": "请补齐"},
    "materials": {"materials": [MATERIAL]},
    "refuse": {"reason": "不属本镇受理"},
    "assign": {"handler": "matrix_handler"},
    "escalate": {"to_level": "county", "department": "civil", "reason": "需县级审批"},
    "resume": {"note": "县级已批复"},
    "extend": {"working_days": 1, "reason": "需实地核查"},
    "complete": {"outcome": "approved"},
    "reply": {"satisfaction": "satisfied"},
    "return": {"reason": "依法不予办理"},
    "withdraw": {"reason": "申请人撤回"},
    "press": {"note": "请尽快办理"},
}
_ACCEPTED = ["accept"]
_IN_PROGRESS = [*_ACCEPTED, "assign"]
_CASE_PATHS: dict[str, tuple[bool, list[str]]] = {  # action → (received complete?, steps before it)
    "accept": (True, []),
    "request-supplement": (False, []),
    "materials": (False, []),
    "refuse": (False, []),
    "assign": (True, _ACCEPTED),
    "escalate": (True, _IN_PROGRESS),
    "resume": (True, [*_IN_PROGRESS, "escalate"]),
    "extend": (True, _IN_PROGRESS),
    "complete": (True, _IN_PROGRESS),
    "reply": (True, [*_IN_PROGRESS, "complete"]),
    "archive": (True, [*_IN_PROGRESS, "complete", "reply"]),
    "return": (True, _ACCEPTED),
    "withdraw": (False, []),
    "press": (False, []),
}
_NO_CASE = "00000000-0000-4000-8000-000000000000"


def _case_body(w: World, tenant: str | None, complete: bool = True) -> Call:
    applicant = {"name": "张三", "phone": "13800138000"}
    materials = [MATERIAL] if complete else []
    return Call(json={"item_code": w.item, "level": "hall", "channel": "walk_in", "applicant": applicant}
                | {"materials": materials})  # fmt: skip


def _a_case(w: World, tenant: str | None, complete: bool = True, steps: tuple[str, ...] = ()) -> str:
    """A fresh case in `tenant` (made by the case clerk), taken through `steps`; in a township
    that does not exist, an id of no case."""
    if tenant not in (w.own, w.other):
        return _NO_CASE
    clerk = w.headers[CLERK]
    r = w.client.post(
        f"/v1/townships/{tenant}/cases", json=_case_body(w, tenant, complete).json, headers=clerk
    )
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    for step in steps:
        r = w.client.post(f"/v1/townships/{tenant}/cases/{case_id}/{step}", json=_CASE_BODIES.get(step, {}),
                          headers=clerk)  # fmt: skip
        assert r.status_code == 200, (step, r.text)
    return case_id


def _case(w: World, tenant: str | None) -> Call:
    return Call({"case_id": _a_case(w, tenant)})


def _case_action(action: str) -> Callable[[World, str | None], Call]:
    complete, steps = _CASE_PATHS[action]

    def build(w: World, tenant: str | None) -> Call:
        case_id = _a_case(w, tenant, complete, tuple(steps))
        return Call({"case_id": case_id}, json=_CASE_BODIES.get(action, {}))

    return build


_PETITIONER = {"name": "张三", "phone": "13800138000"}
_PETITION_BODY = {"kind": "petition", "channel": "desk", "petitioner": _PETITIONER, "matter": "矩阵信访"}
_COMPLAINT_BODY = {**_PETITION_BODY, "kind": "complaint", "ground": "attitude"}


def _petition_body(w: World, tenant: str | None) -> Call:
    return Call(json=_PETITION_BODY)


def _a_petition(w: World, tenant: str | None, kind: str = "petition") -> str:
    """A fresh petition (or complaint about the matrix window) in `tenant`, made by the petition
    clerk; in a township that does not exist, an id of no petition."""
    if tenant not in (w.own, w.other):
        return _NO_CASE
    subject = {"subject": {"type": "window", "id": WINDOW}}
    body = _PETITION_BODY if kind == "petition" else _COMPLAINT_BODY | subject
    r = w.client.post(f"/v1/townships/{tenant}/petitions", json=body, headers=w.headers[PETITION_CLERK])
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _petition(w: World, tenant: str | None) -> Call:
    return Call({"petition_id": _a_petition(w, tenant)})


def _petition_answer(w: World, tenant: str | None) -> Call:
    return Call({"petition_id": _a_petition(w, tenant)}, json={"answer": "已答复"})


def _complaint_forward(w: World, tenant: str | None) -> Call:
    return Call({"petition_id": _a_petition(w, tenant, "complaint")}, json={"department": DEPARTMENT})


def _complaint_decide(w: World, tenant: str | None) -> Call:
    body = {"verified": False, "reason": "不属实"}
    return Call({"petition_id": _a_petition(w, tenant, "complaint")}, json=body)


def _a_notice(w: World, tenant: str | None) -> tuple[str, str]:
    """A case accepted at once (its acceptance notice handed to notify, as the relay would) and
    that notice's id; in a township that does not exist, ids of nothing."""
    if tenant not in (w.own, w.other):
        return _NO_CASE, _NO_CASE
    case_id = _a_case(w, tenant, True, ("accept",))
    deliver(w.runtime, "intake", "notify", [tenant])
    r = w.client.get(f"/v1/townships/{tenant}/cases/{case_id}/notices", headers=w.headers[CLERK])
    assert r.status_code == 200, r.text
    [notice] = r.json()["items"]
    return case_id, notice["id"]


def _notices(w: World, tenant: str | None) -> Call:
    return Call({"case_id": _NO_CASE})


def _notice(w: World, tenant: str | None) -> Call:
    case_id, notice_id = _a_notice(w, tenant)
    return Call({"case_id": case_id, "notice_id": notice_id})


def _dead_letter(w: World, tenant: str | None) -> Call:
    """A notification of the matrix's own township parked as a dead letter (what the dispatcher
    leaves after the last failed try)."""
    nid = uuid.uuid4()
    with db.transaction(w.runtime.sessions, w.own) as s:
        s.execute(
            sa.text(
                "INSERT INTO notify.notification (id, tenant_id, topic, channel, status, recipient, text,"
                " attempts, last_error, parked_at, source_event_id)"
                " VALUES (:id, :t, 'notice', 'sms', 'dead_lettered', '138****8000', '矩阵通知', 8,"
                " 'provider down', now(), :e)"
            ),
            {"id": nid, "t": w.own, "e": str(uuid.uuid4())},
        )
    return Call({"dead_letter_id": f"notification:{nid}"})


def _duty_rota(w: World, tenant: str | None) -> Call:
    """A month far ahead whose leaders are the township's two window staff (appraisal knows them);
    every allowed call replaces the same month."""
    a, b = w.post_staff.get(tenant or "", ("nobody_a", "nobody_b"))
    days = [{"date": "2090-01-02", "username": a}, {"date": "2090-01-03", "username": b}]
    return Call({"month": "2090-01"}, json={"days": days})


# --- appraisal: rulebooks, score events, scores, appeals ---------------------------------------


def _rulebook_put(w: World, tenant: str | None) -> Call:
    """A small county rulebook of its own id (one manual window rule, the window grades)."""
    book_id = unique_code("rb")
    rule = {"code": "W-MX-01", "subject_type": "window", "description": "矩阵規則，每次扣1分", "points": -1,
            "unit": "time", "source": "manual", "clause": "第一條"}  # fmt: skip
    grades = {"window": {"excellent": {"min": 95, "top": 3}, "qualified": {"min": 75}}}
    return Call(
        {"rulebook_id": book_id}, json={"id": book_id, "name": "矩阵细则", "rules": [rule], "grades": grades}
    )


def _manual_event(w: World, tenant: str | None) -> Call:
    body = {
        "subject": {"type": "window", "id": WINDOW},
        "rule_code": "W-SVC-08",
        "evidence": "矩阵检查：未录入",
    }
    return Call(json=body | {"occurred_at": date.today().isoformat() + "T00:00:00+08:00"})


def _period(w: World, tenant: str | None) -> Call:
    return Call(params={"period": date.today().strftime("%Y-%m")})


def _score_event_row(w: World, tenant: str, subject: tuple[str, str], *, recorded_by: str,
                     recorded_as: str = "township") -> str:  # fmt: skip
    """A manual score event written as appraisal's service layer writes one."""
    event_id = uuid.uuid4()
    with db.transaction(w.runtime.sessions, tenant) as s:
        s.execute(
            sa.text(
                "INSERT INTO appraisal.score_event (tenant_id, id, subject_type, subject_id, rule_code,"
                " points, count, source, ref, evidence, facts, occurred_at, month, rulebook_id,"
                " recorded_by, recorded_at) VALUES (:t, :id, :st, :sid, 'W-SVC-08', -1, 1, 'manual', :ref,"
                " 'matrix', CAST(:facts AS jsonb), now(),"
                " to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM'), 'default', :by, now())"
            ),
            {"t": tenant, "id": event_id, "st": subject[0], "sid": subject[1], "ref": f"manual:{event_id}",
             "facts": f'{{"recorded_as": "{recorded_as}"}}', "by": recorded_by},
        )  # fmt: skip
    return str(event_id)


def _appeal_of_own_event(w: World, role: str, tenant: str | None) -> Call:
    """An event on the caller (as a staff member) in the township called, to appeal."""
    if tenant not in (w.own, w.other):
        return Call(json={"event_id": str(uuid.uuid4()), "reason": "矩阵复核"})
    event_id = _score_event_row(w, tenant, ("staff", w.usernames[role]), recorded_by="matrix_recorder")
    return Call(json={"event_id": event_id, "reason": "矩阵复核"})


def _pending_appeal(w: World, role: str, tenant: str | None) -> Call:
    """A pending appeal of a township event (of a county supervisor's for the county supervisor),
    filed and recorded by others."""
    body = {"upheld": False, "reason": "矩阵：维持"}
    if tenant not in (w.own, w.other):
        return Call({"appeal_id": str(uuid.uuid4())}, json=body)
    recorded_as = "county" if role == "county_supervisor" else "township"
    event_id = _score_event_row(
        w, tenant, ("window", WINDOW), recorded_by="matrix_recorder", recorded_as=recorded_as
    )
    appeal_id = uuid.uuid4()
    with db.transaction(w.runtime.sessions, tenant) as s:
        s.execute(
            sa.text(
                "INSERT INTO appraisal.appeal (tenant_id, id, event_id, reason, filed_by, filed_at, state)"
                " VALUES (:t, :id, :e, '矩阵', 'matrix_appellant', now(), 'pending')"
            ),
            {"t": tenant, "id": appeal_id, "e": uuid.UUID(event_id)},
        )
    return Call({"appeal_id": str(appeal_id)}, json=body)


APPRAISAL_REQUESTS: dict[tuple[str, str], Request] = {
    ("GET", "/v1/appraisal/townships"): Request(lambda w, tenant: Call(params={"quarter": "2090Q1"})),
    ("PUT", "/v1/appraisal/townships/{tenant}/indicators/{code}"): Request(
        lambda w, tenant: Call(
            {"code": "leadership"}, json={"quarter": "2090Q1", "points": 5, "evidence": "矩阵"}
        )
    ),
    ("POST", APPRAISAL + "/reports"): Request(lambda w, tenant: Call(json={"title": "矩阵信息报送"})),
    ("GET", RULEBOOKS + "/{rulebook_id}"): Request(lambda w, tenant: Call({"rulebook_id": "default"})),
    ("PUT", RULEBOOKS + "/{rulebook_id}"): Request(_rulebook_put),
    ("POST", RULEBOOKS + "/{rulebook_id}/activate"): Request(
        lambda w, tenant: Call({"rulebook_id": "default"}, json={"from": "2090-01"})
    ),
    ("POST", APPRAISAL + "/events"): Request(_manual_event),
    ("GET", APPRAISAL + "/scores"): Request(_period),
    ("POST", APPRAISAL + "/appeals"): Request(per_caller_in=_appeal_of_own_event),
    ("POST", APPRAISAL + "/appeals/{appeal_id}/decide"): Request(
        lambda w, tenant: Call({"appeal_id": str(uuid.uuid4())}, json={"upheld": False, "reason": "矩阵"}),
        per_caller_in=_pending_appeal,
    ),
}
# --- end of appraisal


# --- workforce: leaves and attendance -----------------------------------------------------------

_WEEKDAYS = (
    d for d in (date.today() + timedelta(30 + n) for n in itertools.count()) if d.weekday() < 5
)  # a fresh working day per leave (a leave starts within a year; no national days imported here)


def _leave_body(w: World, tenant: str | None) -> Call:
    """A one-day leave of the township's first window staff member on a fresh working day."""
    a, _ = w.post_staff.get(tenant or "", ("nobody_a", "nobody_b"))
    day = next(_WEEKDAYS).isoformat()
    return Call(json={"username": a, "from": day, "to": day, "reason": "矩阵事假"})


def _a_leave(w: World, tenant: str | None) -> str:
    """A fresh pending leave in `tenant` (asked by the clerk, a township admin of both); in a
    township that does not exist, an id of nothing."""
    if tenant not in (w.own, w.other):
        return _NO_CASE
    r = w.client.post(
        f"/v1/townships/{tenant}/leaves", json=_leave_body(w, tenant).json, headers=w.headers[CLERK]
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _leave_decision(w: World, tenant: str | None) -> Call:
    return Call({"leave_id": _a_leave(w, tenant)}, json={"reason": "矩阵"})


def _leave(w: World, tenant: str | None) -> Call:
    return Call({"leave_id": _a_leave(w, tenant)})


_SIGN_IN_DAY = next(
    d for d in (date.today() - timedelta(2 + n) for n in itertools.count()) if d.weekday() < 5
)  # a recent past working day (no national days imported here)
_SIGN_IN_AT = f"{_SIGN_IN_DAY.isoformat()}T08:20:00+08:00"  # the same sign-in again is one


def _sign_in(w: World, tenant: str | None) -> Call:
    a, _ = w.post_staff.get(tenant or "", ("nobody_a", "nobody_b"))
    return Call(json={"username": a, "at": _SIGN_IN_AT})


def _sign_in_import(w: World, tenant: str | None) -> Call:
    a, _ = w.post_staff.get(tenant or "", ("nobody_a", "nobody_b"))
    return Call(json={"rows": [{"at": "row 2", "username": a, "time": _SIGN_IN_AT}]})


WORKFORCE_REQUESTS: dict[tuple[str, str], Request] = {
    ("POST", f"{ATTENDANCE}/sign-ins"): Request(_sign_in),
    ("POST", f"{ATTENDANCE}/imports"): Request(_sign_in_import),
    ("POST", f"{ATTENDANCE}/spot-checks"): Request(
        lambda w, tenant: Call(json=_sign_in(w, tenant).json | {"finding": "off_post"})
    ),
    ("GET", ATTENDANCE): Request(lambda w, tenant: Call(params={"date": _SIGN_IN_DAY.isoformat()})),
    ("POST", LEAVES): Request(_leave_body),
    ("POST", f"{LEAVE}/approve"): Request(_leave_decision),
    ("POST", f"{LEAVE}/reject"): Request(_leave_decision),
    ("POST", f"{LEAVE}/cancel"): Request(_leave),
}
# --- end of workforce


# --- proxy: agents, households, exclusions, visits ---------------------------------------------


def _proxy_staff(w: World, tenant: str) -> str:
    """A fresh staff member of `tenant` with the role proxy_agent, known to proxy's directory."""
    body = _staff(w, tenant).json | {"roles": ["proxy_agent"]}
    r = w.client.post(f"/v1/townships/{tenant}/staff", json=body, headers=w.headers["county_admin"])
    assert r.status_code == 201, r.text
    deliver(w.runtime, "gateway", "proxy", [tenant])
    return str(r.json()["username"])


def _agent_body(w: World, tenant: str | None) -> Call:
    """A fresh proxy_agent staff member to register (in a township that does not exist, anyone)."""
    username = _proxy_staff(w, tenant) if tenant in (w.own, w.other) else "nobody"
    return Call(json={"username": username, "level": "township"})


def _agent(w: World, tenant: str | None) -> Call:
    return Call({"username": w.proxy_agents.get(tenant or "", "nobody")})


def _agent_patch(w: World, tenant: str | None) -> Call:
    return Call({"username": w.proxy_agents.get(tenant or "", "nobody")}, json={"active": True})


PROXY_VILLAGE = "v_matrix"


def _household_body(w: World, tenant: str | None) -> Call:
    """A new household (a fresh head's name) in the zone of the township's agent."""
    body = {"village": PROXY_VILLAGE, "head_name": f"户主{unique_code('h')}", "phone": "13800138000"}
    return Call(json=body | {"flags": ["dibao"], "agent": w.proxy_agents.get(tenant or "", "nobody")})


def _a_household(w: World, tenant: str | None) -> str:
    """A fresh household of `tenant` (made by the county admin); in a township that does not
    exist, an id of nothing."""
    if tenant not in (w.own, w.other):
        return _NO_CASE
    r = w.client.post(
        f"/v1/townships/{tenant}/proxy/households",
        json=_household_body(w, tenant).json,
        headers=w.headers["county_admin"],
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _household_move(w: World, tenant: str | None) -> Call:
    return Call(
        {"household_id": _a_household(w, tenant)}, json={"agent": w.proxy_agents.get(tenant or "", "nobody")}
    )


def _exclusion_body(w: World, tenant: str | None) -> Call:
    return Call(json={"name": "李四", "phone": "13900139000", "reason": "有能力办但自己懒得办"})


def _visit_body(w: World, tenant: str | None) -> Call:
    """A visit to a fresh household of the own township's agent (the matrix's proxy_agent)."""
    household = _a_household(w, tenant) if tenant == w.own else _NO_CASE
    return Call(json={"household": household, "at": "2026-01-05T10:00:00+08:00", "needs": ["低保年审"]})


def _proxy_world(w: World) -> None:
    """An agent in each township; in the own one, the matrix's proxy_agent user is it; a village
    whose households they carry for."""
    admin = w.headers["county_admin"]
    for tenant in (w.own, w.other):
        body = {"code": PROXY_VILLAGE, "name": "矩阵村"}
        r = w.client.post(f"/v1/townships/{tenant}/villages", json=body, headers=admin)
        assert r.status_code == 201, r.text
    deliver(w.runtime, "gateway", "proxy", [w.own, w.other])
    for tenant, username in ((w.own, w.usernames["proxy_agent"]), (w.other, _proxy_staff(w, w.other))):
        body = {"username": username, "level": "township"}
        r = w.client.post(f"/v1/townships/{tenant}/proxy/agents", json=body, headers=admin)
        assert r.status_code == 201, r.text
        w.proxy_agents[tenant] = username
    w.agent_headers[w.own] = w.headers["proxy_agent"]
    w.agent_headers[w.other] = login(w.client, w.proxy_agents[w.other])


def _delegation_body(w: World, tenant: str | None, item: str = "") -> Call:
    consent = {"signed_at": "2026-01-05T10:00:00+08:00", "method": "thumbprint"}
    return Call(json={"applicant": {"name": "赵六", "phone": "13700137000"}, "item_code": item or w.item,
                      "consent": consent, "materials": [MATERIAL], "village": PROXY_VILLAGE})  # fmt: skip


def _a_delegation(
    w: World, tenant: str | None, *, village_item: bool = False, steps: tuple[str, ...] = ()
) -> str:
    """A fresh delegation of `tenant` (made by its agent), taken through `steps`; in a township that
    does not exist, an id of nothing."""
    if tenant not in (w.own, w.other):
        return _NO_CASE
    base, headers = f"/v1/townships/{tenant}/proxy/delegations", w.agent_headers[tenant]
    body = _delegation_body(w, tenant, w.village_item if village_item else "").json
    r = w.client.post(base, json=body, headers=headers)
    assert r.status_code == 201, r.text
    delegation_id = str(r.json()["id"])
    for step in steps:
        r = w.client.post(
            f"{base}/{delegation_id}/{step}", json=_card() if step == "reply" else None, headers=headers
        )
        assert r.status_code == 200, (step, r.text)
    return delegation_id


def _card() -> dict[str, Any]:
    """The implementation card, signed now (not before the delegation, not in the future)."""
    return {
        "confirmation": {"method": "signature", "at": datetime.now(UTC).isoformat()},
        "satisfaction": "satisfied",
    }


def _delegation(w: World, tenant: str | None) -> Call:
    return Call({"delegation_id": _a_delegation(w, tenant)})


def _delegation_reply(w: World, tenant: str | None) -> Call:
    """A delegation decided on the spot (a village-level item), ready for its card."""
    return Call({"delegation_id": _a_delegation(w, tenant, village_item=True)}, json=_card())


def _delegation_file(w: World, tenant: str | None) -> Call:
    return Call({"delegation_id": _a_delegation(w, tenant, village_item=True, steps=("reply",))})


def _a_trip(w: World, tenant: str | None) -> Call:
    """The trip carrying a fresh delegation of `tenant` (its agent's, to the township)."""
    if tenant not in (w.own, w.other):
        return Call({"trip_id": _NO_CASE}, json={})
    delegation_id = _a_delegation(w, tenant)
    r = w.client.get(
        f"/v1/townships/{tenant}/proxy/delegations/{delegation_id}", headers=w.agent_headers[tenant]
    )
    assert r.status_code == 200 and r.json()["trip_id"], r.text
    return Call({"trip_id": r.json()["trip_id"]}, json={})


PROXY_REQUESTS: dict[tuple[str, str], Request] = {
    ("POST", PROXY_AGENTS): Request(_agent_body),
    ("GET", PROXY_AGENT): Request(_agent),
    ("PATCH", PROXY_AGENT): Request(_agent_patch),
    ("POST", PROXY_HOUSEHOLDS): Request(_household_body),
    ("PATCH", PROXY_HOUSEHOLDS + "/{household_id}"): Request(_household_move),
    ("POST", PROXY_EXCLUSIONS): Request(_exclusion_body),
    ("POST", PROXY_VISITS): Request(_visit_body),
    ("POST", PROXY_DELEGATIONS): Request(_delegation_body),
    ("GET", PROXY_DELEGATION): Request(_delegation),
    ("POST", PROXY_DELEGATION + "/reply"): Request(_delegation_reply),
    ("POST", PROXY_DELEGATION + "/file"): Request(_delegation_file),
    ("GET", PROXY_DELEGATION + "/card"): Request(_delegation),
    ("POST", PROXY + "/trips/{trip_id}/deliver"): Request(_a_trip),
}
# --- end of proxy: agents, households, exclusions, visits


REQUESTS: dict[tuple[str, str], Request] = {
    **PROXY_REQUESTS,
    **APPRAISAL_REQUESTS,
    **WORKFORCE_REQUESTS,
    ("POST", "/v1/auth/token"): Request(_token_body),
    ("POST", "/v1/auth/refresh"): Request(_refresh_body),
    ("POST", "/v1/auth/logout"): Request(_refresh_body),
    ("POST", "/v1/townships"): Request(_onboard_body, emits=True),
    ("POST", "/v1/townships/{tenant}/suspend"): Request(destructive=True, emits=True),
    ("POST", "/v1/townships/{tenant}/reactivate"): Request(suspended=True, emits=True),
    ("PUT", "/v1/calendar/days/{date}"): Request(_override, emits=True),
    ("DELETE", "/v1/calendar/days/{date}"): Request(_existing_override, emits=True),
    ("PUT", "/v1/townships/{tenant}/calendar/days/{date}"): Request(_override, emits=True),
    ("DELETE", "/v1/townships/{tenant}/calendar/days/{date}"): Request(_existing_override, emits=True),
    ("GET", "/v1/townships/{tenant}/calendar"): Request(_calendar_range),
    ("GET", "/v1/townships/{tenant}/calendar/deadline"): Request(_deadline_query),
    ("POST", "/v1/townships/{tenant}/villages"): Request(_code_and_name, emits=True),
    ("POST", "/v1/townships/{tenant}/departments"): Request(_code_and_name, emits=True),
    ("POST", "/v1/townships/{tenant}/windows"): Request(_window, emits=True),
    ("PUT", "/v1/townships/{tenant}/windows/{code}/posts"): Request(_posts, emits=True),
    ("POST", "/v1/townships/{tenant}/staff"): Request(_staff, emits=True),
    ("PATCH", "/v1/townships/{tenant}/settings"): Request(_settings, emits=True),
    ("POST", "/v1/catalog/items"): Request(_item_body),
    ("PUT", "/v1/catalog/items/{code}"): Request(_template_item_put),
    ("POST", "/v1/me/inbox/{item_id}/read"): Request(
        lambda w, tenant: Call({"item_id": str(uuid.uuid4())}), per_caller=_inbox_item
    ),
    ("GET", "/v1/townships/{tenant}/catalog/items/{code}"): Request(_item),
    ("PATCH", "/v1/townships/{tenant}/catalog/items/{code}"): Request(_item_patch),
    ("GET", "/v1/public/townships/{tenant}/guides/{code}"): Request(_item),
    ("POST", "/v1/townships/{tenant}/inquiries"): Request(_inquiry),
    ("POST", "/v1/townships/{tenant}/cases"): Request(_case_body),
    ("GET", CASE): Request(_case),
    **{("POST", f"{CASE}/{action}"): Request(_case_action(action)) for action in _CASE_PATHS},
    ("POST", PETITIONS): Request(_petition_body),
    ("GET", PETITION): Request(_petition),
    ("POST", f"{PETITION}/answer"): Request(_petition_answer),
    ("POST", f"{PETITION}/forward"): Request(_complaint_forward),
    ("POST", f"{PETITION}/decide"): Request(_complaint_decide),
    ("GET", "/v1/townships/{tenant}/stats"): Request(_calendar_range),  # the same from/to
    ("PUT", DUTY_ROTA + "/{month}"): Request(_duty_rota),
    ("GET", DUTY_ROTA): Request(_calendar_range),  # the same from/to
    ("GET", NOTICES): Request(_notices),
    ("GET", NOTICES + "/{notice_id}"): Request(_notice),
    ("POST", f"{DEAD_LETTERS}/{{dead_letter_id}}/replay"): Request(_dead_letter),
}


# --- the module's world: one app, the users, two townships -------------------------------------


@dataclass
class World:
    runtime: Runtime
    client: TestClient
    county: str
    own: str  # the township roles' township
    other: str
    usernames: dict[str, str]
    headers: dict[str, dict[str, str]]
    item: str = ""  # a catalogue item both townships have (copied from the template)
    post_staff: dict[str, tuple[str, str]] = field(default_factory=dict)  # two window staff per township
    proxy_agents: dict[str, str] = field(default_factory=dict)  # an agent per township (proxy)
    village_item: str = ""  # a village-level item (decided on the spot by an agent)
    agent_headers: dict[str, dict[str, str]] = field(default_factory=dict)  # each township agent's login

    def onboard(self) -> str:
        r = self.client.post(
            "/v1/townships", json=_onboard_body(self, None).json, headers=self.headers["county_admin"]
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def onboard_suspended(self) -> str:
        tenant = self.onboard()
        r = self.client.post(f"/v1/townships/{tenant}/suspend", headers=self.headers["county_admin"])
        assert r.status_code == 200, r.text
        return tenant

    def outbox_count(self) -> int:
        with db.transaction(self.runtime.ops_sessions, None) as s:
            return int(s.execute(sa.text("SELECT count(*) FROM gateway.outbox")).scalar_one())


@pytest.fixture(scope="module")
def world(runtime: Runtime, gateway_keys) -> Iterator[World]:  # type: ignore[no-untyped-def]
    # a county of its own: the county-scope writes (calendar days, catalogue template items)
    # never reach the other tests on the session database
    county = unique_code("matrix")
    identity.ensure_county(runtime.sessions, county, "矩阵县", runtime.settings.timezone)
    with gateway_with_intake(runtime, gateway_keys) as app, TestClient(app) as client:
        bootstrap = unique_code("u")
        identity.create_user(
            runtime.sessions, username=bootstrap, password=PASSWORD, county=county, roles=["county_admin"]
        )
        w = World(runtime, client, county, "", "", {}, {})
        w.headers["county_admin"] = login(client, bootstrap)
        # a template item first: onboarding copies the template into both townships
        r = client.post("/v1/catalog/items", json=_item_body(w, None).json, headers=w.headers["county_admin"])
        assert r.status_code == 201, r.text
        w.item = r.json()["code"]
        village_item = _item_body(w, None, "village").json
        r = client.post("/v1/catalog/items", json=village_item, headers=w.headers["county_admin"])
        assert r.status_code == 201, r.text
        w.village_item = r.json()["code"]
        w.own, w.other = w.onboard(), w.onboard()
        for role in ROLES:
            username = unique_code("u")
            tenants = [w.own] if role in TOWNSHIP_ROLES else []
            if role == "proxy_agent":  # a staff member of the township, so that proxy can make them an agent
                body = {
                    "username": username,
                    "password": PASSWORD,
                    "name": "矩阵用户",
                    "phone": "13800138000",
                }
                r = client.post(
                    f"/v1/townships/{w.own}/staff",
                    json=body | {"roles": [role]},
                    headers=w.headers["county_admin"],
                )
                assert r.status_code == 201, r.text
            else:
                identity.create_user(
                    runtime.sessions,
                    username=username,
                    password=PASSWORD,
                    county=county,
                    roles=[role],
                    tenants=tenants,
                    name="矩阵用户",
                )
            w.usernames[role] = username
            w.headers[role] = login(client, username)
        for setup in SETUPS:
            setup(w)
        deliver_to_intake(runtime, [w.own, w.other])
        yield w


# Things some operations act on (a window and its two staff …), made once in both townships by
# the county admin so that "other township" differs from "own township" only by the tenant.
DEPARTMENT, WINDOW = "d_matrix", "w_matrix"


def _organisation(w: World) -> None:
    admin = w.headers["county_admin"]
    for tenant in (w.own, w.other):
        base = f"/v1/townships/{tenant}"
        r = w.client.post(f"{base}/departments", json={"code": DEPARTMENT, "name": "民政"}, headers=admin)
        assert r.status_code == 201, r.text
        window = {"code": WINDOW, "name": "一号窗口", "department": DEPARTMENT}
        r = w.client.post(f"{base}/windows", json=window, headers=admin)
        assert r.status_code == 201, r.text
        staff = []
        for _ in "ab":
            r = w.client.post(
                f"{base}/staff", json=_staff(w, tenant).json | {"window": WINDOW}, headers=admin
            )
            assert r.status_code == 201, r.text
            staff.append(r.json()["username"])
        w.post_staff[tenant] = (staff[0], staff[1])


# the township admin of both townships who makes the cases the case cells act on
CLERK = "case_clerk"


def _case_clerk(w: World) -> None:
    username = unique_code("clerk")
    identity.create_user(
        w.runtime.sessions,
        username=username,
        password=PASSWORD,
        county=w.county,
        roles=["township_admin"],
        tenants=[w.own, w.other],
        name="矩阵办件员",
    )
    w.usernames[CLERK] = username
    w.headers[CLERK] = login(w.client, username)


# the petition officer and township admin of both townships who registers the petitions and
# complaints the petition cells act on
PETITION_CLERK = "petition_clerk"


def _petition_clerk(w: World) -> None:
    username = unique_code("xf")
    identity.create_user(
        w.runtime.sessions,
        username=username,
        password=PASSWORD,
        county=w.county,
        roles=["petition_officer", "township_admin"],
        tenants=[w.own, w.other],
        name="矩阵信访员",
    )
    w.usernames[PETITION_CLERK] = username
    w.headers[PETITION_CLERK] = login(w.client, username)


SETUPS: list[Callable[[World], None]] = [_organisation, _case_clerk, _petition_clerk, _proxy_world]


# --- the cells ---------------------------------------------------------------------------------


def _openapi_operations() -> set[tuple[str, str]]:
    """The operations of the app's OpenAPI document, at collection: the app is built on settings
    and a session factory bound to nothing (it connects nothing when built)."""
    document = document_app().openapi()
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


# Cells that fail because of a bug already reported: cell id (e.g.
# "GET /v1/townships/{tenant}/staff-county_admin-missing") → the bug. Strict xfail, so the fix
# turns them into XPASS failures and the entry must go with it.
KNOWN_BUGS: dict[str, str] = {}


def _cells() -> list[Any]:
    operations = sorted(_openapi_operations() | set(POLICIES))
    cells = []
    for method, path in operations:
        scoped = "{tenant}" in path
        for role in (*ROLES, NO_TOKEN):
            wheres = ("own", "other") if scoped else ("",)
            if scoped and role == "county_admin":
                wheres = ("own", "other", "missing")
            for where in wheres:
                cell_id = f"{method} {path}-{role}" + (f"-{where}" if where else "")
                marks = (
                    [pytest.mark.xfail(reason=KNOWN_BUGS[cell_id], strict=True)]
                    if cell_id in KNOWN_BUGS
                    else []
                )
                cells.append(pytest.param(method, path, role, where, id=cell_id, marks=marks))
    return cells


def _missing_tenant(w: World) -> str:
    return f"{w.county}.{unique_code('nosuch')}"


def _prepare(method: str, path: str, w: World, tenant: str | None) -> Call:
    return REQUESTS.get((method, path), Request()).build(w, tenant)


def _send(w: World, method: str, path: str, role: str, tenant: str | None, call: Call) -> Response:
    params = dict(call.path_params)
    if tenant is not None:
        params.setdefault("tenant", tenant)
    url = path.format(**params)
    headers = {} if role == NO_TOKEN else w.headers[role]
    return w.client.request(method, url, json=call.json, params=call.params, headers=headers)


def _expected(policy: Policy, role: str, where: str) -> int:
    if policy.public:
        return 404 if where == "missing" else 200
    if role == NO_TOKEN:
        return 401
    if where == "missing":
        return 404
    if where == "other" and role in TOWNSHIP_ROLES:
        return 404
    return 200 if role in policy.allowed else 403


def _normalised(body: dict, tenant: str) -> dict:
    return {k: re.sub(re.escape(tenant), "<tenant>", v) if isinstance(v, str) else v for k, v in body.items()}


def test_the_policy_table_covers_exactly_the_openapi_operations(world: World) -> None:
    document = world.client.get("/openapi.json").json()
    served = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert not served - set(POLICIES), (
        f"unclassified operations: add them to POLICIES: {sorted(served - set(POLICIES))}"
    )
    assert not set(POLICIES) - served, (
        f"POLICIES names operations the API lacks: {sorted(set(POLICIES) - served)}"
    )
    assert set(REQUESTS) <= served, (
        f"REQUESTS names operations the API lacks: {sorted(set(REQUESTS) - served)}"
    )
    assert served == _openapi_operations()  # the collection-time document is the served one
    cell_ids = {p.id for p in _cells()}
    assert set(KNOWN_BUGS) <= cell_ids, f"KNOWN_BUGS names no cell: {sorted(set(KNOWN_BUGS) - cell_ids)}"


@pytest.mark.parametrize(("method", "path", "role", "where"), _cells())
def test_cell(world: World, method: str, path: str, role: str, where: str) -> None:
    policy = POLICIES.get((method, path))
    assert policy is not None, (
        f"{method} {path} is not classified: add it to POLICIES (and REQUESTS if it needs a body)"
    )
    request = REQUESTS.get((method, path), Request())
    expected = _expected(policy, role, where)
    scoped = "{tenant}" in path
    tenant: str | None = None
    if scoped:
        tenant = {"own": world.own, "other": world.other, "missing": _missing_tenant(world)}[where]
        if expected == 200 and request.destructive:
            tenant = world.onboard()
        if expected == 200 and request.suspended:
            tenant = world.onboard_suspended()
    call = _prepare(method, path, world, tenant)  # may make what the call acts on: before counting
    if request.per_caller is not None and role != NO_TOKEN:
        call = request.per_caller(world, role)
    if request.per_caller_in is not None and role != NO_TOKEN:
        call = request.per_caller_in(world, role, tenant)
    before = world.outbox_count()
    r = _send(world, method, path, role, tenant, call)
    after = world.outbox_count()

    if expected == 200:
        assert 200 <= r.status_code < 300, f"{role} should be allowed: {r.status_code} {r.text}"
        if role in TOWNSHIP_ROLES:
            assert world.other not in r.text, f"the answer to a {role} of {world.own} mentions {world.other}"
        if request.emits:
            assert after > before, "an allowed write recorded no outbox event"
        return
    code = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[expected]
    body = assert_problem(r, expected, code)
    assert after == before, f"a refused {method} changed the outbox ({before} → {after} rows)"
    if where == "other" and role not in COUNTY_ROLES:  # no existence leak: as a township that does not exist
        missing = _missing_tenant(world)
        call = _prepare(method, path, world, missing)
        before = world.outbox_count()
        r_missing = _send(world, method, path, role, missing, call)
        assert world.outbox_count() == before
        assert r_missing.status_code == r.status_code, r_missing.text
        assert _normalised(r_missing.json(), missing) == _normalised(body, str(tenant))
