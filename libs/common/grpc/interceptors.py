"""The server interceptor every Bianmin gRPC API runs: metrics, auth, tenant scope, errors.

Per call, in this order:
  1. metrics — `grpc_server_handled_total{grpc_service,grpc_method,grpc_code}` with the final
     status and `grpc_server_handling_seconds{grpc_service,grpc_method}`;
  2. auth — `authorization: Bearer <jwt>` → `TokenVerifier.verify` → `Principal`; the health and
     reflection services need no token; a missing or bad token answers UNAUTHENTICATED;
  3. tenant — `x-tenant-id`, when present, must be a well-formed tenant id that the principal
     may see (or the principal has role `system`), else NOT_FOUND (no existence leak);
  4. the handler runs in its own `contextvars.Context` inside `tenant_scope(tenant, principal)`
     and `acting_as(token)` (so calls it makes onward carry the same token and tenant);
  5. errors — a `BianminError` answers the status of `status.STATUS_BY_ERROR_CODE` with its
     detail as the message and its code in the trailing metadata `x-error-code`; anything
     else answers INTERNAL with a generic message (the traceback is logged, never sent).

All four RPC shapes are handled (unary/stream requests × unary/stream responses).
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from typing import Any

import grpc

from libs.common.auth import TokenVerifier, acting_as
from libs.common.errors import BianminError, NotFound, Unauthenticated
from libs.common.grpc.status import ERROR_CODE_KEY, ERROR_FIELDS_KEY, INTERNAL_MESSAGE, status_for
from libs.common.observability.metrics import GRPC_SERVER_HANDLED, GRPC_SERVER_LATENCY
from libs.common.tenancy import Principal, tenant_scope, validate_tenant

log = logging.getLogger(__name__)

AUTHORIZATION_KEY = "authorization"
TENANT_KEY = "x-tenant-id"
SYSTEM_ROLE = "system"

#: services that answer without a token (probes, tooling)
PUBLIC_SERVICES: frozenset[str] = frozenset(
    {
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
        "grpc.reflection.v1.ServerReflection",
    }
)

_MAX_FIELDS_METADATA = 4096

Scope = tuple[str | None, Principal | None, str | None]  # tenant, principal, token


def split_method(full_method: str) -> tuple[str, str]:
    """`/bianmin.intake.v1.IntakeService/GetCase` → (`bianmin.intake.v1.IntakeService`, `GetCase`)."""
    service, _, method = full_method.lstrip("/").rpartition("/")
    return service or "unknown", method or "unknown"


def _values(metadata: Iterable[tuple[str, Any]] | None, key: str) -> list[str]:
    return [v for k, v in (metadata or ()) if k == key and isinstance(v, str)]


class BianminServerInterceptor(grpc.ServerInterceptor):
    """See the module docstring. `public_services` lists full service names that need no token."""

    def __init__(self, verifier: TokenVerifier, *, public_services: Iterable[str] = PUBLIC_SERVICES) -> None:
        self.verifier = verifier
        self.public_services = frozenset(public_services)

    # -- grpc.ServerInterceptor -----------------------------------------------------------------

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None:
            return None  # UNIMPLEMENTED; not counted (the method name is the caller's to choose)
        service, method = split_method(handler_call_details.method)
        call = _Call(self, service, method, handler_call_details.invocation_metadata)

        if handler.request_streaming and handler.response_streaming:
            behavior, factory = handler.stream_stream, grpc.stream_stream_rpc_method_handler
        elif handler.request_streaming:
            behavior, factory = handler.stream_unary, grpc.stream_unary_rpc_method_handler
        elif handler.response_streaming:
            behavior, factory = handler.unary_stream, grpc.unary_stream_rpc_method_handler
        else:
            behavior, factory = handler.unary_unary, grpc.unary_unary_rpc_method_handler
        wrapped = (
            call.stream_response(behavior) if handler.response_streaming else call.unary_response(behavior)
        )
        return factory(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    # -- steps ----------------------------------------------------------------------------------

    def admit(self, service: str, metadata: Iterable[tuple[str, Any]] | None) -> Scope:
        """Authenticate and scope a call; raises `Unauthenticated` or `NotFound`."""
        if service in self.public_services:
            return None, None, None
        headers = _values(metadata, AUTHORIZATION_KEY)
        if not headers:
            raise Unauthenticated("missing bearer token")
        if len(headers) > 1:
            raise Unauthenticated("more than one authorization header")
        scheme, _, token = headers[0].strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("authorization must be 'Bearer <token>'")
        principal = self.verifier.verify(token)

        tenants = _values(metadata, TENANT_KEY)
        if not tenants:
            return None, principal, token
        if len(tenants) > 1:
            raise NotFound("no such tenant")
        tenant = tenants[0]
        try:
            validate_tenant(tenant)
            visible = principal.has_role(SYSTEM_ROLE) or principal.may_see(tenant)
        except BianminError:
            visible = False
        if not visible:
            raise NotFound("no such tenant")
        return tenant, principal, token


class _Call:
    """One RPC: wraps the handler's behaviour with the steps of the interceptor."""

    __slots__ = ("interceptor", "service", "method", "metadata")

    def __init__(
        self, interceptor: BianminServerInterceptor, service: str, method: str, metadata: Any
    ) -> None:
        self.interceptor, self.service, self.method, self.metadata = interceptor, service, method, metadata

    def unary_response(self, behavior: Callable[..., Any]) -> Callable[..., Any]:
        def handle(request_or_iterator: Any, context: grpc.ServicerContext) -> Any:
            started, code = time.perf_counter(), grpc.StatusCode.UNKNOWN
            try:
                scope = self.interceptor.admit(self.service, self.metadata)
                response = contextvars.copy_context().run(
                    _run_scoped, scope, behavior, request_or_iterator, context
                )
                code = _final_code(context)
                return response
            except Exception as exc:
                code, message = self._fail(exc, context)
                if message is None:
                    raise  # the handler aborted the call itself
                context.abort(code, message)
                raise  # pragma: no cover - abort raises
            finally:
                self._observe(code, started)

        return handle

    def stream_response(self, behavior: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
        def handle(request_or_iterator: Any, context: grpc.ServicerContext) -> Iterator[Any]:
            started, code = time.perf_counter(), grpc.StatusCode.UNKNOWN
            ctx = contextvars.copy_context()
            stack, responses = ExitStack(), None
            try:
                scope = self.interceptor.admit(self.service, self.metadata)
                ctx.run(lambda: stack.enter_context(_scoped(scope)))
                responses = ctx.run(lambda: iter(behavior(request_or_iterator, context)))
                while True:
                    try:
                        response = ctx.run(next, responses)
                    except StopIteration:
                        break
                    yield response
                code = _final_code(context)
            except GeneratorExit:
                code = grpc.StatusCode.CANCELLED  # the client went away mid-stream
                raise
            except Exception as exc:
                code, message = self._fail(exc, context)
                if message is None:
                    raise
                context.abort(code, message)
                raise  # pragma: no cover
            finally:
                close = getattr(responses, "close", None)
                if close is not None:
                    ctx.run(close)
                ctx.run(stack.close)
                self._observe(code, started)

        return handle

    # -- helpers --------------------------------------------------------------------------------

    def _fail(self, exc: Exception, context: grpc.ServicerContext) -> tuple[grpc.StatusCode, str | None]:
        """The status for `exc`, with `x-error-code` (and fields) set in the trailing metadata;
        the message is None when the handler already aborted the call (its status stands)."""
        if type(exc) is Exception and _final_code(context) is not grpc.StatusCode.OK:
            return _final_code(context), None
        if isinstance(exc, BianminError):
            code, error_code, message = status_for(exc), exc.code, exc.detail
            if code is grpc.StatusCode.INTERNAL:
                log.error("%s/%s failed: %s", self.service, self.method, exc, exc_info=exc)
        else:
            code, error_code, message = grpc.StatusCode.INTERNAL, BianminError.code, INTERNAL_MESSAGE
            log.error("unhandled error in %s/%s", self.service, self.method, exc_info=exc)
        trailing: list[tuple[str, str]] = [(ERROR_CODE_KEY, error_code)]
        fields = getattr(exc, "fields", None)
        if fields and code is not grpc.StatusCode.INTERNAL:
            encoded = json.dumps(fields, ensure_ascii=True, default=str, separators=(",", ":"))
            if len(encoded) <= _MAX_FIELDS_METADATA:
                trailing.append((ERROR_FIELDS_KEY, encoded))
        context.set_trailing_metadata(tuple(trailing))
        return code, message

    def _observe(self, code: grpc.StatusCode, started: float) -> None:
        GRPC_SERVER_HANDLED.labels(
            grpc_service=self.service, grpc_method=self.method, grpc_code=code.name
        ).inc()
        GRPC_SERVER_LATENCY.labels(grpc_service=self.service, grpc_method=self.method).observe(
            time.perf_counter() - started
        )


def _final_code(context: grpc.ServicerContext) -> grpc.StatusCode:
    try:
        code = context.code()
    except (AttributeError, RuntimeError):  # a context without code() (old grpcio)
        return grpc.StatusCode.OK
    return code if isinstance(code, grpc.StatusCode) else grpc.StatusCode.OK


def _scoped(scope: Scope) -> ExitStack:
    tenant, principal, token = scope
    stack = ExitStack()
    if principal is not None:
        stack.enter_context(tenant_scope(tenant, principal))
        stack.enter_context(acting_as(token))
    return stack


def _run_scoped(scope: Scope, behavior: Callable[..., Any], request: Any, context: Any) -> Any:
    with _scoped(scope):
        return behavior(request, context)
