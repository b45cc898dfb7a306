/**
 * The bot scopes Facet asks for, and nothing more; manifest.yml lists the same (a test checks both
 * against the Web API methods the code calls).
 */
export const slackBotScopes = [
  'commands',
  'chat:write',
  'files:write',
  'users:read',
  'usergroups:read',
] as const;
