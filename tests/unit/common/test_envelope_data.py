"""An event's data and its protobuf message: `data_of` and `message_of` are each other's inverse,
and a consumer built against an older contract ignores the fields a newer producer added."""

from __future__ import annotations

from bianmin.appraisal.v1 import attendance_pb2, events_pb2

from libs.common.messaging import data_of, event_type_of, message_of


def test_message_of_reads_back_what_data_of_wrote() -> None:
    rota = events_pb2.DutyRotaPublished(
        month="2026-12", days=[attendance_pb2.DutyDay(date="2026-12-01", username="li_lead")]
    )
    data = data_of(rota)
    assert data == {"month": "2026-12", "days": [{"date": "2026-12-01", "username": "li_lead"}]}
    assert message_of(data, events_pb2.DutyRotaPublished) == rota
    assert event_type_of(rota) == "duty_rota_published"


def test_fields_of_a_newer_producer_are_ignored() -> None:
    data = {"month": "2026-12", "days": [], "published_by": "someone", "days_total": 31}
    assert message_of(data, events_pb2.DutyRotaPublished) == events_pb2.DutyRotaPublished(month="2026-12")
