"""The gateway's view of the other services over gRPC (stubs and health)."""

from __future__ import annotations

import functools
import importlib

import grpc

from libs.common.errors import NotFound
from libs.common.grpc.client import serving, status_to_error
from libs.common.tenancy import tenant_scope


@functools.cache
def _modules(service: str):  # type: ignore[no-untyped-def]
    pb = importlib.import_module(f"bianmin.{service}.v1.{service}_service_pb2")
    pb_grpc = importlib.import_module(f"bianmin.{service}.v1.{service}_service_pb2_grpc")
    return pb, getattr(pb_grpc, f"{service.capitalize()}ServiceStub")


class ServiceClients:
    def __init__(self, channels) -> None:  # type: ignore[no-untyped-def]
        self.channels = channels
        # a stub per service, made again when its channel is (stubs are thread-safe; making one
        # per call was a measurable part of every request)
        self._stubs: dict[str, tuple[grpc.Channel, object]] = {}

    def _stub(self, service: str):  # type: ignore[no-untyped-def]
        channel = self.channels.channel(service)
        made = self._stubs.get(service)
        if made is None or made[0] is not channel:
            made = self._stubs[service] = (channel, _modules(service)[1](channel))
        return made[1]

    def knows_tenant(self, service: str, tenant: str) -> bool:
        """Has `service` recorded the township yet? (its projection of `township_onboarded`)."""
        pb = _modules(service)[0]
        stub = self._stub(service)
        try:
            with tenant_scope(tenant):
                stub.GetTenant(pb.GetTenantRequest())
        except grpc.RpcError as exc:
            error = status_to_error(exc)
            if isinstance(error, NotFound):
                return False
            raise error from exc
        return True

    def intake(self):  # type: ignore[no-untyped-def]
        """An IntakeService stub; call it inside `acting_as(token)` (and `tenant_scope(tenant)`
        for tenant calls) so the caller's token and tenant travel as metadata."""
        return self._stub("intake")

    def appraisal(self):  # type: ignore[no-untyped-def]
        """An AppraisalService stub (the duty rota, …); called like `intake()`."""
        return self._stub("appraisal")

    def notify(self):  # type: ignore[no-untyped-def]
        """A NotifyService stub (notices, notifications, the inbox); called like `intake()`."""
        return self._stub("notify")

    def healthy(self, service: str) -> bool:
        name = f"bianmin.{service}.v1.{service.capitalize()}Service"
        return serving(self.channels.channel(service), name)
