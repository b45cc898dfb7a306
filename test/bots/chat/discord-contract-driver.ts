import { readDiscordCardPlace } from '../../../src/bots/discord/discord-card-place.ts';
import { isEphemeral, type FakeInteraction } from '../../fakes/fake-discord.ts';
import { WorkspaceDirectory } from '../../../src/workflow/workspace-directory.ts';
import { members, startDiscordKit, type DiscordTransport } from '../discord/discord-kit.ts';
import { galleryOf } from '../discord/discord-v2-read.ts';
import { Routes } from 'discord.js';
import { discordRest } from '../../../src/bots/discord/discord-bot.ts';
import {
  describeChatContract,
  poll,
  type ChatContractSetup,
  type ContractUser,
  type Sent,
} from './chat-contract.ts';
import { holdModel, modelTexts } from './held-model.ts';

const users: Record<ContractUser, string> = {
  requester: members.bob,
  other: members.ada,
  approver: members.lee,
};
/** The kit's "leads" role, which lee has. */
const leadsRole = '3000000000000000002';

/** Asks until there is an answer (a design is made after its command is acknowledged). */
async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the design');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The private text an interaction was answered with: an ephemeral reply, edit or follow-up. */
const privateAnswer = (interaction: FakeInteraction): Sent => ({
  answer: () =>
    poll(() => {
      const original = interaction.original();
      const candidates = [...(original ? [original] : []), ...interaction.followUps()];
      return candidates.find((m) => isEphemeral(m) && m.content !== '')?.content;
    }, 'a private answer'),
});

let kits = 0;

/**
 * The contract suite on Discord, its interactions arriving by `transport`: one driver for both, so every
 * behaviour is proved over the gateway and over HTTP interactions alike.
 */
export function describeDiscordContract(transport: DiscordTransport, title: string): void {
  const shape = { threadPosts: true, threadMade: true, readsThreadReplies: transport === 'gateway' };
  describeChatContract(title, shape, (options) => discordContractSetup(transport, options));
}

