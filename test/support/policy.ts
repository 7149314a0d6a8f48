/** Helpers of the policy tests: crafted changes on a list of resources, and a database fixture. */
import * as assert from "assert";
import { StackRun } from "../../plan/run";
import { fromRecorded } from "../../policy/adapt";
import { useStackRun } from "./fixtures";
import { TYPES, type CheckedResource, type StackConfig, type Violation } from "../../policy/rules";
import { stackNameFromUrn } from "../../policy/stackConfig";

/** The URN a resource of `type` named `name` has in `stack`. */
export function urnOf(stack: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::cloud-dbaas::${type}::${name}`;
}

/** The resource with some props replaced. */
export function withProps(r: CheckedResource, props: Record<string, unknown>): CheckedResource {
    return { ...r, props: { ...r.props, ...props } };
}

/** The resources with the one named `name` changed by `change`. */
export function changed(resources: readonly CheckedResource[], name: string, change: (r: CheckedResource) => CheckedResource): CheckedResource[] {
    assert.ok(resources.some((r) => r.name === name), `no resource named ${name}`);
    return resources.map((r) => (r.name === name ? change(r) : r));
}

/** The first resource of `type` that `filter` accepts (fails the test when none). */
export function first(resources: readonly CheckedResource[], type: string, filter: (r: CheckedResource) => boolean = () => true): CheckedResource {
    const r = resources.find((x) => x.type === type && filter(x));
    assert.ok(r, `no ${type}`);
    return r;
}

/** A security group rule next to `like` (same parent and stack), with the given props. */
export function extraRule(like: CheckedResource, name: string, props: Record<string, unknown>): CheckedResource {
    const stack = stackNameFromUrn(like.urn) ?? "test";
    return {
        type: TYPES.secGroupRule,
        name,
        urn: urnOf(stack, TYPES.secGroupRule, name),
        parent: like.parent,
        protect: false,
        retainOnDelete: false,
        props: { direction: "ingress", ethertype: "IPv4", securityGroupId: "sg-1", ...props },
    };
}

/** No violation. */
export function assertNone(violations: Violation[]): void {
    assert.deepEqual(violations.map((v) => v.message), []);
}

/** Every check passes on each (resources, config) case. */
export function assertPasses(check: (resources: readonly CheckedResource[], config: StackConfig) => Violation[], ...cases: [readonly CheckedResource[], StackConfig][]): void {
    for (const [resources, config] of cases) assertNone(check(resources, config));
}

/** Exactly one violation, by the resource named `name`, with a message matching `pattern`. */
export function assertOne(violations: Violation[], name: string, pattern: RegExp): void {
    assert.equal(violations.length, 1, `expected one violation, got: ${JSON.stringify(violations.map((v) => v.message), null, 1)}`);
    assert.equal(violations[0].name, name);
    assert.match(violations[0].message, pattern);
    assert.ok(violations[0].urn, "the violation names the resource's URN");
}

// ---------------------------------------------------------------------------------------------
// A small database stack, as the program is meant to register it (see design.md).

/** The fixture's stack config. */
export const DB_CONFIG: StackConfig = { "dbaas:kind": "database", "dbaas:allowedCidrs": '["10.0.0.0/8", "2001:db8::/32"]' };

/** A Pacemaker configuration script of the fixture. */
export const PCS_SCRIPT = [
    "#!/bin/bash",
    "set -euo pipefail",
    'pcs -f "$1" property set stonith-enabled=true',
    'pcs -f "$1" property set no-quorum-policy=stop',
    'pcs -f "$1" stonith create fence-openstack fence_openstack auth_url=https://keystone.example.org:5000/v3 pcmk_host_map="db-0:a;db-1:b"',
    'pcs -f "$1" resource create data-volume ocf:heartbeat:openstack-cinder-volume volume_id=vol-1 --group db',
].join("\n");

/** A small database stack, as the program registers one. */
export function databaseFixture(): CheckedResource[] {
    const s = "my-first-db";
    const db = urnOf(s, TYPES.database, "db");
    const r = (type: string, name: string, props: Record<string, unknown>, extra: Partial<CheckedResource> = {}): CheckedResource => ({
        type,
        name,
        urn: urnOf(s, `${TYPES.database}$${type}`, name),
        parent: db,
        protect: false,
        retainOnDelete: false,
        props,
        ...extra,
    });
    const group = r(TYPES.serverGroup, "db-servers", { name: "db", policies: ["anti-affinity"] });
    const server = (i: number) =>
        r(TYPES.instance, `db-server-${i}`, { userData: "#cloud-config\nhostname: db-" + i + "\nssh_pwauth: false\n", schedulerHints: [{ group: "sg-uuid" }] }, { dependsOn: [group.urn] });
    return [
        { type: TYPES.database, name: "db", urn: db, protect: false, retainOnDelete: false, props: {} },
        group,
        server(0),
        server(1),
        r(TYPES.volume, "db-data", { size: 10 }, { retainOnDelete: true }),
        r(TYPES.container, "db-backups", { name: "db-backups" }, { protect: true }),
        r(TYPES.secGroupRule, "db-engine-0", { direction: "ingress", protocol: "tcp", portRangeMin: 5432, portRangeMax: 5432, remoteIpPrefix: "10.0.0.0/8" }),
        r(TYPES.secGroupRule, "db-engine-1", { direction: "ingress", protocol: "tcp", portRangeMin: 5432, portRangeMax: 5432, remoteIpPrefix: "2001:db8::/32" }),
        r(TYPES.secGroupRule, "db-cluster", { direction: "ingress", protocol: "udp", portRangeMin: 5404, portRangeMax: 5406, remoteGroupId: "sg-db" }),
        r(TYPES.remoteCommand, "db-pacemaker-configure", { create: `sudo bash -s <<'EOF'\n${PCS_SCRIPT}\nEOF\n` }),
    ];
}

// ---------------------------------------------------------------------------------------------

/** A stack's offline run for the enclosing `describe`, and its registrations as the policies see them. */
export function useCheckedStack(configFile: string): { readonly run: () => StackRun; readonly resources: () => CheckedResource[] } {
    const run = useStackRun(configFile);
    let resources: CheckedResource[] | undefined;
    return { run, resources: () => (resources ??= run().resources.map(fromRecorded)) };
}
