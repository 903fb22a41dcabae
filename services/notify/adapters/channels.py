"""The channels a notification is handed to (SMS provider, SMTP), and the CLIENT span each
hand-over and receipt poll runs in: its parent is the trace context stored on the row when it
was queued (`trace_context`, written in the consumer's span), so the delivery joins the trace of
the request that caused it. A row without one (queued before migration 0006, or with tracing
off) starts a trace of its own."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from opentelemetry import trace

from libs.common.observability.tracing import SpanKind, span
from libs.common.settings import Settings
from services.notify.adapters.email import SmtpMailer
from services.notify.adapters.sms import SendFailed, SmsProvider
from services.notify.domain.delivery import EMAIL, SMS

NOT_CONFIGURED = {
    SMS: "the SMS channel is not configured (BIANMIN_SMS_URL): waiting, not attempted",
    EMAIL: "the e-mail channel is not configured (BIANMIN_SMTP_HOST): waiting, not attempted",
}
DEFAULT_SUBJECT = "便民服务通知"


@dataclass
class Channels:
    sms: SmsProvider | None = None
    email: SmtpMailer | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Channels:
        return cls(SmsProvider.from_settings(settings), SmtpMailer.from_settings(settings))

    def close(self) -> None:
        if self.sms is not None:
            self.sms.close()

    def unconfigured(self) -> dict[str, str]:
        """Channel → why it cannot send, for each channel with nothing configured."""
        missing = {}
        if self.sms is None:
            missing[SMS] = NOT_CONFIGURED[SMS]
        if self.email is None:
            missing[EMAIL] = NOT_CONFIGURED[EMAIL]
        return missing

    def send(self, row: Any, address: str) -> str:
        """Hand the notification to its channel; the provider's reference ("" if none). Raises
        SendFailed."""
        if row.channel == SMS:
            if self.sms is None:
                raise SendFailed("the SMS channel is not configured (BIANMIN_SMS_URL)")
            return self.sms.send(address, row.text, str(row.id))
        if row.channel == EMAIL:
            if self.email is None:
                raise SendFailed("the e-mail channel is not configured (BIANMIN_SMTP_HOST)")
            return self.email.send(address, row.subject or DEFAULT_SUBJECT, row.text, str(row.id))
        return ""  # inbox / print: nothing to hand over


def delivery_span(
    name: str, row: Any, tracer_provider: trace.TracerProvider | None = None, **attributes: Any
) -> AbstractContextManager[trace.Span]:
    """A CLIENT span continuing the trace the row was queued in; `{}` rather than None for a
    row without one, so that it starts a new trace instead of joining whatever is current."""
    return span(
        name,
        kind=SpanKind.CLIENT,
        parent_headers=row.trace_context or {},
        attributes={
            "notification.id": str(row.id),
            "notification.channel": row.channel,
            **{f"notification.{key}": value for key, value in attributes.items()},
        },
        tracer_provider=tracer_provider,
    )
