/** The OpenStack credentials file of a database cluster's resource and fence agents. */
import { stringify } from "yaml";

/** The clouds.yaml entry name the resource and fence agents use. */
export const CLOUD_NAME = "dbaas";

/** Where the agents' clouds.yaml lives (openstacksdk reads /etc/openstack/clouds.yaml). */
export const CLOUDS_YAML_PATH = "/etc/openstack/clouds.yaml";

/** What the agents' clouds.yaml needs (the secret is a Pulumi secret until written over SSH). */
export interface CloudsYamlArgs {
    /** Keystone v3 URL. */
    readonly authUrl: string;
    /** Region. */
    readonly region: string;
    /** Application credential id. */
    readonly credentialId: string;
    /** Application credential secret. */
    readonly credentialSecret: string;
}

/** clouds.yaml with one entry authenticating by application credential. */
export function cloudsYaml(args: CloudsYamlArgs): string {
    return stringify({
        clouds: {
            [CLOUD_NAME]: {
                auth_type: "v3applicationcredential",
                auth: { auth_url: args.authUrl, application_credential_id: args.credentialId, application_credential_secret: args.credentialSecret },
                region_name: args.region,
                interface: "public",
                identity_api_version: 3,
            },
        },
    });
}
