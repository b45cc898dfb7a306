import { describe, expect, it } from 'vitest';
import { buildDesignCard } from '../../../src/bots/card/design-card.ts';
import { buildDesignThread } from '../../../src/bots/card/design-thread.ts';
import { imageFileName } from '../../../src/bots/card/image-file-name.ts';
import { ComponentType } from 'discord.js';
import {
  discordCardImages,
  escapeDiscordText,
  renderDiscordCard,
  type DiscordCardMessage,
} from '../../../src/bots/discord/discord-card.ts';
import {
  renderDiscordThreadGallery,
  renderDiscordThreadStatus,
} from '../../../src/bots/discord/discord-thread-messages.ts';
import { checkMessage } from '../../fakes/fake-discord-limits.ts';
import { biggestCard } from './biggest-card.ts';
import {
  discordIterationModal,
  iterationFormOf,
  readDiscordIterationForm,
} from '../../../src/bots/discord/discord-iteration-modal.ts';
import type { DesignState } from '../../../src/storage/schema.ts';
import { at, snapshot } from '../card/snapshot-fixture.ts';

const states: DesignState[] = [
  'queued',
  'generating_front',
  'awaiting_approval',
  'generating_views',
  'finalizing',
  'completed',
  'failed',
  'cancelled',
  'expired',
];

/** Every component of a V2 tree, nested ones included (Discord counts them all towards its 40). */
function flatten(components: readonly unknown[]): Record<string, unknown>[] {
  return (components as Record<string, unknown>[]).flatMap((component) => [
    component,
    ...flatten((component.components as unknown[] | undefined) ?? []),
    ...flatten((component.items as unknown[] | undefined) ?? []).filter((item) => 'type' in item),
  ]);
}

const textOf = (message: DiscordCardMessage) =>
  flatten(message.components)
    .filter((c) => c.type === ComponentType.TextDisplay)
    .map((c) => c.content as string);

