#!/usr/bin/env bash
# PID 1 of one lab node. Started by lab/cluster.ts as
#   ip netns exec NETNS unshare --mount --uts --ipc --pid --fork --mount-proc lab/node-init.sh
# so it already runs in the node's own network, mount, UTS, IPC and PID namespaces.
# It gives the node its own hostname and private state directories (bind mounts of
# host folders under the lab's work dir), then runs corosync and pacemakerd in the
# foreground and reaps orphans until it is killed (kill -9 from the host = power loss).
#
# Environment (set by the caller):
#   NODE_NAME   host name = corosync/pacemaker node name (node1, node2, ...)
#   NODE_DIR    host folder holding this node's etc-corosync, lib-pacemaker, lib-corosync, log
#   FENCE_SPOOL host folder shared by every node and the drill (fence_lab requests)
set -euo pipefail
: "${NODE_NAME:?}" "${NODE_DIR:?}" "${FENCE_SPOOL:?}"

# unshare(1) already made every mount private: nothing below propagates to the host.
hostname "$NODE_NAME"
mount -t tmpfs -o mode=0755 node-run /run
mount -t tmpfs -o mode=1777 node-shm /dev/shm
mount -t tmpfs -o mode=1777 node-tmp /tmp
# /srv holds the data mountpoint: the Filesystem agent creates it on this node's tmpfs only.
mount -t tmpfs -o mode=0755 node-srv /srv
mount --bind "$NODE_DIR/etc-corosync" /etc/corosync
mount --bind "$NODE_DIR/lib-pacemaker" /var/lib/pacemaker
mount --bind "$NODE_DIR/lib-corosync" /var/lib/corosync
mount --bind "$NODE_DIR/log" /var/log
mkdir -p /run/fence_lab /run/lock /run/resource-agents
mount --bind "$FENCE_SPOOL" /run/fence_lab
install -d -o postgres -g postgres -m 2775 /run/postgresql
install -d -o hacluster -g haclient -m 0750 /run/crm

ip link set lo up

corosync -f &
# pacemakerd needs a running corosync: wait (bounded) until its IPC answers.
for _ in $(seq 1 100); do
  corosync-cfgtool -s >/dev/null 2>&1 && break
  sleep 0.1
done
pacemakerd -f &

# PID 1 duty: bash reaps every orphan in its SIGCHLD handler while it waits.
while true; do
  wait || true
  sleep 1
done
