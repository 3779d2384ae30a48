// The hostile requests of test/harness/hostile-requests.ts, for the reliability report: every one sent to a
// fresh emulator, counted rejected when it got its 4xx and message and the emulator still serves afterwards.
// emulator-hostile.test.ts checks each one by name; this counts them.
import { accountA, testEmulator } from "../harness/emulator";
import {
  answerMessage,
  hostileRequestCount,
  hostileRequests,
  HostileAnswer,
  HostileTarget,
  runSlowClient,
  sendHostile,
  slowClients,
} from "../harness/hostile-requests";
import { record } from "./report";

const runtime = "codefresh-hosted";
/** Short, so the slow clients are timed out quickly. */
const requestTimeoutMs = 2_000;

/** Whether the answer is the 4xx the table expects, with its message. */
function rejected(answer: HostileAnswer | Error, status: number, message: RegExp): boolean {
  if (answer instanceof Error || answer.status !== status || status < 400 || status >= 500) return false;
  try {
    return message.test(answerMessage(answer.text));
  } catch {
    return false; // not the JSON answer the emulator gives
  }
}

test("every hostile request is rejected with its 4xx, and the emulator still serves afterwards", async () => {
  const emulator = await testEmulator({ requestTimeoutMs });
  try {
    const installed = await emulator.graphql(accountA.apiKey, `mutation { installHostedRuntime { name } }`);
    expect(installed.body.errors).toBeUndefined();
    const state = await emulator.admin<{ accounts: { id: string; name: string }[] }>("GET", "state");
    const target: HostileTarget = { url: emulator.url, accountId: state.accounts.find((a) => a.name === accountA.name)?.id ?? "", runtime };

    const failures: string[] = [];
    let refused = 0;
    for (const request of hostileRequests) {
      const answer = await sendHostile(request, target).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
      if (rejected(answer, request.status, request.message)) refused++;
      else failures.push(`${request.name}: ${answer instanceof Error ? answer.message : `${answer.status} ${answer.text.slice(0, 200)}`}`);
    }
    const slow = await Promise.all(slowClients.map((client) => runSlowClient(client, emulator.url, 100).catch((error: unknown) => new Error(String(error)))));
    slow.forEach((answer, i) => {
      if (rejected(answer, 408, /the request was not received in time/)) refused++;
      else failures.push(`slow client ${slowClients[i]?.name ?? i}: ${answer instanceof Error ? answer.message : answer.status}`);
    });

    const after = await emulator.graphql(accountA.apiKey, "query { runtimes { edges { node { metadata { name } } } } }");
    const serving = after.status === 200 && after.body.errors === undefined;
    record({ hostileRequests: hostileRequestCount, hostileRejected: serving ? refused : 0 });

    expect(failures).toEqual([]);
    expect(refused).toBe(hostileRequestCount);
    expect(serving).toBe(true);
    expect(emulator.requests().filter((r) => r.status >= 500)).toEqual([]);
  } finally {
    await emulator.dispose();
  }
});
