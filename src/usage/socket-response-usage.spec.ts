import type { UsageRecord } from '../store/usage-record';
import { SocketResponseUsage } from './socket-response-usage';
import { UsageBus } from './usage-bus';

describe('SocketResponseUsage', () => {
  it("publishes each response's record with the upgrade's traceparent, so its span joins the caller's trace", async () => {
    const bus = new UsageBus();
    const records: UsageRecord[] = [];
    bus.subscribe((record) => records.push(record));
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const usage = new SocketResponseUsage(bus, { requestId: 'ws-1', keyName: 'ci-bot', model: 'gpt-5', traceparent });
    async function* events(): AsyncGenerator<string> {
      yield '{"type":"response.completed"}';
    }
    for await (const event of usage.recorded(events(), () => ({ status: 500, type: 'server_error' }))) void event;
    expect(records).toEqual([expect.objectContaining({ requestId: 'ws-1', route: 'GET /v1/responses (websocket)', status: 200, keyName: 'ci-bot', traceparent })]);
  });
});
