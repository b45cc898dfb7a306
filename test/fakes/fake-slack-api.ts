import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call as the fake received it; JSON-valued form fields (blocks, view) are parsed. */
export type SlackCall = {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
  at: number;
  /** Answered with HTTP 429 by `rateLimit`. */
  rateLimited?: boolean;
  /** The error of an `ok: false` answer to a message the fake refused (invalid_blocks, not_in_channel). */
  error?: string;
};

/** A file as Slack holds it after files.uploadV2 (getUploadURLExternal, upload, completeUploadExternal). */
export type SlackFile = {
  id: string;
  filename: string;
  title: string | undefined;
  bytes: Buffer;
  /** Unset for a file completed without channel_id: private to the token that uploaded it. */
  channelId: string | undefined;
  threadTs: string | undefined;
  /** The token that uploaded it. */
  uploadedBy: string | undefined;
  /** Until then Slack is still scanning it, and refuses blocks that show it. */
  readyAt: number;
};

export type SlackUser = { isAdmin?: boolean; isOwner?: boolean };

export type FakeSlack = {
  /** Pass as slackApiUrl. */
  apiUrl: string;
  /** Base for response_url values in simulated payloads: `${url}/response/<anything>`. */
  url: string;
  calls: SlackCall[];
  /** Bodies POSTed to response URLs (respond()). */
  responses: Record<string, unknown>[];
  callsTo(method: string): SlackCall[];
  /** Files of completed uploads, shared or private, in order. */
  files: SlackFile[];
  /** users.info answers from here; unknown users are regular members. */
  users: Map<string, SlackUser>;
  /** usergroups.users.list answers from here: group id → member ids. */
  groups: Map<string, { handle: string; members: string[] }>;
  /** Channels the bot is not in: chat.postMessage answers not_in_channel. */
  closedChannels: Set<string>;
  /**
   * A file a person shared in a message, as a message's `files[]` lists it (and files.info answers):
   * served at its url_private to a bot token (`Authorization: Bearer xoxb-…`), else a login page as
   * Slack does. `url` moves url_private elsewhere; `size` overrides the size Slack reports.
   */
  addUserFile(input: {
    name: string;
    mimetype: string;
    bytes: Buffer;
    url?: string;
    size?: number;
    /** The channel it was shared in (files.info's `channels`); default C1. */
    channelId?: string;
  }): Record<string, unknown>;
  /** Downloads of shared files at their url_private: the path and the Authorization header sent. */
  fileDownloads: { path: string; authorization: string | undefined }[];
  /** The next `count` calls to `method` are rate limited (HTTP 429, Retry-After: 1). */
  rateLimit(method: string, count?: number): void;
  close(): Promise<void>;
};

const jsonFields = new Set(['blocks', 'view', 'attachments', 'metadata', 'files', 'unfurls']);

export type FakeSlackOptions = {
  /**
   * How long Slack scans a completed upload before a block may show it (real Slack: about a second,
   * more for big files); meanwhile a slack_file naming it is refused as invalid_blocks.
   */
  fileScanMs?: number;
};

