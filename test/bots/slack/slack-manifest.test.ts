import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { newDesignShortcutId } from '../../../src/bots/slack/slack-new-design-modal.ts';
import { slackBotScopes } from '../../../src/bots/slack/slack-scopes.ts';

/**
 * The bot scope each Web API method needs (api.slack.com/methods). A method the code starts calling
 * must be added here, which forces a look at its scope.
 */
const scopeOfMethod: Record<string, string | null> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'chat.getPermalink': null,
  'views.open': null,
  'views.publish': null,
  'files.uploadV2': 'files:write',
  'files.info': 'files:read',
  'users.info': 'users:read',
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'chat.unfurl': 'links:write',
  'reactions.add': 'reactions:write',
};

/** The scope each bot event needs: replies in cards' threads come as message events. */
const scopeOfEvent: Record<string, string | null> = {
  app_home_opened: null,
  app_uninstalled: null,
  tokens_revoked: null,
  link_shared: 'links:read',
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
};

const manifestSchema = z.object({
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.boolean() }),
    slash_commands: z.array(
      z.object({ command: z.string(), url: z.url(), usage_hint: z.string(), should_escape: z.boolean() }),
    ),
    shortcuts: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['global', 'message']),
        callback_id: z.string(),
        description: z.string(),
      }),
    ),
    unfurl_domains: z.array(z.string()),
  }),
  oauth_config: z.object({ redirect_urls: z.array(z.url()), scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.url(), bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean(), request_url: z.url() }),
    socket_mode_enabled: z.boolean(),
  }),
});

async function slackSources(): Promise<string> {
  const dirs = ['src/bots/slack', 'src/bots', 'src/compose'];
  const texts: string[] = [];
  for (const dir of dirs)
    for (const name of await readdir(dir))
      if (name.endsWith('.ts')) texts.push(await readFile(path.join(dir, name), 'utf8'));
  // Calls split over lines (`client.chat\n  .getPermalink(`) are joined first.
  return texts.join('\n').replace(/\s*\n\s*\./g, '.');
}

describe('manifest.yml', () => {
  it('asks for exactly the scopes the called Web API methods need, plus commands', async () => {
    const manifest = manifestSchema.parse(parse(await readFile('manifest.yml', 'utf8')));
    const called = new Set(
      [
        ...(await slackSources()).matchAll(
          /\bclient\.((?:chat|views|files|users|usergroups|conversations|reactions|team)(?:\.\w+)+)\(/g,
        ),
      ].map((m) => m[1]!),
    );
    expect([...called].sort()).toEqual(
      expect.arrayContaining(['chat.postMessage', 'chat.update', 'files.uploadV2']),
    );
    for (const method of called) expect(Object.keys(scopeOfMethod), `scope of ${method}`).toContain(method);
    const needed = new Set(['commands', 'chat:write.public']);
    for (const method of called) {
      const scope = scopeOfMethod[method];
      if (scope) needed.add(scope);
    }
    for (const event of manifest.settings.event_subscriptions.bot_events) {
      expect(Object.keys(scopeOfEvent), `scope of the ${event} event`).toContain(event);
      const scope = scopeOfEvent[event];
      if (scope) needed.add(scope);
    }
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([...needed].sort());
    expect([...slackBotScopes].sort()).toEqual([...needed].sort());
  });

  it('declares /design, the Home tab, interactivity, the OAuth redirect and its events at the paths the app serves', async () => {
    const manifest = manifestSchema.parse(parse(await readFile('manifest.yml', 'utf8')));
    const [command] = manifest.features.slash_commands;
    expect(command).toMatchObject({ command: '/design', should_escape: true });
    expect(command!.usage_hint).toContain('<description>');
    expect(new URL(command!.url).pathname).toBe('/slack/events');
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe('/slack/events');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.event_subscriptions.request_url).pathname).toBe('/slack/events');
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
      'app_home_opened',
      'app_uninstalled',
      'link_shared',
      'message.channels',
      'message.groups',
      'tokens_revoked',
    ]);
    expect(manifest.oauth_config.redirect_urls.map((u) => new URL(u).pathname)).toEqual([
      '/slack/oauth_redirect',
    ]);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('declares the New design shortcut the app listens for, and unfurls links of the app’s own host', async () => {
    const manifest = manifestSchema.parse(parse(await readFile('manifest.yml', 'utf8')));
    expect(manifest.features.shortcuts).toContainEqual(
      expect.objectContaining({ name: 'New design', type: 'global', callback_id: newDesignShortcutId }),
    );
    // The design pages live at PUBLIC_URL, the same host Slack's requests are sent to.
    const host = new URL(manifest.settings.event_subscriptions.request_url).host;
    expect(manifest.features.unfurl_domains).toEqual([host]);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('link_shared');
  });
});
