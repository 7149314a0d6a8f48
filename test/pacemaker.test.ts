import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import {
    ClusterSpec,
    clusterSetupArgs,
    configureScript,
    corosyncConf,
    COROSYNC_TIMINGS,
    RESOURCE_IDS,
    setupScript,
} from "../render/pacemaker";
import {
    activeNodes,
    crmSimulate,
    crmVerify,
    findActions,
    parseGraph,
    run,
    runOk,
    startOf,
    TempDir,
    TransitionGraph,
    waitsFor,
    writeEmptyCib,
} from "./support/pacemaker-tools";

const MEMBERS = [RESOURCE_IDS.volume, RESOURCE_IDS.format, RESOURCE_IDS.filesystem, RESOURCE_IDS.ip, RESOURCE_IDS.docker, RESOURCE_IDS.nomad];

function makeSpec(nodeCount: number): ClusterSpec {
    return {
        clusterName: "my-first-db",
        nodes: Array.from({ length: nodeCount }, (_, i) => ({
            name: `node${i + 1}`,
            address: `198.51.100.${11 + i}`,
            serverId: `0000000${i + 1}-1111-4222-8333-444444444444`,
        })),
        volumeId: "a1b2c3d4-e5f6-4789-8abc-def012345678",
        floatingIpId: "f1f2f3f4-e5f6-4789-8abc-def012345678",
        floatingIp: "198.51.100.100",
        subnetId: "51515151-e5f6-4789-8abc-def012345678",
        mountpoint: "/srv/my-first-db",
        fstype: "xfs",
        cloud: "dbaas",
    };
}

/** Writes the configure script and an empty CIB for the spec's nodes, applies the script with bash. */
function configuredCib(tmp: TempDir, spec: ClusterSpec): string {
    const cib = tmp.file("cib.xml");
    writeEmptyCib(cib, spec.nodes.map((n) => n.name));
    runOk("bash", [tmp.write("configure.sh", configureScript(spec)), cib]);
    return cib;
}

/** The node(s) on which every group member is active; asserts they agree. */
function groupNodes(cib: string): string[] {
    const active = activeNodes(cib);
    const perMember = MEMBERS.map((m) => (active.get(m) ?? []).slice().sort().join(","));
    assert.equal(new Set(perMember).size, 1, `group members on different nodes: ${perMember.join(" | ")}`);
    return perMember[0] === "" ? [] : perMember[0].split(",");
}

function groupMemberTransitions(graph: TransitionGraph): string[] {
    return findActions(graph, (a) => MEMBERS.some((m) => a.key === `${m}_start_0` || a.key === `${m}_stop_0`)).map((a) => a.key);
}

