/*
 * The fake Discord of bench/discord.ts in a process of its own, as Discord is: forked by forkedFake()
 * (bench/discord-fake.ts) and driven over the IPC channel (FakeRequest in, FakeReply out). Exits after
 * `close`, or when the parent goes away.
 */
import { startFakeOps, type FakeOps, type FakeReply, type FakeRequest } from './discord-fake.ts';

let ops: FakeOps | undefined;

function reply(message: FakeReply, then?: () => void) {
  if (!process.connected) return;
  process.send?.(message, undefined, {}, () => then?.());
}

async function run(request: FakeRequest): Promise<unknown> {
  if (request.op === 'start') {
    if (ops) throw new Error('already started');
    const started = await startFakeOps(request.arg);
    ops = started.ops;
    return started.info;
  }
  if (!ops) throw new Error(`${request.op} before start`);
  switch (request.op) {
    case 'create':
      return ops.create(request.arg);
    case 'approve':
      return ops.approve(request.arg);
    case 'fire':
      return ops.fire(request.arg);
    case 'settle':
      return ops.settle(request.arg);
    case 'report':
      return ops.report();
    case 'close':
      await ops.close();
      ops = undefined;
      return null;
  }
}

process.on('message', (request: FakeRequest) => {
  run(request).then(
    (value) =>
      reply(
        { id: request.id, ok: true, value },
        request.op === 'close' ? () => process.disconnect() : undefined,
      ),
    (error: unknown) =>
      reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});

process.once('disconnect', () => {
  // The parent is gone (or done): nothing is left to serve.
  void (ops?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
