import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { ChatText } from '../chat/chat-text.ts';
import { renderSlackChatText } from './slack-chat-text.ts';
import { SlackReplies } from './slack-replies.ts';

type FormAck = (answer?: { response_action: 'errors'; errors: Record<string, string> }) => Promise<void>;

/**
 * Answers a "New design" form. Until the form is acknowledged, every refusal (empty or over-long prompt,
 * too many requests) stays in the form, under the prompt: nothing was started. Once it closed (the design
 * is being started) the person's answers (no credits, Facet cannot post in the channel) come as a direct
 * message from Facet: an ephemeral note in the chosen channel would fail exactly where Facet cannot post.
 * The card goes to the chosen channel as `/design`'s does.
 */
export class SlackNewDesignReplies extends SlackReplies {
  private readonly form: { closed: boolean };
  private readonly person: { client: WebClient; userId: string };

  constructor(
    ack: FormAck,
    errorBlock: string,
    request: { client: WebClient; channelId: string; userId: string; teamId: string; logger: Logger },
  ) {
    const form = { closed: false };
    super(
      {
        kind: 'view',
        ack: (answer) => {
          form.closed = true;
          return ack(answer);
        },
        errorBlock,
      },
      { ...request, triggerId: undefined },
    );
    this.form = form;
    this.person = { client: request.client, userId: request.userId };
  }

  override async tell(text: ChatText): Promise<void> {
    if (!this.form.closed) return this.rejectForm(renderSlackChatText(text));
    await this.person.client.chat.postMessage({
      channel: this.person.userId,
      text: renderSlackChatText(text),
    });
  }
}
