#!/usr/bin/env bash
# The drill's prober: every 100 ms, from the switch namespace, one SQL query through the
# service IP (PostgreSQL, role drill, a table stored on the shared volume). Each query runs
# in the background with a 0.5 s timeout so a dead address never slows the cadence.
# Appends "START_MS END_MS ok|fail" per query to OUTFILE; stops after MAX_SECONDS or when
# STOPFILE exists.
# Usage: ip netns exec LAB-sw probe.sh SERVICE_IP OUTFILE STOPFILE MAX_SECONDS
set -uo pipefail
[[ $# -eq 4 ]] || { sed -n '2,7p' "$0" >&2; exit 2; }
ip=$1 out=$2 stop=$3 max=$4
# Debian's /usr/bin/psql is a Perl wrapper: call the real binary (cheaper at 10 queries/s).
psql=/usr/lib/postgresql/15/bin/psql
[[ -x "$psql" ]] || psql=psql

now_ms() { local t=${EPOCHREALTIME/./}; echo "${t:0:-3}"; }

probe_once() {
  local t0 t1 r=fail
  t0=$(now_ms)
  if timeout 0.5 "$psql" -X -q -A -t -w "host=$ip port=5432 user=drill dbname=postgres connect_timeout=2" \
      -c 'SELECT v FROM drill_marker' 2>/dev/null | grep -q 'shared volume'; then
    r=ok
  fi
  t1=$(now_ms)
  echo "$t0 $t1 $r" >>"$out"
}

end=$((SECONDS + max))
while ((SECONDS < end)) && [[ ! -e "$stop" ]]; do
  probe_once &
  sleep 0.1
done
wait