/**
 * Enough of Slack's Web API for the app: it records every call, answers like Slack, and refuses
 * messages that break Block Kit limits the way Slack does (ok: false, invalid_blocks).
 */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const responses: Record<string, unknown>[] = [];
  const files: SlackFile[] = [];
  const uploads = new Map<string, { filename: string; bytes?: Buffer }>();
  const users = new Map<string, SlackUser>();
  const groups = new Map<string, { handle: string; members: string[] }>();
  const limited = new Map<string, number>();
  const closedChannels = new Set<string>();
  let tsCounter = 0;
  const reactions = new Set<string>();
  let fileCounter = 0;
  const userFiles = new Map<string, { json: Record<string, unknown>; bytes: Buffer }>();
  const fileDownloads: { path: string; authorization: string | undefined }[] = [];

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, { ok: false, error: `fake failed: ${String(error)}` });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const raw = await readBody(request);
    const body = raw.toString('utf8');
    const url = request.url ?? '';
    if (url.startsWith('/upload/')) {
      const upload = uploads.get(url.slice('/upload/'.length));
      if (!upload) return send(response, 404, { ok: false });
      upload.bytes = uploadedBytes(raw, request.headers['content-type'] ?? '');
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${raw.length}`);
      return;
    }
    if (request.method === 'GET' && url.startsWith('/files-pri/')) {
      const authorization = request.headers.authorization;
      fileDownloads.push({ path: url, authorization });
      const file = userFiles.get(/^\/files-pri\/[A-Z0-9]+-(F[A-Z0-9]+)\//.exec(url)?.[1] ?? '');
      if (!file) return send(response, 404, { ok: false });
      // Without a bot token Slack answers with its sign-in page, not the file.
      if (!/^Bearer xoxb-/.test(authorization ?? ''))
        return void response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>');
      response.writeHead(200, {
        'content-type': String(file.json.mimetype),
        'content-length': file.bytes.length,
      });
      response.end(file.bytes);
      return;
    }
    if (url.startsWith('/response/')) {
      responses.push(JSON.parse(body) as Record<string, unknown>);
      return send(response, 200, { ok: true });
    }
    const method = /^\/api\/([\w.]+)/.exec(url)?.[1];
    if (!method) return send(response, 404, { ok: false, error: 'unknown_method' });
    const args = parseArgs(body, request.headers['content-type'] ?? '');
    const auth = request.headers.authorization;
    const token =
      typeof auth === 'string' ? auth.replace(/^Bearer /, '') : (args.token as string | undefined);
    calls.push({ method, token, args, at: Date.now() });
    const remaining = limited.get(method) ?? 0;
    if (remaining > 0) {
      limited.set(method, remaining - 1);
      calls[calls.length - 1]!.rateLimited = true;
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      response.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    if (method === 'oauth.v2.access') {
      // The code names the team being installed: `code-<team id>`.
      const teamId = String(args.code).replace(/^code-/, '');
      return send(response, 200, {
        ok: true,
        app_id: 'A0FACET',
        authed_user: { id: 'U-installer' },
        scope: typeof args.scope === 'string' ? args.scope : 'commands,chat:write',
        token_type: 'bot',
        access_token: `xoxb-installed-${teamId}`,
        bot_user_id: 'U0FACET',
        team: { id: teamId, name: `Team ${teamId}` },
        enterprise: null,
        is_enterprise_install: false,
      });
    }
    if (method !== 'auth.test' && !token) return send(response, 200, { ok: false, error: 'not_authed' });
    const fileOf = (id: string) => {
      const file = files.find((f) => f.id === id);
      // Private files can be shown only by the token that uploaded them; shared ones by anyone.
      return file && (file.channelId !== undefined || file.uploadedBy === token) ? file : undefined;
    };
    const invalid =
      'blocks' in args
        ? blockKitProblem(args, fileOf, messageBlocks)
        : method === 'views.publish'
          ? homeViewProblem(args, fileOf)
          : undefined;
    if (invalid) {
      calls[calls.length - 1]!.error = `invalid_blocks: ${invalid}`;
      return send(response, 200, { ok: false, error: 'invalid_blocks', errors: [invalid] });
    }
    switch (method) {
      case 'auth.test':
        return send(response, 200, {
          ok: true,
          user_id: 'U0FACET',
          bot_id: 'B0FACET',
          team_id: 'T1',
          url: 'https://fake.slack/',
        });
      case 'chat.postMessage': {
        if (closedChannels.has(String(args.channel))) {
          calls[calls.length - 1]!.error = 'not_in_channel';
          return send(response, 200, { ok: false, error: 'not_in_channel' });
        }
        tsCounter += 1;
        const ts = `${Math.floor(Date.now() / 1000)}.${String(tsCounter).padStart(6, '0')}`;
        return send(response, 200, { ok: true, channel: args.channel, ts, message: { ts, text: args.text } });
      }
      case 'chat.update':
        return send(response, 200, { ok: true, channel: args.channel, ts: args.ts, text: args.text });
      case 'chat.postEphemeral':
        return send(response, 200, { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.999999` });
      // Facet marks a reply in a card's thread it took; Slack refuses a second identical reaction.
      case 'reactions.add': {
        const key = `${String(args.channel)}:${String(args.timestamp)}:${String(args.name)}`;
        if (reactions.has(key)) return send(response, 200, { ok: false, error: 'already_reacted' });
        reactions.add(key);
        return send(response, 200, { ok: true });
      }
      case 'files.getUploadURLExternal': {
        fileCounter += 1;
        // Slack checks ids against ^F[A-Z0-9]{8,}$.
        const id = `F${String(fileCounter).padStart(10, '0')}`;
        uploads.set(id, { filename: String(args.filename) });
        return send(response, 200, { ok: true, file_id: id, upload_url: `${base()}/upload/${id}` });
      }
      case 'files.completeUploadExternal': {
        const completed = args.files as { id: string; title?: string }[];
        for (const file of completed) {
          const upload = uploads.get(file.id);
          if (!upload?.bytes) return send(response, 200, { ok: false, error: 'file_not_found' });
          if (files.some((f) => f.id === file.id))
            return send(response, 200, { ok: false, error: 'file_not_found' });
          files.push({
            id: file.id,
            filename: upload.filename,
            title: file.title,
            bytes: upload.bytes,
            channelId: args.channel_id as string | undefined,
            threadTs: args.thread_ts as string | undefined,
            uploadedBy: token,
            readyAt: Date.now() + (options.fileScanMs ?? 0),
          });
        }
        return send(response, 200, {
          ok: true,
          files: completed.map((f) => ({
            id: f.id,
            title: f.title,
            url_private: `https://files.fake.slack/files-pri/T1-${f.id}/${uploads.get(f.id)!.filename}`,
          })),
        });
      }
      case 'users.info': {
        const id = String(args.user);
        const user = users.get(id) ?? {};
        return send(response, 200, {
          ok: true,
          user: { id, is_admin: user.isAdmin ?? false, is_owner: user.isOwner ?? false, is_bot: false },
        });
      }
      case 'usergroups.users.list': {
        const group = groups.get(String(args.usergroup));
        if (!group) return send(response, 200, { ok: false, error: 'no_such_subteam' });
        return send(response, 200, { ok: true, users: group.members });
      }
      case 'usergroups.list':
        return send(response, 200, {
          ok: true,
          usergroups: [...groups].map(([id, group]) => ({ id, handle: group.handle, name: group.handle })),
        });
      case 'chat.getPermalink':
        return send(response, 200, {
          ok: true,
          channel: args.channel,
          permalink: `https://fake.slack/archives/${String(args.channel)}/p${String(args.message_ts).replace('.', '')}`,
        });
      case 'chat.unfurl': {
        // Either the posted message (channel and ts) or a link still in the composer (unfurl_id, source).
        const target =
          (typeof args.channel === 'string' && typeof args.ts === 'string') ||
          (typeof args.unfurl_id === 'string' && typeof args.source === 'string');
        const unfurls = args.unfurls as Record<string, { blocks?: unknown }> | null | undefined;
        const problem = !target
          ? 'channel and ts, or unfurl_id and source, are required'
          : typeof unfurls !== 'object' || unfurls === null || Object.keys(unfurls).length === 0
            ? 'unfurls must be a map of URLs'
            : Object.values(unfurls)
                .map((unfurl) => blockKitProblem({ blocks: unfurl.blocks }, fileOf, messageBlocks))
                .find((found) => found !== undefined);
        if (problem) {
          calls[calls.length - 1]!.error = `invalid_unfurls: ${problem}`;
          return send(response, 200, { ok: false, error: 'invalid_unfurls', errors: [problem] });
        }
        return send(response, 200, { ok: true });
      }
      case 'files.info': {
        const file = userFiles.get(String(args.file));
        if (!file) return send(response, 200, { ok: false, error: 'file_not_found' });
        return send(response, 200, { ok: true, file: file.json });
      }
      case 'views.open':
        return send(response, 200, { ok: true, view: { id: `V${calls.length}`, ...(args.view as object) } });
      case 'views.publish':
        return send(response, 200, { ok: true, view: { id: `V${calls.length}`, ...(args.view as object) } });
      default:
        return send(response, 200, { ok: false, error: 'unknown_method' });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  function base() {
    return url;
  }
  return {
    apiUrl: `${url}/api/`,
    url,
    calls,
    responses,
    callsTo: (method) => calls.filter((call) => call.method === method),
    files,
    users,
    groups,
    closedChannels,
    addUserFile(input) {
      fileCounter += 1;
      const id = `FUSER${String(fileCounter).padStart(6, '0')}`;
      const at = input.url ?? `${url}/files-pri/T1-${id}/${encodeURIComponent(input.name)}`;
      const json = {
        id,
        name: input.name,
        title: input.name,
        mimetype: input.mimetype,
        filetype: input.name.split('.').pop() ?? '',
        size: input.size ?? input.bytes.length,
        channels: [input.channelId ?? 'C1'],
        url_private: at,
        url_private_download: `${at}?download=1`,
      };
      userFiles.set(id, { json, bytes: input.bytes });
      return json;
    },
    fileDownloads,
    rateLimit: (method, count = 1) => limited.set(method, (limited.get(method) ?? 0) + count),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseArgs(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = jsonFields.has(key) ? JSON.parse(value) : value;
  }
  return args;
}

