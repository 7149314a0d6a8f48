#!/usr/bin/env bash
# Builds the lab machines' root file systems, like a Debian 12 cloud image:
#   base  — mmdebstrap (variant "important") + cloud-init, sshd, sudo, ... and the packages of
#           the bastion's user data: the bastion boots from it;
#   layer — an overlayfs upper directory over a base, holding the packages of the database
#           nodes' user data: nodes boot from layer + base.
# Packages are installed by apt-get with Recommends, as cloud-init's package module does, so
# that their install-time effects (default configs, enabled services) are a real node's.
# Services do not start at build time (no systemd runs in the chroot).
#
# Usage: image.sh base  DEST MIRROR "PACKAGES"
#        image.sh layer DEST BASE "PACKAGES"
# DEST must not exist; it is written as DEST.tmp-PID and renamed when complete.
set -euo pipefail

# Like a cloud image's final cleanup: no host keys, no machine id, no package lists, no cloud-init state.
cleanup_root() {
  local root="$1"
  chroot "$root" apt-get clean
  rm -f "$root"/etc/ssh/ssh_host_*_key "$root"/etc/ssh/ssh_host_*_key.pub
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/lib/cloud/* "$root"/var/log/cloud-init*.log
  : > "$root/etc/machine-id"
  rm -f "$root/var/lib/dbus/machine-id"
}

# The cloud image's locale: cloud-init's locale module sets LANG=en_US.UTF-8, which must be generated.
locale_root() {
  local root="$1"
  sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' "$root/etc/locale.gen"
  chroot "$root" locale-gen
}

base() {
  local dest="$1" mirror="$2" packages="$3"
  [[ -e "$dest" ]] && { echo "image.sh: $dest exists" >&2; exit 1; }
  local tmp="$dest.tmp-$$"
  rm -rf "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$(dirname "$dest")"
  local security="${mirror%/debian}/debian-security"
  # shellcheck disable=SC2016 # "$1" is the hook's argument (the root), expanded by mmdebstrap.
  mmdebstrap \
    --variant=important \
    --mode=root \
    --format=directory \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='APT::Install-Recommends "true"' \
    --include="${packages// /,}" \
    --customize-hook="$0 locale \"\$1\"" \
    --customize-hook="$0 cleanup \"\$1\"" \
    bookworm "$tmp" \
    "deb $mirror bookworm main" \
    "deb $mirror bookworm-updates main" \
    "deb $security bookworm-security main"
  # shellcheck disable=SC2086 # word splitting of the package list is wanted
  printf '%s\n' $packages | sort -u > "$tmp/.cloud-dbaas-lab-packages"
  mv "$tmp" "$dest"
  trap - EXIT
}

# Runs in a private mount namespace (see "layer"): every mount dies with it.
layer_inside() {
  local upper="$1" work="$2" merged="$3" base="$4" packages="$5"
  mount -t overlay overlay -o "lowerdir=$base,upperdir=$upper,workdir=$work" "$merged"
  mount -t proc proc "$merged/proc"
  mount --rbind /sys "$merged/sys"
  mount --rbind /dev "$merged/dev"
  mount -t tmpfs tmpfs "$merged/run"
  mount -t tmpfs tmpfs "$merged/tmp"
  cp /etc/resolv.conf "$merged/etc/resolv.conf"
  # The lab's engine (PostgreSQL, started by the nomad stand-in on the data volume): no cluster of its own.
  mkdir -p "$merged/etc/postgresql-common/createcluster.d"
  echo 'create_main_cluster = false' > "$merged/etc/postgresql-common/createcluster.d/cloud-dbaas-lab.conf"
  # The base's lists were removed: fetch them again for this install only.
  # shellcheck disable=SC2086 # word splitting of the package list is wanted
  chroot "$merged" env DEBIAN_FRONTEND=noninteractive apt-get \
    -o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=true update -q
  # shellcheck disable=SC2086
  chroot "$merged" env DEBIAN_FRONTEND=noninteractive apt-get \
    -o APT::Install-Recommends=true install -y -q $packages
  cleanup_root "$merged"
  cp "$base/etc/resolv.conf" "$merged/etc/resolv.conf" 2>/dev/null || rm -f "$merged/etc/resolv.conf"
}

layer() {
  local dest="$1" base="$2" packages="$3"
  [[ -e "$dest" ]] && { echo "image.sh: $dest exists" >&2; exit 1; }
  [[ -d "$base" ]] || { echo "image.sh: no base $base" >&2; exit 1; }
  local tmp="$dest.tmp-$$"
  rm -rf "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/upper" "$tmp/work" "$tmp/merged"
  unshare --mount --propagation private "$0" layer-inside "$tmp/upper" "$tmp/work" "$tmp/merged" "$base" "$packages"
  # shellcheck disable=SC2086
  printf '%s\n' $packages | sort -u > "$tmp/upper/.cloud-dbaas-lab-layer-packages"
  mv "$tmp/upper" "$tmp.upper"
  rm -rf "$tmp"
  mv "$tmp.upper" "$dest"
  trap - EXIT
}

case "${1:-}" in
  base) shift; base "$@" ;;
  layer) shift; layer "$@" ;;
  layer-inside) shift; layer_inside "$@" ;;
  cleanup) shift; cleanup_root "$@" ;;
  locale) shift; locale_root "$@" ;;
  *) echo "usage: $0 base DEST MIRROR PACKAGES | layer DEST BASE PACKAGES" >&2; exit 2 ;;
esac
