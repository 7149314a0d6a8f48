/** A JSON config file's content: the value, indented, with a final newline (JSON.stringify only). */
export function jsonFile(value: object): string {
    return `${JSON.stringify(value, null, 2)}\n`;
}
