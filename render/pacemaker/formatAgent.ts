/**
 * The OCF resource agent that gives the blank data volume its file system, once
 * (`ocf:dbaas:format-once`, installed by the nodes' user data): a member of the database group
 * between the volume and its file system. A new Cinder volume is blank and
 * `ocf:heartbeat:Filesystem` never formats.
 *
 * Its start formats the device only when all of these hold:
 * - `blkid -p` (a low-level probe of every known signature) exits 2: no signature at all. A
 *   device holding any signature (exit 0) is left as it is; a device it cannot probe or whose
 *   signatures disagree (any other exit) fails the start. mkfs runs without -f/-F.
 * - The cluster has no record of having formatted this device (`dbaas-formatted-<device>`, a
 *   cluster property in the replicated CIB, set after the first format or the first time a file
 *   system is seen): a volume that was formatted and now reads blank (the wrong volume attached,
 *   or wiped) stops the group with an error instead of getting an empty file system.
 * - It holds an exclusive lock on the device node (flock) and probes again under it; mkfs then
 *   opens the device exclusively (O_EXCL), so nothing on this node may have it open or mounted.
 * Across nodes, two starts never overlap: Pacemaker runs the group on one node at a time and
 * fences a node before the group starts elsewhere, and a Cinder volume (not multi-attach) is
 * attached to one server at a time — the device exists only where the group runs.
 */

/** Where the nodes' user data installs it (OCF provider "dbaas"). */
export const FORMAT_AGENT_PATH = "/usr/lib/ocf/resource.d/dbaas/format-once";

/** The agent's name as pcs takes it. */
export const FORMAT_AGENT = "ocf:dbaas:format-once";

