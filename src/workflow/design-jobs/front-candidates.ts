import type { DesignRow } from '../design-transitions.ts';
import { PermanentError } from '../errors/permanent-error.ts';
import { candidatePrompt } from '../prompts.ts';
import { insertCandidate, listCandidates, type StoredCandidate } from '../store/candidate-statements.ts';
import type { FrontRequest } from './front-request.ts';
import { imageKeys } from './image-keys.ts';
import type { JobDeps } from './job-deps.ts';
import { meteredCall } from './metered-call.ts';

/** A stored candidate; `png` only when this run drew it (one stored earlier is not read back). */
export type DrawnCandidate = StoredCandidate & { png: Buffer | null };

/**
 * Draws an iteration's N front-view candidates at once (N model calls in parallel), each stored under its
 * own key and recorded as soon as it is stored. A job that runs again (a transient failure of one
 * candidate, a crash) draws only the candidates not recorded yet: none is drawn twice, none is lost.
 * Every call runs to its end before a failure is thrown, so what succeeded is kept for the retry.
 */
export async function drawFrontCandidates(
  deps: JobDeps,
  design: DesignRow,
  request: FrontRequest,
): Promise<DrawnCandidate[]> {
  const { id: designId, iteration, candidates: count } = design;
  const earlier = await listCandidates(deps.db, designId, iteration);
  const purpose = iteration === 1 ? 'front' : 'edit';
  const indexes = Array.from({ length: count }, (_, index) => index + 1);
  const results = await Promise.allSettled(
    indexes.map(async (candidate): Promise<DrawnCandidate> => {
      const stored = earlier.find((row) => row.candidate === candidate);
      if (stored) return { ...stored, png: null };
      const { model } = deps;
      const image = await meteredCall(
        deps,
        { provider: model.name, model: model.model, purpose, design, images: () => 1 },
        () =>
          model.generate({
            designId,
            view: 'front',
            prompt: candidatePrompt(request.prompt, candidate, count),
            productDescription: design.prompt,
            references: request.references,
          }),
      );
      const imageKey = imageKeys.frontCandidate(designId, iteration, candidate);
      await deps.images.put(imageKey, image.png);
      await insertCandidate(deps.db, { designId, iteration, candidate, imageKey, now: deps.clock() });
      return { candidate, imageKey, png: image.png };
    }),
  );
  const failures: unknown[] = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  // A refusal (safety block) decides the outcome: retrying the others would not change it.
  if (failures.length > 0) throw failures.find((reason) => reason instanceof PermanentError) ?? failures[0];
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}
