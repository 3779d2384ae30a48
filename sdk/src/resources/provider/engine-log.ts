// Messages in `pulumi up`'s output from the dynamic-provider process. The process gets the engine's
// address as its first argument; Pulumi's Node SDK has no public call for it, so this uses the
// engine's gRPC client that ships with @pulumi/pulumi. Without an engine (unit tests) it writes stderr.

type EngineClient = { log(request: unknown, callback: (error: unknown) => void): void };
interface EngineMessages {
  LogRequest: new () => { setSeverity(s: number): unknown; setMessage(m: string): unknown; setEphemeral(e: boolean): unknown };
  LogSeverity: { INFO: number };
}

let engine: { client: EngineClient; messages: EngineMessages } | null | undefined;

function connect(): { client: EngineClient; messages: EngineMessages } | null {
  const address = process.argv[2];
  if (!address || !/^[\w.-]+:\d+$/.test(address)) return null;
  try {
    const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
    const services = require("@pulumi/pulumi/proto/engine_grpc_pb.js") as { EngineClient: new (address: string, credentials: unknown) => EngineClient };
    const messages = require("@pulumi/pulumi/proto/engine_pb.js") as EngineMessages;
    return { client: new services.EngineClient(address, grpc.credentials.createInsecure()), messages };
  } catch {
    return null;
  }
}

/** Shows `text` (already scrubbed of secrets) as an info message of the current operation. */
export function engineLog(text: string): void {
  if (engine === undefined) engine = connect();
  if (!engine) {
    process.stderr.write(`${text}\n`);
    return;
  }
  const request = new engine.messages.LogRequest();
  request.setSeverity(engine.messages.LogSeverity.INFO);
  request.setMessage(text);
  request.setEphemeral(false);
  engine.client.log(request, () => undefined);
}
