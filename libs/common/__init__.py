"""Shared mechanisms of every Bianmin process: settings, tenancy, database, outbox, bus, gRPC,
auth, calendar maths, observability and personal-data masking. Nothing here imports a service."""
