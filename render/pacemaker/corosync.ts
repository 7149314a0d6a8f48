/**
 * corosync.conf of a database cluster, as a pure function of the spec: the file every node
 * receives over SSH (with the authkeys), so that membership is what the stack declares — a new
 * or replaced node has everything it needs to join, whichever node it is.
 *
 * The text is exactly what `pcs cluster setup <clusterSetupArgs(spec)> --no-cluster-uuid
 * --corosync_conf FILE` writes (tested): pcs's own format, no random cluster UUID, node ids
 * 1..n in the spec's order (a node keeps its id when it is replaced; growing adds the next one).
 */
import { COROSYNC_TIMINGS, CorosyncTimings, validateCorosyncTimings } from "./settings";
import { Membership, validateMembership } from "./spec";

/** Where corosync reads its configuration. */
export const COROSYNC_CONF_PATH = "/etc/corosync/corosync.conf";
/** corosync's key (root, 0400; 256 random bytes, as pcs makes it). */
export const COROSYNC_AUTHKEY_PATH = "/etc/corosync/authkey";
/** Pacemaker's key (hacluster:haclient, 0400; 256 random bytes). */
export const PACEMAKER_AUTHKEY_PATH = "/etc/pacemaker/authkey";
/** Length of both authkeys in bytes (pcs's; FIPS needs 256 for corosync). */
export const AUTHKEY_BYTES = 256;

/** The corosync.conf of this cluster (2 nodes: `two_node`, which implies wait_for_all). Depends on names and addresses only. */
export function corosyncConf(spec: Membership, timings: CorosyncTimings = COROSYNC_TIMINGS): string {
    validateMembership(spec);
    validateCorosyncTimings(timings);
    const nodes = spec.nodes.map((n, i) => [
        "    node {",
        `        ring0_addr: ${n.address}`,
        `        name: ${n.name}`,
        `        nodeid: ${i + 1}`,
        "    }",
    ].join("\n"));
    return [
        "totem {",
        "    version: 2",
        `    cluster_name: ${spec.clusterName}`,
        "    transport: knet",
        `    consensus: ${timings.consensusMs}`,
        `    token: ${timings.tokenMs}`,
        "    crypto_cipher: aes256",
        "    crypto_hash: sha256",
        "}",
        "",
        "nodelist {",
        nodes.join("\n\n"),
        "}",
        "",
        "quorum {",
        "    provider: corosync_votequorum",
        ...(spec.nodes.length === 2 ? ["    two_node: 1"] : []),
        "}",
        "",
        "logging {",
        "    to_logfile: yes",
        "    logfile: /var/log/corosync/corosync.log",
        "    to_syslog: yes",
        "    timestamp: on",
        "}",
        "",
    ].join("\n");
}