async function discordContractSetup(
  transport: DiscordTransport,
  { limiter }: Parameters<ChatContractSetup>[0],
): ReturnType<ChatContractSetup> {
  kits += 1;
  const kit = await startDiscordKit(`chat_contract_discord_${transport}_${kits}`, {
    transport,
    ...(limiter ? { limiter } : {}),
    messageContent: true,
  });
  /** Someone's REST client, to open a thread on a card as any member can. */
  const member = discordRest(kit.fake.token, kit.fake.apiUrl);
  /** The card's thread, opened from the card (so it has the card's id) if nobody has yet. */
  const threadOf = async (designId: string) => {
    const card = await kit.card(designId);
    if (!kit.fake.channel(card.id))
      await member.post(Routes.threads(card.channelId, card.id), { body: { name: 'Feedback' } });
    return card.id;
  };
  const snapshot = async (designId: string) => {
    const design = await kit.h.workflow.service.snapshot(designId);
    if (!design) throw new Error(`no design ${designId}`);
    return design;
  };
  const press = async (user: ContractUser, designId: string, actionId: string) =>
    kit.fake.dispatchInteraction({
      type: 3,
      data: { custom_id: actionId, component_type: 2 },
      message: await kit.card(designId),
      userId: users[user],
    });

  /** Sends `/design create` and waits for the card of the design whose description is `prompt`. */
  const startWith = async (prompt: string, more: { candidates?: number }) => {
    kit.fake.slashCommand('design', {
      subcommand: 'create',
      options: { prompt, ...more },
      userId: users.requester,
    });
    // This prompt's design: the requester's latest may still be an earlier one for a moment.
    const designId = await until(
      async () =>
        (
          await kit.h.test.db
            .selectFrom('designs')
            .select('id')
            .where('requester_id', '=', users.requester)
            .where('prompt', '=', prompt)
            .executeTakeFirst()
        )?.id,
    );
    await kit.card(designId);
    return designId;
  };

  return {
    close: () => kit.close(),
    driver: {
      db: kit.h.test.db,
      snapshot,
      createWithImage(user, prompt, image) {
        const attachment = kit.fake.addUserAttachment({
          filename: image.name,
          contentType: image.mimetype,
          bytes: image.bytes,
        });
        return Promise.resolve(
          privateAnswer(
            kit.fake.slashCommand('design', {
              subcommand: 'create',
              options: { prompt, image: attachment },
              userId: users[user],
            }),
          ),
        );
      },
      create(prompt) {
        return Promise.resolve(
          privateAnswer(
            kit.fake.slashCommand('design', {
              subcommand: 'create',
              options: { prompt },
              userId: users.requester,
            }),
          ),
        );
      },
      history(position) {
        return Promise.resolve(
          privateAnswer(
            kit.fake.slashCommand('design', {
              subcommand: 'history',
              options: { design: position },
              userId: users.requester,
            }),
          ),
        );
      },
      startWithCandidates: (prompt, candidates) => startWith(prompt, { candidates }),
      async cardCandidates(designId) {
        const message = await kit.card(designId);
        const ids = new Set(message.attachments.map((attachment) => attachment.id));
        const names = new Set(message.attachments.map((attachment) => attachment.filename));
        // The card's gallery, a picture per candidate, each a file attached to the card message itself.
        return galleryOf(message).flatMap((item) => {
          const title = item.description?.split(':')[0] ?? '';
          const name = item.url.split('/').pop()?.split('?')[0] ?? '';
          const attached =
            (item.attachment_id !== undefined && ids.has(item.attachment_id)) || names.has(name);
          return /^Candidate \d/.test(title) && attached ? [title] : [];
        });
      },
      start: (prompt) => startWith(prompt, {}),
      async button(designId, label) {
        return (await kit.waitForButton(designId, label)).id;
      },
      async click(user, designId, actionId) {
        return privateAnswer(await press(user, designId, actionId));
      },
      async requestChanges(user, designId, actionId) {
        const clicked = await press(user, designId, actionId);
        const first = await poll(
          () => kit.fake.interactionResponses(clicked.id)[0],
          'an answer to the click',
        );
        if (first.type !== 9) return { refusal: await privateAnswer(clicked).answer() };
        // The form's one text input, whichever form it is (feedback, decline).
        const modal = first.data as { components: { components: { custom_id: string }[] }[] };
        const input = modal.components[0]!.components[0]!.custom_id;
        return {
          form: {
            submit: (text) =>
              Promise.resolve(
                privateAnswer(kit.fake.submitModal(clicked, { [input]: text }, { userId: users[user] })),
              ),
          },
        };
      },
      async useApprovers() {
        const workspace = await new WorkspaceDirectory(kit.h.test.db).ensure('discord', kit.fake.guild.id);
        await kit.h.test.db
          .updateTable('workspaces')
          .set({ approver_group: leadsRole })
          .where('id', '=', workspace.id)
          .execute();
      },
      async notices(designId) {
        const threadId = readDiscordCardPlace((await snapshot(designId)).surface)?.messageId;
        if (!threadId) return [];
        // The status and the images are Facet's own bold titles; a notice to people starts with a mention.
        return kit.fake
          .messagesIn(threadId)
          .filter((message) => message.content.startsWith('<@'))
          .map((message) => message.content);
      },
      mentions: { user: (user) => `<@${users[user]}>`, group: `<@&${leadsRole}>` },
      thread: {
        async posts(designId) {
          // A thread made from a message has the message's id.
          const threadId = readDiscordCardPlace((await snapshot(designId)).surface)?.messageId;
          if (!threadId) return [];
          // A gallery message (Components V2) holds a round's images: each image is read as a post, by
          // the title it is described with. Any other message reads as its first line.
          return kit.fake.messagesIn(threadId).flatMap((message) => {
            const gallery = galleryOf(message);
            if (gallery.length > 0) return gallery.map((item) => item.description ?? '');
            return [message.content.split('\n')[0]!.replace(/\*\*/g, '').replace(/\\(.)/g, '$1')];
          });
        },
        restartedNotifier: () => kit.restartedNotifier(),
      },
      replies: {
        async setEnabled(on) {
          await kit.h.test.db.updateTable('workspaces').set({ thread_replies: on }).execute();
        },
        async reply(user, designId, text) {
          const threadId = await threadOf(designId);
          const sent = kit.fake.userMessage(threadId, users[user], text);
          const answerTo = () =>
            kit.fake.messagesIn(threadId).find((message) => message.messageReference?.message_id === sent.id)
              ?.content;
          return {
            reaction: () => poll(() => kit.fake.reactionsOn(sent.id)[0], 'a reaction'),
            answer: () => poll(answerTo, 'an answer in the thread'),
            touched: () => kit.fake.reactionsOn(sent.id).length > 0 || answerTo() !== undefined,
          };
        },
        holdModel: () => holdModel(kit.h.gemini),
        modelTexts: () => modelTexts(kit.h.gemini),
      },
    },
  };
}
