/*
 * The fake Discord of bench/discord.ts in a process of its own, as Discord is: forked by forkedFake()
 * (bench/discord-fake.ts) and driven over the IPC channel (FakeRequest in, ChildReply out; bench/forked-child.ts). Exits after
 * `close`, or when the parent goes away.
 */
import { startFakeOps, type FakeOps, type FakeRequest } from './discord-fake.ts';
import { serveParent } from './forked-child.ts';

let ops: FakeOps | undefined;

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
    case 'deliverTo':
      return ops.deliverTo(request.arg);
    case 'close':
      await ops.close();
      ops = undefined;
      return null;
  }
}

serveParent(
  (request) => run(request as FakeRequest),
  () => ops?.close() ?? Promise.resolve(),
);
