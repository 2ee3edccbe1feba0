#!/usr/bin/env bash
# Make sure what the tests use is there: PostgreSQL on 127.0.0.1:5432 (trust auth, database `test`) and,
# in CI, headless Chromium, Dovecot (IMAP), LibreOffice Writer and Calc with poppler-utils (the Word report
# and the workbooks converted to PDF and read back). On a user's machine without them the PostgreSQL tests,
# the screenshot, mailbox and PDF tests
# skip; in CI (CI=true) they must run, so here we install and start what is missing.
set -uo pipefail
ci() { [ "${CI:-}" = "true" ] && command -v apt-get >/dev/null; }
apt_updated=0
apt_install() {
  [ $apt_updated = 1 ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

start_postgres() {
  pg_up && return 0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    if ci; then echo "Cài PostgreSQL cho CI …"; apt_install postgresql
    else echo "PostgreSQL chưa cài: các kiểm thử PostgreSQL sẽ được bỏ qua."; return 0; fi
  fi
  local ver
  ver=$(ls /etc/postgresql | head -n1)
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster "$ver" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  su postgres -c "psql -qtAc \"select 1 from pg_database where datname='test'\" | grep -q 1 || createdb test" 2>/dev/null || true
  pg_up && echo "PostgreSQL sẵn sàng trên 127.0.0.1:5432" || echo "PostgreSQL không khởi động được"
}

start_postgres
if ! command -v chromium >/dev/null 2>&1 && ci; then
  echo "Cài Chromium cho CI …"
  apt_install chromium || echo "Không cài được Chromium"
fi
if ! command -v dovecot >/dev/null 2>&1 && ! [ -x /usr/sbin/dovecot ] && ci; then
  # the mailbox tests start their own private instance (tests/imap_server.py); the system one stays off
  echo "Cài Dovecot (IMAP) cho CI …"
  apt_install dovecot-imapd openssl || echo "Không cài được Dovecot"
fi
# LibreOffice converts the Word report and the workbooks to PDF in the tests; poppler-utils reads the PDF back.
# Times New Roman cannot come from Debian's packages: Liberation Serif 2.x has its metrics and the Vietnamese
# letters (Liberation 1.x lacks some, and LibreOffice would then mix in another face)
if ci && { ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
           || ! dpkg -s libreoffice-writer >/dev/null 2>&1 || ! dpkg -s libreoffice-calc >/dev/null 2>&1 \
           || [ ! -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ]; }; then
  echo "Cài LibreOffice Writer và Calc, poppler-utils và phông Liberation 2 cho CI …"
  apt_install --no-install-recommends libreoffice-writer libreoffice-calc poppler-utils fonts-liberation2 \
    || echo "Không cài được LibreOffice"
fi
exit 0
