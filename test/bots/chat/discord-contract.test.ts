import { readDiscordCardPlace } from '../../../src/bots/discord/discord-card-place.ts';
import { isEphemeral, type FakeInteraction } from '../../fakes/fake-discord.ts';
import { members, startDiscordKit } from '../discord/discord-kit.ts';
import { describeChatContract, poll, type ContractUser, type Sent } from './chat-contract.ts';

const users: Record<ContractUser, string> = { requester: members.bob, other: members.ada };

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

describeChatContract('Discord', { threadPosts: true, threadMade: true }, async ({ limiter }) => {
  kits += 1;
  const kit = await startDiscordKit(`chat_contract_discord_${kits}`, limiter ? { limiter } : {});
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

  return {
    close: () => kit.close(),
    driver: {
      db: kit.h.test.db,
      snapshot,
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
      async start(prompt) {
        kit.fake.slashCommand('design', {
          subcommand: 'create',
          options: { prompt },
          userId: users.requester,
        });
        const designId = await kit.designOf(users.requester);
        await kit.card(designId);
        return designId;
      },
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
        return {
          form: {
            submit: (feedback) =>
              Promise.resolve(
                privateAnswer(kit.fake.submitModal(clicked, { feedback }, { userId: users[user] })),
              ),
          },
        };
      },
      thread: {
        async posts(designId) {
          // A thread made from a message has the message's id.
          const threadId = readDiscordCardPlace((await snapshot(designId)).surface)?.messageId;
          if (!threadId) return [];
          return kit.fake
            .messagesIn(threadId)
            .map((message) => message.content.split('\n')[0]!.replace(/\*\*/g, '').replace(/\\(.)/g, '$1'));
        },
        restartedNotifier: () => kit.restartedNotifier(),
      },
    },
  };
});
