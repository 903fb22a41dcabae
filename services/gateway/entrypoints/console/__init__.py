"""The staff console (API.md *Staff console*): web pages served by the gateway at `/console/`,
calling the HTTP API in process with the caller's own token (routes.py, api.py, session.py)."""

from services.gateway.entrypoints.console.routes import install

__all__ = ["install"]
