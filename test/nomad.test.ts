/** Our declarations of pulumi-nomad's resources: the provider's type tokens, arguments and plugin version. */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as nomad from "../nomad";

interface Registration {
    type: string;
    name: string;
    version: string;
    inputs: Record<string, unknown>;
    secretOutputs: string[];
    provider: string;
}

describe("nomad/: typed pulumi-nomad resources (mock runtime)", () => {
    const seen: Registration[] = [];
    before(async () => {
        await pulumi.runtime.setMocks({
            newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, secretId: "token-value", accessorId: "accessor" } }),
            call: (args) => args.inputs,
        }, "cloud-dbaas", "nomad-test", false);
        interface Request {
            getType(): string; getName(): string; getVersion(): string; getProvider(): string;
            getObject(): { toJavaScript(): Record<string, unknown> } | undefined; getAdditionalsecretoutputsList(): string[];
        }
        const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: Request, cb: unknown): void };
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: Request, cb: unknown) => {
            seen.push({
                type: req.getType(),
                name: req.getName(),
                version: req.getVersion(),
                inputs: req.getObject()?.toJavaScript() ?? {},
                secretOutputs: req.getAdditionalsecretoutputsList(),
                provider: req.getProvider(),
            });
            original(req, cb);
        };
        const provider = new nomad.Provider("nomad", { address: "https://203.0.113.20:4646", secretId: "token", skipVerify: false });
        const opts = { provider };
        const policy = new nomad.AclPolicy("ops", { name: "ops", rulesHcl: 'namespace "default" { policy = "read" }' }, opts);
        const token = new nomad.AclToken("ops", { type: "client", name: "ops", policies: [policy.name] }, opts);
        new nomad.Variable("db-secrets", { path: "nomad/jobs/db", items: { password: "pw" } }, opts);
        new nomad.Job("db", { jobspec: JSON.stringify({ Job: { ID: "db" } }), json: true, detach: false }, opts);
        await new Promise<void>((resolve) => token.secretId.apply(() => resolve()));
        await new Promise((r) => setTimeout(r, 50));
    });

    const get = (type: string) => {
        const r = seen.find((s) => s.type === type);
        assert.ok(r, `${type} was not registered`);
        return r;
    };

    it("uses pulumi-nomad's type tokens", () => {
        assert.deepEqual(seen.map((s) => s.type).sort(), [
            "nomad:index/aclPolicy:AclPolicy",
            "nomad:index/aclToken:AclToken",
            "nomad:index/job:Job",
            "nomad:index/variable:Variable",
            "pulumi:providers:nomad",
        ]);
    });

    it("pins the provider plugin version on every resource", () => {
        for (const s of seen) assert.equal(s.version, nomad.NOMAD_PLUGIN_VERSION, `${s.type} is not pinned`);
        assert.match(nomad.NOMAD_PLUGIN_VERSION, /^\d+\.\d+\.\d+$/);
    });

    it("passes the provider's own argument names (jobspec/json, path/items, rulesHcl, type/policies)", () => {
        assert.deepEqual(Object.keys(get("nomad:index/job:Job").inputs).sort(), ["detach", "jobspec", "json"]);
        assert.deepEqual(Object.keys(get("nomad:index/variable:Variable").inputs).sort(), ["items", "path"]);
        assert.deepEqual(Object.keys(get("nomad:index/aclPolicy:AclPolicy").inputs).sort(), ["name", "rulesHcl"]);
        assert.deepEqual(Object.keys(get("nomad:index/aclToken:AclToken").inputs).sort(), ["name", "policies", "type"]);
        assert.deepEqual(Object.keys(get("pulumi:providers:nomad").inputs).sort(), ["address", "secretId", "skipVerify"]);
    });

    it("keeps secrets secret: the provider's token, a variable's items, a token's secretId", () => {
        const isSecretValue = (v: unknown) => typeof v === "object" && v !== null && (v as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";
        assert.ok(isSecretValue(get("pulumi:providers:nomad").inputs["secretId"]));
        assert.ok(isSecretValue(get("nomad:index/variable:Variable").inputs["items"]));
        assert.ok(get("nomad:index/variable:Variable").secretOutputs.includes("items"));
        assert.ok(get("nomad:index/aclToken:AclToken").secretOutputs.includes("secretId"));
    });

    it("sends resources to the explicit provider", () => {
        for (const s of seen.filter((x) => x.type !== "pulumi:providers:nomad")) {
            assert.match(s.provider, /pulumi:providers:nomad::nomad::/);
        }
    });
});
