import * as pulumi from "@pulumi/pulumi";
import * as openstack from "@pulumi/openstack";
import { COMPONENT_TYPES } from "../common/tokens";

/** Arguments of {@link DataVolume}. */
export interface DataVolumeArgs {
    /** The database's name: names the volume. */
    readonly databaseName: string;
    /** Size in GB. */
    readonly sizeGb: pulumi.Input<number>;
    /** Cinder volume type (the cloud's default when absent). */
    readonly volumeType?: pulumi.Input<string>;
    /** When true, `pulumi destroy` may delete the volume; otherwise it is protected and retained. */
    readonly deleteData: boolean;
    /** The parent the volume had before this component existed (an alias, so it is never replaced). */
    readonly formerParent?: pulumi.Resource;
}

/**
 * The database's Cinder data volume. Protected and retained: `pulumi destroy` neither deletes
 * it by accident nor at all, unless the operator set dbaas:deleteData (see the README).
 * Pacemaker's openstack-cinder-volume agent attaches it to the active node: Pulumi ignores the
 * attachments it sees.
 */
export class DataVolume extends pulumi.ComponentResource {
    /** The volume. */
    public readonly volume: openstack.blockstorage.Volume;

    constructor(name: string, args: DataVolumeArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.dataVolume, name, {}, opts);
        const keep = !args.deleteData;
        this.volume = new openstack.blockstorage.Volume(`${args.databaseName}-data`, {
            name: `${args.databaseName}-data`,
            description: `cloud-dbaas: data of database ${args.databaseName}`,
            size: args.sizeGb,
            volumeType: args.volumeType,
            metadata: { "dbaas-database": args.databaseName },
        }, {
            parent: this,
            ...(args.formerParent ? { aliases: [{ parent: args.formerParent }] } : {}),
            protect: keep,
            retainOnDelete: keep,
            ignoreChanges: ["attachments"],
        });
        this.registerOutputs({ volumeId: this.volume.id });
    }
}
