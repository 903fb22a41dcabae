"""The directory's rules: who may do what, and what a valid township looks like (DOMAIN.md §1).
Pure: no database, no web framework."""

from __future__ import annotations

from dataclasses import dataclass, field

from libs.common.errors import NotFound, ValidationFailed
from libs.common.tenancy import Principal, tenant_id, validate_code, validate_tenant_code
from libs.common.text import clean_name

COUNTY_ROLES = frozenset({"county_admin", "county_supervisor", "county_department", "ops"})
# centre_head (中心主任) and township_leader (乡镇领导) approve leaves (DOMAIN.md §1, §8; seed 004:
# "因公外出办事或请假一天以内的,报中心主任审批" and "请假二天以上的,报乡镇主要负责人审批")
TOWNSHIP_ROLES = frozenset(
    {
        "township_admin",
        "window_staff",
        "intake_desk",
        "proxy_agent",
        "petition_officer",
        "centre_head",
        "township_leader",
    }
)
ROLES = COUNTY_ROLES | TOWNSHIP_ROLES


@dataclass(frozen=True)
class Group:
    code: str
    name: str


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True)
class Township:
    county: str
    code: str
    name: str
    villages: tuple[Village, ...] = field(default_factory=tuple)
    status: str = "active"

    @property
    def tenant_id(self) -> str:
        return tenant_id(self.county, self.code)


def new_township(county: str, code: str, name: str, villages: list[dict]) -> Township:
    """Validate an onboarding request; unique codes at each level."""
    validate_tenant_code(code, "township code")
    name = _require_name(name, "township name")  # trimmed, like village and group names
    parsed = []
    for v in villages:
        groups = tuple(
            Group(validate_code(g["code"], "group code"), _require_name(g["name"], "group name"))
            for g in v.get("groups", [])
        )
        _unique([g.code for g in groups], f"group codes in village {v['code']}")
        parsed.append(
            Village(
                validate_code(v["code"], "village code"), _require_name(v["name"], "village name"), groups
            )
        )
    _unique([v.code for v in parsed], "village codes")
    return Township(county=county, code=code, name=name, villages=tuple(parsed))


def principal_for(
    username: str, roles: list[str], tenants: list[str], county: str, department: str | None = None
) -> Principal:
    """County roles act across the county (`<county>.*`); township roles in their townships. A
    county department user carries their department (intake shows them only its cases)."""
    scope = set(tenants)
    if COUNTY_ROLES.intersection(roles):
        scope.add(f"{county}.*")
    return Principal(
        username=username,
        roles=frozenset(roles),
        tenants=frozenset(scope),
        county=county,
        department=department or "",
    )


def require_visible(principal: Principal, tenant: str) -> str:
    """A tenant the caller may not see does not exist for them (no existence leak)."""
    if not principal.may_see(tenant):
        raise NotFound(f"no township {tenant}")
    return tenant


def _require_name(name: str, what: str) -> str:
    return clean_name(name, what)


def _unique(codes: list[str], what: str) -> None:
    if len(codes) != len(set(codes)):
        raise ValidationFailed(f"duplicate {what}")
