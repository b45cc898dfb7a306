import { buildDesignCard } from '../../../src/bots/card/design-card.ts';
import { renderDiscordCard } from '../../../src/bots/discord/discord-card.ts';
import { at, snapshot } from '../card/snapshot-fixture.ts';

/**
 * The biggest card Facet makes: awaiting approval of an edit asked for with long feedback, approvers in a
 * group (so a Decline button too), a budget notice, the design page link, the longest prompt made of
 * characters that each escape to two, its front view attached.
 */
export function biggestCard(prompt = '*<@1>_'.repeat(333)) {
  const feedback = 'make it *thinner* '.repeat(40);
  const card = buildDesignCard(
    snapshot({
      prompt,
      iteration: 2,
      approval: { approverGroup: '3000000000000000002', requestersApprove: false },
      budgetNotice: { level: 80, month: '2026-11', spentUsd: 12345.67, capUsd: 15000 },
      iterations: [
        { ...snapshot().iterations[0]! },
        {
          iteration: 2,
          preset: null,
          feedback,
          imageKey: 'designs/d/front-2.png',
          features: null,
          requestedBy: '2000000000000000002',
          createdAt: at(30),
          completedAt: at(50),
          candidates: [{ candidate: 1, imageKey: 'designs/d/front-2.png' }],
          picked: 1,
        },
      ],
    }),
    (id) => `https://facet.example.com/designs/${id}?sig=${'a'.repeat(64)}`,
  );
  return { card, message: renderDiscordCard(card, 'd-front-2.png') };
}
