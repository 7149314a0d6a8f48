/** The policy pack on the real database registrations (one crafted change per policy), its adapters, and the pack served over gRPC as the Pulumi CLI runs it. */
import * as assert from "assert";
import { join } from "path";
import { spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { runStack, type StackRun } from "../plan/run";
import { fromPolicyResource, fromRecorded, plainCopy } from "../policy/adapt";
import { TYPES, UNKNOWN, checkAll, type CheckedResource } from "../policy/rules";
import { dataIsProtected, databaseServersAntiAffinity, enginePortOnlyFromAllowedCidrs, fencingEnabled, noPublicAdminPorts, noSecretsInUserData } from "../policy/rules";
import { urnOf, withProps, changed, first, assertNone, assertOne, useCheckedStack } from "./support/policy";

describe("policy pack rules: on real registrations, and as the CLI runs the pack", () => {
    const { run: dev } = useCheckedStack("Pulumi.dev.yaml");
    describe("on Pulumi.my-first-db.yaml: the real database registrations, one crafted change each", () => {
        let db: StackRun;
        let resources: CheckedResource[];
        before(async () => {
            db = await runStack("Pulumi.my-first-db.yaml");
            resources = db.resources.map(fromRecorded);
            assert.ok(resources.some((r) => r.type === TYPES.database), "the database stack registers a Database component");
        });
        const named = (type: string, filter: (r: CheckedResource) => boolean = () => true) => first(resources, type, filter).name;

        it("passes as registered", () => {
            assertNone(checkAll(resources, db.config));
        });

        it("(a) fails: a node's SSH rule opened to 0.0.0.0/0", () => {
            const ssh = named(TYPES.secGroupRule, (r) => r.props["portRangeMin"] === 22);
            const v = noPublicAdminPorts(changed(resources, ssh, (r) => withProps(r, { remoteIpPrefix: "0.0.0.0/0", remoteGroupId: undefined })), db.config);
            assertOne(v, ssh, /SSH/);
        });

        it("(b) fails: the engine rule opened to a network outside dbaas:allowedCidrs", () => {
            const engine = named(TYPES.secGroupRule, (r) => r.props["portRangeMin"] === 5432);
            const v = enginePortOnlyFromAllowedCidrs(changed(resources, engine, (r) => withProps(r, { remoteIpPrefix: "192.0.2.0/24", remoteGroupId: undefined })), db.config);
            assertOne(v, engine, /not within dbaas:allowedCidrs/);
        });

        it("(c) fails: protect and retainOnDelete dropped on the data volume", () => {
            const volume = named(TYPES.volume);
            const v = dataIsProtected(changed(resources, volume, (r) => ({ ...r, protect: false, retainOnDelete: false })), db.config);
            assertOne(v, volume, /neither protected nor retained/);
        });

        it("(d) fails: a password written into a node's user data", () => {
            const node = named(TYPES.instance);
            const v = noSecretsInUserData(changed(resources, node, (r) => withProps(r, { userData: `${String(r.props["userData"])}\nruncmd:\n  - echo 'PGPASSWORD=Tr0ub4dor-and-3' > /root/.pgenv\n` })), db.config);
            assertOne(v, node, /"PGPASSWORD"/);
        });

        it("(e) fails: a node without scheduler hints", () => {
            const node = named(TYPES.instance);
            const v = databaseServersAntiAffinity(changed(resources, node, (r) => withProps(r, { schedulerHints: [] })), db.config);
            assertOne(v, node, /no schedulerHints group/);
        });

        it("(f) fails: the configure command with stonith-enabled=false", () => {
            const configure = named(TYPES.remoteCommand, (r) => /stonith-enabled=true/.test(String(r.props["create"] ?? "") + String(r.props["stdin"] ?? "")));
            const flip = (v: unknown) => (typeof v === "string" ? v.replace(/stonith-enabled=true/g, "stonith-enabled=false") : v);
            const v = fencingEnabled(changed(resources, configure, (r) => withProps(r, { create: flip(r.props["create"]), stdin: flip(r.props["stdin"]) })), db.config);
            assertOne(v, configure, /stonith-enabled=false/);
        });
    });

    describe("adapters", () => {
        it("fromPolicyResource: reads through an unknown-throwing proxy, keeps protect, parent and dependencies", () => {
            const thrower = new Proxy({ known: "x", nested: { computed: 1 } } as Record<string, unknown>, {
                get: (obj, key) => {
                    if (key === "nested") return new Proxy(obj["nested"] as object, { get: () => { throw new Error("unknown value"); } });
                    return obj[key as string];
                },
            });
            const parent = { urn: "urn:pulumi:s::p::dbaas:index:Database::db" };
            const r = fromPolicyResource({
                type: TYPES.volume, name: "v", urn: "urn:pulumi:s::p::v", props: thrower, parent, dependencies: [parent],
                opts: { protect: true, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
            } as unknown as Parameters<typeof fromPolicyResource>[0]);
            assert.deepEqual(r.props, { known: "x", nested: { computed: UNKNOWN } });
            assert.equal(r.protect, true);
            assert.equal(r.retainOnDelete, false);
            assert.equal(r.parent, parent.urn);
            assert.deepEqual(r.dependsOn, [parent.urn]);
            assert.deepEqual(plainCopy([1, { a: [2] }]), [1, { a: [2] }]);
        });

        it("fromRecorded: uses the inputs with secrets in clear when the harness has them", () => {
            const devServer = dev().resources.find((r) => r.type === TYPES.instance);
            assert.ok(devServer);
            assert.equal(fromRecorded(devServer).props, devServer.rawInputs);
        });
    });

    describe("the policy pack, served as the Pulumi CLI runs it (gRPC analyzer)", () => {
        /** What the engine sends for a value it does not know yet. */
        const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

        function analyzerResource(type: string, name: string, props: Record<string, unknown>, protect: boolean): analyzerPb.AnalyzerResource {
            const r = new analyzerPb.AnalyzerResource();
            r.setType(type);
            r.setName(name);
            r.setUrn(urnOf("my-first-db", type, name));
            r.setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]));
            const opts = new analyzerPb.AnalyzerResourceOptions();
            opts.setProtect(protect);
            r.setOptions(opts);
            return r;
        }

        it("reports mandatory violations with the resource's URN, reads dbaas:allowedCidrs from Pulumi.my-first-db.yaml, survives unknowns", async () => {
            const pack = spawn(process.execPath, ["-e", 'require("ts-node").register({ transpileOnly: true, project: "policy/tsconfig.json" }); require("./policy/index.ts");'], {
                cwd: join(__dirname, ".."),
                env: { ...process.env, PULUMI_CONFIG: "" },
            });
            let stderr = "";
            pack.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            try {
                const port = await new Promise<string>((resolve, reject) => {
                    pack.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
                    pack.once("exit", (code) => reject(new Error(`the policy pack exited (${code}): ${stderr}`)));
                });
                const client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
                const request = new analyzerPb.AnalyzeStackRequest();
                request.setResourcesList([
                    analyzerResource(TYPES.secGroupRule, "ssh-world", { direction: "ingress", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "0.0.0.0/0" }, false),
                    analyzerResource(TYPES.secGroupRule, "not-known-yet", { direction: "ingress", protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: UNKNOWN_SENTINEL }, false),
                    analyzerResource(TYPES.secGroupRule, "pg", { direction: "ingress", protocol: "tcp", portRangeMin: 5432, portRangeMax: 5432, remoteIpPrefix: "192.0.2.0/24" }, false),
                    analyzerResource(TYPES.volume, "data", { size: 10 }, false),
                    analyzerResource(TYPES.container, "backups", { name: "backups" }, true),
                ]);
                const response = await new Promise<analyzerPb.AnalyzeResponse>((resolve, reject) =>
                    client.analyzeStack(request, (err, res) => (err || !res ? reject(err ?? new Error("no response")) : resolve(res))),
                );
                client.close();
                const diagnostics = response.getDiagnosticsList().map((d) => ({
                    policy: d.getPolicyname(),
                    mandatory: d.getEnforcementlevel() === analyzerPb.EnforcementLevel.MANDATORY,
                    name: d.getUrn().split("::").pop(),
                    message: d.getMessage(),
                }));
                assert.deepEqual(
                    diagnostics.map((d) => [d.policy, d.name, d.mandatory]),
                    [
                        ["no-public-admin-ports", "ssh-world", true],
                        ["engine-port-only-from-allowed-cidrs", "pg", true],
                        ["data-is-protected", "data", true],
                    ],
                );
                assert.match(diagnostics[1].message, /not within dbaas:allowedCidrs \(/);
            } finally {
                pack.kill();
            }
        });
    });
});

