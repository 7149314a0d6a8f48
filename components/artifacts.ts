import * as pulumi from "@pulumi/pulumi";
import { ARTIFACT_PATHS } from "../render/artifacts";

/**
 * The generated files a component declares, by path under the offline plan's `artifacts/`
 * (paths from render/artifacts.ts), every secret replaced by `[secret]`. A parent takes its
 * children's with {@link Artifacts.include}.
 */
export class Artifacts {
    private readonly files: Record<string, pulumi.Output<string>> = {};

    /** Adds a file; two files on one path is a bug. */
    add(path: string, content: pulumi.Input<string>): void {
        if (path in this.files) throw new Error(`two artifacts at ${path}`);
        this.files[path] = pulumi.output(content);
    }

    /** A machine's user data. */
    cloudInit(machine: string, content: pulumi.Input<string>): void {
        this.add(ARTIFACT_PATHS.cloudInit(machine), content);
    }

    /** The reviewer's copy of the files a machine receives over SSH. */
    fileDrop(machine: string, content: pulumi.Input<string>): void {
        this.add(ARTIFACT_PATHS.fileDrop(machine), content);
    }

    /** Every file of another collector (a child component's). */
    include(other: Artifacts): void {
        for (const [path, content] of Object.entries(other.files)) this.add(path, content);
    }

    /** Every file, by path. */
    get all(): Readonly<Record<string, pulumi.Output<string>>> {
        return this.files;
    }
}
