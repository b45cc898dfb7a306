/**
 * The bot scopes Facet asks for, and nothing more; manifest.yml lists the same (a test checks both
 * against the Web API methods the code calls).
 */
export const slackBotScopes = [
  'commands',
  'chat:write',
  // Cards go to the channel the command came from, which the bot need not have joined.
  'chat:write.public',
  'files:write',
  // "Design from this image": the message's file, read with the bot token (files.info, url_private).
  'files:read',
  'users:read',
  'usergroups:read',
  // Design page links shared in Slack: the link_shared event (read) and chat.unfurl (write).
  'links:read',
  'links:write',
  // Replies in cards' threads as feedback: the message events, and a reaction on each reply taken.
  'channels:history',
  'groups:history',
  'reactions:write',
] as const;
