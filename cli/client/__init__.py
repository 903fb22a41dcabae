"""`bianmin client …`: the HTTP API's client. It talks to the gateway over HTTP only; the
onboarding and catalogue files are checked here with the rules the services apply, before
anything is sent."""
