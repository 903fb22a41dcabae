"""AppraisalService over gRPC: translates protos to calls of the service layer, decides nothing.
(Attendance, leave and the duty rota are WorkforceService: workforce_servicer.py.)"""

from zoneinfo import ZoneInfo

from bianmin.appraisal.v1 import appraisal_service_pb2 as pb
from bianmin.appraisal.v1 import appraisal_service_pb2_grpc as pb_grpc

from libs.common import tenant_projection
from libs.common.runtime import Runtime
from libs.common.tenancy import current_principal, current_tenant
from services.appraisal.adapters import score_event_proto as proto
from services.appraisal.adapters import tables
from services.appraisal.adapters.township_assessment_proto import assessment_to_pb
from services.appraisal.service_layer import rulebooks, scores, township_assessment


class AppraisalServicer(pb_grpc.AppraisalServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def GetTenant(self, request: pb.GetTenantRequest, context: object) -> pb.GetTenantResponse:
        return tenant_projection.get_tenant_response(pb, tables.tenant, self.runtime.sessions)

    # --- rulebooks (county-scoped: the county from the token)

    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.runtime.settings.timezone)

    def GetRulebook(self, request: pb.GetRulebookRequest, context: object) -> pb.GetRulebookResponse:
        stored = rulebooks.get(self.runtime.sessions, current_principal(), request.rulebook_id)
        return pb.GetRulebookResponse(rulebook=proto.stored_to_pb(stored))

    def ListRulebooks(self, request: pb.ListRulebooksRequest, context: object) -> pb.ListRulebooksResponse:
        stored = rulebooks.list_all(self.runtime.sessions, current_principal())
        return pb.ListRulebooksResponse(rulebooks=[proto.stored_to_pb(b) for b in stored])

    def PutRulebook(self, request: pb.PutRulebookRequest, context: object) -> pb.PutRulebookResponse:
        stored = rulebooks.put(
            self.runtime.sessions,
            current_principal(),
            request.rulebook.id,
            proto.document_of(request.rulebook),
            expected_version=request.expected_version,
        )
        return pb.PutRulebookResponse(rulebook=proto.stored_to_pb(stored))

    def ActivateRulebook(
        self, request: pb.ActivateRulebookRequest, context: object
    ) -> pb.ActivateRulebookResponse:
        book_id, month = rulebooks.activate(
            self.runtime.sessions, current_principal(), request.rulebook_id, request.from_month, tz=self._tz()
        )
        return pb.ActivateRulebookResponse(rulebook_id=book_id, from_month=month)

    # --- score events, scores, appeals (the township from x-tenant-id)

    def RecordScoreEvent(
        self, request: pb.RecordScoreEventRequest, context: object
    ) -> pb.RecordScoreEventResponse:
        event = scores.record_event(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            subject=proto.subject_of(request.subject),
            rule_code=request.rule_code,
            count=request.count,
            variant=request.variant,
            evidence=request.evidence,
            occurred_at=proto.at_of(request.occurred_at),
            idempotency_key=request.idempotency_key,
            tz=self._tz(),
        )
        return pb.RecordScoreEventResponse(event=proto.event_to_pb(event))

    def ListScoreEvents(
        self, request: pb.ListScoreEventsRequest, context: object
    ) -> pb.ListScoreEventsResponse:
        subject = proto.subject_of(request.subject)
        events, token = scores.list_events(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            period=request.period,
            subject_type=subject.type,
            subject_id=subject.id,
            rule_code=request.rule_code,
            size=request.page_size,
            token=request.page_token,
        )
        return pb.ListScoreEventsResponse(
            events=[proto.event_to_pb(e) for e in events], next_page_token=token
        )

    def ListScores(self, request: pb.ListScoresRequest, context: object) -> pb.ListScoresResponse:
        rows = scores.list_scores(
            self.runtime.sessions,
            current_principal(),
            current_tenant(),
            request.period,
            subject_type=proto.subject_type_word(request.subject_type),
            tz=self._tz(),
        )
        return pb.ListScoresResponse(scores=[proto.row_to_pb(r) for r in rows])

    def FileAppeal(self, request: pb.FileAppealRequest, context: object) -> pb.FileAppealResponse:
        appeal = scores.file_appeal(
            self.runtime.sessions, current_principal(), current_tenant(), request.event_id, request.reason,
            tz=self._tz(),
        )  # fmt: skip
        return pb.FileAppealResponse(appeal=proto.appeal_to_pb(appeal))

    def DecideAppeal(self, request: pb.DecideAppealRequest, context: object) -> pb.DecideAppealResponse:
        appeal = scores.decide_appeal(
            self.runtime.sessions, current_principal(), current_tenant(), request.appeal_id, request.upheld,
            request.reason, tz=self._tz(),
        )  # fmt: skip
        return pb.DecideAppealResponse(appeal=proto.appeal_to_pb(appeal))

    def ListAppeals(self, request: pb.ListAppealsRequest, context: object) -> pb.ListAppealsResponse:
        appeals, token = scores.list_appeals(
            self.runtime.sessions, current_principal(), current_tenant(),
            state=proto.appeal_state_word(request.state), size=request.page_size, token=request.page_token,
        )  # fmt: skip
        return pb.ListAppealsResponse(appeals=[proto.appeal_to_pb(a) for a in appeals], next_page_token=token)

    # --- the county's township assessment (DOMAIN.md §7.6)

    def ListTownshipAssessments(
        self, request: pb.ListTownshipAssessmentsRequest, context: object
    ) -> pb.ListTownshipAssessmentsResponse:
        found = township_assessment.list_assessments(
            self.runtime.sessions,
            self.runtime.ops_sessions,
            current_principal(),
            request.quarter,
            tz=self._tz(),
        )
        return pb.ListTownshipAssessmentsResponse(assessments=[assessment_to_pb(a) for a in found])

    def SetTownshipIndicator(
        self, request: pb.SetTownshipIndicatorRequest, context: object
    ) -> pb.SetTownshipIndicatorResponse:
        found = township_assessment.set_indicator(
            self.runtime.sessions, current_principal(), current_tenant(), request.code, request.quarter,
            request.points, request.evidence, tz=self._tz(),
        )  # fmt: skip
        return pb.SetTownshipIndicatorResponse(assessment=assessment_to_pb(found))

    def RecordInfoReport(
        self, request: pb.RecordInfoReportRequest, context: object
    ) -> pb.RecordInfoReportResponse:
        report_id, report, at = township_assessment.record_report(
            self.runtime.sessions, current_principal(), current_tenant(), request.title, request.body
        )
        return pb.RecordInfoReportResponse(
            report_id=str(report_id), title=report.title, body=report.body, reported_at=proto.stamp(at)
        )