for (const nodeCount of [2, 3]) {
    describe(`pacemaker configuration, ${nodeCount} nodes (pcs -f, crm_verify, crm_simulate)`, () => {
        const spec = makeSpec(nodeCount);
        const names = spec.nodes.map((n) => n.name);
        let tmp: TempDir;
        let cib: string;
        let up: string;
        let startGraph: TransitionGraph;
        let holder: string;

        before(() => {
            tmp = new TempDir();
            cib = configuredCib(tmp, spec);
            up = tmp.file("up.xml");
            crmSimulate(cib, ["-q", "1", ...names.flatMap((n) => ["-u", n])], up, tmp.file("start-graph.xml"));
            startGraph = parseGraph(fs.readFileSync(tmp.file("start-graph.xml"), "utf8"));
            holder = startOf(startGraph, RESOURCE_IDS.volume).node!;
        });
        after(() => tmp.remove());

        it("crm_verify accepts the configured CIB without any warning", () => {
            const r = crmVerify(cib);
            assert.equal(r.status, 0, r.stdout + r.stderr);
            assert.equal(r.stderr.trim(), "");
        });

        it("writes the fence device, the host map and the cluster properties", () => {
            const xml = fs.readFileSync(cib, "utf8");
            assert.match(xml, /name="stonith-enabled" value="true"/);
            assert.match(xml, /name="no-quorum-policy" value="stop"/);
            assert.match(xml, /name="resource-stickiness" value="100"/);
            assert.match(xml, /<primitive id="fence-nodes" class="stonith" type="fence_openstack">/);
            const map = spec.nodes.map((n) => `${n.name}:${n.serverId}`).join(";");
            assert.ok(xml.includes(`name="pcmk_host_map" value="${map}"`), "pcmk_host_map");
            for (const [rsc, timeout] of [[RESOURCE_IDS.volume, "300s"], [RESOURCE_IDS.filesystem, "120s"]]) {
                const stop = new RegExp(`<op [^>]*id="${rsc}-stop-interval-0s"[^>]*>`).exec(xml)?.[0] ?? "";
                assert.match(stop, /on-fail="fence"/, `${rsc} stop fences on failure`);
                assert.match(stop, new RegExp(`timeout="${timeout}"`), `${rsc} stop timeout`);
            }
            assert.ok(xml.includes(`name="device" value="/dev/disk/by-id/virtio-${spec.volumeId.slice(0, 20)}"`), "device path");
        });

        it("re-running the script on a configured CIB changes nothing", () => {
            const before = fs.readFileSync(cib, "utf8");
            runOk("bash", [tmp.file("configure.sh"), cib]);
            assert.equal(fs.readFileSync(cib, "utf8"), before);
        });

        it("starts the whole group on one node, after the info clone there", () => {
            assert.deepEqual(groupNodes(up), [holder]);
            const info = findActions(startGraph, (a) => a.kind === "rsc_op" && a.operation === "start" && a.node === holder && (a.resource ?? "").startsWith(`${RESOURCE_IDS.info}:`));
            assert.equal(info.length, 1, "one info clone start on the holder");
            assert.ok(waitsFor(startGraph, startOf(startGraph, MEMBERS[0]), info[0]), "volume waits for the info clone");
        });

        it("starts each group member only after the previous one", () => {
            for (let i = 1; i < MEMBERS.length; i++) {
                const later = startOf(startGraph, MEMBERS[i]);
                const earlier = startOf(startGraph, MEMBERS[i - 1]);
                assert.equal(later.node, holder);
                assert.ok(waitsFor(startGraph, later, earlier), `${MEMBERS[i]} waits for ${MEMBERS[i - 1]}`);
                assert.ok(!waitsFor(startGraph, earlier, later), `${MEMBERS[i - 1]} does not wait for ${MEMBERS[i]}`);
            }
        });

        for (const failing of names) {
            it(`on the failure of ${failing}: fence first, the group moves whole or stays put`, () => {
                const out = tmp.file(`fail-${failing}.xml`);
                const graphFile = tmp.file(`fail-${failing}-graph.xml`);
                crmSimulate(up, ["--node-fail", failing], out, graphFile);
                const graph = parseGraph(fs.readFileSync(graphFile, "utf8"));
                const fencing = findActions(graph, (a) => a.operation === "stonith" && a.node === failing);
                assert.equal(fencing.length, 1, `one stonith action for ${failing}`);
                if (failing === holder) {
                    const volStart = startOf(graph, RESOURCE_IDS.volume);
                    assert.notEqual(volStart.node, failing);
                    assert.ok(waitsFor(graph, volStart, fencing[0]), "the volume starts after the fencing");
                    for (const m of MEMBERS) assert.equal(startOf(graph, m).node, volStart.node, `${m} moves with the volume`);
                    assert.deepEqual(groupNodes(out), [volStart.node]);
                } else {
                    assert.deepEqual(groupMemberTransitions(graph), [], "no group member starts or stops");
                    assert.deepEqual(groupNodes(out), [holder]);
                }
            });
        }

        it("fences the holder when the file system fails to stop, before the volume starts elsewhere", () => {
            const graphFile = tmp.file("stop-fail-graph.xml");
            crmSimulate(up, ["-i", `${RESOURCE_IDS.filesystem}_stop_0@${holder}=1`], tmp.file("stop-fail.xml"), graphFile);
            const graph = parseGraph(fs.readFileSync(graphFile, "utf8"));
            const fencing = findActions(graph, (a) => a.operation === "stonith" && a.node === holder);
            assert.equal(fencing.length, 1);
            assert.ok(waitsFor(graph, startOf(graph, RESOURCE_IDS.volume), fencing[0]));
        });

        it("a failed monitor of the info clone on the holder restarts nothing (on-fail=ignore: a metadata hiccup)", () => {
            const graphFile = tmp.file("info-monitor-fail-graph.xml");
            crmSimulate(up, ["-i", `${RESOURCE_IDS.info}_monitor_60000@${holder}=1`], tmp.file("info-monitor-fail.xml"), graphFile);
            const graph = parseGraph(fs.readFileSync(graphFile, "utf8"));
            assert.deepEqual(groupMemberTransitions(graph), [], "no group member stops or starts");
            assert.deepEqual(findActions(graph, (a) => a.kind === "rsc_op" && (a.operation === "stop" || a.operation === "start")).map((a) => a.key), []);
            assert.deepEqual(groupNodes(tmp.file("info-monitor-fail.xml")), [holder]);
        });

        it("corosync.conf is exactly what pcs cluster setup --no-cluster-uuid writes, and corosync accepts it", () => {
            const conf = tmp.file("pcs-corosync.conf");
            runOk("pcs", [...clusterSetupArgs(spec), "--no-cluster-uuid", "--corosync_conf", conf]);
            assert.equal(corosyncConf(spec), fs.readFileSync(conf, "utf8"));
            // corosync -t parses and checks it as the first node would (its address on a private
            // network namespace; a key file of the test's: /etc/corosync/authkey is the node's).
            fs.writeFileSync(tmp.file("authkey"), Buffer.alloc(256, 7), { mode: 0o400 });
            const checked = tmp.write("checked.conf", corosyncConf(spec).replace("totem {\n", `totem {\n    keyfile: ${tmp.file("authkey")}\n`));
            const t = run("unshare", ["--net", "sh", "-c", `ip link set lo up && ip addr add ${spec.nodes[0].address}/32 dev lo && corosync -t -c "$0"`, checked]);
            assert.equal(t.status, 0, t.stdout + t.stderr);
        });

        it("pcs cluster setup --corosync_conf writes the timings (and two_node for 2 nodes)", () => {
            const conf = tmp.file("corosync.conf");
            runOk("pcs", [...clusterSetupArgs(spec), "--corosync_conf", conf]);
            const text = fs.readFileSync(conf, "utf8");
            assert.match(text, /cluster_name: my-first-db\n/);
            assert.match(text, new RegExp(`\\btoken: ${COROSYNC_TIMINGS.tokenMs}\\n`));
            assert.match(text, new RegExp(`\\bconsensus: ${COROSYNC_TIMINGS.consensusMs}\\n`));
            for (const n of spec.nodes) assert.ok(text.includes(`ring0_addr: ${n.address}\n        name: ${n.name}`), n.name);
            if (nodeCount === 2) assert.match(text, /two_node: 1/);
            else assert.doesNotMatch(text, /two_node/);
        });

        it("shellcheck passes on both scripts", () => {
            for (const [name, text] of [["configure.sh", configureScript(spec)], ["setup.sh", setupScript(spec)]]) {
                const r = run("shellcheck", [tmp.write(`sc-${name}`, text)]);
                assert.equal(r.status, 0, r.stdout + r.stderr);
            }
        });
    });
}

