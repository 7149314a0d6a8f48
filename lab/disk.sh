#!/usr/bin/env bash
# The lab's shared block device: a loop device over a sparse file, formatted, holding a
# PostgreSQL data directory (Debian's PostgreSQL 15, owned by the postgres user).
# Every node sees the device (/dev is shared); only Pacemaker's Filesystem agent mounts it.
#
# Usage:
#   disk.sh create  IMAGE FSTYPE NET_CIDR   prints the loop device (e.g. /dev/loop3)
#   disk.sh destroy LOOPDEV IMAGE           detach the loop device, delete the image
#
# The data directory is prepared inside a private mount namespace: the host never sees
# the mount. PostgreSQL accepts the role "drill" (no password) from NET_CIDR over TCP; the
# prober reads the table drill_marker through it. The superuser stays on the local socket.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
[[ $# -ge 1 ]] || usage

case "$1" in
  create)
    [[ $# -eq 4 ]] || usage
    image=$2 fstype=$3 cidr=$4
    truncate -s 512M "$image"
    loop=$(losetup --find --show "$image")
    case "$fstype" in
      xfs) mkfs.xfs -q -f "$loop" ;;
      ext4) mkfs.ext4 -q -F "$loop" ;;
      *) echo "disk.sh: unknown fstype $fstype" >&2; losetup -d "$loop"; exit 2 ;;
    esac
    # shellcheck disable=SC2016 # expanded by the inner bash
    unshare --mount --propagation private bash -euo pipefail -c '
      loop=$1 cidr=$2 pgbin=$3
      dir=$(mktemp -d)
      mount "$loop" "$dir"
      trap "umount \"$dir\"; rmdir \"$dir\"" EXIT
      install -d -o postgres -g postgres -m 0700 "$dir/pgdata"
      runuser -u postgres -- "$pgbin/initdb" -D "$dir/pgdata" -U postgres --auth-local=peer --auth-host=reject >/dev/null
      cat >>"$dir/pgdata/postgresql.conf" <<CONF
listen_addresses = '"'*'"'
port = 5432
unix_socket_directories = '"'/run/postgresql'"'
CONF
      # TCP: only the non-superuser drill role, only from the lab network.
      printf "host postgres drill %s trust\n" "$cidr" >"$dir/pgdata/pg_hba.conf.new"
      cat "$dir/pgdata/pg_hba.conf" >>"$dir/pgdata/pg_hba.conf.new"
      mv "$dir/pgdata/pg_hba.conf.new" "$dir/pgdata/pg_hba.conf"
      chown postgres:postgres "$dir/pgdata/pg_hba.conf"
      runuser -u postgres -- "$pgbin/postgres" --single -D "$dir/pgdata" postgres >/dev/null 2>&1 <<SQL
CREATE ROLE drill LOGIN;
CREATE TABLE drill_marker (v text);
INSERT INTO drill_marker VALUES ('"'served from the shared volume'"');
GRANT SELECT ON drill_marker TO drill;
SQL
    ' disk "$loop" "$cidr" "$PGBIN"
    echo "$loop"
    ;;
  destroy)
    [[ $# -eq 3 ]] || usage
    loop=$2 image=$3
    if losetup "$loop" 2>/dev/null | grep -qF -- "$image"; then losetup -d "$loop"; fi
    rm -f -- "$image"
    ;;
  *) usage ;;
esac
