"""gRPC plumbing shared by every service: `server` (bootstrap, health, reflection, graceful stop),
`interceptors` (metrics, auth, tenant scope, error mapping), `client` (channels that forward the
caller's token, tenant and trace; `status_to_error`), `status` (the one error ↔ status table).

Import the submodules; this package imports nothing so that `status` stays cheap to import."""
