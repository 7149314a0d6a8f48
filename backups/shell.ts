/** Shell quoting for the generated scripts. */

/** One word, single-quoted for sh and bash (`'` written as `'\''`). */
export function shq(word: string): string {
    if (word.includes("\0")) throw new Error("a shell word cannot hold a NUL byte");
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A bash array assignment `NAME=( word… )` of an argv. */
export function bashArray(name: string, argv: readonly string[], special: (word: string) => string | undefined = () => undefined): string {
    if (argv.length === 0) throw new Error(`${name}: an empty command`);
    return `${name}=(${argv.map((w) => special(w) ?? shq(w)).join(" ")})`;
}
