import { describe, expect, it } from 'vitest';
import {
  discordInstallOf,
  discordWorkspaceId,
  isPersonalWorkspace,
} from '../../../src/bots/discord/discord-install.ts';
import { DiscordTokenSeal } from '../../../src/bots/discord/discord-token-seal.ts';

const guild = '1000000000000000001';
const ada = '2000000000000000001';
const bob = '2000000000000000002';

describe('discordInstallOf: whose credits an interaction spends', () => {
  it('is the server when the app is installed there, even if the user installed it too', () => {
    expect(discordInstallOf({ context: 0, guildId: guild, owners: { '0': guild }, userId: ada })).toEqual({
      kind: 'guild',
      guildId: guild,
    });
    expect(
      discordInstallOf({ context: 0, guildId: guild, owners: { '0': guild, '1': ada }, userId: ada }),
    ).toEqual({ kind: 'guild', guildId: guild });
  });

  it("is the installing user's own in a server without the app, whoever clicks", () => {
    expect(discordInstallOf({ context: 0, guildId: guild, owners: { '1': ada }, userId: bob })).toEqual({
      kind: 'personal',
      ownerId: ada,
      guildId: guild,
    });
  });

  it('is personal in DMs: the bot DM of a server install ("0", as a string or a number) and private channels', () => {
    for (const zero of ['0', 0])
      expect(discordInstallOf({ context: 1, guildId: null, owners: { '0': zero }, userId: bob })).toEqual({
        kind: 'personal',
        ownerId: bob,
        guildId: null,
      });
    expect(discordInstallOf({ context: 2, guildId: null, owners: { '1': ada }, userId: ada })).toMatchObject({
      kind: 'personal',
      ownerId: ada,
    });
  });

  it('reads a payload without owners or context (before user installs) from a server as the server', () => {
    expect(discordInstallOf({ context: null, guildId: guild, owners: {}, userId: ada })).toEqual({
      kind: 'guild',
      guildId: guild,
    });
  });

  it('names personal workspaces so that no server id (a decimal snowflake) can be one', () => {
    const personal = discordWorkspaceId({ kind: 'personal', ownerId: ada, guildId: null });
    expect(personal).toBe(`user:${ada}`);
    expect(isPersonalWorkspace(personal)).toBe(true);
    expect(isPersonalWorkspace(discordWorkspaceId({ kind: 'guild', guildId: guild }))).toBe(false);
  });
});

describe('DiscordTokenSeal', () => {
  it('opens what it sealed, and nothing sealed under another bot token or altered', () => {
    const seal = new DiscordTokenSeal('bot-token-a');
    const sealed = seal.seal('interaction-token-123');
    expect(sealed).not.toContain('interaction-token');
    expect(seal.seal('interaction-token-123')).not.toBe(sealed);
    expect(seal.open(sealed)).toBe('interaction-token-123');
    expect(new DiscordTokenSeal('bot-token-b').open(sealed)).toBeUndefined();
    const bytes = Buffer.from(sealed, 'base64url');
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    expect(seal.open(bytes.toString('base64url'))).toBeUndefined();
    expect(seal.open('')).toBeUndefined();
  });
});
