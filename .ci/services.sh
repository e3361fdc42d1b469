#!/usr/bin/env bash
# Starts what the tests need if it is not running; safe to run any number of times.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  echo "services: nothing answers on 127.0.0.1:$1" >&2
  return 1
}

if ! port_open 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
wait_port 5432

if ! port_open 4222; then
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
fi
wait_port 4222

# The provider tests start their own PgBouncer (transaction mode); they need the binary.
if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y pgbouncer ||
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y pgbouncer; }
fi
