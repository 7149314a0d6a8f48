import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link PlatformNetwork}. */
export interface PlatformNetworkArgs {
    /** Name prefix of the created resources. */
    readonly namePrefix: pulumi.Input<string>;
    /** Name of the external network the router uses as its gateway. */
    readonly externalNetwork: pulumi.Input<string>;
    /** CIDR of the subnet to create (when no existing network is given). */
    readonly subnetCidr?: pulumi.Input<string>;
    /** DNS servers of the created subnet. */
    readonly dnsNameservers?: pulumi.Input<pulumi.Input<string>[]>;
    /** An existing network and subnet to use instead of creating them. */
    readonly existing?: { readonly networkId: pulumi.Input<string>; readonly subnetId: pulumi.Input<string> };
}

/**
 * The platform's private network: a network, a subnet and a router to the external network —
 * or an existing network and subnet, looked up, when the operator gives them.
 */
export class PlatformNetwork extends pulumi.ComponentResource {
    /** The network's id. */
    public readonly networkId: pulumi.Output<string>;
    /** The subnet's id. */
    public readonly subnetId: pulumi.Output<string>;
    /** The subnet's CIDR: "inside the network" for the security groups. */
    public readonly subnetCidr: pulumi.Output<string>;
    /** The external network's id (router gateway, floating IP pool). */
    public readonly externalNetworkId: pulumi.Output<string>;

    constructor(name: string, args: PlatformNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.platformNetwork, name, {}, opts);
        const external = openstack.networking.getNetworkOutput({ name: args.externalNetwork, external: true }, { parent: this });
        this.externalNetworkId = external.id;

        if (args.existing) {
            const subnet = openstack.networking.getSubnetOutput({ subnetId: args.existing.subnetId }, { parent: this });
            this.networkId = pulumi.output(args.existing.networkId);
            this.subnetId = pulumi.output(args.existing.subnetId);
            this.subnetCidr = subnet.cidr;
        } else {
            if (args.subnetCidr === undefined) throw new Error("PlatformNetwork: subnetCidr is required when no existing network is given");
            const network = new openstack.networking.Network(`${name}-network`, {
                name: pulumi.interpolate`${args.namePrefix}-network`,
                adminStateUp: true,
            }, { parent: this });
            const subnet = new openstack.networking.Subnet(`${name}-subnet`, {
                name: pulumi.interpolate`${args.namePrefix}-subnet`,
                networkId: network.id,
                cidr: args.subnetCidr,
                ipVersion: 4,
                dnsNameservers: args.dnsNameservers,
                enableDhcp: true,
            }, { parent: this });
            const router = new openstack.networking.Router(`${name}-router`, {
                name: pulumi.interpolate`${args.namePrefix}-router`,
                externalNetworkId: external.id,
            }, { parent: this });
            new openstack.networking.RouterInterface(`${name}-router-interface`, {
                routerId: router.id,
                subnetId: subnet.id,
            }, { parent: this });
            this.networkId = network.id;
            this.subnetId = subnet.id;
            this.subnetCidr = subnet.cidr;
        }

        this.registerOutputs({
            networkId: this.networkId,
            subnetId: this.subnetId,
            subnetCidr: this.subnetCidr,
            externalNetworkId: this.externalNetworkId,
        });
    }
}
