import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link PlatformCa}. */
export interface PlatformCaArgs {
    /** Common name of the CA certificate. */
    readonly commonName: pulumi.Input<string>;
    /** Validity of the CA certificate in hours. */
    readonly validityHours?: pulumi.Input<number>;
}

/** One agent certificate issued by the platform CA. */
export interface IssuedCertificate {
    /** PEM certificate. */
    readonly certPem: pulumi.Output<string>;
    /** PEM private key (a secret). */
    readonly keyPem: pulumi.Output<string>;
}

/**
 * A certificate authority whose private key is a Pulumi secret. The platform's signs the TLS
 * certificates of the Consul and Nomad agents (servers, and database nodes in their own stacks);
 * each database has one of its own, that signs its engine's certificate (applications trust
 * that database only).
 */
export class PlatformCa extends pulumi.ComponentResource {
    /** PEM of the CA certificate (public). */
    public readonly certPem: pulumi.Output<string>;
    /** PEM of the CA private key (secret). */
    public readonly privateKeyPem: pulumi.Output<string>;

    constructor(name: string, args: PlatformCaArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.platformCa, name, {}, opts);
        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, {
            parent: this, additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"],
        });
        const cert = new tls.SelfSignedCert(`${name}-cert`, {
            privateKeyPem: key.privateKeyPem,
            isCaCertificate: true,
            validityPeriodHours: args.validityHours ?? 10 * 365 * 24,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            subject: { commonName: args.commonName, organization: "cloud-dbaas" },
        }, { parent: this });
        this.certPem = cert.certPem;
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.registerOutputs({ certPem: this.certPem });
    }
}

/** Arguments of {@link issueCertificate}. */
export interface IssueArgs {
    /** The CA's certificate. */
    readonly caCertPem: pulumi.Input<string>;
    /** The CA's private key (secret). */
    readonly caPrivateKeyPem: pulumi.Input<string>;
    /** Subject common name. */
    readonly commonName: pulumi.Input<string>;
    /** DNS names (Consul/Nomad verify `server.<dc>.consul` / `server.<region>.nomad`). */
    readonly dnsNames: pulumi.Input<pulumi.Input<string>[]>;
    /** IP addresses. */
    readonly ipAddresses: pulumi.Input<pulumi.Input<string>[]>;
    /** Validity in hours (default one year: renew by re-running `pulumi up`). */
    readonly validityHours?: number;
}

/** Issues a server/client certificate signed by a platform CA, as children of `parent`. */
export function issueCertificate(name: string, args: IssueArgs, parent: pulumi.Resource): IssuedCertificate {
    const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, {
        parent, additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"],
    });
    const request = new tls.CertRequest(`${name}-csr`, {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: args.commonName, organization: "cloud-dbaas" },
        dnsNames: args.dnsNames,
        ipAddresses: args.ipAddresses,
    }, { parent });
    const cert = new tls.LocallySignedCert(`${name}-cert`, {
        certRequestPem: request.certRequestPem,
        caCertPem: args.caCertPem,
        caPrivateKeyPem: pulumi.secret(args.caPrivateKeyPem),
        validityPeriodHours: args.validityHours ?? 365 * 24,
        earlyRenewalHours: 30 * 24,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
    }, { parent });
    return { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem) };
}
