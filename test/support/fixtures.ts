/** mocha fixtures shared by the spec files: a temporary folder, a stack's offline run. */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { RunOptions, runStack, StackRun } from "../../plan/run";

/** A temporary folder for the enclosing `describe`: made before its tests, removed after them. */
export function useTempDir(prefix: string): () => string {
    let dir: string | undefined;
    before(() => {
        dir = mkdtempSync(join(tmpdir(), prefix));
    });
    after(() => {
        if (dir) rmSync(dir, { recursive: true, force: true });
    });
    return () => {
        if (!dir) throw new Error("the temporary folder exists only inside the tests");
        return dir;
    };
}

/** The offline run of a stack config for the enclosing `describe`, once, before its tests. */
export function useStackRun(configFile: string, options?: RunOptions): () => StackRun {
    let run: StackRun | undefined;
    before(async () => {
        run = await runStack(configFile, options);
    });
    return () => {
        if (!run) throw new Error(`${configFile} has not run yet`);
        return run;
    };
}