/** The agent (POSIX sh, OCF 1.1, resource-agents' ocf-shellfuncs). */
export const FORMAT_AGENT_SCRIPT = `#!/bin/sh
# Managed by cloud-dbaas: formats a blank data volume, once (see render/pacemaker/formatAgent.ts).
: "\${OCF_ROOT:=/usr/lib/ocf}"
: "\${OCF_FUNCTIONS_DIR:=\${OCF_ROOT}/lib/heartbeat}"
# shellcheck disable=SC1091 # from resource-agents, on the node
. "\${OCF_FUNCTIONS_DIR}/ocf-shellfuncs"

STATE="\${HA_RSCTMP:-/run/resource-agents}/format-once-\${OCF_RESOURCE_INSTANCE:-data-format}"
DEVICE="\${OCF_RESKEY_device:-}"
FSTYPE="\${OCF_RESKEY_fstype:-}"

meta_data() {
  cat <<'XML'
<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="format-once" version="1.0">
<version>1.1</version>
<longdesc lang="en">Gives a blank block device a file system, once: only when blkid -p finds no signature at all on it (exit 2), never without the cluster's record that it was never formatted, never with -f. Any other probe result fails the start.</longdesc>
<shortdesc lang="en">Formats a blank volume once</shortdesc>
<parameters>
<parameter name="device" required="1" unique="1">
<longdesc lang="en">The block device (e.g. /dev/disk/by-id/virtio-...).</longdesc>
<shortdesc lang="en">Block device</shortdesc>
<content type="string"/>
</parameter>
<parameter name="fstype" required="1" unique="0">
<longdesc lang="en">File system to create: xfs or ext4.</longdesc>
<shortdesc lang="en">File system</shortdesc>
<content type="string"/>
</parameter>
</parameters>
<actions>
<action name="start" timeout="600s"/>
<action name="stop" timeout="20s"/>
<action name="monitor" timeout="20s" interval="60s" depth="0"/>
<action name="meta-data" timeout="5s"/>
<action name="validate-all" timeout="5s"/>
</actions>
</resource-agent>
XML
}

validate() {
  case "$FSTYPE" in
    xfs) MKFS="mkfs.xfs -K" ;;
    ext4) MKFS="mkfs.ext4 -E nodiscard" ;;
    *) ocf_exit_reason "fstype must be xfs or ext4, not '$FSTYPE'"; return "$OCF_ERR_CONFIGURED" ;;
  esac
  [ -n "$DEVICE" ] || { ocf_exit_reason "device is required"; return "$OCF_ERR_CONFIGURED"; }
  have_binary "mkfs.$FSTYPE" || { ocf_exit_reason "mkfs.$FSTYPE is not installed"; return "$OCF_ERR_INSTALLED"; }
  return "$OCF_SUCCESS"
}

# The cluster's record that this device got (or was found with) a file system: a cluster property.
mark_name() { echo "dbaas-formatted-$(basename "$DEVICE")"; }
marked() { crm_attribute --type crm_config --name "$(mark_name)" --query --quiet 2>/dev/null; }
mark() { crm_attribute --type crm_config --name "$(mark_name)" --update "$1" >/dev/null; }

# blkid -p exit code: 0 a signature, 2 none, anything else: cannot tell.
probe() { blkid -p "$DEVICE" >/dev/null 2>&1; }

format_start() {
  validate || return $?
  [ -b "$DEVICE" ] || { ocf_exit_reason "$DEVICE is not a block device here (is the volume attached?)"; return "$OCF_ERR_GENERIC"; }
  exec 9<"$DEVICE" || { ocf_exit_reason "cannot open $DEVICE"; return "$OCF_ERR_GENERIC"; }
  flock -x -w 60 9 || { ocf_exit_reason "$DEVICE is locked by another process"; return "$OCF_ERR_GENERIC"; }
  probe
  rc=$?
  case "$rc" in
    0)
      ocf_log info "$DEVICE holds a signature ($(blkid -p -o value -s TYPE "$DEVICE" 2>/dev/null)): not formatting"
      [ -n "$(marked)" ] || mark "found $(date -u +%FT%TZ)" || ocf_log warn "could not record that $DEVICE has a file system"
      ;;
    2)
      if previous=$(marked) && [ -n "$previous" ]; then
        ocf_exit_reason "$DEVICE reads blank, yet this cluster recorded a file system on it ($previous): refusing to format it again"
        return "$OCF_ERR_CONFIGURED"
      fi
      ocf_log warn "$DEVICE holds no signature at all: $MKFS $DEVICE"
      # shellcheck disable=SC2086 # MKFS is the command and its options
      if ! out=$($MKFS "$DEVICE" 2>&1); then
        ocf_exit_reason "$MKFS $DEVICE failed: $(printf '%s' "$out" | tail -n 3 | tr '\\n' ' ')"
        return "$OCF_ERR_GENERIC"
      fi
      mark "formatted $(date -u +%FT%TZ) $FSTYPE" || { ocf_exit_reason "formatted $DEVICE but could not record it"; return "$OCF_ERR_GENERIC"; }
      ;;
    *)
      ocf_exit_reason "blkid -p $DEVICE exited $rc: cannot tell whether it is blank; not formatting"
      return "$OCF_ERR_GENERIC"
      ;;
  esac
  exec 9<&-
  mkdir -p "$(dirname "$STATE")" && touch "$STATE"
  return "$OCF_SUCCESS"
}

case "\${__OCF_ACTION:-\${1:-}}" in
  meta-data) meta_data; exit "$OCF_SUCCESS" ;;
  validate-all) validate; exit $? ;;
  start) format_start; exit $? ;;
  stop) rm -f "$STATE"; exit "$OCF_SUCCESS" ;;
  monitor|status) if [ -e "$STATE" ]; then exit "$OCF_SUCCESS"; fi; exit "$OCF_NOT_RUNNING" ;;
  usage|help) echo "usage: $0 {start|stop|monitor|validate-all|meta-data}"; exit "$OCF_SUCCESS" ;;
  *) exit "$OCF_ERR_UNIMPLEMENTED" ;;
esac
`;
