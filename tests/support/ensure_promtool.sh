#!/usr/bin/env bash
# promtool checks the alert rules and dashboard queries in deploy/observability (tests/deploy).
# Install Debian's prometheus package for it when missing and we are root; never fail the run here.
command -v promtool >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "promtool: installing prometheus with apt"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null) \
    || echo "promtool: could not install prometheus; its tests will be skipped" >&2
fi
exit 0
