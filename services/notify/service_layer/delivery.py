"""The dispatcher: hands queued SMS and e-mail notifications to their channel, records the
outcome, retries with back-off, parks what keeps failing as a dead letter (DOMAIN.md §10).

States: queued → sent → delivered, or failed (retried at `next_attempt_at`) → … → dead_lettered
after `BIANMIN_NOTIFY_MAX_ATTEMPTS` tries (or at once when the channel says retrying cannot help).
An SMS is `sent` when the provider took it and `delivered` when its receipt says so (polled);
an e-mail is delivered when the SMTP server accepted it. Inbox and print rows are delivered when
created and never come here.

Claim, send, record — three steps, no lock held while the channel is slow:
1. claim: `FOR UPDATE SKIP LOCKED` on due rows, set `next_attempt_at` to a lease (now + lease),
   commit. Another dispatcher skips locked rows and does not see leased ones as due, so two
   dispatchers never send the same row at the same time.
2. send, outside any transaction.
3. record the outcome, fenced by the lease: `WHERE next_attempt_at = <our lease>`. If the lease
   ran out and another dispatcher took the row meanwhile, our record changes nothing.
Delivery is therefore AT LEAST ONCE: a dispatcher that dies between 2 and 3 leaves the row to be
sent again when its lease expires. A duplicate text is prevented by the provider protocol (our
notification id is the `ref`, the provider's idempotency key) and marked for mail readers by a
stable Message-ID. We chose this over at-most-once because a lost legal notice is worse than a
repeated one.

Before sending, a non-urgent SMS is held until the township's office hours on a working day
(quiet hours), and every SMS takes a token from its township's bucket (`BIANMIN_SMS_RATE_PER_TENANT`
per second); a held row keeps its attempts and just gets a later `next_attempt_at`: held, never
dropped. Working days and office hours are the township's compiled calendar (notify's calendar
projection, service_layer/calendar.py: national ∘ county ∘ township, like intake's clock): a
county's local festival holds a text, a township's adjusted working Saturday lets it go. A year
the county has not imported counts as weekends only, as for the clock.

A channel with nothing configured (no `BIANMIN_SMS_URL` / `BIANMIN_SMTP_HOST`, e.g. a plain
`make run`) is not attempted: its notifications stay `queued` with attempts 0 and `last_error`
saying so (the backlog gauge counts them), and are sent once the channel is configured —
instead of churning through retries into dead letters.

The dispatcher acts across townships with the relay/ops sessions (it is part of notify's relay
process, and a thread of the all-in-one process) and writes its events to notify's outbox in the
same transaction as the state change.

Each send and each receipt poll runs in a CLIENT span (`notify deliver sms|email`, `notify receipt
sms`) whose parent is the trace context stored on the row when it was queued (`trace_context`,
written in the consumer's span): the delivery joins the trace of the request that caused it, and
so do the events recorded in that span (adapters/channels.py).

Here is the use case; the rows' SQL is adapters/notification_repository.py, the channels and
their spans adapters/channels.py, the events adapters/notification_proto.py."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from opentelemetry import trace
from sqlalchemy.orm import Session, sessionmaker

from libs.common import db
from libs.common.calendar import WorkCalendar
from libs.common.errors import ValidationFailed
from libs.common.observability.tracing import mark_error
from libs.common.pii import mask_text
from libs.common.retry import backoff_seconds
from libs.common.settings import Settings
from services.notify.adapters import notification_proto as events
from services.notify.adapters import notification_repository as notifications
from services.notify.adapters.channels import Channels, delivery_span
from services.notify.adapters.notification_proto import MAX_ERROR
from services.notify.adapters.sms import DELIVERED as RECEIPT_DELIVERED
from services.notify.adapters.sms import FAILED as RECEIPT_FAILED
from services.notify.adapters.sms import SendFailed
from services.notify.domain import delivery as policy
from services.notify.domain.delivery import DEAD_LETTERED, DELIVERED, EMAIL, FAILED, QUEUED, SENT, SMS
from services.notify.service_layer import calendar as notify_calendar
from services.notify.service_layer.metrics import (
    NOTIFICATION_BACKLOG,
    NOTIFICATION_DEAD_LETTERS,
    NOTIFICATION_LATENCY,
    NOTIFICATIONS,
    NOTIFICATIONS_HELD,
)

log = logging.getLogger(__name__)

RECEIPT_WINDOW = timedelta(days=2)  # a receipt that has not come in two days will not come
NEVER = datetime(9999, 1, 1, tzinfo=UTC)
LEASE_LOST = "lease_lost"  # a span's outcome when another dispatcher took the row meanwhile


class Dispatcher:
    """One dispatcher loop. `sessions`: relay/ops sessions (it crosses townships by design)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        channels: Channels,
        sealer: Any,
        *,
        limiter: policy.TenantRateLimiter | None = None,
        is_working: Callable[[date], bool] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tracer_provider: trace.TracerProvider | None = None,
    ) -> None:
        """`is_working` (tests) replaces the township's calendar by fixed working days, with the
        office hours of its settings; by default quiet hours follow its compiled calendar.
        `tracer_provider` (tests) takes the delivery spans instead of the process's provider."""
        self.sessions, self.settings, self.channels, self.sealer = sessions, settings, channels, sealer
        self.tracer_provider = tracer_provider
        self.limiter = limiter or policy.TenantRateLimiter(settings.sms_rate_per_tenant)
        self.is_working, self.clock = is_working, clock
        self._hours: dict[str, tuple[policy.Hours, str]] = {}  # office hours per township, per round
        # compiled calendars per township, per round (across rounds the projection caches them by
        # the calendar's versions, so a changed calendar is read again)
        self._calendars: dict[str, WorkCalendar | None] = {}

    # --- the loop ---------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: dispatch, poll receipts, and wait `notify_idle_seconds` when idle."""
        log.info("notification dispatcher started")
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # noqa: BLE001 - a failed round (database away) is retried next round
                log.exception("notification dispatch round failed")
                busy = 0
            if not busy:
                stop.wait(self.settings.notify_idle_seconds)
        log.info("notification dispatcher stopped")

    def run_once(self) -> int:
        """One round: due notifications, then due receipts. Returns how many rows it handled."""
        handled = 0
        self._hours, self._calendars = {}, {}  # settings and calendars may change between rounds
        self._mark_unconfigured()
        for row in self._claim(due_sends=True):
            self._dispatch(row)
            handled += 1
        if self.channels.sms is not None:
            for row in self._claim(due_sends=False):
                self._poll_receipt(row)
                handled += 1
        self.update_gauges()
        return handled

    # --- claim --------------------------------------------------------------------------------

    def _claim(self, *, due_sends: bool) -> list[Any]:
        now = self.clock()
        lease = now + timedelta(seconds=self.settings.notify_lease_seconds)
        with db.transaction(self.sessions, None) as s:
            return notifications.claim(
                s,
                now=now,
                lease=lease,
                limit=self.settings.notify_batch_size,
                due_sends=due_sends,
                # a channel with nothing configured is not attempted (see _mark_unconfigured)
                skip_channels=self.channels.unconfigured(),
            )

    def _mark_unconfigured(self) -> None:
        """Say on the waiting rows of a channel with nothing configured why they wait. They stay
        `queued` with their attempts and due time untouched, so configuring the channel sends
        them; written once (only rows whose error differs), not every round."""
        now = self.clock()
        for channel, reason in self.channels.unconfigured().items():
            with db.transaction(self.sessions, None) as s:
                marked = notifications.mark_waiting(s, channel, reason, now)
            if marked:
                log.warning("%d %s notification(s) waiting: %s", marked, channel, reason)

    def _release(self, row: Any, until: datetime, reason: str) -> None:
        """Give a held row back, due at `until`, its attempts untouched."""
        with db.transaction(self.sessions, row.tenant_id) as s:
            notifications.write_fenced(s, row, next_attempt_at=until)
        NOTIFICATIONS_HELD.labels(channel=row.channel, reason=reason).inc()

    # --- send ---------------------------------------------------------------------------------

    def _dispatch(self, row: Any) -> None:
        now = self.clock()
        if row.channel == SMS:
            if not row.urgent:
                until = self._quiet_until(row.tenant_id, now)
                if until is not None:
                    self._release(row, until, "quiet_hours")
                    return
            wait = self.limiter.take(row.tenant_id)
            if wait > 0:
                self._release(row, now + timedelta(seconds=wait), "rate_limit")
                return
        with self._span(f"notify deliver {row.channel}", row, attempt=row.attempts + 1) as current:
            try:
                ref = self.channels.send(row, self._address(row))
            except SendFailed as exc:
                mark_error(current, str(mask_text(exc.reason)))
                outcome = self._failed(row, exc.reason, permanent=exc.permanent)
            else:
                outcome = self._sent(row, ref)
            current.set_attribute("notification.outcome", outcome)

    def _span(self, name: str, row: Any, **attributes: Any) -> Any:
        return delivery_span(name, row, self.tracer_provider, **attributes)

    def _address(self, row: Any) -> str:
        """The real phone / e-mail: opened from the sealed contact (applicants) or the staff
        projection (staff). Never logged, never stored unsealed."""
        key = "phone" if row.channel == SMS else "email"
        if row.address_sealed:
            try:
                contact = self.sealer.open(row.address_sealed)
            except ValueError as exc:  # e.g. sealed with a key this process does not have yet: retried
                raise SendFailed(f"the sealed address cannot be opened: {exc}") from exc
            value = contact.get("address")  # as the event handlers seal it (sealing.seal_address)
        elif key == "phone":
            with db.transaction(self.sessions, row.tenant_id) as s:
                value = notifications.staff_phone(s, row.tenant_id, row.recipient)
        else:
            value = None
        if not value:
            raise SendFailed(f"no {key} to send to", permanent=True)
        return str(value)

    # --- record -------------------------------------------------------------------------------

    def _sent(self, row: Any, ref: str) -> str:
        """Record a send the channel took; returns the new status ("lease_lost": not recorded)."""
        now = self.clock()
        immediate = row.channel != SMS  # e-mail (SMTP accepted it), inbox, print
        values: dict[str, Any] = {
            "status": DELIVERED if immediate else SENT,
            "attempts": row.attempts + 1,
            "sent_at": now,
            "provider_ref": ref or None,
            "last_error": None,
            "next_attempt_at": now + timedelta(seconds=self.settings.sms_receipt_poll_seconds),
        }
        if immediate:
            values["delivered_at"] = now
        with db.transaction(self.sessions, row.tenant_id) as s:
            if not notifications.write_fenced(s, row, **values):
                return LEASE_LOST
            notifications.record_event(s, row, events.sent(row, now))
            if immediate:
                notifications.record_event(s, row, events.delivered(row, now))
        NOTIFICATIONS.labels(channel=row.channel, outcome=SENT).inc()
        if immediate:
            self._observe_delivered(row, now)
        return str(values["status"])

    def _failed(self, row: Any, reason: str, *, permanent: bool = False, attempts: int | None = None) -> str:
        """Record a failed try; returns the new status ("lease_lost": not recorded)."""
        now = self.clock()
        attempts = row.attempts + 1 if attempts is None else attempts
        s_ = self.settings
        delay = backoff_seconds(
            attempts, s_.notify_retry_base_seconds, s_.notify_retry_cap_seconds, s_.notify_retry_jitter
        )
        outcome = policy.after_failure(attempts, 1 if permanent else s_.notify_max_attempts, now, delay)
        reason = str(mask_text(reason))  # a channel may echo the address back: never store it
        values: dict[str, Any] = {
            "status": outcome.status,
            "attempts": attempts,
            "last_error": reason[:MAX_ERROR],
        }
        if outcome.status == DEAD_LETTERED:
            values.update(parked_at=now, next_attempt_at=NEVER)
        else:
            values["next_attempt_at"] = outcome.next_attempt_at
        with db.transaction(self.sessions, row.tenant_id) as s:
            if not notifications.write_fenced(s, row, **values):
                return LEASE_LOST
            if outcome.status == DEAD_LETTERED:
                event = events.parked(row, reason=reason, attempts=attempts, at=now)
            else:
                event = events.failed(
                    row, attempts=attempts, error=reason, next_attempt_at=outcome.next_attempt_at
                )
            notifications.record_event(s, row, event)
        NOTIFICATIONS.labels(channel=row.channel, outcome=outcome.status).inc()
        log.warning(
            "notification %s (%s) failed, try %d: %s → %s",
            row.id,
            row.channel,
            attempts,
            reason,
            outcome.status,
        )
        return outcome.status

    def _poll_receipt(self, row: Any) -> None:
        with self._span("notify receipt sms", row) as current:
            current.set_attribute("notification.outcome", self._receipt(row, current))

    def _receipt(self, row: Any, current: trace.Span) -> str:
        """Poll and record the receipt of a sent SMS; returns the outcome ("pending": asked again
        later, "lease_lost": not recorded)."""
        now = self.clock()
        assert self.channels.sms is not None
        try:
            receipt = self.channels.sms.receipt(row.provider_ref)
        except SendFailed as exc:
            log.info("notification %s: receipt not available now: %s", row.id, exc.reason)
            receipt = None
        if receipt is not None and receipt.status == RECEIPT_DELIVERED:
            with db.transaction(self.sessions, row.tenant_id) as s:
                if not notifications.write_fenced(
                    s, row, status=DELIVERED, delivered_at=now, next_attempt_at=NEVER
                ):
                    return LEASE_LOST
                notifications.record_event(s, row, events.delivered(row, now))
            NOTIFICATIONS.labels(channel=row.channel, outcome=DELIVERED).inc()
            self._observe_delivered(row, now)
            return DELIVERED
        if receipt is not None and receipt.status == RECEIPT_FAILED:
            # the provider took it but could not deliver: this try failed, send it again later
            reason = f"the provider could not deliver it: {receipt.error}"
            mark_error(current, str(mask_text(reason)))
            return self._failed(row, reason, attempts=row.attempts)
        sent_at = row.sent_at or now
        poll = now + timedelta(seconds=self.settings.sms_receipt_poll_seconds)
        with db.transaction(self.sessions, row.tenant_id) as s:
            held = notifications.write_fenced(
                s, row, next_attempt_at=poll if now - sent_at < RECEIPT_WINDOW else NEVER
            )
        return "pending" if held else LEASE_LOST

    # --- helpers ------------------------------------------------------------------------------

    def _quiet_until(self, tenant: str, now: datetime) -> datetime | None:
        calendar = None if self.is_working is not None else self._calendar(tenant, now)
        if calendar is not None:
            return policy.quiet_until_in(calendar, now)
        if tenant not in self._hours:
            self._hours[tenant] = self._office_hours(tenant)
        hours, tz = self._hours[tenant]
        return policy.quiet_until(now, tz=tz, hours=hours, is_working=self.is_working or policy.weekdays_only)

    def _calendar(self, tenant: str, now: datetime) -> WorkCalendar | None:
        """The township's compiled calendar covering `now` and the quiet-hours horizon; None when
        its projected settings cannot make one (e.g. overlapping office hours): then weekdays
        and the settings' hours, rather than no SMS at all."""
        if tenant not in self._calendars:
            try:
                with db.transaction(self.sessions, tenant) as s:
                    self._calendars[tenant] = notify_calendar.tenant_calendar(
                        s, tenant, now.year - 1, now.year + 1, default_tz=self.settings.timezone
                    )
            except ValidationFailed as exc:
                log.warning("no calendar for %s (%s): quiet hours on weekdays", tenant, exc.detail)
                self._calendars[tenant] = None
        return self._calendars[tenant]

    def _office_hours(self, tenant: str) -> tuple[policy.Hours, str]:
        """The township's office hours and time zone (its settings projection; the county's
        settings, then the defaults, when it has none)."""
        with db.transaction(self.sessions, None) as s:
            found = notifications.office_hours(s, tenant)
        hours = policy.parse_hours(found[0] if found is not None else None)
        tz = (found[1] if found is not None else None) or self.settings.timezone
        return hours, tz

    def _observe_delivered(self, row: Any, at: datetime) -> None:
        if row.created_at is not None:
            NOTIFICATION_LATENCY.labels(channel=row.channel).observe(
                max(0.0, (at - row.created_at).total_seconds())
            )

    def update_gauges(self) -> None:
        with db.transaction(self.sessions, None) as s:
            seen = notifications.counts_by_status(s, [QUEUED, FAILED, DEAD_LETTERED])
        for channel in (SMS, EMAIL):
            for status in (QUEUED, FAILED):
                NOTIFICATION_BACKLOG.labels(channel=channel, status=status).set(
                    seen.get((channel, status), 0)
                )
            NOTIFICATION_DEAD_LETTERS.labels(channel=channel).set(seen.get((channel, DEAD_LETTERED), 0))


def dispatcher_for(runtime: Any) -> Dispatcher:
    """The dispatcher of a process, from its runtime (relay/ops sessions) and settings."""
    from libs.common.sealing import Sealer

    settings = runtime.settings
    return Dispatcher(
        runtime.ops_sessions, settings, Channels.from_settings(settings), Sealer.deferred(settings)
    )


def dispatch_loop(runtime: Any, stop: threading.Event) -> None:
    """The one dispatcher loop of a process (notify's relay process; a thread of `bianmin run`)."""
    dispatcher = dispatcher_for(runtime)
    try:
        dispatcher.run(stop)
    finally:
        dispatcher.channels.close()
