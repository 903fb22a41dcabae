"""ProxyService over gRPC: translates protos to calls of the service layer, decides nothing."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bianmin.proxy.v1 import proxy_service_pb2 as pb
from bianmin.proxy.v1 import proxy_service_pb2_grpc as pb_grpc

from libs.common import tenant_projection
from libs.common.runtime import Runtime
from libs.common.tenancy import current_principal, current_tenant
from services.proxy.adapters import tables
from services.proxy.adapters.agent_proto import agent_to_pb, level_word
from services.proxy.service_layer import agents
from services.proxy.service_layer.agents import AgentView


class ProxyServicer(pb_grpc.ProxyServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _today(self) -> date:
        """The county's local date (API.md: dates are in the county's time zone)."""
        return datetime.now(UTC).astimezone(ZoneInfo(self.runtime.settings.timezone)).date()

    def GetTenant(self, request: pb.GetTenantRequest, context: object) -> pb.GetTenantResponse:
        return tenant_projection.get_tenant_response(pb, tables.tenant, self.runtime.sessions)

    # --- agents (the caller's token; x-tenant-id the township)

    def CreateAgent(self, request: pb.CreateAgentRequest, context: object) -> pb.CreateAgentResponse:
        view = agents.create(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            username=request.username,
            level=level_word(request.level),
            village=request.village,
            group=request.group,
            backup=request.backup,
            today=self._today(),
        )
        return pb.CreateAgentResponse(agent=_agent(view))

    def GetAgent(self, request: pb.GetAgentRequest, context: object) -> pb.GetAgentResponse:
        view = agents.get(
            self.runtime.sessions, current_principal(), current_tenant(), request.username, self._today()
        )
        return pb.GetAgentResponse(agent=_agent(view))

    def ListAgents(self, request: pb.ListAgentsRequest, context: object) -> pb.ListAgentsResponse:
        page = agents.list_agents(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            level=level_word(request.level),
            village=request.village,
            page_size=request.page_size,
            page_token=request.page_token,
            today=self._today(),
        )
        return pb.ListAgentsResponse(
            agents=[_agent(v) for v in page.items], next_page_token=page.next_page_token
        )

    def UpdateAgent(self, request: pb.UpdateAgentRequest, context: object) -> pb.UpdateAgentResponse:
        view = agents.update(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.username,
            backup=request.backup if request.HasField("backup") else None,
            active=request.active if request.HasField("active") else None,
            expected_version=request.expected_version,
            today=self._today(),
        )
        return pb.UpdateAgentResponse(agent=_agent(view))


def _agent(view: AgentView):  # type: ignore[no-untyped-def]
    return agent_to_pb(view.agent, on_leave=view.on_leave)