describe("pacemaker generator input validation", () => {
    const cases: [string, (s: ClusterSpec) => ClusterSpec, RegExp][] = [
        ["missing volume id", (s) => ({ ...s, volumeId: "" }), /volumeId/],
        ["one node", (s) => ({ ...s, nodes: s.nodes.slice(0, 1) }), /nodes.*2 or 3/],
        ["four nodes", (s) => ({ ...s, nodes: makeSpec(4).nodes }), /nodes.*2 or 3/],
        ["duplicate node names", (s) => ({ ...s, nodes: [s.nodes[0], { ...s.nodes[1], name: s.nodes[0].name }] }), /nodes\[1\]\.name.*duplicate/],
        ["unknown preferred node", (s) => ({ ...s, preferredNode: "node9" }), /preferredNode.*unknown/],
        ["bad node address", (s) => ({ ...s, nodes: [s.nodes[0], { ...s.nodes[1], address: "198.51.100.300" }] }), /nodes\[1\]\.address/],
        ["bad server id", (s) => ({ ...s, nodes: [{ ...s.nodes[0], serverId: "x" }, s.nodes[1]] }), /nodes\[0\]\.serverId/],
        ["cluster name not a DNS label", (s) => ({ ...s, clusterName: "My_DB" }), /clusterName/],
        ["relative mountpoint", (s) => ({ ...s, mountpoint: "srv/db" }), /mountpoint/],
        ["mountpoint with ..", (s) => ({ ...s, mountpoint: "/srv/../etc" }), /mountpoint/],
        ["bad floating ip", (s) => ({ ...s, floatingIp: "nope" }), /floatingIp/],
        ["cloud with a quote", (s) => ({ ...s, cloud: "db'aas" }), /cloud/],
    ];
    for (const [name, mutate, message] of cases) {
        it(`throws on ${name}`, () => {
            const broken = mutate(makeSpec(2));
            assert.throws(() => configureScript(broken), message);
            assert.throws(() => setupScript(broken), message);
        });
    }

    it("accepts the valid specs (the cases above are the only difference)", () => {
        assert.doesNotThrow(() => configureScript(makeSpec(2)));
        assert.doesNotThrow(() => setupScript(makeSpec(3)));
    });
});

