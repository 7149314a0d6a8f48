/** The operators' tool run in-process for the tests, its output collected. */
import { main } from "../../cli/main";

/** Runs `dbaas …`; resolves to its exit code and what it wrote. */
export async function dbaas(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
}
