import { SnowflakeUtil } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { interactionPayloadSchema } from '../../../src/bots/discord/discord-interaction-payload.ts';
import { viewOfPayload } from '../../../src/bots/discord/discord-interaction-view.ts';

const guild = '1000000000000000001';
const ada = '2000000000000000001';
const createdAt = new Date('2026-12-05T03:00:00.000Z');
const id = SnowflakeUtil.generate({ timestamp: createdAt.getTime() }).toString();

/** A raw HTTP interaction as Discord POSTs it, read the way the route reads it. */
function view(extra: Record<string, unknown>) {
  const payload = interactionPayloadSchema.parse({
    id,
    application_id: '4000000000000000001',
    token: 'interaction-token',
    type: 3,
    data: { custom_id: 'facet1:approve:d:1', component_type: 2 },
    channel_id: '5000000000000000001',
    channel: { id: '5000000000000000001', type: 0 },
    app_permissions: '0',
    message: { id: '6000000000000000001' },
    ...extra,
  });
  if (payload.type === 1) throw new Error('not a PING');
  return viewOfPayload(payload);
}

const member = { user: { id: ada, username: 'ada' }, roles: [], permissions: '0' };

describe('viewOfPayload (HTTP interactions read like the gateway)', () => {
  it('a server that installed the app is its workspace', () => {
    const read = view({
      guild_id: guild,
      member,
      context: 0,
      authorizing_integration_owners: { '0': guild },
    });
    expect(read.install).toEqual({ kind: 'guild', guildId: guild });
    expect(read.createdAt).toEqual(createdAt);
    expect(read.messageId).toBe('6000000000000000001');
    expect(read.username).toBe('ada');
  });

  it("a user install in a server without the app is the person's own workspace", () => {
    const read = view({ guild_id: guild, member, context: 0, authorizing_integration_owners: { '1': ada } });
    expect(read.install).toEqual({ kind: 'personal', ownerId: ada, guildId: guild });
  });

  it('a DM with the bot (owner "0", sometimes a number) is personal too', () => {
    const user = { id: ada, username: 'ada' };
    expect(view({ user, context: 1, authorizing_integration_owners: { '0': 0 } }).install).toEqual({
      kind: 'personal',
      ownerId: ada,
      guildId: null,
    });
  });

  it('a payload from before user installs (no context, no owners) belongs to its server', () => {
    expect(view({ guild_id: guild, member }).install).toEqual({ kind: 'guild', guildId: guild });
  });

  it('unreadable owners count as none, never as someone else', () => {
    const read = view({ guild_id: guild, member, context: 0, authorizing_integration_owners: 'x' });
    expect(read.install).toEqual({ kind: 'personal', ownerId: ada, guildId: guild });
  });
});
