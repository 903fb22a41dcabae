"""The SMS channel: a provider reached over HTTP (httpx), with this small JSON protocol.

    POST {BIANMIN_SMS_URL}/messages          Authorization: Bearer {BIANMIN_SMS_API_KEY}
         {"to": "+8613800138000", "text": "...", "ref": "<notification id>"}
      →  2xx {"id": "<provider message id>"}
    GET  {BIANMIN_SMS_URL}/messages/{id}     (the delivery receipt, polled)
      →  2xx {"id": "...", "status": "accepted|delivered|failed", "error": "..."}

`ref` is our notification id and the provider's idempotency key: sending the same `ref` again
returns the first message's id and texts nobody twice. That is what makes the dispatcher's
at-least-once hand-over (a crash between the send and its record re-sends) safe.

Receipts are polled rather than called back: notify has no HTTP endpoint of its own, and
polling needs nothing reachable from the provider.

Failures: a timeout, a connection error, a 5xx, 408 or 429 is `SendFailed` (retried with
back-off); any other 4xx is `SendFailed(permanent=True)` (a bad number or key: parked at once)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

DELIVERED, FAILED, PENDING = "delivered", "failed", "pending"


class SendFailed(Exception):
    """A channel refused or could not take a message; `permanent`: retrying will not help."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Receipt:
    status: str  # delivered | failed | pending
    error: str = ""


def _failure(response: httpx.Response) -> SendFailed:
    code = response.status_code
    permanent = 400 <= code < 500 and code not in (408, 429)
    return SendFailed(f"SMS provider answered {code}: {response.text[:200]}", permanent=permanent)


class SmsProvider:
    def __init__(self, url: str, api_key: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.Client(
            timeout=timeout, headers={"authorization": f"Bearer {api_key}"} if api_key else {}
        )

    @classmethod
    def from_settings(cls, settings) -> SmsProvider | None:  # type: ignore[no-untyped-def]
        """None when no provider is configured (BIANMIN_SMS_URL empty)."""
        if not settings.sms_url:
            return None
        key = settings.sms_api_key.get_secret_value() if settings.sms_api_key else ""
        return cls(settings.sms_url, key, settings.sms_timeout_seconds)

    def send(self, to: str, text: str, ref: str) -> str:
        """Hand one message to the provider; returns its message id."""
        try:
            response = self._client.post(f"{self.url}/messages", json={"to": to, "text": text, "ref": ref})
        except httpx.HTTPError as exc:
            raise SendFailed(f"SMS provider unreachable: {type(exc).__name__}") from exc
        if not response.is_success:
            raise _failure(response)
        try:
            message_id = response.json()["id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SendFailed("SMS provider answered without a message id") from exc
        return str(message_id)

    def receipt(self, message_id: str) -> Receipt:
        """The provider's delivery state of a message (pending while it does not know yet)."""
        try:
            response = self._client.get(f"{self.url}/messages/{message_id}")
        except httpx.HTTPError as exc:
            raise SendFailed(f"SMS provider unreachable: {type(exc).__name__}") from exc
        if not response.is_success:
            raise _failure(response)
        body = response.json()
        status = body.get("status", "")
        if status == DELIVERED:
            return Receipt(DELIVERED)
        if status == FAILED:
            return Receipt(FAILED, str(body.get("error") or "the provider could not deliver it"))
        return Receipt(PENDING)

    def close(self) -> None:
        self._client.close()
