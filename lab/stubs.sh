#!/usr/bin/env bash
# The lab's stand-ins for HashiCorp's consul and nomad packages (their apt repository is
# unreachable from here), served from a signed local apt repository that the nodes' user data
# points at instead of apt.releases.hashicorp.com.
#
# What each stub package carries, as HashiCorp's .deb does (their .release/linux/ files):
#   preinst: a system user and group (useradd --system --user-group --shell /bin/false);
#   postinst: /opt/consul (consul) or /opt/nomad/data (nomad) owned by that user, the config
#             folder chowned to it, systemd daemon-reload; the unit is NOT enabled or started;
#   files: /usr/bin/NAME (stubs/agent-stub), /etc/NAME.d/NAME.hcl and NAME.env (conffiles),
#          /usr/lib/systemd/system/NAME.service (consul: Type=notify, User=consul,
#          ConditionDirectoryNotEmpty=/etc/consul.d; nomad: as root, -config /etc/nomad.d).
#
# Usage: stubs.sh repo DIR CONSUL_VERSION NOMAD_VERSION SUITE
#   writes DIR/pool/*.deb, DIR/dists/SUITE/main/binary-amd64/Packages, DIR/dists/SUITE/InRelease
#   (signed with a key made for this repository) and DIR/key.asc (the armored public key).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

unit_consul() {
  cat <<'EOF'
[Unit]
Description="HashiCorp Consul (cloud-dbaas lab stand-in)"
Requires=network-online.target
After=network-online.target
ConditionDirectoryNotEmpty=/etc/consul.d

[Service]
Type=notify
EnvironmentFile=-/etc/consul.d/consul.env
User=consul
Group=consul
ExecStart=/usr/bin/consul agent -config-dir=/etc/consul.d/
ExecReload=/bin/kill --signal HUP $MAINPID
KillMode=process
KillSignal=SIGTERM
Restart=on-failure
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
EOF
}

unit_nomad() {
  cat <<'EOF'
[Unit]
Description=Nomad (cloud-dbaas lab stand-in)
Wants=network-online.target
After=network-online.target

[Service]
EnvironmentFile=-/etc/nomad.d/nomad.env
ExecReload=/bin/kill -HUP $MAINPID
ExecStart=/usr/bin/nomad agent -config /etc/nomad.d
KillMode=process
KillSignal=SIGINT
LimitNOFILE=65536
LimitNPROC=infinity
Restart=on-failure
RestartSec=2
TasksMax=infinity
OOMScoreAdjust=-1000

[Install]
WantedBy=multi-user.target
EOF
}

# deb NAME VERSION DATA_DIR OUT
deb() {
  local name="$1" version="$2" datadir="$3" out="$4"
  local root
  root="$(mktemp -d)"
  chmod 0755 "$root"
  mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/etc/$name.d" "$root/usr/lib/systemd/system"
  sed -e "s/@NAME@/$name/g" -e "s/@VERSION@/$version/g" "$here/stubs/agent-stub" > "$root/usr/bin/$name"
  chmod 0755 "$root/usr/bin/$name"
  printf '# Example %s configuration (lab stand-in of the packaged example).\ndata_dir = "%s"\n' "$name" "$datadir" > "$root/etc/$name.d/$name.hcl"
  : > "$root/etc/$name.d/$name.env"
  "unit_$name" > "$root/usr/lib/systemd/system/$name.service"
  printf '/etc/%s.d/%s.hcl\n/etc/%s.d/%s.env\n' "$name" "$name" "$name" "$name" > "$root/DEBIAN/conffiles"
  cat > "$root/DEBIAN/control" <<EOF
Package: $name
Version: $version
Architecture: amd64
Maintainer: cloud-dbaas lab <lab@invalid>
Section: admin
Priority: optional
Description: cloud-dbaas lab stand-in for HashiCorp $name
 Not HashiCorp's software: users, folders and unit as the real package, a stub binary.
EOF
  cat > "$root/DEBIAN/preinst" <<EOF
#!/bin/sh
set -eu
if ! id -u $name >/dev/null 2>&1; then
  useradd --system --user-group --shell /bin/false $name
fi
EOF
  cat > "$root/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
mkdir -p $datadir
chown $name:$name $datadir
chown -R $name:$name /etc/$name.d
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
EOF
  chmod 0755 "$root/DEBIAN/preinst" "$root/DEBIAN/postinst"
  dpkg-deb --root-owner-group --build "$root" "$out" >/dev/null
  rm -rf "$root"
}

repo() {
  local dir="$1" consul="$2" nomad="$3" suite="$4"
  mkdir -p "$dir/pool" "$dir/dists/$suite/main/binary-amd64"
  deb consul "$consul" /opt/consul "$dir/pool/consul_${consul}_amd64.deb"
  deb nomad "$nomad" /opt/nomad/data "$dir/pool/nomad_${nomad}_amd64.deb"
  (cd "$dir" && apt-ftparchive packages pool > "dists/$suite/main/binary-amd64/Packages")
  gzip -9nk "$dir/dists/$suite/main/binary-amd64/Packages"
  (cd "$dir/dists/$suite" && apt-ftparchive \
    -o APT::FTPArchive::Release::Suite="$suite" -o APT::FTPArchive::Release::Codename="$suite" \
    -o APT::FTPArchive::Release::Components=main -o APT::FTPArchive::Release::Architectures=amd64 \
    release . > Release)
  local gnupg
  gnupg="$(mktemp -d)"
  GNUPGHOME="$gnupg" gpg --batch --quiet --passphrase '' --quick-gen-key "cloud-dbaas lab repository <lab@invalid>" ed25519 sign never
  GNUPGHOME="$gnupg" gpg --batch --quiet --armor --export > "$dir/key.asc"
  GNUPGHOME="$gnupg" gpg --batch --quiet --yes --clearsign -o "$dir/dists/$suite/InRelease" "$dir/dists/$suite/Release"
  gpgconf --homedir "$gnupg" --kill all 2>/dev/null || true
  rm -rf "$gnupg"
}

case "${1:-}" in
  repo) shift; repo "$@" ;;
  *) echo "usage: $0 repo DIR CONSUL_VERSION NOMAD_VERSION SUITE" >&2; exit 2 ;;
esac
