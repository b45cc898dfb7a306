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
  'users:read',
  'usergroups:read',
  // Replies in cards' threads as feedback: the message events, and a reaction on each reply taken.
  'channels:history',
  'groups:history',
  'reactions:write',
] as const;
