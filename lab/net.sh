#!/usr/bin/env bash
# Network of the machine lab: every piece is a network namespace made here, nothing is added to
# the host's own namespace.
#   PREFIX-sw   the switch: bridge br0 = the platform subnet (the plan's, e.g. 10.42.0.0/24; the
#               gateway address is the mirror relay), bridge br1 = the lab's "outside"
#               (198.51.100.0/24: the bastion's public address, the operator).
#   PREFIX-op   the operator (where ssh runs): one port on br1 only, so the bastion is its only
#               way to the nodes.
#   PREFIX-NAME one per machine; its ports are veths plugged into a bridge, addressed by the
#               machine itself (cloud-init's network config), like a Nova server's ports.
# IPv4 forwarding stays off in every namespace (the kernel default in a new one).
#
# Usage:
#   net.sh switch-up PREFIX GATEWAY/LEN           create PREFIX-sw (br0 with GATEWAY, br1)
#   net.sh operator-up PREFIX ADDR/LEN            create PREFIX-op, port on br1 with ADDR
#   net.sh port-add PREFIX NAME BRIDGE PORT IFNAME MAC
#                                                 namespace PREFIX-NAME (created if missing),
#                                                 veth PORT (switch side) <-> IFNAME (machine side)
#   net.sh silence PREFIX NAME                    a powered-off machine: its ports down, no address
#   net.sh down PREFIX                            delete every namespace of PREFIX
#   net.sh list PREFIX                            print PREFIX's namespaces
set -euo pipefail

usage() { sed -n '2,25p' "$0" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
cmd=$1 prefix=$2
sw="$prefix-sw"

exists() { ip netns list | awk '{ print $1 }' | grep -qxF -- "$1"; }

case "$cmd" in
  switch-up)
    [[ $# -eq 3 ]] || usage
    ip netns add "$sw"
    ip -n "$sw" link set lo up
    for br in br0 br1; do
      ip -n "$sw" link add "$br" type bridge stp_state 0 forward_delay 0
      ip -n "$sw" link set "$br" up
    done
    ip -n "$sw" addr add "$3" dev br0
    ;;
  operator-up)
    [[ $# -eq 3 ]] || usage
    ns="$prefix-op"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$sw" link add op type veth peer name eth0 netns "$ns"
    ip -n "$sw" link set op master br1 up
    ip -n "$ns" addr add "$3" dev eth0
    ip -n "$ns" link set eth0 up
    ;;
  port-add)
    [[ $# -eq 7 ]] || usage
    name=$3 bridge=$4 port=$5 ifname=$6 mac=$7 ns="$prefix-$3"
    exists "$ns" || { ip netns add "$ns"; ip -n "$ns" link set lo up; }
    ip -n "$sw" link add "$port" type veth peer name "$ifname" netns "$ns"
    ip -n "$ns" link set "$ifname" address "$mac"
    ip -n "$sw" link set "$port" master "$bridge" up
    [[ -n "$name" ]]
    ;;
  silence)
    [[ $# -eq 3 ]] || usage
    ns="$prefix-$3"
    for dev in $(ip -n "$ns" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
      [[ "$dev" == lo ]] && continue
      ip -n "$ns" addr flush dev "$dev"
      ip -n "$ns" link set "$dev" down
    done
    ;;
  down)
    for ns in $(ip netns list | awk -v p="$prefix-" 'index($1, p) == 1 { print $1 }'); do
      ip netns del "$ns"
    done
    ;;
  list)
    ip netns list | awk -v p="$prefix-" 'index($1, p) == 1 { print $1 }'
    ;;
  *) usage ;;
esac
