/**
 * rclone's "obscure" encoding of config passwords (rclone's crypt backend reads its `password`
 * and `password2` only in this form). It is an encoding, not a protection: AES-256-CTR under a
 * key that is public in rclone's source, a random IV in front, base64url without padding. The
 * stack stores the obscured form in the Nomad Variable, so the rendered rclone.conf is usable
 * as is. The test checks it against `rclone reveal`.
 */
import * as crypto from "crypto";

// The fixed key rclone's fs/config/obscure uses (an interoperability constant, public).
const RCLONE_OBSCURE_KEY = Buffer.from("9c935b48730a554d6bfd7c63c886a92bd390198eb8128afbf4de162b8b95f638", "hex");

/** Obscures a value as `rclone obscure` does (a random IV unless one is given, for tests). */
export function obscure(plain: string, iv: Buffer = crypto.randomBytes(16)): string {
    if (iv.length !== 16) throw new Error("obscure: the IV is 16 bytes");
    const c = crypto.createCipheriv("aes-256-ctr", RCLONE_OBSCURE_KEY, iv);
    return Buffer.concat([iv, c.update(plain, "utf8"), c.final()]).toString("base64url");
}

/** Reveals an obscured value (the inverse of {@link obscure}). */
export function reveal(obscured: string): string {
    const raw = Buffer.from(obscured, "base64url");
    if (raw.length < 16) throw new Error("reveal: too short to be an obscured value");
    const d = crypto.createDecipheriv("aes-256-ctr", RCLONE_OBSCURE_KEY, raw.subarray(0, 16));
    return Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString("utf8");
}
