#!/usr/bin/env bash
# The drill's client: reads the marker row the engine keeps on the data volume, through the
# service address, every 100 ms (each query bounded to 1 s). One line per query:
#   START_MS END_MS ok|fail
# Usage: probe.sh HOST PORT   (runs until killed)
set -u
host=$1 port=$2
while :; do
  start=$(date +%s%3N)
  if timeout 1 psql -X -q -t -A "host=$host port=$port user=drill dbname=postgres connect_timeout=1" \
      -c 'SELECT v FROM drill_marker' 2>/dev/null | grep -qx 'on the data volume'; then
    result=ok
  else
    result=fail
  fi
  printf '%s %s %s\n' "$start" "$(date +%s%3N)" "$result"
  sleep 0.1
done
