#!/usr/bin/env bash
# Starts the machine's MariaDB when it is not answering, and waits until it does.
set -euo pipefail
ping() { mariadb-admin --protocol=tcp -h127.0.0.1 -uroot ping >/dev/null 2>&1; }
ping && exit 0
if [ ! -x /usr/sbin/mariadbd ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server
fi
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
for _ in $(seq 1 60); do ping && exit 0; sleep 1; done
echo "MariaDB did not answer on 127.0.0.1:3306 within 60 s" >&2
exit 1
