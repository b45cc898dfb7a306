import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, S3ImageStore } from '../../src/storage/images/s3-image-store.ts';
import { BullMQJobQueue, bullmqQueueNames } from '../../src/workflow/jobs/bullmq-job-queue.ts';
import { actor, createHarness, inState, silentLogger, waitFor, type Harness } from './workflow-harness.ts';

const bucket = 'facet-journey';
const redisUrl = 'redis://127.0.0.1:6379';
const prefix = `facet-test-s3-${randomUUID().slice(0, 8)}`;

/** The production combination: BullMQ on Redis and S3 (s3rver), besides Postgres and the model SDKs. */
describe('design workflow on S3 and BullMQ', () => {
  let h: Harness;
  let s3: S3rver;
  let dir: string;
  let store: S3ImageStore;
  let endpoint: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'facet-s3-journey-'));
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      configureBuckets: [{ name: bucket }],
    });
    const { port } = await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
    store = new S3ImageStore({
      bucket,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    h = await createHarness('workflow_s3', { images: store });
    await h.workflow.close();
    h.workflow = await h.makeWorkflow({
      jobs: new BullMQJobQueue({ redisUrl, prefix, logger: silentLogger, backoffMs: 50 }),
    });
  });

  afterAll(async () => {
    await h.close();
    for (const name of bullmqQueueNames()) {
      const queue = new Queue(name, { connection: { url: redisUrl }, prefix });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores every view and the sheets in the bucket, and serves them by URL', async () => {
    const started = await h.workflow.service.start({
      workspaceId: h.workspaceId,
      actor: actor('U-s3'),
      prompt: 'a ceramic pour-over coffee dripper',
    });
    if (!started.ok) throw new Error(started.reason);
    const awaiting = await waitFor(h.workflow, started.design.id, inState('awaiting_approval', 'failed'));
    expect(awaiting.state).toBe('awaiting_approval');
    const approved = await h.workflow.service.approve({
      designId: started.design.id,
      actor: actor('U-s3'),
      iteration: 1,
    });
    expect(approved.ok).toBe(true);
    const done = await waitFor(h.workflow, started.design.id, (d) => d.revision?.contactSheetKey != null);
    expect(done.revision!.specSheetKey).not.toBeNull();
    expect(done.state).toBe('completed');
    expect(done.charged).toBe(3);

    const listed = await createS3Client({
      bucket,
      region: 'us-east-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }).send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `designs/${done.id}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
    const expected = [
      ...done.views.map((v) => v.imageKey!),
      done.revision!.contactSheetKey!,
      done.revision!.specSheetKey!,
    ].sort();
    expect(keys).toEqual(expected);

    // The front view sent to the model for the views is the one in the bucket.
    const front = await h.images.get(done.views[0]!.imageKey!);
    const sha = createHash('sha256').update(front).digest('hex');
    const viewRequests = h.gemini.requests.filter(
      (r) => r.texts.join(' ').includes('coffee dripper') && r.texts[0]!.startsWith('Product: '),
    );
    expect(viewRequests).toHaveLength(4);
    for (const request of viewRequests) expect(request.images.map((i) => i.sha256)).toEqual([sha]);

    // A chat platform fetches images by URL: the presigned link answers with the stored bytes.
    const response = await fetch(await store.url(done.revision!.contactSheetKey!, { expiresInSeconds: 300 }));
    expect(response.status).toBe(200);
    const sheet = Buffer.from(await response.arrayBuffer());
    expect(sheet.subarray(1, 4).toString()).toBe('PNG');
  });
});
