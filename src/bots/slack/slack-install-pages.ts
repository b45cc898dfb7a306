import type { ServerResponse } from 'node:http';

/**
 * What a person sees when an install through /slack/install does not finish. Bolt's own page answers a
 * cancelled install ("error=access_denied") with a 500 and a message for developers.
 */
export function installFailurePage(error: { code?: unknown }, response: ServerResponse): void {
  const { status, title, text } = pageFor(error.code);
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
      `<title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem">` +
      `<h1>${title}</h1><p>${text}</p><p><a href="/slack/install">Install Facet</a></p></body></html>`,
  );
}

function pageFor(code: unknown): { status: number; title: string; text: string } {
  switch (code) {
    case 'slack_oauth_installer_authorization_error':
      return {
        status: 200,
        title: 'Install cancelled',
        text: 'Facet was not installed and nothing was changed in your workspace. You can close this tab, or start again.',
      };
    case 'slack_oauth_missing_state':
    case 'slack_oauth_invalid_state':
    case 'slack_oauth_missing_code':
      return {
        status: 400,
        title: 'This install link has expired',
        text: 'The link was already used, is more than 10 minutes old, or was opened in another browser. Nothing was installed; start again.',
      };
    default:
      return {
        status: 502,
        title: 'The install did not finish',
        text: 'Slack did not complete the install, so nothing was installed. Try again in a minute.',
      };
  }
}
