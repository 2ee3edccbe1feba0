#!/usr/bin/env bash
# Make sure the services the tests use are up: PostgreSQL on 127.0.0.1:5432 (trust auth, database `test`).
# On a user's machine without PostgreSQL the PostgreSQL tests skip; in CI (CI=true) they must run, so
# here we install and start it when it is missing.
set -uo pipefail
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if pg_up; then exit 0; fi
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ] && command -v apt-get >/dev/null; then
    echo "Cài PostgreSQL cho CI …"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL chưa cài: các kiểm thử PostgreSQL sẽ được bỏ qua."; exit 0
  fi
fi
ver=$(ls /etc/postgresql | head -n1)
pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main start || true
for _ in $(seq 1 30); do pg_up && break; sleep 1; done
# trust auth and the `test` database, as the tests expect (no-ops when already so)
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='test'\" | grep -q 1 || createdb test" 2>/dev/null || true
pg_up && echo "PostgreSQL sẵn sàng trên 127.0.0.1:5432" || echo "PostgreSQL không khởi động được"
