/** Shell quoting, for every generated script (the program's and the engines'). Pure. */

/** Quotes a value for bash: as is when it is made of safe characters only, else in single quotes. */
export function shellQuote(value: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

