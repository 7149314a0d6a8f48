/** Small queries over a mock-runtime run, shared by the spec files. */
import * as assert from "assert";
import { RecordedResource, StackRun } from "../../plan/run";

/** Every registration of a type. */
export function ofType(run: StackRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The one registration with this type and name (fails the test otherwise). */
export function one(run: StackRun, type: string, name: string): RecordedResource {
    const found = run.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `expected exactly one ${type} named ${name}, found ${found.length}`);
    return found[0];
}

/** Every text a run writes or shows: plan inputs, plain outputs and artifacts. */
export function everythingWritten(run: StackRun): string {
    return JSON.stringify({ inputs: run.resources.map((r) => r.inputs), outputs: run.outputs, artifacts: run.artifacts });
}

/** The secret values of a run found in a text (should be none). */
export function leakedSecrets(run: StackRun, text: string): string[] {
    return run.secretValues.filter((s) => s.length >= 8 && text.includes(s));
}

/** The top of a registration's parent chain (the stack's root component for everything it declares). */
export function rootOf(run: StackRun, r: RecordedResource): RecordedResource {
    const byUrn = new Map(run.resources.map((x) => [x.urn, x]));
    let cur = r;
    while (cur.parent && byUrn.has(cur.parent)) cur = byUrn.get(cur.parent)!;
    return cur;
}
