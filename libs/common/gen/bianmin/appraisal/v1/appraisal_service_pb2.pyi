import datetime

from bianmin.appraisal.v1 import appeal_pb2 as _appeal_pb2
from bianmin.appraisal.v1 import indicator_pb2 as _indicator_pb2
from bianmin.appraisal.v1 import rulebook_pb2 as _rulebook_pb2
from bianmin.appraisal.v1 import score_pb2 as _score_pb2
from bianmin.appraisal.v1 import tenant_pb2 as _tenant_pb2
from bianmin.common.v1 import satisfaction_pb2 as _satisfaction_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetTenantRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetTenantResponse(_message.Message):
    __slots__ = ("tenant",)
    TENANT_FIELD_NUMBER: _ClassVar[int]
    tenant: _tenant_pb2.TenantProjection
    def __init__(self, tenant: _Optional[_Union[_tenant_pb2.TenantProjection, _Mapping]] = ...) -> None: ...

class GetRulebookRequest(_message.Message):
    __slots__ = ("rulebook_id",)
    RULEBOOK_ID_FIELD_NUMBER: _ClassVar[int]
    rulebook_id: str
    def __init__(self, rulebook_id: _Optional[str] = ...) -> None: ...

class GetRulebookResponse(_message.Message):
    __slots__ = ("rulebook",)
    RULEBOOK_FIELD_NUMBER: _ClassVar[int]
    rulebook: _rulebook_pb2.Rulebook
    def __init__(self, rulebook: _Optional[_Union[_rulebook_pb2.Rulebook, _Mapping]] = ...) -> None: ...

