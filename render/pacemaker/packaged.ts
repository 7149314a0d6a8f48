/**
 * What Debian 12's packages do to a database node at install time, and what the node's user
 * data does about it (read from the packages; seen on the lab's nodes):
 * - corosync ships /etc/corosync/corosync.conf for a one-node cluster named `debian` and starts
 *   corosync and pacemaker: a fresh node is already "in a cluster". At first boot, while that
 *   file is still the package's own (its md5 is dpkg's record of the conffile), the packaged
 *   cluster is destroyed; any other corosync.conf is never touched.
 * - unattended-upgrades upgrades Debian's packages daily, on every node within the same hour,
 *   and the cluster stack's maintainer scripts restart corosync, Pacemaker or docker: they are
 *   blacklisted, and patched by hand one node at a time (README: patching the database nodes).
 */

/**
 * sh run once at first boot (cloud-init runcmd): `pcs cluster destroy --force` (stops the
 * packaged cluster, removes its corosync.conf and CIB) only while corosync.conf is byte for byte
 * the conffile the corosync package installed. Prints what it did.
 */
export const DESTROY_PACKAGED_CLUSTER = [
    "conffile=/etc/corosync/corosync.conf",
    "# COROSYNC_CONF only for tests.",
    "conf=${COROSYNC_CONF:-$conffile}",
    "shipped=$(dpkg-query -W -f='${Conffiles}\\n' corosync 2>/dev/null | awk -v f=\"$conffile\" '$1 == f { print $2 }')",
    "if [ -n \"$shipped\" ] && [ -f \"$conf\" ] && [ \"$(md5sum < \"$conf\" | cut -d' ' -f1)\" = \"$shipped\" ]; then",
    "  pcs cluster destroy --force",
    "  echo \"dbaas: destroyed the corosync package's default cluster (its corosync.conf was untouched)\"",
    "else",
    "  echo \"dbaas: $conf is not the corosync package's default: left alone\"",
    "fi",
].join("\n");

/** Where the blacklist is written (after the package's 50unattended-upgrades: apt appends list items). */
export const UNATTENDED_UPGRADES_BLACKLIST_PATH = "/etc/apt/apt.conf.d/51dbaas-cluster-stack";

/**
 * Packages unattended-upgrades must never upgrade on a database node, as the regular
 * expressions it matches package names against (from the start of the name): the cluster
 * stack (corosync and its libraries, knet, libqb, Pacemaker and its libraries, pcs), the agents it runs
 * (resource-agents, fence-agents) and docker (its upgrade restarts the engine's container).
 */
export const CLUSTER_STACK_PACKAGES = [
    "^corosync", "^libcorosync", "^libcfg", "^libcmap", "^libcpg", "^libquorum", "^libsam", "^libvotequorum", "^libknet", "^libnozzle", "^libqb",
    "^pacemaker", "^libpacemaker", "^libcib", "^libcrm", "^liblrmd", "^libpe-", "^libstonithd",
    "^pcs$", "^resource-agents", "^fence-agents",
    "^docker.io$", "^containerd$", "^runc$",
] as const;

/** The apt configuration file that blacklists {@link CLUSTER_STACK_PACKAGES}. */
export function unattendedUpgradesBlacklist(): string {
    return [
        "// Managed by cloud-dbaas: the cluster stack is upgraded by hand, one node at a time",
        "// (pcs node standby, upgrade, unstandby: README, patching the database nodes). Its",
        "// maintainer scripts restart corosync, Pacemaker or docker, and unattended-upgrades runs",
        "// on every node within the same hour.",
        "Unattended-Upgrade::Package-Blacklist {",
        ...CLUSTER_STACK_PACKAGES.map((p) => `    "${p}";`),
        "};",
        "",
    ].join("\n");
}
