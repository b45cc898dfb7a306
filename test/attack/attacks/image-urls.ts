import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlaygroundDriver } from '../playground-driver.ts';
import { rawRequest } from '../raw-http.ts';
import { outcome, type Attack } from '../report.ts';
import { waitFor } from '../wait.ts';

/**
 * Regression checks: the signed image URLs of the local image store (served by Facet itself) refuse
 * tampering and path traversal, even with a valid signature over a traversing key.
 */
export function imageUrlAttacks(
  playground: PlaygroundDriver,
  url: string,
  dataDir: string,
  prompt: string,
): Attack[] {
  const secretFile = path.join(dataDir, 'image-url-secret');
  const imageUrl = () =>
    waitFor(
      'a front view image of the playground',
      async () =>
        (await playground.designsOf(prompt)).find((d) => d.imageUrl !== null)?.imageUrl ?? undefined,
      15_000,
    );
  const status = async (target: string) => (await rawRequest(url, { path: target })).status;
  const pathOf = (full: string) => {
    const parsed = new URL(full);
    return {
      path: parsed.pathname,
      expires: parsed.searchParams.get('expires') ?? '',
      sig: parsed.searchParams.get('sig') ?? '',
    };
  };
  const signed = async (key: string, expires: number) => {
    const secret = Buffer.from((await readFile(secretFile, 'utf8')).trim(), 'hex');
    return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('hex');
  };
  return [
    {
      name: 'R image URL as issued (control)',
      expected: '200 image/png',
      run: async () => {
        const answer = await rawRequest(await imageUrl(), {});
        return outcome(
          answer.status === 200 && answer.headers['content-type'] === 'image/png',
          `${answer.status} ${answer.headers['content-type'] ?? ''}`,
        );
      },
    },
    {
      name: 'R image URL tampering: signature, expiry, no signature, another key',
      expected: '403 x4',
      run: async () => {
        const { path: at, expires, sig } = pathOf(await imageUrl());
        const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
        const statuses = [
          await status(`${at}?expires=${expires}&sig=${flipped}`),
          await status(`${at}?expires=${Number(expires) + 3600}&sig=${sig}`),
          await status(`${at}?expires=${expires}`),
          await status(`${at.replace(/\.png$/, '')}x.png?expires=${expires}&sig=${sig}`),
        ];
        return outcome(
          statuses.every((s) => s === 403),
          statuses.join(' '),
        );
      },
    },
    {
      name: 'R image path traversal: raw .., %2e%2e, %2F, signed "../image-url-secret"',
      expected: '403/404 each, never the secret',
      run: async () => {
        const { expires, sig } = pathOf(await imageUrl());
        const secret = (await readFile(secretFile, 'utf8')).trim();
        const far = Math.floor(Date.now() / 1000) + 600;
        const targets = [
          `/images/../image-url-secret?expires=${expires}&sig=${sig}`,
          `/images/%2e%2e/image-url-secret?expires=${expires}&sig=${sig}`,
          `/images/..%2Fimage-url-secret?expires=${expires}&sig=${sig}`,
          `/images/../image-url-secret?expires=${far}&sig=${await signed('../image-url-secret', far)}`,
          `/images/%2e%2e/image-url-secret?expires=${far}&sig=${await signed('%2e%2e/image-url-secret', far)}`,
        ];
        const answers = await Promise.all(targets.map((target) => rawRequest(url, { path: target })));
        const leaked = answers.some((a) => a.body.includes(secret));
        return outcome(
          !leaked && answers.every((a) => a.status === 403 || a.status === 404),
          `${answers.map((a) => a.status).join(' ')}${leaked ? ', SECRET LEAKED' : ''}`,
        );
      },
    },
    {
      name: 'R image URL correctly signed for a key that does not exist',
      expected: '404',
      run: async () => {
        const far = Math.floor(Date.now() / 1000) + 600;
        const key = 'designs/00000000-0000-4000-8000-000000000000/front-1.png';
        const answer = await status(`/images/${key}?expires=${far}&sig=${await signed(key, far)}`);
        return outcome(answer === 404, String(answer));
      },
    },
  ];
}
