#!/usr/bin/env node
// The `dbaas` command (package.json "bin"): runs cli/main.ts through ts-node, type-checking off
// (`npm test` type-checks the whole tree).
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
require("./main.ts").cli();