class PutRulebookRequest(_message.Message):
    __slots__ = ("rulebook", "expected_version")
    RULEBOOK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    rulebook: _rulebook_pb2.Rulebook
    expected_version: int
    def __init__(self, rulebook: _Optional[_Union[_rulebook_pb2.Rulebook, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class PutRulebookResponse(_message.Message):
    __slots__ = ("rulebook",)
    RULEBOOK_FIELD_NUMBER: _ClassVar[int]
    rulebook: _rulebook_pb2.Rulebook
    def __init__(self, rulebook: _Optional[_Union[_rulebook_pb2.Rulebook, _Mapping]] = ...) -> None: ...

class ListRulebooksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListRulebooksResponse(_message.Message):
    __slots__ = ("rulebooks",)
    RULEBOOKS_FIELD_NUMBER: _ClassVar[int]
    rulebooks: _containers.RepeatedCompositeFieldContainer[_rulebook_pb2.Rulebook]
    def __init__(self, rulebooks: _Optional[_Iterable[_Union[_rulebook_pb2.Rulebook, _Mapping]]] = ...) -> None: ...

class ActivateRulebookRequest(_message.Message):
    __slots__ = ("rulebook_id", "from_month")
    RULEBOOK_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_MONTH_FIELD_NUMBER: _ClassVar[int]
    rulebook_id: str
    from_month: str
    def __init__(self, rulebook_id: _Optional[str] = ..., from_month: _Optional[str] = ...) -> None: ...

class ActivateRulebookResponse(_message.Message):
    __slots__ = ("rulebook_id", "from_month")
    RULEBOOK_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_MONTH_FIELD_NUMBER: _ClassVar[int]
    rulebook_id: str
    from_month: str
    def __init__(self, rulebook_id: _Optional[str] = ..., from_month: _Optional[str] = ...) -> None: ...

class RecordScoreEventRequest(_message.Message):
    __slots__ = ("subject", "rule_code", "count", "evidence", "occurred_at", "variant", "idempotency_key")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    RULE_CODE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    subject: _score_pb2.Subject
    rule_code: str
    count: int
    evidence: str
    occurred_at: _timestamp_pb2.Timestamp
    variant: str
    idempotency_key: str
    def __init__(self, subject: _Optional[_Union[_score_pb2.Subject, _Mapping]] = ..., rule_code: _Optional[str] = ..., count: _Optional[int] = ..., evidence: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., variant: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class RecordScoreEventResponse(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _score_pb2.ScoreEvent
    def __init__(self, event: _Optional[_Union[_score_pb2.ScoreEvent, _Mapping]] = ...) -> None: ...

class ListScoreEventsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "subject", "period", "rule_code")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    RULE_CODE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    subject: _score_pb2.Subject
    period: str
    rule_code: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., subject: _Optional[_Union[_score_pb2.Subject, _Mapping]] = ..., period: _Optional[str] = ..., rule_code: _Optional[str] = ...) -> None: ...

class ListScoreEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_score_pb2.ScoreEvent]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[_score_pb2.ScoreEvent, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListScoresRequest(_message.Message):
    __slots__ = ("period", "subject_type")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_TYPE_FIELD_NUMBER: _ClassVar[int]
    period: str
    subject_type: _rulebook_pb2.SubjectType
    def __init__(self, period: _Optional[str] = ..., subject_type: _Optional[_Union[_rulebook_pb2.SubjectType, str]] = ...) -> None: ...

class ListScoresResponse(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[_score_pb2.Score]
    def __init__(self, scores: _Optional[_Iterable[_Union[_score_pb2.Score, _Mapping]]] = ...) -> None: ...

class ClosePeriodRequest(_message.Message):
    __slots__ = ("period",)
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    period: str
    def __init__(self, period: _Optional[str] = ...) -> None: ...

class ClosePeriodResponse(_message.Message):
    __slots__ = ("scores",)
    SCORES_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedCompositeFieldContainer[_score_pb2.Score]
    def __init__(self, scores: _Optional[_Iterable[_Union[_score_pb2.Score, _Mapping]]] = ...) -> None: ...

class FileAppealRequest(_message.Message):
    __slots__ = ("event_id", "reason", "idempotency_key")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    reason: str
    idempotency_key: str
    def __init__(self, event_id: _Optional[str] = ..., reason: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class FileAppealResponse(_message.Message):
    __slots__ = ("appeal",)
    APPEAL_FIELD_NUMBER: _ClassVar[int]
    appeal: _appeal_pb2.Appeal
    def __init__(self, appeal: _Optional[_Union[_appeal_pb2.Appeal, _Mapping]] = ...) -> None: ...

class DecideAppealRequest(_message.Message):
    __slots__ = ("appeal_id", "upheld", "reason", "corrected_points")
    APPEAL_ID_FIELD_NUMBER: _ClassVar[int]
    UPHELD_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CORRECTED_POINTS_FIELD_NUMBER: _ClassVar[int]
    appeal_id: str
    upheld: bool
    reason: str
    corrected_points: float
    def __init__(self, appeal_id: _Optional[str] = ..., upheld: _Optional[bool] = ..., reason: _Optional[str] = ..., corrected_points: _Optional[float] = ...) -> None: ...

class DecideAppealResponse(_message.Message):
    __slots__ = ("appeal",)
    APPEAL_FIELD_NUMBER: _ClassVar[int]
    appeal: _appeal_pb2.Appeal
    def __init__(self, appeal: _Optional[_Union[_appeal_pb2.Appeal, _Mapping]] = ...) -> None: ...

class ListAppealsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "state")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    state: _appeal_pb2.AppealState
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., state: _Optional[_Union[_appeal_pb2.AppealState, str]] = ...) -> None: ...

class ListAppealsResponse(_message.Message):
    __slots__ = ("appeals", "next_page_token")
    APPEALS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    appeals: _containers.RepeatedCompositeFieldContainer[_appeal_pb2.Appeal]
    next_page_token: str
    def __init__(self, appeals: _Optional[_Iterable[_Union[_appeal_pb2.Appeal, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RecordCallbackRequest(_message.Message):
    __slots__ = ("case_id", "result", "note", "called_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CALLED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    result: _satisfaction_pb2.Satisfaction
    note: str
    called_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., result: _Optional[_Union[_satisfaction_pb2.Satisfaction, str]] = ..., note: _Optional[str] = ..., called_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordCallbackResponse(_message.Message):
    __slots__ = ("callback",)
    CALLBACK_FIELD_NUMBER: _ClassVar[int]
    callback: _indicator_pb2.Callback
    def __init__(self, callback: _Optional[_Union[_indicator_pb2.Callback, _Mapping]] = ...) -> None: ...

class ListTownshipAssessmentsRequest(_message.Message):
    __slots__ = ("quarter",)
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    quarter: str
    def __init__(self, quarter: _Optional[str] = ...) -> None: ...

class ListTownshipAssessmentsResponse(_message.Message):
    __slots__ = ("assessments",)
    ASSESSMENTS_FIELD_NUMBER: _ClassVar[int]
    assessments: _containers.RepeatedCompositeFieldContainer[_indicator_pb2.TownshipAssessment]
    def __init__(self, assessments: _Optional[_Iterable[_Union[_indicator_pb2.TownshipAssessment, _Mapping]]] = ...) -> None: ...

class SetTownshipIndicatorRequest(_message.Message):
    __slots__ = ("code", "quarter", "points", "evidence")
    CODE_FIELD_NUMBER: _ClassVar[int]
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    code: str
    quarter: str
    points: float
    evidence: str
    def __init__(self, code: _Optional[str] = ..., quarter: _Optional[str] = ..., points: _Optional[float] = ..., evidence: _Optional[str] = ...) -> None: ...

class SetTownshipIndicatorResponse(_message.Message):
    __slots__ = ("assessment",)
    ASSESSMENT_FIELD_NUMBER: _ClassVar[int]
    assessment: _indicator_pb2.TownshipAssessment
    def __init__(self, assessment: _Optional[_Union[_indicator_pb2.TownshipAssessment, _Mapping]] = ...) -> None: ...

class RecordInfoReportRequest(_message.Message):
    __slots__ = ("title", "body")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    title: str
    body: str
    def __init__(self, title: _Optional[str] = ..., body: _Optional[str] = ...) -> None: ...

class RecordInfoReportResponse(_message.Message):
    __slots__ = ("report_id", "title", "body", "reported_at")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    REPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    title: str
    body: str
    reported_at: _timestamp_pb2.Timestamp
    def __init__(self, report_id: _Optional[str] = ..., title: _Optional[str] = ..., body: _Optional[str] = ..., reported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
