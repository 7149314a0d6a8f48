#!/usr/bin/env node
// Which stacks a change touches, for the workflows' matrices.
//
//   node .github/scripts/changed-stacks.js BASE HEAD      (git revisions; BASE may be empty or 000…0)
//
// Writes to stdout, in $GITHUB_OUTPUT's key=value form:
//   stacks=[...]          every stack to preview/deploy, control planes first
//   control-planes=[...]  those whose Pulumi.<stack>.yaml says dbaas:kind: control-plane
//   databases=[...]       the others
//   reason=...            why (which files, or "shared code changed")
// A stack is touched when its Pulumi.<stack>.yaml changed; every stack is touched when anything
// else changed, except documentation (docs/**, *.md, LICENSE). A stack file deleted by the change
// is left out (its config is gone: destroy such a stack by hand, see README.md, "Pull requests").
// No dependency: runs before `npm ci`.
"use strict";
const { execFileSync } = require("node:child_process");
const { existsSync, readFileSync, readdirSync } = require("node:fs");

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;
const DOCS = /^(docs\/.*|.*\.md|LICENSE(\..*)?)$/;

function git(...args) {
    return execFileSync("git", args, { encoding: "utf8" });
}

function changedFiles(base, head) {
    if (!base || /^0+$/.test(base)) return null; // no base (a new branch): everything
    try {
        return git("diff", "--name-only", `${base}...${head}`).split("\n").filter(Boolean);
    } catch {
        // base...head needs a merge base; after a force push, compare the trees directly.
        return git("diff", "--name-only", base, head).split("\n").filter(Boolean);
    }
}

function kindOf(file) {
    // dbaas:kind is a plain scalar in the stack file; no YAML parser needed before npm ci.
    const m = /^\s*dbaas:kind:\s*["']?([a-z-]+)["']?\s*(#.*)?$/m.exec(readFileSync(file, "utf8"));
    return m ? m[1] : "unknown";
}

function main() {
    const [base = "", head = "HEAD"] = process.argv.slice(2);
    const all = readdirSync(".").filter((f) => STACK_FILE.test(f)).sort();
    const files = changedFiles(base, head);
    let selected;
    let reason;
    if (files === null) {
        selected = all;
        reason = "no base revision: every stack";
    } else {
        const shared = files.filter((f) => !STACK_FILE.test(f) && !DOCS.test(f));
        if (shared.length > 0) {
            selected = all;
            reason = `shared code changed (${shared.slice(0, 5).join(", ")}${shared.length > 5 ? ", …" : ""}): every stack`;
        } else {
            selected = files.filter((f) => STACK_FILE.test(f) && existsSync(f));
            reason = selected.length ? `stack files changed: ${selected.join(", ")}` : "no stack affected (documentation only)";
        }
    }
    const name = (f) => STACK_FILE.exec(f)[1];
    const controlPlanes = selected.filter((f) => kindOf(f) === "control-plane").map(name);
    const databases = selected.filter((f) => kindOf(f) !== "control-plane").map(name);
    process.stdout.write(
        [
            `stacks=${JSON.stringify([...controlPlanes, ...databases])}`,
            `control-planes=${JSON.stringify(controlPlanes)}`,
            `databases=${JSON.stringify(databases)}`,
            `reason=${reason.replace(/\n/g, " ")}`,
        ].join("\n") + "\n",
    );
}

main();
