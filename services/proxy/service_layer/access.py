"""Who may do what in proxy (DOMAIN.md §1, API.md *Proxy*): one list of roles per kind of call,
and the check every use case starts with. The township itself is also the gRPC interceptor's
check; it is repeated here (a county role outside its county, or a township role in another
township, gets not_found, as for a township that is not known: no leak)."""

from __future__ import annotations

from libs.common.errors import NotFound
from libs.common.tenancy import Principal, require_role

AGENT = "proxy_agent"
ADMINS = ("township_admin", "county_admin")  # agents, households
TOWNSHIP_STAFF = ("township_admin", "window_staff", "intake_desk", AGENT, "petition_officer")
# the agents list names people: the township's staff and the county's admin and supervisor, not ops
PEOPLE = (*TOWNSHIP_STAFF, "county_admin", "county_supervisor")
# households (masked but for their own agent): who manages or carries for them, and the supervisor
HOUSEHOLD_READERS = ("township_admin", AGENT, "county_admin", "county_supervisor")
# the exclusion list (不代办对象): the township's management alone keeps it; the county supervisor reads
EXCLUSION_KEEPERS = ("township_admin",)
EXCLUSION_READERS = ("township_admin", "county_supervisor")
VISITORS = (AGENT,)


def require(principal: Principal | None, tenant: str, *roles: str) -> Principal:
    """The caller, if they see the township and hold one of `roles`."""
    if principal is not None and not principal.may_see(tenant):
        raise NotFound(f"township {tenant} is not known here")
    return require_role(principal, *roles)
