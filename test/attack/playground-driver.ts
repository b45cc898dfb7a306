import type { FacetHandle } from '../../src/main.ts';
import { rawRequest, type RawResponse } from './raw-http.ts';

export type PlaygroundUser = 'ada' | 'ben' | 'cyd';
export type Balances = Record<string, number>;
type Design = {
  id: string;
  card: { prompt: string; requesterId: string };
  imageUrl: string | null;
};

/** The playground page's calls, from its own origin unless `host`/`origin` say otherwise. */
export class PlaygroundDriver {
  constructor(private readonly facet: FacetHandle) {}

  get port(): string {
    return new URL(this.facet.url).port;
  }

  post(
    endpoint: 'command' | 'action',
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    return rawRequest(`${this.facet.url}/playground/api/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async command(
    userId: PlaygroundUser,
    text: string,
    requestId: string,
  ): Promise<{ status: number; reply: string }> {
    const response = await this.post('command', { userId, text, requestId });
    return { status: response.status, reply: replyOf(response.body) };
  }

  async action(userId: PlaygroundUser, actionId: string): Promise<{ status: number; reply: string }> {
    const response = await this.post('action', { userId, actionId });
    return { status: response.status, reply: replyOf(response.body) };
  }

  /** Each user's available credits, read the way the page does. */
  async balances(): Promise<Balances> {
    const response = await rawRequest(`${this.facet.url}/playground/api/users`, {});
    if (response.status !== 200) throw new Error(`/playground/api/users answered ${response.status}`);
    const users = JSON.parse(response.body) as { id: string; available: number }[];
    return Object.fromEntries(users.map((user) => [user.id, user.available]));
  }

  async designs(): Promise<Design[]> {
    const response = await rawRequest(`${this.facet.url}/playground/api/designs`, {});
    if (response.status !== 200) throw new Error(`/playground/api/designs answered ${response.status}`);
    return JSON.parse(response.body) as Design[];
  }

  /** The designs started with `prompt`, with who started each. */
  async designsOf(prompt: string): Promise<Design[]> {
    return (await this.designs()).filter((design) => design.card.prompt === prompt);
  }
}

function replyOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { reply?: unknown };
    return typeof parsed.reply === 'string' ? parsed.reply : body;
  } catch {
    return body;
  }
}
