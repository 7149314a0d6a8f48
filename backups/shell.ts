/** Shell quoting for the generated scripts. */

import { shellQuote } from "../common/shell";

/** One word, single-quoted for sh and bash when needed (common/shell.ts); a NUL byte cannot be a shell word. */
export function shq(word: string): string {
    if (word.includes("\0")) throw new Error("a shell word cannot hold a NUL byte");
    return shellQuote(word);
}

/** A bash array assignment `NAME=( word… )` of an argv. */
export function bashArray(name: string, argv: readonly string[], special: (word: string) => string | undefined = () => undefined): string {
    if (argv.length === 0) throw new Error(`${name}: an empty command`);
    const words = argv.map((w) => special(w) ?? shq(w));
    // A literal `$` inside a quoted word is data (e.g. an `sh -c` program): tell shellcheck so.
    const literalDollar = argv.some((w, i) => special(w) === undefined && /[$`]/.test(w) && words[i].startsWith("'"));
    return `${literalDollar ? "# shellcheck disable=SC2016 # literal words\n" : ""}${name}=(${words.join(" ")})`;
}
