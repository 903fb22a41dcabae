"""ProxyService over gRPC: translates protos to calls of the service layer, decides nothing."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bianmin.proxy.v1 import household_pb2 as hpb
from bianmin.proxy.v1 import proxy_service_pb2 as pb
from bianmin.proxy.v1 import proxy_service_pb2_grpc as pb_grpc

from libs.common import tenant_projection
from libs.common.errors import ValidationFailed
from libs.common.runtime import Runtime
from libs.common.tenancy import current_principal, current_tenant
from services.proxy.adapters import tables
from services.proxy.adapters.agent_proto import agent_to_pb, level_word
from services.proxy.adapters.delegation_proto import (
    confirmation_from_pb,
    consent_from_pb,
    delegation_to_pb,
    fee_from_pb,
    satisfaction_word,
    state_word,
)
from services.proxy.adapters.household_proto import (
    exclusion_to_pb,
    flag_words,
    household_to_pb,
    visit_to_pb,
)
from services.proxy.adapters.intake_client import GrpcIntake
from services.proxy.adapters.performance_proto import quota_to_pb, stars_to_pb
from services.proxy.adapters.trip_proto import trip_to_pb
from services.proxy.domain.delegation import Applicant
from services.proxy.service_layer import (
    agents,
    delegations,
    exclusions,
    households,
    performance,
    printing,
    trips,
    visits,
)
from services.proxy.service_layer.agents import AgentView
from services.proxy.service_layer.delegations import NewDelegation


class ProxyServicer(pb_grpc.ProxyServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.intake = GrpcIntake.of(runtime)

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

    # --- households and zones

    def CreateHousehold(
        self, request: pb.CreateHouseholdRequest, context: object
    ) -> pb.CreateHouseholdResponse:
        household = households.create(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            village=request.village,
            group=request.group,
            head_name=request.head_name,
            phone=request.phone,
            address=request.address,
            flags=flag_words(request.flags),
            agent=request.agent,
        )
        return pb.CreateHouseholdResponse(household=household_to_pb(household))

    def ListHouseholds(self, request: pb.ListHouseholdsRequest, context: object) -> pb.ListHouseholdsResponse:
        page = households.list_households(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            village=request.village,
            agent=request.agent,
            priority=request.priority if request.HasField("priority") else None,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListHouseholdsResponse(
            households=[household_to_pb(h) for h in page.items], next_page_token=page.next_page_token
        )

    def UpdateHousehold(
        self, request: pb.UpdateHouseholdRequest, context: object
    ) -> pb.UpdateHouseholdResponse:
        household = households.move(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.household_id,
            request.agent,
            request.expected_version,
        )
        return pb.UpdateHouseholdResponse(household=household_to_pb(household))

    # --- the exclusion list

    def CreateExclusion(
        self, request: pb.CreateExclusionRequest, context: object
    ) -> pb.CreateExclusionResponse:
        entry = exclusions.create(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            name=request.name,
            id_number=request.id_number,
            phone=request.phone,
            reason=request.reason,
        )
        return pb.CreateExclusionResponse(exclusion=exclusion_to_pb(entry, with_reason=True))

    def ListExclusions(self, request: pb.ListExclusionsRequest, context: object) -> pb.ListExclusionsResponse:
        page = exclusions.list_exclusions(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        return pb.ListExclusionsResponse(
            exclusions=[exclusion_to_pb(e) for e in page.items], next_page_token=page.next_page_token
        )

    # --- delegations (the caller's token travels on to intake)

    def CreateDelegation(
        self, request: pb.CreateDelegationRequest, context: object
    ) -> pb.CreateDelegationResponse:
        a = request.applicant
        cmd = NewDelegation(
            applicant=Applicant(a.name, a.phone, a.id_number, a.address),
            item_code=request.item_code,
            consent=consent_from_pb(request.consent, request.HasField("consent"), ""),
            materials=tuple(request.materials),
            household_id=request.household_id,
            village=request.village,
            fee=fee_from_pb(request.fee, request.HasField("fee")),
            outcome=request.outcome,
            reason=request.reason,
        )
        d = delegations.create(
            self.runtime.sessions, current_principal(), current_tenant(), self.intake, cmd,
            idempotency_key=request.idempotency_key,
        )  # fmt: skip
        return pb.CreateDelegationResponse(delegation=delegation_to_pb(d, _viewer()))

    def GetDelegation(self, request: pb.GetDelegationRequest, context: object) -> pb.GetDelegationResponse:
        d = delegations.get(
            self.runtime.sessions, current_principal(), current_tenant(), request.delegation_id
        )
        return pb.GetDelegationResponse(delegation=delegation_to_pb(d, _viewer()))

    def ListDelegations(
        self, request: pb.ListDelegationsRequest, context: object
    ) -> pb.ListDelegationsResponse:
        page = delegations.list_delegations(
            self.runtime.sessions, current_principal(), current_tenant(), state=state_word(request.state),
            agent=request.agent, village=request.village, page_size=request.page_size,
            page_token=request.page_token,
        )  # fmt: skip
        viewer = _viewer()
        return pb.ListDelegationsResponse(
            delegations=[delegation_to_pb(d, viewer) for d in page.items],
            next_page_token=page.next_page_token,
        )

    def ReplyDelegation(
        self, request: pb.ReplyDelegationRequest, context: object
    ) -> pb.ReplyDelegationResponse:
        d = delegations.reply(
            self.runtime.sessions, current_principal(), current_tenant(), self.intake, request.delegation_id,
            confirmation=confirmation_from_pb(request.confirmation, request.HasField("confirmation"), ""),
            satisfaction=satisfaction_word(request.satisfaction), expected_version=request.expected_version,
        )  # fmt: skip
        return pb.ReplyDelegationResponse(delegation=delegation_to_pb(d, _viewer()))

    def ArchiveDelegation(
        self, request: pb.ArchiveDelegationRequest, context: object
    ) -> pb.ArchiveDelegationResponse:
        d = delegations.file(
            self.runtime.sessions, current_principal(), current_tenant(), self.intake, request.delegation_id,
            expected_version=request.expected_version,
        )  # fmt: skip
        return pb.ArchiveDelegationResponse(delegation=delegation_to_pb(d, _viewer()))

    # --- trips

    def ListTrips(self, request: pb.ListTripsRequest, context: object) -> pb.ListTripsResponse:
        listed = trips.list_trips(
            self.runtime.sessions, current_principal(), current_tenant(), day_text=request.trip_date,
            agent=request.agent,
        )  # fmt: skip
        return pb.ListTripsResponse(trips=[trip_to_pb(t) for t in listed])

    def DeliverTrip(self, request: pb.DeliverTripRequest, context: object) -> pb.DeliverTripResponse:
        done = trips.deliver(
            self.runtime.sessions, current_principal(), current_tenant(), request.trip_id,
            list(request.delegation_ids),
        )  # fmt: skip
        return pb.DeliverTripResponse(trip=trip_to_pb(done))

    def RenderTrips(self, request: pb.RenderTripsRequest, context: object) -> pb.RenderTripsResponse:
        document, filename = printing.trip_manifests(
            self.runtime.sessions, current_principal(), current_tenant(), self.intake,
            day_text=request.trip_date, agent=request.agent,
        )  # fmt: skip
        return pb.RenderTripsResponse(pdf=document, filename=filename)

    def RenderDelegationCard(
        self, request: pb.RenderDelegationCardRequest, context: object
    ) -> pb.RenderDelegationCardResponse:
        document, filename = printing.delegation_card(
            self.runtime.sessions, current_principal(), current_tenant(), self.intake, request.delegation_id
        )
        return pb.RenderDelegationCardResponse(pdf=document, filename=filename)

    # --- quotas and stars

    def ListQuotas(self, request: pb.ListQuotasRequest, context: object) -> pb.ListQuotasResponse:
        listing = performance.list_quotas(
            self.runtime.sessions, current_principal(), current_tenant(), request.month
        )
        return pb.ListQuotasResponse(
            quotas=[quota_to_pb(q) for q in listing.items], month=listing.month, closed=listing.closed
        )

    def ListStars(self, request: pb.ListStarsRequest, context: object) -> pb.ListStarsResponse:
        listing = performance.list_stars(
            self.runtime.sessions, current_principal(), current_tenant(), request.quarter
        )
        return pb.ListStarsResponse(
            stars=[stars_to_pb(v) for v in listing.items], quarter=listing.quarter, awarded=listing.awarded
        )

    # --- visits

    def RecordVisit(self, request: pb.RecordVisitRequest, context: object) -> pb.RecordVisitResponse:
        if not request.HasField("at"):
            raise ValidationFailed("at: the time of the visit is required")
        visit = visits.record(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            household_id=request.household_id,
            at=request.at.ToDatetime(tzinfo=UTC),
            needs=list(request.needs),
            note=request.note,
        )
        return pb.RecordVisitResponse(visit=visit_to_pb(visit))

    def ListDueVisits(self, request: pb.ListDueVisitsRequest, context: object) -> pb.ListDueVisitsResponse:
        listing = visits.due(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            date_text=request.date,
            tz=ZoneInfo(self.runtime.settings.timezone),
        )
        return pb.ListDueVisitsResponse(
            date=listing.day.isoformat(),
            round_days=listing.round_days,
            agents=[
                hpb.AgentDueVisits(
                    agent=agent,
                    households=[
                        hpb.DueVisit(
                            household=household_to_pb(d.household),
                            days_since=d.days_since or 0,
                            never_visited=d.days_since is None,
                        )
                        for d in due
                    ],
                )
                for agent, due in listing.by_agent.items()
            ],
        )


def _viewer() -> str:
    principal = current_principal()
    return principal.username if principal is not None else ""


def _agent(view: AgentView):  # type: ignore[no-untyped-def]
    return agent_to_pb(view.agent, on_leave=view.on_leave)
