/**
 * IP addresses and CIDRs, for the config checks and the policy pack alike (one parser, so the
 * two can never disagree on what a CIDR means). Parsing is ipaddr.js's; what we add is
 * strictness (four-part decimal IPv4 only, no host bits in a CIDR) and messages that say what
 * is wrong and what to write instead.
 *
 * Pure: no Pulumi import.
 */
import * as ipaddr from "ipaddr.js";

/** A parsed CIDR. */
export interface Cidr {
    /** 4 or 6. */
    readonly family: 4 | 6;
    /** Prefix length. */
    readonly prefix: number;
    /** Canonical text: the network address (RFC 5952 for IPv6) and the prefix, e.g. "2001:db8::/32". */
    readonly text: string;
}

/** A parse: the value, or why it is not one. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const DOTTED = /^\d+(\.\d+)*$/;

/** Parses one IP address: IPv4 in four decimal parts (no leading zero, each at most 255) or IPv6. */
export function parseAddress(text: string): Parsed<ipaddr.IPv4 | ipaddr.IPv6> {
    if (text.includes(":")) {
        return ipaddr.IPv6.isValid(text) ? { ok: true, value: ipaddr.IPv6.parse(text) } : { ok: false, reason: `"${text}" is not an IPv6 address` };
    }
    if (ipaddr.IPv4.isValidFourPartDecimal(text)) return { ok: true, value: ipaddr.IPv4.parse(text) };
    const parts = text.split(".");
    if (DOTTED.test(text) && parts.length === 4) {
        const zero = parts.find((p) => p.length > 1 && p.startsWith("0"));
        if (zero !== undefined) return { ok: false, reason: `"${zero}" in "${text}" has a leading zero (ambiguous: octal or decimal)` };
        const high = parts.find((p) => Number(p) > 255);
        if (high !== undefined) return { ok: false, reason: `octet ${high} in "${text}" is above 255` };
    }
    return { ok: false, reason: `"${text}" is not an IPv4 address (four numbers from 0 to 255 separated by dots)` };
}

/** Canonical text of an address: dotted decimal, or RFC 5952 for IPv6 (lowercase, longest zero run compressed). */
export function formatAddress(address: ipaddr.IPv4 | ipaddr.IPv6): string {
    return address.kind() === "ipv6" ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

function networkOf(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): ipaddr.IPv4 | ipaddr.IPv6 {
    const cidr = `${address.toString()}/${prefix}`;
    return address.kind() === "ipv6" ? ipaddr.IPv6.networkAddressFromCIDR(cidr) : ipaddr.IPv4.networkAddressFromCIDR(cidr);
}

/**
 * Parses one CIDR strictly, as a stack config must be written: an address, a slash and a
 * prefix length in range, with no host bit set after the prefix (a typo there is caught, with
 * the network it probably meant).
 */
export function parseCidr(text: string): Parsed<Cidr> {
    const slash = text.split("/");
    if (slash.length !== 2) {
        const address = slash.length === 1 ? parseAddress(text) : undefined;
        if (address?.ok) {
            const host = address.value.kind() === "ipv4" ? 32 : 128;
            return { ok: false, reason: `"${text}" has no prefix length; for this single address write "${formatAddress(address.value)}/${host}"` };
        }
        return { ok: false, reason: `"${text}" is not a CIDR (address/prefix length, e.g. "10.0.0.0/8" or "2001:db8::/32")` };
    }
    const [addressText, prefixText] = slash as [string, string];
    const address = parseAddress(addressText);
    if (!address.ok) return address;
    const family = address.value.kind() === "ipv4" ? 4 : 6;
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
        return { ok: false, reason: `prefix length "${prefixText}" in "${text}" must be a whole number from 0 to ${max} for an IPv${family} address` };
    }
    const prefix = Number(prefixText);
    const network = networkOf(address.value, prefix);
    const canonical = `${formatAddress(network)}/${prefix}`;
    if (network.toString() !== address.value.toString()) {
        return { ok: false, reason: `"${text}" has host bits set after the /${prefix} prefix; did you mean "${canonical}"?` };
    }
    return { ok: true, value: { family, prefix, text: canonical } };
}

/**
 * Reads a CIDR as a cloud API would take it: a bare address is a host (/32, /128) and host bits
 * are ignored. Undefined when it is not an address at all.
 */
export function readCidr(text: string): { readonly address: ipaddr.IPv4 | ipaddr.IPv6; readonly prefix: number } | undefined {
    const [addressText, prefixText, extra] = text.trim().split("/");
    if (extra !== undefined || addressText === undefined) return undefined;
    const address = parseAddress(addressText);
    if (!address.ok) return undefined;
    const max = address.value.kind() === "ipv4" ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= max)) return undefined;
    return { address: address.value, prefix };
}

/** True when every address of `inner` is in `outer` (both read as {@link readCidr} does). */
export function cidrWithin(inner: string, outer: string): boolean {
    const a = readCidr(inner);
    const b = readCidr(outer);
    if (!a || !b || a.address.kind() !== b.address.kind() || a.prefix < b.prefix) return false;
    return a.address.match(b.address, b.prefix);
}

/** True when the CIDR covers a whole address family (0.0.0.0/0, ::/0). */
export function isWholeInternet(text: string): boolean {
    return readCidr(text)?.prefix === 0;
}

/** The ethertype Neutron wants for a CIDR's family. */
export function ethertypeOf(cidr: string): "IPv4" | "IPv6" {
    return cidr.includes(":") ? "IPv6" : "IPv4";
}
