#!/bin/sh
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the test suite.
# Starts the Debian cluster when it is down; installs it first on a machine without one.
set -eu
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if command -v pg_isready >/dev/null 2>&1 && ready; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing PostgreSQL from Debian's packages" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
  else
    echo "no PostgreSQL server here and no way to install one" >&2
    exit 1
  fi
fi
version="$(ls /etc/postgresql | sort -V | tail -1)"
pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
i=0
until ready; do
  i=$((i + 1))
  if [ "$i" -gt 30 ]; then echo "PostgreSQL did not start" >&2; exit 1; fi
  sleep 1
done
