"""Client channels between Bianmin processes.

`make_channel(target)` returns an insecure channel (the cluster network is private; mTLS, when
wanted, belongs to the mesh) with:
  * retries of UNAVAILABLE through the gRPC service config (`methodConfig.retryPolicy`: 4
    attempts, 0.1 s → 2 s exponential back-off, with retry throttling) — a service answers
    UNAVAILABLE only when nothing was done (`errors.Unavailable`), and writes carry
    idempotency keys anyway;
  * keepalive pings (30 s; the server from `server.build_server` permits them);
  * `ContextClientInterceptor`: forwards the caller's token (`auth.current_token`, set by
    `acting_as`) as `authorization: Bearer …` and the ambient tenant (`tenancy.current_tenant()`)
    as `x-tenant-id`, unless the call sets them itself, and applies a default deadline (10 s)
    to a call that has none;
  * OpenTelemetry's client interceptor: a CLIENT span per call and `traceparent` in the
    metadata (skipped when `GrpcInstrumentorClient` already instruments every channel).

`make_aio_channel(target)` is the same channel for asyncio (`grpc.aio`), with the same options
and the same two interceptors: an `async` caller (the gateway's endpoints) awaits its calls on
the event loop instead of handing each to a thread. `ChannelFactory.aio_channel` keeps one per
service and event loop.

`serving(channel, name)` (and `aio_serving`) asks the standard health service whether `name` is
SERVING.

`status_to_error(rpc_error)` turns a failed call back into the domain error the service raised
(through `x-error-code`), so the gateway answers a service's NOT_FOUND as `NotFound`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import grpc
from grpc import aio

from libs.common.auth import current_token
from libs.common.errors import BianminError
from libs.common.grpc.status import ERROR_CODE_KEY, ERROR_FIELDS_KEY, error_class_for
from libs.common.tenancy import current_tenant

if TYPE_CHECKING:
    from libs.common.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
AUTHORIZATION_KEY = "authorization"
TENANT_KEY = "x-tenant-id"

RETRY_POLICY: dict[str, Any] = {
    "maxAttempts": 4,
    "initialBackoff": "0.1s",
    "maxBackoff": "2s",
    "backoffMultiplier": 2,
    "retryableStatusCodes": ["UNAVAILABLE"],
}


def service_config(retry_policy: Mapping[str, Any] | None = RETRY_POLICY) -> str:
    """The JSON service config of every channel: one method config for all methods."""
    config: dict[str, Any] = {"methodConfig": [{"name": [{}], "waitForReady": False}]}
    if retry_policy:
        config["methodConfig"][0]["retryPolicy"] = dict(retry_policy)
        config["retryThrottling"] = {"maxTokens": 10, "tokenRatio": 0.1}
    return json.dumps(config)


CHANNEL_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.enable_retries", 1),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
)


class _CallDetails(
    namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")
    ),
    grpc.ClientCallDetails,
):
    pass


def _in_context(details: Any, default_timeout: float | None) -> tuple[tuple[Any, ...], float | None]:
    """A call's metadata with the ambient token and tenant added (unless the call set them),
    and its timeout or the default one."""
    metadata = list(details.metadata or ())
    present = {key for key, _ in metadata}
    token = current_token.get()
    if token and AUTHORIZATION_KEY not in present:
        metadata.append((AUTHORIZATION_KEY, f"Bearer {token}"))
    tenant = current_tenant()
    if tenant and TENANT_KEY not in present:
        metadata.append((TENANT_KEY, tenant))
    timeout = details.timeout if details.timeout is not None else default_timeout
    return tuple(metadata), timeout


class ContextClientInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """Adds the ambient token and tenant to each call, and a default deadline."""

    def __init__(self, default_timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.default_timeout = default_timeout

    def _details(self, details: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        metadata, timeout = _in_context(details, self.default_timeout)
        return _CallDetails(
            details.method,
            timeout,
            metadata,
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: Any, request: Any
    ) -> Any:
        return continuation(self._details(client_call_details), request)

    def intercept_unary_stream(
        self, continuation: Callable[..., Any], client_call_details: Any, request: Any
    ) -> Any:
        return continuation(self._details(client_call_details), request)

    def intercept_stream_unary(
        self, continuation: Callable[..., Any], client_call_details: Any, request_iterator: Any
    ) -> Any:
        return continuation(self._details(client_call_details), request_iterator)

    def intercept_stream_stream(
        self, continuation: Callable[..., Any], client_call_details: Any, request_iterator: Any
    ) -> Any:
        return continuation(self._details(client_call_details), request_iterator)


def _traced(channel: grpc.Channel) -> grpc.Channel:
    """`channel` with OTel's client interceptor (a CLIENT span, `traceparent` in the metadata),
    unless `GrpcInstrumentorClient` already wraps every channel."""
    from opentelemetry.instrumentation.grpc import GrpcInstrumentorClient, client_interceptor
    from opentelemetry.instrumentation.grpc.grpcext import intercept_channel

    if GrpcInstrumentorClient().is_instrumented_by_opentelemetry:
        return channel
    return intercept_channel(channel, client_interceptor())


def make_channel(
    target: str,
    *,
    default_timeout: float | None = DEFAULT_TIMEOUT,
    retry_policy: Mapping[str, Any] | None = RETRY_POLICY,
    options: Sequence[tuple[str, Any]] = (),
    interceptors: Sequence[Any] = (),
) -> grpc.Channel:
    """An intercepted channel to `target` (`host:port`); see the module docstring.

    `options` add to (or override) the defaults; `interceptors` run inside the Bianmin one."""
    merged = _options(retry_policy, options)
    channel = _traced(grpc.insecure_channel(target, options=list(merged.items())))
    return grpc.intercept_channel(channel, ContextClientInterceptor(default_timeout), *interceptors)


class AioContextClientInterceptor(aio.UnaryUnaryClientInterceptor):
    """`ContextClientInterceptor` for an asyncio channel (unary calls: all the gateway makes)."""

    def __init__(self, default_timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self.default_timeout = default_timeout

    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: Any, request: Any
    ) -> Any:
        metadata, timeout = _in_context(client_call_details, self.default_timeout)
        details = aio.ClientCallDetails(
            client_call_details.method,
            timeout,
            aio.Metadata(*metadata),
            client_call_details.credentials,
            client_call_details.wait_for_ready,
        )
        return await continuation(details, request)


def make_aio_channel(
    target: str,
    *,
    default_timeout: float | None = DEFAULT_TIMEOUT,
    retry_policy: Mapping[str, Any] | None = RETRY_POLICY,
    options: Sequence[tuple[str, Any]] = (),
) -> aio.Channel:
    """`make_channel` for asyncio; make it, use it and close it on one event loop."""
    from opentelemetry.instrumentation.grpc import GrpcAioInstrumentorClient, aio_client_interceptors

    interceptors: list[Any] = [AioContextClientInterceptor(default_timeout)]
    if not GrpcAioInstrumentorClient().is_instrumented_by_opentelemetry:
        interceptors += aio_client_interceptors()
    return aio.insecure_channel(
        target, options=list(_options(retry_policy, options).items()), interceptors=interceptors
    )


def _options(retry_policy: Mapping[str, Any] | None, options: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    merged = dict(CHANNEL_OPTIONS)
    merged["grpc.service_config"] = service_config(retry_policy)
    if not retry_policy:
        merged["grpc.enable_retries"] = 0
    merged.update(dict(options))
    return merged


class ChannelFactory:
    """One cached channel per service, targets from settings (`Settings.grpc_target`) or a
    mapping `{service: "host:port"}`. Thread-safe; `close()` closes them all."""

    def __init__(
        self,
        settings_or_targets: Settings | Mapping[str, str],
        *,
        default_timeout: float | None = DEFAULT_TIMEOUT,
        options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        self._source = settings_or_targets
        self._default_timeout = default_timeout
        self._options = tuple(options)
        self._channels: dict[str, grpc.Channel] = {}
        self._aio_channels: dict[tuple[asyncio.AbstractEventLoop, str], aio.Channel] = {}
        self._lock = threading.Lock()

    def target(self, service: str) -> str:
        if isinstance(self._source, Mapping):
            try:
                return self._source[service]
            except KeyError:
                raise LookupError(f"no gRPC target for service {service!r}") from None
        return self._source.grpc_target(service)

    def channel(self, service: str) -> grpc.Channel:
        with self._lock:
            channel = self._channels.get(service)
            if channel is None:
                channel = make_channel(
                    self.target(service), default_timeout=self._default_timeout, options=self._options
                )
                self._channels[service] = channel
            return channel

    def aio_channel(self, service: str) -> aio.Channel:
        """The asyncio channel to `service` of the running event loop (an asyncio channel works
        only on the loop it was made on); `aclose()` on that loop closes them."""
        key = (asyncio.get_running_loop(), service)
        channel = self._aio_channels.get(key)  # one loop: only its own thread makes its channels
        if channel is None:
            channel = self._aio_channels[key] = make_aio_channel(
                self.target(service), default_timeout=self._default_timeout, options=self._options
            )
        return channel

    async def aclose(self) -> None:
        """Close the running event loop's asyncio channels."""
        loop = asyncio.get_running_loop()
        mine = [key for key in self._aio_channels if key[0] is loop]
        for key in mine:
            await self._aio_channels.pop(key).close()

    def close(self) -> None:
        with self._lock:
            channels, self._channels = list(self._channels.values()), {}
        for channel in channels:
            channel.close()

    def __enter__(self) -> ChannelFactory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def status_to_error(error: grpc.RpcError) -> BianminError:
    """The domain error a failed call stands for: the class named by `x-error-code` with the
    status message as its detail; without a code, by status (with a generic detail, as the
    message may come from the transport rather than a Bianmin service)."""
    code = _call(error, "code")
    trailing = _call(error, "trailing_metadata") or ()
    received = {key: value for key, value in trailing if isinstance(value, str)}
    error_code = received.get(ERROR_CODE_KEY)
    cls = error_class_for(error_code, code)
    fields: dict[str, Any] = {}
    if ERROR_FIELDS_KEY in received:
        try:
            decoded = json.loads(received[ERROR_FIELDS_KEY])
            if isinstance(decoded, dict):
                fields = {str(k): v for k, v in decoded.items() if k != "detail"}
        except ValueError:
            pass
    if error_code and error_code == cls.code:
        detail = _call(error, "details") or ""
    else:
        log.debug("gRPC call failed without an error code: %s %s", code, _call(error, "details"))
        detail = ""
    return cls(detail, **fields)


@contextmanager
def domain_errors() -> Iterator[None]:
    """`with domain_errors(): stub.Call(...)` raises the domain error instead of `grpc.RpcError`."""
    try:
        yield
    except grpc.RpcError as exc:
        raise status_to_error(exc) from exc


def _call(error: object, name: str) -> Any:
    method = getattr(error, name, None)
    if not callable(method):
        return None
    try:
        return method()
    except Exception:  # a half-initialised error object
        return None


async def aio_serving(channel: aio.Channel, service_name: str, timeout: float = 2) -> bool:
    """`serving` on an asyncio channel."""
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service_name), timeout=timeout
        )
    except grpc.RpcError:
        return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def serving(channel: grpc.Channel, service_name: str, timeout: float = 2) -> bool:
    """Does the server behind `channel` report `service_name` SERVING (`grpc.health.v1`)? False
    too when it cannot be reached in `timeout` seconds."""
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service_name), timeout=timeout
        )
    except grpc.RpcError:
        return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING
