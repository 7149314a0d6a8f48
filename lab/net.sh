#!/usr/bin/env bash
# Lab network: one "switch" network namespace holding a bridge, and one network namespace
# per node whose eth0 is a veth plugged into that bridge. Nothing is created in the host's
# own network namespace.
#
# Usage:
#   net.sh switch-up   PREFIX SWITCH_ADDR/LEN     create PREFIX-sw with bridge br0 (address for the prober)
#   net.sh node-up     PREFIX NODE ADDR/LEN       create PREFIX-NODE, veth NODE<->eth0, plug it into br0
#   net.sh port-down   PREFIX NODE                cut the node's switch port (a dead machine is silent)
#   net.sh node-down   PREFIX NODE                delete PREFIX-NODE (its veth pair goes with it)
#   net.sh switch-down PREFIX                     delete PREFIX-sw
#   net.sh list        PREFIX                     print this lab's namespaces
set -euo pipefail

usage() { sed -n '2,13p' "$0" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
cmd=$1 prefix=$2
sw="$prefix-sw"

case "$cmd" in
  switch-up)
    [[ $# -eq 3 ]] || usage
    ip netns add "$sw"
    ip -n "$sw" link set lo up
    ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0
    ip -n "$sw" link set br0 up
    ip -n "$sw" addr add "$3" dev br0
    ;;
  node-up)
    [[ $# -eq 4 ]] || usage
    node=$3 addr=$4 ns="$prefix-$3"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$sw" link add "$node" type veth peer name eth0 netns "$ns"
    ip -n "$sw" link set "$node" master br0 up
    ip -n "$ns" addr add "$addr" dev eth0
    ip -n "$ns" link set eth0 up
    ;;
  port-down)
    [[ $# -eq 3 ]] || usage
    ip -n "$sw" link set "$3" down 2>/dev/null || true
    ;;
  node-down)
    [[ $# -eq 3 ]] || usage
    ns="$prefix-$3"
    if ip netns list | grep -qw -- "$ns"; then ip netns del "$ns"; fi
    # The switch-side veth disappears with its peer; remove it if the peer was already gone.
    ip -n "$sw" link del "$3" 2>/dev/null || true
    ;;
  switch-down)
    if ip netns list | grep -qw -- "$sw"; then ip netns del "$sw"; fi
    ;;
  list)
    ip netns list | awk -v p="$prefix-" 'index($1, p) == 1 { print $1 }'
    ;;
  *) usage ;;
esac