describe("pacemaker scripts fail when they should", () => {
    let tmp: TempDir;
    beforeEach(() => (tmp = new TempDir()));
    afterEach(() => tmp.remove());

    it("pcs rejects a tampered script that lost a required agent parameter", () => {
        const spec = makeSpec(2);
        const cib = tmp.file("cib.xml");
        writeEmptyCib(cib, ["node1", "node2"]);
        const tampered = configureScript(spec).replace(/ subnet_id=\S+/, "");
        assert.notEqual(tampered, configureScript(spec), "the tampering changed the script");
        const r = run("bash", [tmp.write("configure.sh", tampered), cib]);
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /subnet_id/);
    });

    it("the configure script refuses to run without a CIB file", () => {
        const r = run("bash", [tmp.write("configure.sh", configureScript(makeSpec(2)))]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /usage/);
    });
});

describe("pacemaker setup script (pcs and corosync's tools stubbed on PATH)", () => {
    const password = "s3cret pass'word";
    let tmp: TempDir;
    let env: NodeJS.ProcessEnv;

    /** Stubs log each call (argv; pcs host auth's stdin); corosync-cmapctl answers the nodelist of $RUNNING (none: corosync down). */
    beforeEach(() => {
        tmp = new TempDir();
        fs.mkdirSync(tmp.file("bin"));
        const log = tmp.file("calls.log");
        const stub = (name: string, body = "") => tmp.write(`bin/${name}`, `#!/usr/bin/env bash\nprintf '%s %s\\n' "${name}" "$*" >> "${log}"\n${body}\n`, 0o755);
        stub("pcs", `if [[ "$1" == host ]]; then printf 'stdin: %s\\n' "$(cat)" >> "${log}"; fi`);
        stub("corosync-cmapctl", 'if [[ -z "${RUNNING:-}" ]]; then exit 1; fi\ni=0; for n in $RUNNING; do echo "nodelist.node.$i.name (str) = $n"; echo "nodelist.node.$i.nodeid (u32) = $((i + 1))"; i=$((i + 1)); done');
        stub("corosync-cfgtool");
        stub("crm_node");
        tmp.write("corosync.conf", corosyncConf(makeSpec(2)));
        env = { ...process.env, PATH: `${tmp.file("bin")}:${process.env.PATH}`, COROSYNC_CONF: tmp.file("corosync.conf") };
    });
    afterEach(() => tmp.remove());

    const calls = () => fs.readFileSync(tmp.file("calls.log"), "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("corosync-cmapctl"));
    const setup = (nodes: number, extra: NodeJS.ProcessEnv = {}, input = `${password}\n`) =>
        run("bash", [tmp.write("setup.sh", setupScript(makeSpec(nodes)))], { env: { ...env, ...extra }, input });

    it("a fresh cluster (corosync not running yet): authenticates with the password from stdin only, starts and enables every node", () => {
        const script = setupScript(makeSpec(2));
        assert.ok(!script.includes(password));
        const r = setup(2);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(calls(), [
            "pcs host auth node1 addr=198.51.100.11 node2 addr=198.51.100.12 -u hacluster",
            `stdin: ${password}`,
            "pcs cluster start --all --wait=300",
            "pcs cluster enable --all",
        ]);
        assert.ok(!(r.stdout + r.stderr).includes(password), "the password is never printed");
    });

    it("a running cluster (a re-run, a replaced node, a node added): corosync reloads corosync.conf everywhere, then every node is started", () => {
        const r = setup(3, { RUNNING: "node1 node2" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(calls().filter((c) => !c.startsWith("stdin")), [
            "pcs host auth node1 addr=198.51.100.11 node2 addr=198.51.100.12 node3 addr=198.51.100.13 -u hacluster",
            "corosync-cfgtool -R",
            "pcs cluster start --all --wait=300",
            "pcs cluster enable --all",
        ]);
    });

    it("a node no longer declared (3 → 2) leaves cleanly before corosync reloads, and is then forgotten", () => {
        const r = setup(2, { RUNNING: "node1 node2 node3" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(calls().filter((c) => !c.startsWith("stdin") && !c.startsWith("pcs host")), [
            "pcs cluster stop node3 --request-timeout=900",
            "pcs cluster disable node3",
            "corosync-cfgtool -R",
            "pcs cluster start --all --wait=300",
            "pcs cluster enable --all",
            "crm_node --force --remove node3",
        ]);
    });

    it("refuses a corosync.conf of another cluster (or none), and an empty password", () => {
        tmp.write("corosync.conf", "totem {\n    cluster_name: my-first-db-2\n}\n");
        const other = setup(2, { RUNNING: "node1 node2" });
        assert.equal(other.status, 1);
        assert.match(other.stderr, /not cluster my-first-db's/);
        assert.ok(!fs.existsSync(tmp.file("calls.log")), "nothing was run");
        const empty = setup(2, {}, "");
        assert.equal(empty.status, 2);
        assert.match(empty.stderr, /password/);
    });
});

describe("corosync timings of cluster setup", () => {
    it("uses COROSYNC_TIMINGS by default and an explicit override when given (the drill's tuning runs)", () => {
        const spec = makeSpec(2);
        const tail = (args: string[]) => args.slice(args.indexOf("totem"));
        assert.deepEqual(tail(clusterSetupArgs(spec)), ["totem", `token=${COROSYNC_TIMINGS.tokenMs}`, `consensus=${COROSYNC_TIMINGS.consensusMs}`]);
        assert.deepEqual(tail(clusterSetupArgs(spec, { tokenMs: 3000, consensusMs: 3600 })), ["totem", "token=3000", "consensus=3600"]);
    });

    it("refuses a consensus shorter than 1.2 x token, and non-integer timings", () => {
        const spec = makeSpec(2);
        assert.throws(() => clusterSetupArgs(spec, { tokenMs: 5000, consensusMs: 5000 }), /consensus 5000 ms must be at least 1\.2 x token 5000 ms/);
        assert.throws(() => clusterSetupArgs(spec, { tokenMs: 2.5, consensusMs: 6000 }), /tokenMs: 2\.5/);
    });
});
