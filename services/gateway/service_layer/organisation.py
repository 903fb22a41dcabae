"""A township's organisation: villages, departments, windows and their AB posts, staff.

Writes need `township_admin` of the township (or `county_admin`) and commit with their event;
reads are for anyone who may see the township (the HTTP edge checks that). Staff phone numbers
leave this module masked."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.errors import NotFound, ValidationFailed
from libs.common.messaging import outbox
from libs.common.pii import mask_phone
from libs.common.tenancy import Principal
from services.gateway.adapters import organisation_proto, tables
from services.gateway.domain import organisation
from services.gateway.service_layer import identity

# `xmax = 0` on the returned row: it was inserted, not updated by ON CONFLICT (PostgreSQL)
_INSERTED: sa.Label[bool] = sa.literal_column("xmax = 0", sa.Boolean).label("inserted")


# --- villages ----------------------------------------------------------------------------------


def save_village(
    sessions: sessionmaker[Session], principal: Principal, tenant: str, body: dict
) -> tuple[dict, bool]:
    """Add a village, or replace the name and groups of an existing one; True when added."""
    organisation.require_township_admin(principal, tenant)
    v = organisation.new_village(body["code"], body["name"], body.get("groups") or [])
    groups = [{"code": g.code, "name": g.name} for g in v.groups]
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        stmt = insert(tables.village).values(tenant_id=tenant, code=v.code, name=v.name, groups=groups)
        row = s.execute(
            stmt.on_conflict_do_update(
                index_elements=["tenant_id", "code"], set_={"name": v.name, "groups": groups}
            ).returning(_INSERTED)
        ).one()
        event = organisation_proto.village_saved(tenant, v)
        outbox.record(s, source="gateway", tenant_id=tenant, message_or_type=event)
    return {"code": v.code, "name": v.name, "groups": groups}, bool(row.inserted)


def list_villages(
    sessions: sessionmaker[Session], tenant: str, *, after: str | None = None, limit: int | None = None
) -> list[dict]:
    """By code; `after`/`limit` select one page (keyset), as in every list below."""
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        rows = s.execute(_page(tables.village, tables.village.c.code, after, limit)).mappings().all()
    return [{"code": r["code"], "name": r["name"], "groups": r["groups"]} for r in rows]


# --- departments -------------------------------------------------------------------------------


def create_department(sessions: sessionmaker[Session], principal: Principal, tenant: str, body: dict) -> dict:
    organisation.require_township_admin(principal, tenant)
    d = organisation.new_department(body["code"], body["name"])
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        created = s.execute(
            insert(tables.department)
            .values(tenant_id=tenant, code=d.code, name=d.name)
            .on_conflict_do_nothing()
            .returning(tables.department.c.code)
        ).first()
        if not created:
            raise ValidationFailed(f"department {d.code} exists already")
        event = organisation_proto.department_created(d.code, d.name)
        outbox.record(s, source="gateway", tenant_id=tenant, message_or_type=event)
    return {"code": d.code, "name": d.name}


def list_departments(
    sessions: sessionmaker[Session], tenant: str, *, after: str | None = None, limit: int | None = None
) -> list[dict]:
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        rows = s.execute(_page(tables.department, tables.department.c.code, after, limit)).mappings().all()
    return [{"code": r["code"], "name": r["name"]} for r in rows]


# --- windows -----------------------------------------------------------------------------------


def save_window(
    sessions: sessionmaker[Session], principal: Principal, tenant: str, body: dict
) -> tuple[dict, bool]:
    """Add a window, or change the name, department and items of an existing one (its AB posts
    stay); True when added."""
    organisation.require_township_admin(principal, tenant)
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        departments = set(s.execute(sa.select(tables.department.c.code)).scalars())
        w = organisation.new_window(
            body["code"], body["name"], body["department"], body.get("item_codes") or [], departments
        )
        changes = {"name": w.name, "department": w.department, "item_codes": list(w.item_codes)}
        row = (
            s.execute(
                insert(tables.window)
                .values(tenant_id=tenant, code=w.code, **changes)
                .on_conflict_do_update(index_elements=["tenant_id", "code"], set_=changes)
                .returning(*tables.window.c, _INSERTED)
            )
            .mappings()
            .one()
        )
        view = _window_view(row)
        event = organisation_proto.window_saved(view)
        outbox.record(s, source="gateway", tenant_id=tenant, message_or_type=event)
    return view, bool(row["inserted"])


def list_windows(
    sessions: sessionmaker[Session],
    tenant: str,
    *,
    after: str | None = None,
    limit: int | None = None,
    department: str | None = None,
    item_code: str | None = None,
) -> list[dict]:
    """By code; only the windows of `department` / serving `item_code` when given."""
    w = tables.window
    query = _page(w, w.c.code, after, limit)
    if department:
        query = query.where(w.c.department == department)
    if item_code:
        query = query.where(w.c.item_codes.any(item_code))
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        rows = s.execute(query).mappings().all()
    return [_window_view(r) for r in rows]


def get_window(sessions: sessionmaker[Session], tenant: str, code: str) -> dict:
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        row = s.execute(sa.select(tables.window).where(tables.window.c.code == code)).mappings().first()
    if row is None:
        raise NotFound(f"no window {code} in this township")
    return _window_view(row)


def assign_posts(
    sessions: sessionmaker[Session], principal: Principal, tenant: str, code: str, body: dict
) -> dict:
    """(Re)assign the AB posts of a window: two different window staff of the township."""
    organisation.require_township_admin(principal, tenant)
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        current = (
            s.execute(sa.select(tables.window).where(tables.window.c.code == code).with_for_update())
            .mappings()
            .first()
        )
        if current is None:
            raise NotFound(f"no window {code} in this township")
        candidates = {body["a"], body["b"]}
        staff_roles = {
            r.username: r.roles
            for r in s.execute(
                sa.select(tables.user_account.c.username, tables.user_account.c.roles).where(
                    tables.user_account.c.username.in_(candidates),
                    tables.user_account.c.tenants.any(tenant),
                )
            )
        }
        posts = organisation.assign_posts(body["a"], body["b"], staff_roles)
        row = (
            s.execute(
                sa.update(tables.window)
                .where(tables.window.c.code == code)
                .values(post_a=posts.a, post_b=posts.b)
                .returning(*tables.window.c)
            )
            .mappings()
            .one()
        )
        view = _window_view(row)
        previous = {"a": current["post_a"], "b": current["post_b"]}
        event = organisation_proto.window_posts_assigned(code, view["posts"], previous)
        outbox.record(s, source="gateway", tenant_id=tenant, message_or_type=event)
    return view


# --- staff -------------------------------------------------------------------------------------


def create_staff(sessions: sessionmaker[Session], principal: Principal, tenant: str, body: dict) -> dict:
    """A user account of this township (township roles only) with its window and village."""
    organisation.require_township_admin(principal, tenant)
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        member = organisation.new_staff(
            body["username"],
            body["name"],
            body["phone"],
            body["roles"],
            window=body.get("window"),
            village=body.get("village"),
            windows=set(s.execute(sa.select(tables.window.c.code)).scalars()),
            villages=set(s.execute(sa.select(tables.village.c.code)).scalars()),
        )
        identity.create_user(
            sessions,
            username=member.username,
            password=body["password"],
            county=principal.county,
            roles=list(member.roles),
            tenants=[tenant],
            name=member.name,
            phone=member.phone,
            session=s,
        )
        s.execute(
            sa.insert(tables.staff).values(
                tenant_id=tenant,
                username=member.username,
                window=member.window or None,
                village=member.village or None,
                created_at=datetime.now(UTC),
                created_by=principal.username,
            )
        )
        event = organisation_proto.staff_saved(member)
        outbox.record(s, source="gateway", tenant_id=tenant, message_or_type=event)
    return _staff_view(
        {
            "username": member.username,
            "name": member.name,
            "phone": member.phone,
            "roles": list(member.roles),
            "window": member.window,
            "village": member.village,
        }
    )


def list_staff(
    sessions: sessionmaker[Session],
    tenant: str,
    *,
    after: str | None = None,
    limit: int | None = None,
    role: str | None = None,
    window: str | None = None,
    village: str | None = None,
) -> list[dict]:
    """The users acting in this township, by username, phones masked; only those with `role`,
    of `window`, of `village` when given."""
    u, st = tables.user_account, tables.staff
    query = _staff_query(tenant).order_by(u.c.username)
    if role:
        query = query.where(u.c.roles.any(role))
    if window:
        query = query.where(st.c.window == window)
    if village:
        query = query.where(st.c.village == village)
    if after is not None:
        query = query.where(u.c.username > after)
    if limit is not None:
        query = query.limit(limit)
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        rows = s.execute(query).mappings().all()
    return [_staff_view(dict(r)) for r in rows]


def get_staff(sessions: sessionmaker[Session], tenant: str, username: str) -> dict:
    """One user acting in this township, phone masked (as in the list)."""
    query = _staff_query(tenant).where(tables.user_account.c.username == username)
    with db.transaction(sessions, tenant) as s:
        _require_township(s, tenant)
        row = s.execute(query).mappings().first()
    if row is None:
        raise NotFound(f"no staff {username} in this township")
    return _staff_view(dict(row))


# --- views and messages ------------------------------------------------------------------------


def _require_township(s: Session, tenant: str) -> None:
    """A well-formed tenant id the caller may see (a county role sees `<county>.*`) may still
    name no township: nothing is read or written for it."""
    if s.execute(sa.select(tables.township.c.id).where(tables.township.c.id == tenant)).first() is None:
        raise NotFound(f"no township {tenant}")


def _staff_query(tenant: str) -> sa.Select:
    u, st = tables.user_account, tables.staff
    return (
        sa.select(u.c.username, u.c.name, u.c.phone, u.c.roles, st.c.window, st.c.village)
        .select_from(u.outerjoin(st, sa.and_(st.c.username == u.c.username, st.c.tenant_id == tenant)))
        .where(u.c.tenants.any(tenant))
    )


def _page(table: sa.Table, key: sa.Column, after: str | None, limit: int | None) -> sa.Select:
    query = sa.select(table).order_by(key)
    if after is not None:
        query = query.where(key > after)
    return query if limit is None else query.limit(limit)


def _staff_view(r: dict) -> dict:
    return {
        "username": r["username"],
        "name": r["name"],
        "phone": mask_phone(r["phone"]),
        "roles": list(r["roles"]),
        "window": r["window"] or None,
        "village": r["village"] or None,
    }


def _window_view(r: sa.RowMapping | dict) -> dict:
    return {
        "code": r["code"],
        "name": r["name"],
        "department": r["department"],
        "item_codes": list(r["item_codes"]),
        "posts": {"a": r["post_a"], "b": r["post_b"]},
    }