/** Blocks per message; a Home tab (or modal) view holds up to 100. */
const messageBlocks = 50;
const viewBlocks = 100;

/** views.publish: a Home view for one user, its blocks within a view's limits. */
function homeViewProblem(
  args: Record<string, unknown>,
  fileOf: (id: string) => SlackFile | undefined,
): string | undefined {
  if (typeof args.user_id !== 'string' || args.user_id === '') return 'user_id is required';
  const view = args.view as { type?: unknown; blocks?: unknown } | undefined;
  if (view?.type !== 'home') return 'view type must be home';
  return blockKitProblem({ blocks: view.blocks }, fileOf, viewBlocks);
}

/** The limits Slack enforces on a message's blocks (a subset: the ones a card could break). */
function blockKitProblem(
  args: Record<string, unknown>,
  /** A completed upload the caller may show, by id. */
  fileOf: (id: string) => SlackFile | undefined,
  maxBlocks: number,
): string | undefined {
  const blocks = args.blocks as Record<string, unknown>[];
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > maxBlocks) return `more than ${maxBlocks} blocks`;
  if (typeof args.text === 'string' && args.text.length >= 4000) return 'text too long';
  const actionIds = new Set<string>();
  const blockIds = new Set<string>();
  for (const [index, block] of blocks.entries()) {
    const blockId = block.block_id as string | undefined;
    if (blockId !== undefined) {
      if (blockIds.has(blockId) || blockId.length > 255) return `bad block_id ${blockId}`;
      blockIds.add(blockId);
    }
    if (block.type === 'section') {
      const text = (block.text as { text?: string } | undefined)?.text ?? '';
      if (text.length > 3000) return 'section text over 3000';
      // A section's image is fetched by Slack like an image block's.
      const accessory = block.accessory as Record<string, unknown> | undefined;
      if (accessory?.type === 'image') {
        const problem = imageProblem(accessory, `/blocks/${index}/accessory`, fileOf);
        if (problem) return problem;
      }
    }
    if (block.type === 'header') {
      const text = (block.text as { type?: string; text?: string } | undefined) ?? {};
      if (text.type !== 'plain_text' || !text.text || text.text.length > 150)
        return 'header text must be plain_text of 1-150 characters';
    }
    if (block.type === 'image') {
      const problem = imageProblem(block, `/blocks/${index}`, fileOf);
      if (problem) return problem;
    }
    if (block.type === 'actions') {
      const elements = block.elements as Record<string, unknown>[];
      if (elements.length > 25) return 'more than 25 elements';
      for (const element of elements) {
        const actionId = element.action_id as string;
        if (actionIds.has(actionId)) return `duplicate action_id ${actionId}`;
        if (actionId.length > 255) return 'action_id over 255';
        actionIds.add(actionId);
        const text = (element.text as { text: string }).text;
        if (text.length > 75) return 'button text over 75';
        if (typeof element.value === 'string' && element.value.length > 2000) return 'button value over 2000';
      }
    }
  }
  return undefined;
}

