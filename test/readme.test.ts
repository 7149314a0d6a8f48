/** The README stays true: every config key, the two commands, what destroy keeps. */
import * as assert from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { CONFIG_KEYS } from "../config";

const readme = readFileSync(join(__dirname, "..", "README.md"), "utf8");

describe("README", () => {
    it("documents every config key with its default", () => {
        for (const k of CONFIG_KEYS) {
            const row = readme.split("\n").find((l) => l.startsWith(`| \`${k.key}\` |`));
            assert.ok(row, `${k.key} is missing from the README's config tables`);
            if (k.defaultText) assert.ok(row.includes(k.defaultText), `${k.key}: the README's default is not ${k.defaultText}`);
            assert.ok(row.includes(`| ${k.accepted} |`), `${k.key}: the README's accepted values are not: ${k.accepted}`);
        }
    });

    it("gives the test command that CI runs, and the program's commands", () => {
        assert.match(readFileSync(join(__dirname, "..", ".ci", "run"), "utf8"), /bash scripts\/test\.sh/);
        assert.ok(readme.includes("bash scripts/test.sh"));
        assert.ok(readme.includes("npm run render -- --config Pulumi.dev.yaml --out /tmp/plan"));
        assert.ok(readme.includes("pulumi up"));
    });

    it("says what pulumi destroy keeps", () => {
        assert.match(readme, /## What `pulumi destroy` keeps/);
        assert.match(readme, /dbaas:deleteData: true/);
    });
});
