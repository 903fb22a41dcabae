#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers at BIANMIN_AMQP_URL's host (default 127.0.0.1:5672):
# use the one running, else start the installed server, else install it with apt (as root).
set -euo pipefail
host=127.0.0.1 port=5672
reachable() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
wait_up() { for _ in $(seq 1 60); do reachable && return 0; sleep 1; done; return 1; }

if [ -n "${BIANMIN_AMQP_URL:-}" ] && [[ "$BIANMIN_AMQP_URL" != *127.0.0.1* && "$BIANMIN_AMQP_URL" != *localhost* ]]; then
  echo "RabbitMQ: using $BIANMIN_AMQP_URL"; exit 0
fi
if reachable; then echo "RabbitMQ: running on $host:$port"; exit 0; fi
if ! command -v rabbitmq-server >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "RabbitMQ is missing and we are not root: install rabbitmq-server" >&2; exit 1; fi
  echo "RabbitMQ: installing rabbitmq-server with apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq rabbitmq-server >/dev/null
fi
echo "RabbitMQ: starting"
rabbitmq-server -detached || true
wait_up && echo "RabbitMQ: up" || { echo "RabbitMQ did not come up on $host:$port" >&2; exit 1; }
