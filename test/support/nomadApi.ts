/** A stand-in for Nomad's HTTP API: records every request, answers through a handler, 404 otherwise. */
import { createServer, ServerResponse, Server } from "http";

/** One request as the stand-in saw it. */
export interface SeenRequest {
    readonly method: string;
    readonly url: string;
    readonly token: string;
    readonly body: string;
}

/** Answers a request (`res.end(...)`) and returns true, or returns false for a 404. */
export type NomadHandler = (method: string, url: URL, res: ServerResponse) => boolean;

/** The stand-in server (not listening yet) and what it was asked. */
export function fakeNomadServer(handler: NomadHandler): { server: Server; seen: SeenRequest[] } {
    const seen: SeenRequest[] = [];
    const server = createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
            seen.push({ method: req.method ?? "", url: req.url ?? "", token: String(req.headers["x-nomad-token"]), body });
            if (handler(req.method ?? "", new URL(req.url ?? "/", "http://x"), res)) return;
            res.statusCode = 404;
            res.end("not found");
        });
    });
    return { server, seen };
}

/** Answers with a body (JSON unless a string); true, for a handler's return. */
export function answer(res: ServerResponse, body: unknown): true {
    res.end(typeof body === "string" ? body : JSON.stringify(body));
    return true;
}
