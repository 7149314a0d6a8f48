#!/usr/bin/env bash
# Powers one lab machine on. Run as `unshare --mount --propagation private boot.sh`: the
# machine's root (an overlayfs: the image's read-only layers + the machine's own disk, kept
# across reboots) is mounted in that private mount namespace only, so it disappears with the
# machine's last process — nothing is mounted on the host, even if the lab is killed.
#
# On the first boot of a disk, before the machine starts:
#   - DIVERT: each path is renamed by dpkg-divert (PATH.distrib), as a Debian admin replaces a
#     packaged file, and the lab's version is copied in from PREP;
#   - PREP's tree is copied into the root (NoCloud seed, apt settings, lab agents).
# Then systemd-nspawn boots the root's systemd in the machine's network namespace.
#
# Environment: LOWER (image layers, colon-separated, top first), UPPER, WORKDIR, ROOT,
# NETNS (a /run/netns name), MACHINE, SPOOL (host folder bound at /var/lib/cloud-dbaas-lab/spool),
# PREP (folder), DIVERT (space-separated absolute paths), REPO (optional host folder, bound
# read-only at /srv/cloud-dbaas-lab/apt).
set -euo pipefail
: "${LOWER:?}" "${UPPER:?}" "${WORKDIR:?}" "${ROOT:?}" "${NETNS:?}" "${MACHINE:?}" "${SPOOL:?}" "${PREP:?}"

mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$UPPER,workdir=$WORKDIR" "$ROOT"

marker="$ROOT/var/lib/cloud-dbaas-lab/prepared"
if [[ ! -e "$marker" ]]; then
  for path in ${DIVERT:-}; do
    chroot "$ROOT" dpkg-divert --quiet --local --rename --divert "$path.distrib" --add "$path"
  done
  cp -a "$PREP/." "$ROOT/"
  mkdir -p "$(dirname "$marker")"
  date -u +%FT%TZ > "$marker"
fi

args=(
  --quiet
  --boot
  --register=no
  --keep-unit
  --directory="$ROOT"
  --machine="$MACHINE"
  --network-namespace-path="/run/netns/$NETNS"
  --resolv-conf=off
  --timezone=off
  --link-journal=no
  --console=read-only
  # A VM's root configures its own interfaces and addresses (cloud-init, ifupdown, IPaddr2).
  --capability=CAP_NET_ADMIN
  --bind="$SPOOL:/var/lib/cloud-dbaas-lab/spool"
)
if [[ -n "${REPO:-}" ]]; then args+=(--bind-ro="$REPO:/srv/cloud-dbaas-lab/apt"); fi
# /proc/sys/net writable, as for nspawn's own private networks (docker sets ip_forward, IPaddr2 ARP settings).
export SYSTEMD_NSPAWN_API_VFS_WRITABLE=network
exec systemd-nspawn "${args[@]}"