/**
 * An image block as Slack checks it (Block Kit reference: image block, slack_file object): alt_text,
 * exactly one of image_url and slack_file, and a slack_file of exactly one of id and url naming a PNG,
 * JPEG or GIF the caller may see and Slack has finished scanning.
 */
function imageProblem(
  block: Record<string, unknown>,
  pointer: string,
  fileOf: (id: string) => SlackFile | undefined,
): string | undefined {
  const altText = block.alt_text;
  if (typeof altText !== 'string' || altText.length === 0 || altText.length > 2000)
    return `alt_text must be 1-2000 characters [json-pointer:${pointer}/alt_text]`;
  const title = block.title as { type?: unknown; text?: unknown } | undefined;
  if (title && (title.type !== 'plain_text' || typeof title.text !== 'string' || title.text.length > 2000))
    return `title must be plain_text of up to 2000 characters [json-pointer:${pointer}/title]`;
  const hasUrl = 'image_url' in block;
  const hasFile = 'slack_file' in block;
  if (hasUrl === hasFile)
    return `must provide exactly one of image_url and slack_file [json-pointer:${pointer}]`;
  if (hasUrl) {
    if (typeof block.image_url !== 'string' || !/^https?:\/\//.test(block.image_url))
      return `invalid image_url [json-pointer:${pointer}/image_url]`;
    // Slack downloads the image itself: a loopback URL fails the whole message.
    if (/^https?:\/\/(localhost|127\.|\[::1\])/.test(block.image_url))
      return `downloading image failed [json-pointer:${pointer}/image_url]`;
    return undefined;
  }
  const slackFile = block.slack_file as { id?: unknown; url?: unknown } | null;
  const invalid = `invalid slack file [json-pointer:${pointer}/slack_file]`;
  if (typeof slackFile !== 'object' || slackFile === null) return invalid;
  if ('id' in slackFile === 'url' in slackFile) return invalid;
  let file: SlackFile | undefined;
  if (typeof slackFile.id === 'string') {
    if (!/^F[A-Z0-9]{8,}$/.test(slackFile.id))
      return `input must match regex pattern: ^[F][A-Z0-9]{8,}$ [json-pointer:${pointer}/slack_file/id]`;
    file = fileOf(slackFile.id);
  } else if (typeof slackFile.url === 'string') {
    const id = /\/files-pri\/[A-Z0-9]+-(F[A-Z0-9]+)\//.exec(slackFile.url)?.[1];
    file = id ? fileOf(id) : undefined;
  }
  if (!file || Date.now() < file.readyAt || !isSlackImage(file.bytes)) return invalid;
  return undefined;
}

/** PNG, JPEG or GIF: the only images a slack_file may show. */
function isSlackImage(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4).toString('latin1');
  return head === '\x89PNG' || head.startsWith('\xff\xd8\xff') || head.startsWith('GIF8');
}

/** The upload URL takes the raw bytes or a multipart form with one file (what the SDK sends). */
function uploadedBytes(raw: Buffer, contentType: string): Buffer {
  const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2];
  if (!contentType.startsWith('multipart/form-data') || !boundary) return raw;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0 && part.subarray(0, headerEnd).toString('utf8').includes('filename='))
      return part.subarray(headerEnd + 4);
    start = next;
  }
  throw new Error('multipart upload without a file');
}

function send(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
