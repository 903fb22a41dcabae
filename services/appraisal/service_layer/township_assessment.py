"""The county's assessment of its township centres (DOMAIN.md §7.6; the rules in
domain/township_assessment.py): the ten indicators per township and quarter, the county's values
of the indicators it sets, and the information reports the townships submit.

Who (DOMAIN.md §1):
- reading the table and setting a value: the `county_admin` and the `county_supervisor` of the
  county (a township they cannot see is not_found);
- submitting an information report: the township's `township_admin` (the management office) or
  `centre_head`.

Where the figures come from (what each automatic indicator reads, in the township's own
transaction): completed cases and findings from intake's events (service_layer/township_events.py),
windows, staff and villages from appraisal's projection of the gateway's directory, reports from
`info_report`. Windows staffed and villages with a proxy station are read as they stand when the
table is asked for (attendance and the proxy service's own records do not reach appraisal yet):
a window counts as staffed when an active staff member holds its A or B post, and a village as
having an active proxy station when an active staff member with the `proxy_agent` role belongs
to it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.tenancy import Principal, require_role, require_tenant
from libs.common.tenant_projection import require_known
from services.appraisal.adapters import tables
from services.appraisal.domain import township_assessment as ta
from services.appraisal.domain.township_assessment import Assessment, Figures, ManualValue, Quarter
from services.appraisal.service_layer.duty_rota import require_caller
from services.appraisal.service_layer.township_events import COMPLAINT, SUPERVISION

COUNTY_ROLES = ("county_admin", "county_supervisor")
REPORTER_ROLES = ("township_admin", "centre_head")


def list_assessments(
    sessions: sessionmaker[Session],
    ops_sessions: sessionmaker[Session],
    principal: Principal | None,
    quarter: str,
    *,
    tz: ZoneInfo,
) -> list[Assessment]:
    """Every active township of the caller's county, in code order."""
    who = require_role(principal, *COUNTY_ROLES)
    q = ta.quarter(quarter)
    t = tables.tenant
    with db.transaction(ops_sessions, None) as s:  # the ops role lists across townships, by design
        townships = s.execute(
            sa.select(t.c.tenant_id, t.c.name)
            .where(t.c.county == who.county, t.c.status == "active")
            .order_by(t.c.tenant_id)
        ).all()
    assessments = []
    for tenant, name in townships:
        if not who.may_see(tenant):
            continue
        with db.transaction(sessions, tenant) as s:
            assessments.append(_assess(s, tenant, name, q, tz))
    return assessments


def set_indicator(
    sessions: sessionmaker[Session],
    principal: Principal | None,
    tenant: str | None,
    code: str,
    quarter: str,
    points: float,
    evidence: str,
    *,
    tz: ZoneInfo,
) -> Assessment:
    """The county's value of indicator `code` for the township's `quarter` (replacing an earlier
    one); the township's assessment as it now stands."""
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *COUNTY_ROLES)
        q = ta.quarter(quarter)
        indicator, value, text = ta.manual_value(code, points, evidence)
        t = tables.township_indicator
        values = {"points": value, "evidence": text, "set_by": who.username, "set_at": datetime.now(UTC)}
        stmt = insert(t).values(tenant_id=scope, quarter=q.label, code=indicator.code, **values)
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.c.tenant_id, t.c.quarter, t.c.code],
                set_={k: stmt.excluded[k] for k in values},
            )
        )
        name = s.execute(sa.select(tables.tenant.c.name)).scalar_one()
        return _assess(s, scope, name, q, tz)


def record_report(
    sessions: sessionmaker[Session], principal: Principal | None, tenant: str | None, title: str, body: str
) -> tuple[uuid.UUID, ta.Report, datetime]:
    """An information report of the township (the 信息报送 indicator counts them by month)."""
    scope = require_tenant(tenant)
    with db.transaction(sessions, scope) as s:
        require_known(s, tables.tenant, scope)
        who = require_caller(principal, scope, *REPORTER_ROLES)
        report = ta.report(title, body)
        report_id, at = uuid.uuid4(), datetime.now(UTC)
        s.execute(
            tables.info_report.insert().values(
                tenant_id=scope, id=report_id, title=report.title, body=report.body, reported_at=at,
                reported_by=who.username,
            )
        )  # fmt: skip
    return report_id, report, at


def _assess(s: Session, tenant: str, name: str, q: Quarter, tz: ZoneInfo) -> Assessment:
    return ta.assess(tenant, name, q, _figures(s, q, tz), _manual(s, q))


def _figures(s: Session, q: Quarter, tz: ZoneInfo) -> Figures:
    start, end = q.bounds(tz)
    cf = tables.case_fact
    completed, late = s.execute(
        sa.select(sa.func.count(), sa.func.count().filter(cf.c.overdue)).where(
            cf.c.completed_at >= start, cf.c.completed_at < end
        )
    ).one()
    st, w, v = tables.staff, tables.window, tables.village
    active = sa.select(st.c.username).where(st.c.active.is_(True))
    windows, staffed = s.execute(
        sa.select(
            sa.func.count(), sa.func.count().filter(sa.or_(w.c.post_a.in_(active), w.c.post_b.in_(active)))
        ).where(w.c.event_at.is_not(None))
    ).one()
    proxies = sa.select(st.c.village).where(
        st.c.active.is_(True), st.c.village.is_not(None), st.c.roles.any("proxy_agent")
    )
    villages, with_proxy = s.execute(
        sa.select(sa.func.count(), sa.func.count().filter(v.c.code.in_(proxies)))
    ).one()
    ir = tables.info_report
    month = sa.func.to_char(sa.func.timezone(str(tz), ir.c.reported_at), "YYYY-MM")
    by_month: dict[str, int] = dict(
        s.execute(
            sa.select(month, sa.func.count())
            .where(ir.c.reported_at >= start, ir.c.reported_at < end)
            .group_by(month)
        ).all()
    )
    f = tables.township_finding
    findings: dict[str, int] = dict(
        s.execute(
            sa.select(f.c.kind, sa.func.count())
            .where(f.c.occurred_at >= start, f.c.occurred_at < end)
            .group_by(f.c.kind)
        ).all()
    )
    return Figures(
        completed=completed,
        completed_on_time=completed - late,
        windows=windows,
        windows_staffed=staffed,
        villages=villages,
        villages_with_proxy=with_proxy,
        reports_by_month=tuple(by_month.get(m, 0) for m in q.months),  # type: ignore[arg-type]
        verified_complaints=findings.get(COMPLAINT, 0),
        supervision_findings=findings.get(SUPERVISION, 0),
    )


def _manual(s: Session, q: Quarter) -> dict[str, ManualValue]:
    t = tables.township_indicator
    rows = s.execute(sa.select(t).where(t.c.quarter == q.label)).all()
    return {r.code: ManualValue(r.points, r.evidence, r.set_by, r.set_at) for r in rows}
