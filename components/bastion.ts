import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { bastionUserData } from "../render/cloudInit";
import { ethertypeOf } from "../common/cidr";
import { SSH } from "../common/ports";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link Bastion}. */
export interface BastionArgs {
    /** Server name (also its host name). */
    readonly serverName: string;
    /** The platform network. */
    readonly networkId: pulumi.Input<string>;
    /** The platform subnet. */
    readonly subnetId: pulumi.Input<string>;
    /** CIDRs of the operators: the only sources allowed to SSH to the bastion. */
    readonly operatorCidrs: readonly string[];
    /** External network (floating IP pool) name. */
    readonly externalNetwork: pulumi.Input<string>;
    /** Nova flavor. */
    readonly flavor: pulumi.Input<string>;
    /** Glance image. */
    readonly image: pulumi.Input<string>;
    /** Nova key pair name. */
    readonly keyPair: pulumi.Input<string>;
}

/**
 * The bastion: the only SSH entry to every server of the platform, reachable on port 22 from
 * the operator CIDRs and from nowhere else, with a floating IP.
 */
export class Bastion extends pulumi.ComponentResource {
    /** The bastion's floating IP. */
    public readonly address: pulumi.Output<string>;
    /** The bastion's security group: servers accept SSH from its members only. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** The user data the bastion boots with (no secret). */
    public readonly userData: string;

    constructor(name: string, args: BastionArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.bastion, name, {}, opts);
        const group = new openstack.networking.SecGroup(`${name}-sg`, {
            name: `${args.serverName}-sg`,
            description: "bastion: SSH from the operator CIDRs only",
        }, { parent: this });
        args.operatorCidrs.forEach((cidr, i) => {
            new openstack.networking.SecGroupRule(`${name}-ssh-${i}`, {
                securityGroupId: group.id,
                direction: "ingress",
                ethertype: ethertypeOf(cidr),
                protocol: SSH.protocol,
                portRangeMin: SSH.from,
                portRangeMax: SSH.to,
                remoteIpPrefix: cidr,
                description: "operator SSH",
            }, { parent: this });
        });
        const port = new openstack.networking.Port(`${name}-port`, {
            name: `${args.serverName}-port`,
            networkId: args.networkId,
            fixedIps: [{ subnetId: args.subnetId }],
            securityGroupIds: [group.id],
            adminStateUp: true,
        }, { parent: this });
        this.userData = bastionUserData({ hostname: args.serverName });
        const server = new openstack.compute.Instance(`${name}-server`, {
            name: args.serverName,
            flavorName: args.flavor,
            imageName: args.image,
            keyPair: args.keyPair,
            userData: this.userData,
            networks: [{ port: port.id }],
            metadata: { "dbaas-role": "bastion" },
        }, { parent: this, ignoreChanges: ["imageName", "userData"] });
        const fip = new openstack.networking.FloatingIp(`${name}-fip`, {
            pool: args.externalNetwork,
            portId: port.id,
            description: `${args.serverName}: SSH entry of the platform`,
        }, { parent: this, dependsOn: [server] });
        this.address = fip.address;
        this.securityGroupId = group.id;
        this.registerOutputs({ address: this.address, securityGroupId: this.securityGroupId });
    }
}