describe('Discord card (Components V2)', () => {
  it('keeps every state within the limits the fake Discord enforces', () => {
    for (const state of states) {
      const message = renderDiscordCard(
        buildDesignCard(snapshot({ state, prompt: 'x'.repeat(2000) })),
        'd-front-1.png',
      );
      expect(message.flags).toBe(1 << 15);
      expect(message).not.toHaveProperty('content');
      expect(message).not.toHaveProperty('embeds');
      const { errors } = checkMessage(message, {
        attachmentCount: 1,
        fileNames: ['d-front-1.png'],
        creating: true,
      });
      expect(errors, state).toEqual([]);
      const ids = flatten(message.components).flatMap((c) =>
        typeof c.custom_id === 'string' ? [c.custom_id] : [],
      );
      for (const id of ids) expect(id.length).toBeLessThanOrEqual(100);
      expect(new Set(ids).size).toBe(ids.length);
      expect(message.allowed_mentions).toEqual({ parse: [] });
    }
  });

  it('stays within Discord limits at its biggest: all buttons, the longest prompt, all facts', () => {
    const { card, message } = biggestCard('*<@1>_'.repeat(333));
    // DUMP_CARD=1 prints it, to read the card as Discord gets it.
    if (process.env.DUMP_CARD) console.log(JSON.stringify(message, null, 1));
    expect(card.actions.flat()).toHaveLength(10);
    const all = flatten(message.components);
    // Container, two text displays, the gallery, four rows of buttons with 11 buttons (the link too).
    expect(all.length).toBe(19);
    expect(all.length).toBeLessThanOrEqual(40);
    expect(message.components[0]!.components.length).toBeLessThanOrEqual(10);
    const text = textOf(message).join('');
    // Discord counts characters; UTF-16 units are never fewer.
    expect(text.length).toBeLessThanOrEqual(4000);
    // The prompt got what the rest left over, and ends in an ellipsis rather than running over.
    expect(text.length).toBeGreaterThan(3900);
    expect(textOf(message)[0]).toMatch(/…$/);
    expect(textOf(message)[1]).toContain('This workspace has used 80% of its AI budget');
    expect(textOf(message)[1]).toContain('<@&3000000000000000002>');
    const labels = all.filter((c) => c.type === ComponentType.Button).map((c) => c.label);
    expect(labels).toEqual([
      'Approve (3 credits)',
      'Request changes (+1 credit)',
      'Decline',
      'Cancel',
      'More minimal (+1 credit)',
      'Change the color (+1 credit)',
      'Premium materials (+1 credit)',
      'More playful (+1 credit)',
      'More rugged (+1 credit)',
      'More compact (+1 credit)',
      'Open design page',
    ]);
    const { errors } = checkMessage(message, {
      attachmentCount: 1,
      fileNames: ['d-front-2.png'],
      creating: true,
    });
    expect(errors).toEqual([]);
  });

  it('lays the card out in one container: title, details, the front view in a gallery, the buttons', () => {
    const message = renderDiscordCard(buildDesignCard(snapshot()), 'd-front-1.png');
    const [container] = message.components;
    expect(container).toMatchObject({ type: ComponentType.Container, accent_color: 0xfee75c });
    expect(container!.components.map((c) => c.type)).toEqual([
      ComponentType.TextDisplay,
      ComponentType.TextDisplay,
      ComponentType.MediaGallery,
      ComponentType.ActionRow,
      ComponentType.ActionRow,
      ComponentType.ActionRow,
    ]);
    expect(container!.components[0]).toEqual({
      type: ComponentType.TextDisplay,
      content: '### wireless headphones in matte black',
    });
    expect(container!.components[2]).toEqual({
      type: ComponentType.MediaGallery,
      items: [{ media: { url: 'attachment://d-front-1.png' }, description: 'Front view, iteration 1' }],
    });
    const rows = container!.components.slice(3) as { components: unknown[] }[];
    expect(rows.map((row) => row.components.length)).toEqual([3, 3, 3]);
  });

  it('shows the images the card model lists; an image not attached is named instead of shown', () => {
    const card = buildDesignCard(snapshot());
    expect(discordCardImages(card).map((image) => image.name)).toEqual(['d-front-1.png']);
    const notAttached = renderDiscordCard(card, null);
    expect(flatten(notAttached.components).some((c) => c.type === ComponentType.MediaGallery)).toBe(false);
    expect(textOf(notAttached)[1]).toContain('Front view, iteration 1: in the thread');
    const listed = renderDiscordCard(card, ['d-front-1.png', 'other.png']);
    expect(flatten(listed.components).filter((c) => c.type === ComponentType.MediaGallery)).toHaveLength(1);
  });

  it('shows a prompt literally: no pings, no markdown', () => {
    const escaped = escapeDiscordText('@everyone <@123> **bold** [link](https://x) @here');
    expect(escaped).not.toMatch(/@everyone|@here|<@123>/);
    expect(escaped).toContain('\\*\\*bold\\*\\*');
    const message = renderDiscordCard(buildDesignCard(snapshot({ prompt: '@everyone look' })), null);
    expect(textOf(message)[0]).not.toContain('@everyone');
    expect(textOf(message)[1]).toContain('Requested by <@U1>');
  });

  it('puts a round of thread images into one gallery message, up to ten', () => {
    const images = Array.from({ length: 12 }, (_, i) => ({
      postKey: `image:${i}`,
      imageKey: `designs/d/r1/view-${i}.png`,
      title: `View ${i} (*)`,
    }));
    const gallery = renderDiscordThreadGallery(images.slice(0, 7));
    expect(gallery.flags).toBe(1 << 15);
    expect(gallery.components).toEqual([
      {
        type: ComponentType.TextDisplay,
        content: images
          .slice(0, 7)
          .map((_, i) => `**View ${i} \\(\\*\\)**`)
          .join('\n'),
      },
      {
        type: ComponentType.MediaGallery,
        items: images.slice(0, 7).map((_, i) => ({
          media: { url: `attachment://r1-view-${i}.png` },
          description: `View ${i} (*)`,
        })),
      },
    ]);
    expect(renderDiscordThreadGallery(images).files).toHaveLength(10);
    const names = gallery.files.map((file) => file.name);
    expect(checkMessage(gallery, { attachmentCount: 7, fileNames: names, creating: true }).errors).toEqual(
      [],
    );
  });

  it('names images readably and renders the thread status as lines', () => {
    expect(imageFileName('designs/3f2a8c1e-0000-4000-8000-000000000001/front-2.png')).toBe('front-2.png');
    expect(imageFileName('designs/3f2a8c1e-0000-4000-8000-000000000001/r1/back.png')).toBe('r1-back.png');
    const thread = buildDesignThread(
      snapshot({ state: 'generating_views', approvedBy: 'U2', approvedAt: at(30) }),
      { frontsInThread: false },
    );
    const status = renderDiscordThreadStatus(thread.status!);
    expect(status.content.split('\n')).toHaveLength(5);
    expect(status.content).toContain('⚪ Back: waiting');
  });

  it('builds the feedback and decline modals within limits and validates what comes back', () => {
    const designId = '3f2a8c1e-0000-4000-8000-000000000001';
    const modal = discordIterationModal('feedback', { designId, iteration: 2 });
    expect(modal.custom_id.length).toBeLessThanOrEqual(100);
    expect(modal.title.length).toBeLessThanOrEqual(45);
    expect(iterationFormOf(modal.custom_id)).toBe('feedback');
    const ok = readDiscordIterationForm(
      'feedback',
      modal.custom_id,
      new Map([['feedback', '  thinner band ']]),
    );
    // What the text may be is the chat layer's to judge (test/bots/chat); the form only reads it.
    expect(ok).toEqual({ kind: 'feedback', designId, iteration: 2, feedback: '  thinner band ' });
    expect(readDiscordIterationForm('feedback', 'facet1m:not-a-uuid:1', new Map())).toEqual({
      kind: 'stale',
      form: 'feedback',
    });
    const decline = discordIterationModal('decline', { designId, iteration: 3 });
    expect(decline.title.length).toBeLessThanOrEqual(45);
    expect(iterationFormOf(decline.custom_id)).toBe('decline');
    expect(
      readDiscordIterationForm('decline', decline.custom_id, new Map([['reason', 'off-brand']])),
    ).toEqual({ kind: 'decline', designId, iteration: 3, reason: 'off-brand' });
    expect(iterationFormOf('facet1x:whatever')).toBeUndefined();
  });
});
