import { ButtonStyle, ComponentType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { buildDesignCard } from '../../../src/bots/card/design-card.ts';
import { renderDiscordCard } from '../../../src/bots/discord/discord-card.ts';
import { renderSlackCard, slackLinkActionId } from '../../../src/bots/slack/slack-blocks.ts';
import { snapshot } from './snapshot-fixture.ts';

const pageUrl = (designId: string) => `https://facet.example.com/designs/${designId}?k=sig`;

/** "Open design page": on the card when the platform has a linker, as each platform's link button. */
describe('design page link on the card', () => {
  it('is on the card when a linker is given, and not otherwise', () => {
    const design = snapshot();
    expect(buildDesignCard(design, pageUrl).link).toEqual({
      label: 'Open design page',
      url: pageUrl(design.id),
    });
    expect(buildDesignCard(design).link).toBeNull();
    expect(buildDesignCard(design, () => null).link).toBeNull();
  });

  it('Slack: a URL button in an actions block of its own, after the action buttons', () => {
    const card = buildDesignCard(snapshot(), pageUrl);
    const { blocks } = renderSlackCard(card, null);
    const last = blocks.at(-1)!;
    expect(last).toEqual({
      type: 'actions',
      block_id: 'facet_links',
      elements: [
        {
          type: 'button',
          action_id: slackLinkActionId,
          text: { type: 'plain_text', text: 'Open design page', emoji: true },
          url: card.link!.url,
        },
      ],
    });
    expect(blocks.filter((b) => b.type === 'actions').length).toBeGreaterThan(1);
    expect(JSON.stringify(renderSlackCard(buildDesignCard(snapshot()), null).blocks)).not.toContain(
      'facet_links',
    );
  });

  it('Discord: a Link-style button without custom_id in the last row, keeping every action row within five', () => {
    const card = buildDesignCard(snapshot(), pageUrl);
    const message = renderDiscordCard(card, null);
    // The card is Components V2: its action rows sit in its one container, after the text.
    const rowsOf = (rendered: typeof message) =>
      rendered.components[0]!.components.flatMap((c) => (c.type === ComponentType.ActionRow ? [c] : []));
    expect(rowsOf(message).length).toBeLessThanOrEqual(5);
    expect(rowsOf(message).at(-1)!.components).toEqual([
      { type: ComponentType.Button, style: ButtonStyle.Link, label: 'Open design page', url: card.link!.url },
    ]);
    const withoutLink = renderDiscordCard(buildDesignCard(snapshot()), null);
    const actionButtons = (rendered: typeof message) =>
      rowsOf(rendered)
        .flatMap((row) => row.components)
        .filter((c) => 'custom_id' in c).length;
    // Awaiting approval has the most buttons: the link never displaces one unless Discord's five rows are full.
    expect(actionButtons(message)).toBe(actionButtons(withoutLink));
  });
});
