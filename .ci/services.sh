#!/usr/bin/env bash
# Installs what the tests need (the README's "Prerequisites") and starts the shared servers they
# use; safe to run any number of times.
set -euo pipefail

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "services: Node 20 or later is needed, found $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi

# Debian packages. Only the missing ones are installed, in one apt step; with none missing apt is
# not run at all, so CI needs no network for it.
packages=(
  python3 make g++                # better-sqlite3 compiles with node-gyp
  postgresql-15                   # the shared server, and initdb/postgres for throwaway ones
  pgbouncer nats-server openssl   # throwaway poolers, NATS servers and TLS certificates
  iptables faketime               # cluster fault tests: packet loss, clock skew
  mariadb-server sysbench chromium
  libxml2-utils                   # xmllint: JUnit output checked against its XSD
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "services: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y "${missing[@]}" || { apt-get update && apt-get install -y "${missing[@]}"; }
fi

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

if ! port_open 3306; then
  install -d -o mysql -g mysql /run/mysqld
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
wait_port 3306
