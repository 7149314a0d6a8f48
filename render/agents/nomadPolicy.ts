/** Nomad ACL policies of a database cluster's nodes (HCL, no secret). */

/**
 * What the takeover script (render/databaseNode.ts) may do: read this node, list the jobs and
 * stop (reschedule) their allocations in the default namespace. Nothing else: no job submission,
 * no variables.
 */
export function takeoverPolicyRules(): string {
    return [
        'namespace "default" {',
        '  capabilities = ["list-jobs", "read-job", "alloc-lifecycle"]',
        "}",
        "node {",
        '  policy = "read"',
        "}",
        "",
    ].join("\n");
}
