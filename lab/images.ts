/**
 * The lab's machine images, built once and cached under {@link IMAGE_CACHE}, keyed by a hash of
 * what they are made of (package lists and the build script): a base (the bastion's image,
 * like a Debian 12 cloud image plus the packages of the bastion's user data) and a layer over
 * it (the packages of the database nodes' user data). Cache entries other than the current
 * ones are removed, so the cache holds one base and one layer.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { must } from "./proc";

/** Where the images live. */
export const IMAGE_CACHE = "/var/cache/cloud-dbaas-lab";
/** The Debian mirror (the host's; reached by the nodes through the lab's relay). */
export const DEBIAN_MIRROR = "http://deb.debian.org/debian";
const IMAGE_SH = path.join(__dirname, "image.sh");

/**
 * What a Debian 12 cloud image has that the lab needs, beyond mmdebstrap's "important" set:
 * cloud-init, sshd, sudo, dbus, ifupdown (cloud-init's network renderer here), curl and
 * ca-certificates, and gnupg — cloud-init's apt module calls gpg for any apt source key
 * (`keyid` or `key`), so the generated HashiCorp source needs it.
 */
export const CLOUD_IMAGE_PACKAGES = [
    "ca-certificates", "cloud-init", "curl", "dbus", "gnupg", "ifupdown", "iproute2", "kmod",
    "openssh-server", "sudo", "systemd", "systemd-sysv",
] as const;

/**
 * What the lab adds to the nodes' image that production does not have: PostgreSQL 15, which the
 * nomad stand-in runs as the engine (production pulls the official image from Docker Hub).
 */
export const LAB_NODE_PACKAGES = ["postgresql-15"] as const;

/** The cache keys of a base and a layer (pure). */
export function imageKeys(basePackages: readonly string[], layerPackages: readonly string[], script: string): { base: string; layer: string } {
    const h = (o: unknown) => createHash("sha256").update(JSON.stringify(o)).digest("hex").slice(0, 16);
    const scriptHash = h(script);
    const base = h({ kind: "base", packages: [...new Set(basePackages)].sort(), scriptHash, mirror: DEBIAN_MIRROR });
    const layer = h({ kind: "layer", base, packages: [...new Set(layerPackages)].sort() });
    return { base: `base-${base}`, layer: `layer-${layer}` };
}

/** Built images and how long building took (0 when cached). */
export interface Images {
    /** Layers of a bastion, top first. */
    readonly bastion: string[];
    /** Layers of a database node, top first. */
    readonly node: string[];
    /** Seconds spent building the base (0: cached). */
    readonly baseBuildS: number;
    /** Seconds spent building the layer (0: cached). */
    readonly layerBuildS: number;
}

/**
 * Ensures the images: base = cloud image packages + `bastionPackages`, layer = `nodePackages`
 * not in the base. Builds what is missing (call with the lab lock held).
 */
export async function ensureImages(bastionPackages: readonly string[], nodePackages: readonly string[], log: (m: string) => void): Promise<Images> {
    const basePkgs = [...new Set([...CLOUD_IMAGE_PACKAGES, ...bastionPackages])].sort();
    const layerPkgs = [...new Set([...nodePackages, ...LAB_NODE_PACKAGES])].filter((p) => !basePkgs.includes(p)).sort();
    const keys = imageKeys(basePkgs, layerPkgs, fs.readFileSync(IMAGE_SH, "utf8"));
    const base = path.join(IMAGE_CACHE, keys.base);
    const layer = path.join(IMAGE_CACHE, keys.layer);
    fs.mkdirSync(IMAGE_CACHE, { recursive: true });
    for (const e of fs.readdirSync(IMAGE_CACHE)) {
        if (e === keys.base || e === keys.layer) continue;
        log(`image cache: removing ${e}`);
        fs.rmSync(path.join(IMAGE_CACHE, e), { recursive: true, force: true });
    }
    let baseBuildS = 0;
    let layerBuildS = 0;
    if (!fs.existsSync(base)) {
        log(`image: building ${keys.base} (${basePkgs.join(" ")})`);
        const t = Date.now();
        await must(IMAGE_SH, ["base", base, DEBIAN_MIRROR, basePkgs.join(" ")], 20 * 60000);
        baseBuildS = (Date.now() - t) / 1000;
    }
    if (!fs.existsSync(layer)) {
        log(`image: building ${keys.layer} (${layerPkgs.join(" ")})`);
        const t = Date.now();
        await must(IMAGE_SH, ["layer", layer, base, layerPkgs.join(" ")], 20 * 60000);
        layerBuildS = (Date.now() - t) / 1000;
    }
    return { bastion: [base], node: [layer, base], baseBuildS, layerBuildS };
}
