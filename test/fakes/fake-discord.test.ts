import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  LabelBuilder,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  RESTEvents,
  Routes,
  SlashCommandBuilder,
  TextInputBuilder,
  TextInputStyle,
  ThreadAutoArchiveDuration,
  type Interaction,
  type RateLimitData,
  type TextChannel,
} from 'discord.js';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  looseAttachments,
  startFakeDiscord,
  type FakeDiscord,
  type FakeInteraction,
  type FakeMessage,
} from './fake-discord.ts';

const token = 'test-token.for-the-fake';

/** The handler the client runs for INTERACTION_CREATE; each test sets its own. */
let onInteraction: (interaction: Interaction) => Promise<void> = () => Promise.resolve();
const handlerErrors: unknown[] = [];

function cardRow() {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('approve').setLabel('Approve').setStyle(ButtonStyle.Success),
    new ButtonBuilder().setCustomId('edit').setLabel('Edit').setStyle(ButtonStyle.Secondary),
  );
}

function feedbackModal() {
  return new ModalBuilder()
    .setCustomId('feedback')
    .setTitle('Feedback')
    .addLabelComponents(
      new LabelBuilder()
        .setLabel('What should change?')
        .setTextInputComponent(
          new TextInputBuilder().setCustomId('notes').setStyle(TextInputStyle.Paragraph).setMaxLength(4000),
        ),
    );
}

/** The DiscordAPIError a promise rejects with (fails the test if it resolves or rejects with something else). */
async function apiError(promise: Promise<unknown>): Promise<DiscordAPIError> {
  const outcome = await promise.then(
    () => new Error('expected a DiscordAPIError, the call succeeded'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof DiscordAPIError)) throw outcome;
  return outcome;
}

describe('fake Discord driven by the real discord.js Client', () => {
  let fake: FakeDiscord;
  let client: Client;
  let png: Buffer;
  let closed = false;
  /** The card posted by the slash-command test; later tests click on it. */
  let card: FakeMessage;
  let approveClick: FakeInteraction;

  beforeAll(async () => {
    png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#5865f2' } })
      .png()
      .toBuffer();
    fake = await startFakeDiscord({ token, heartbeatIntervalMs: 250 });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    client.on(Events.InteractionCreate, (interaction) => {
      onInteraction(interaction).catch((error: unknown) => handlerErrors.push(error));
    });
  });

  afterEach(() => {
    onInteraction = () => Promise.resolve();
    expect(handlerErrors).toEqual([]);
  });

  afterAll(async () => {
    if (closed) return;
    await client.destroy();
    await fake.close();
  });

  function textChannel(): TextChannel {
    const channel = client.channels.cache.get(fake.channelId);
    if (channel?.type !== ChannelType.GuildText) throw new Error('the text channel is not cached');
    return channel;
  }

  it('logs in over the gateway and is ready with the guild and channels cached', async () => {
    const started = performance.now();
    const ready = once(client, Events.ClientReady);
    await client.login(token);
    await ready;
    expect(performance.now() - started).toBeLessThan(2000);

    expect(client.user?.id).toBe(fake.applicationId);
    expect(client.application?.id).toBe(fake.applicationId);
    const guild = client.guilds.cache.get(fake.guild.id);
    expect(guild?.available).toBe(true);
    expect(guild?.members.me?.roles.cache.some((role) => role.managed)).toBe(true);
    expect(textChannel().name).toBe('design');
    expect(fake.identifies).toBe(1);
    expect(fake.callsTo('GET', '/gateway/bot')).toHaveLength(1);
    expect(fake.callsTo('GET', '/gateway/bot')[0]?.auth).toBe('bot');
  });

  it('stores guild commands registered with PUT and returns them with ids', async () => {
    const design = new SlashCommandBuilder()
      .setName('design')
      .setDescription('Design a product')
      .addSubcommand((sub) =>
        sub
          .setName('create')
          .setDescription('Start a design')
          .addStringOption((option) =>
            option.setName('prompt').setDescription('What to design').setRequired(true),
          ),
      );
    const commands = await client.application!.commands.set([design], fake.guild.id);
    expect([...commands.values()].map((command) => command.name)).toEqual(['design']);
    expect(fake.commands(fake.guild.id)[0]?.id).toBe(commands.first()?.id);
    expect(fake.callsTo('PUT', /\/guilds\/\d+\/commands$/)).toHaveLength(1);
  });

  it('takes a deferral, then an editReply with an embed, buttons and a file as the @original message', async () => {
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply();
      const prompt = interaction.options.getString('prompt', true);
      await interaction.editReply({
        embeds: [
          new EmbedBuilder().setTitle(prompt).setDescription('Front view').setImage('attachment://front.png'),
        ],
        components: [cardRow()],
        files: [new AttachmentBuilder(png, { name: 'front.png' })],
      });
    };
    const command = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'a desk lamp' } });
    const deferral = await command.response();
    expect(deferral.type).toBe(5);
    expect(deferral.status).toBe(204);

    card = await fake.waitFor(() => {
      const original = command.original();
      return original && (original.flags & MessageFlags.Loading) === 0 ? original : undefined;
    });
    expect(card.channelId).toBe(fake.channelId);
    expect(card.embeds[0]?.title).toBe('a desk lamp');
    expect(card.attachments).toHaveLength(1);
    const [front] = card.attachments;
    expect(front?.filename).toBe('front.png');
    expect(front?.bytes.equals(png)).toBe(true);
    expect(front?.width).toBe(4);
    expect(card.embeds[0]?.image).toMatchObject({ url: front?.url });
    const downloaded = Buffer.from(await (await fetch(front!.url)).arrayBuffer());
    expect(downloaded.equals(png)).toBe(true);

    const edit = fake.callsTo('PATCH', /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/);
    expect(edit).toHaveLength(1);
    expect(edit[0]?.auth).toBe('none');
    expect(edit[0]?.files.map((file) => file.name)).toEqual(['front.png']);
    expect(fake.messagesIn(fake.channelId).map((message) => message.id)).toContain(card.id);
  });

  it('answers a button click with a modal (callback type 9)', async () => {
    onInteraction = async (interaction) => {
      if (interaction.isButton() && interaction.customId === 'approve')
        await interaction.showModal(feedbackModal());
    };
    expect(() => fake.clickButton(card, 'no-such-button')).toThrow(/approve, edit/);
    approveClick = fake.clickButton(card, 'approve');
    const shown = await approveClick.response();
    expect(shown.type).toBe(9);
    expect(approveClick.modal()).toMatchObject({ custom_id: 'feedback', title: 'Feedback' });
  });

  it('takes a modal submission answered with an ephemeral reply', async () => {
    let sourceMessageId: string | undefined;
    onInteraction = async (interaction) => {
      if (!interaction.isModalSubmit()) return;
      sourceMessageId = interaction.message?.id;
      await interaction.reply({
        content: `Noted: ${interaction.fields.getTextInputValue('notes')}`,
        flags: MessageFlags.Ephemeral,
      });
    };
    expect(() => fake.submitModal(approveClick, {})).toThrow(/notes is required/);
    const submit = fake.submitModal(approveClick, { notes: 'make it blue' });
    const reply = await submit.response();
    expect(reply.type).toBe(4);
    expect(reply.data?.flags).toBe(MessageFlags.Ephemeral);
    expect(sourceMessageId).toBe(card.id);
    const message = submit.original();
    expect(message?.content).toBe('Noted: make it blue');
    expect((message?.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    // Ephemeral messages cannot be fetched through the channel.
    const hidden = await apiError(client.rest.get(Routes.channelMessage(fake.channelId, message!.id)));
    expect(hidden.code).toBe(10008);
  });

  it('updates the clicked message in place (type 7) and keeps follow-ups apart', async () => {
    onInteraction = async (interaction) => {
      if (!interaction.isButton() || interaction.customId !== 'edit') return;
      await interaction.update({ content: 'Editing…', components: [] });
      await interaction.followUp({ content: 'Tell me what to change', flags: MessageFlags.Ephemeral });
    };
    const click = fake.clickButton(card, 'edit');
    expect((await click.response()).type).toBe(7);
    const followUp = await fake.waitFor(() => click.followUps()[0]);
    expect(followUp.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const updated = fake.message(fake.channelId, card.id);
    expect(updated).toMatchObject({ content: 'Editing…', components: [], edits: 1 });
    expect(updated?.attachments[0]?.bytes.equals(png)).toBe(true);
    expect(click.original()?.id).toBe(card.id);
    expect(() => fake.clickButton(card, 'approve')).toThrow(/has no component approve/);

    // The percent-encoded form of @original reaches the same message.
    const raw = await fetch(
      `${fake.apiUrl}/v10/webhooks/${fake.applicationId}/${click.token}/messages/%40original`,
    );
    expect(((await raw.json()) as { id: string }).id).toBe(card.id);
  });

  it('sends, edits, starts a thread from a message and posts a file into the thread', async () => {
    const channel = textChannel();
    const sent = await channel.send({ content: 'Card v1' });
    await sent.edit({ content: 'Card v2' });
    const thread = await sent.startThread({
      name: 'Design 1234',
      autoArchiveDuration: ThreadAutoArchiveDuration.OneDay,
    });
    expect(thread.id).toBe(sent.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    expect(thread.parentId).toBe(channel.id);
    await thread.send({ content: 'Side view', files: [new AttachmentBuilder(png, { name: 'side.png' })] });

    const stored = fake.message(channel.id, sent.id);
    expect(stored).toMatchObject({ content: 'Card v2', edits: 1, threadId: thread.id });
    expect((await channel.messages.fetch({ message: sent.id, force: true })).hasThread).toBe(true);
    expect(fake.channel(thread.id)).toMatchObject({ type: ChannelType.PublicThread, parentId: channel.id });
    const [side] = fake.messagesIn(thread.id);
    expect(side?.content).toBe('Side view');
    expect(side?.attachments[0]?.bytes.equals(png)).toBe(true);
    expect(fake.channel(thread.id)?.thread?.messageCount).toBe(1);

    // discord.js refuses this itself once it sees HAS_THREAD on the message; raw REST reaches the fake.
    const again = await apiError(
      client.rest.post(Routes.threads(channel.id, sent.id), { body: { name: 'Second' } }),
    );
    expect(again.code).toBe(160004);
  });

  it("answers payloads over Discord's limits with 50035 Invalid Form Body", async () => {
    const button = (id: string, label = id) => ({ type: 2, style: 1, custom_id: id, label });
    const row = (...components: object[]) => ({ type: 1, components });
    const cases: { body: Record<string, unknown>; path: (string | number)[]; code: string }[] = [
      {
        body: { components: [row(...['a', 'b', 'c', 'd', 'e', 'f'].map((id) => button(id)))] },
        path: ['components', 0, 'components'],
        code: 'BASE_TYPE_BAD_LENGTH',
      },
      {
        body: { components: Array.from({ length: 6 }, (_, index) => row(button(`r${index}`))) },
        path: ['components'],
        code: 'BASE_TYPE_MAX_LENGTH',
      },
      {
        body: { components: [row(button('same'), button('same'))] },
        path: ['components', 0, 'components', 1, 'custom_id'],
        code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
      },
      {
        body: { components: [row(button('x'.repeat(101)))] },
        path: ['components', 0, 'components', 0, 'custom_id'],
        code: 'BASE_TYPE_BAD_LENGTH',
      },
      {
        body: { components: [row(button('long', 'L'.repeat(81)))] },
        path: ['components', 0, 'components', 0, 'label'],
        code: 'BASE_TYPE_MAX_LENGTH',
      },
      { body: { content: 'c'.repeat(2001) }, path: ['content'], code: 'BASE_TYPE_MAX_LENGTH' },
      {
        body: { embeds: [{ title: 't'.repeat(257) }] },
        path: ['embeds', 0, 'title'],
        code: 'BASE_TYPE_MAX_LENGTH',
      },
      {
        body: { embeds: [{ description: 'd'.repeat(4000) }, { description: 'd'.repeat(2001) }] },
        path: ['embeds'],
        code: 'MAX_EMBED_SIZE_EXCEEDED',
      },
      {
        body: {
          embeds: [{ fields: Array.from({ length: 26 }, (_, index) => ({ name: `f${index}`, value: 'v' })) }],
        },
        path: ['embeds', 0, 'fields'],
        code: 'BASE_TYPE_MAX_LENGTH',
      },
      {
        body: { embeds: Array.from({ length: 11 }, () => ({ title: 'e' })) },
        path: ['embeds'],
        code: 'BASE_TYPE_MAX_LENGTH',
      },
    ];
    for (const { body, path, code } of cases) {
      const error = await apiError(client.rest.post(Routes.channelMessages(fake.channelId), { body }));
      expect(error.status).toBe(400);
      expect(error.code).toBe(50035);
      let node: unknown = 'errors' in error.rawError ? error.rawError.errors : undefined;
      for (const key of path) node = (node as Record<string, unknown> | undefined)?.[String(key)];
      expect(node, JSON.stringify(body).slice(0, 80)).toMatchObject({ _errors: [{ code }] });
    }
    const empty = await apiError(client.rest.post(Routes.channelMessages(fake.channelId), { body: {} }));
    expect(empty.code).toBe(50006);
    const files = Array.from({ length: 11 }, (_, index) => ({ name: `f${index}.png`, data: png }));
    const tooMany = await apiError(
      client.rest.post(Routes.channelMessages(fake.channelId), { body: { content: 'files' }, files }),
    );
    expect(tooMany.code).toBe(50035);
  });

  it('shows a file an embed names inside the embed; an edit without an attachments list shows it twice', async () => {
    const channel = textChannel();
    const withImage = (description: string) =>
      new EmbedBuilder().setDescription(description).setImage('attachment://front.png');
    const sent = await channel.send({
      embeds: [withImage('v1')],
      files: [new AttachmentBuilder(png, { name: 'front.png' })],
    });
    const stored = () => fake.message(channel.id, sent.id)!;
    const [file] = stored().attachments;
    expect(looseAttachments(stored())).toEqual([]);
    // Discord leaves a file an embed shows out of the message's attachments.
    const listed = (await client.rest.get(Routes.channelMessage(channel.id, sent.id))) as {
      attachments: unknown[];
      embeds: { image?: { url: string } }[];
    };
    expect(listed.attachments).toEqual([]);
    expect(listed.embeds[0]?.image?.url).toBe(file!.url);

    // The embed is sent again, naming the same file, without `attachments`: the file stays but shows
    // under the message as well as in the embed.
    await client.rest.patch(Routes.channelMessage(channel.id, sent.id), {
      body: { embeds: [withImage('v2').toJSON()] },
    });
    expect(stored().embeds[0]?.image).toMatchObject({ url: file!.url });
    expect(looseAttachments(stored()).map((a) => a.id)).toEqual([file!.id]);

    // Listing the file by id puts it back inside the embed only.
    await client.rest.patch(Routes.channelMessage(channel.id, sent.id), {
      body: { embeds: [withImage('v3').toJSON()], attachments: [{ id: file!.id }] },
    });
    expect(stored().attachments.map((a) => a.id)).toEqual([file!.id]);
    expect(looseAttachments(stored())).toEqual([]);

    // An embed naming a file the message does not carry has nothing to show: the URL stays unresolved.
    await client.rest.patch(Routes.channelMessage(channel.id, sent.id), {
      body: { embeds: [withImage('v4').toJSON()], attachments: [] },
    });
    expect(stored().attachments).toEqual([]);
    expect(stored().embeds[0]?.image).toMatchObject({ url: 'attachment://front.png' });
  });

  it('rejects an over-long modal title on the callback; the interaction can still be answered', async () => {
    let rejected: unknown;
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      rejected = await interaction.showModal({ ...feedbackModal().toJSON(), title: 'T'.repeat(46) }).then(
        () => undefined,
        (error: unknown) => error,
      );
      await interaction.reply({ content: 'Could not open the form', flags: MessageFlags.Ephemeral });
    };
    const command = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'chair' } });
    const accepted = await command.response();
    expect(accepted.type).toBe(4);
    expect(rejected).toBeInstanceOf(DiscordAPIError);
    expect((rejected as DiscordAPIError).code).toBe(50035);
    expect(command.callbacks.map((callback) => [callback.type, callback.status])).toEqual([
      [9, 400],
      [4, 204],
    ]);
  });

  it('answers 403 Missing Permissions (50013) in a denied channel and tells the client', async () => {
    const channel = textChannel();
    fake.denyChannel(channel.id, 'SEND_MESSAGES');
    await fake.waitFor(
      () => channel.permissionsFor(client.user!)?.has(PermissionFlagsBits.SendMessages) === false,
    );
    const denied = await apiError(channel.send('hello'));
    expect(denied.status).toBe(403);
    expect(denied.code).toBe(50013);

    // Interaction responses are webhooks: channel permissions do not apply to them.
    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.reply('Still works');
    };
    const command = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'stool' } });
    expect((await command.response()).status).toBe(204);
    fake.allowChannel(channel.id);

    const message = await channel.send('thread starter');
    fake.denyChannel(channel.id, 'CREATE_PUBLIC_THREADS');
    const noThread = await apiError(message.startThread({ name: 'nope' }));
    expect(noThread.code).toBe(50013);
    fake.allowChannel(channel.id);
  });

  it('answers 429 with rate-limit headers; discord.js waits and retries', async () => {
    const path = `/channels/${fake.channelId}/messages`;
    fake.rateLimit('POST', path, 1, { retryAfterMs: 300 });
    const limited: RateLimitData[] = [];
    const onLimited = (data: RateLimitData) => limited.push(data);
    client.rest.on(RESTEvents.RateLimited, onLimited);
    const started = performance.now();
    const sent = await textChannel().send('after the limit');
    client.rest.off(RESTEvents.RateLimited, onLimited);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(fake.message(fake.channelId, sent.id)?.content).toBe('after the limit');
    expect(
      fake
        .callsTo('POST', path)
        .slice(-2)
        .map((call) => call.status),
    ).toEqual([429, 200]);
    expect(limited.length).toBeGreaterThan(0);
  });

  it('answers a second callback with 40060, a late one with 10062, an expired token with 50027', async () => {
    onInteraction = async (interaction) => {
      if (interaction.isChatInputCommand()) await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    };
    const command = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'vase' } });
    await command.response();
    const callback = Routes.interactionCallback(command.id, command.token);
    const twice = await apiError(client.rest.post(callback, { body: { type: 5 }, auth: false }));
    expect(twice.status).toBe(400);
    expect(twice.code).toBe(40060);
    expect(fake.interactionResponses(command.id).map((response) => response.accepted)).toEqual([true, false]);

    // The first follow-up after a deferral replaces the "thinking" message, like Discord.
    await client.rest.post(Routes.webhook(fake.applicationId, command.token), {
      body: { content: 'Done' },
      auth: false,
    });
    expect(command.original()).toMatchObject({ content: 'Done', flags: MessageFlags.Ephemeral });
    expect(command.followUps()).toEqual([]);
    // After the reply is deleted, a follow-up is a message of its own.
    await client.rest.delete(Routes.webhookMessage(fake.applicationId, command.token, '@original'), {
      auth: false,
    });
    await client.rest.post(Routes.webhook(fake.applicationId, command.token), {
      body: { content: 'Separate' },
      auth: false,
    });
    expect(command.original()?.deleted).toBe(true);
    expect(command.followUps().map((message) => message.content)).toEqual(['Separate']);

    onInteraction = () => Promise.resolve();
    const ignored = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'cup' } });
    fake.advanceTime(3001);
    const late = await apiError(
      client.rest.post(Routes.interactionCallback(ignored.id, ignored.token), {
        body: { type: 5 },
        auth: false,
      }),
    );
    expect(late.status).toBe(404);
    expect(late.code).toBe(10062);

    fake.advanceTime(15 * 60 * 1000);
    const expired = await apiError(
      client.rest.patch(Routes.webhookMessage(fake.applicationId, command.token, '@original'), {
        body: { content: 'too late' },
        auth: false,
      }),
    );
    expect(expired.status).toBe(401);
    expect(expired.code).toBe(50027);
  });

  it('acks heartbeats, resumes after RECONNECT and replays what was missed after a dropped connection', async () => {
    await fake.waitFor(() => fake.heartbeats > 0, 2000, 'a heartbeat');
    await fake.requestReconnect();
    expect(fake.resumes).toBe(1);
    expect(fake.identifies).toBe(1);

    let handled = '';
    onInteraction = async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      handled = interaction.id;
      await interaction.reply('after the drop');
    };
    fake.dropConnection();
    const command = fake.slashCommand('design', { subcommand: 'create', options: { prompt: 'rug' } });
    expect((await command.response()).type).toBe(4);
    expect(handled).toBe(command.id);
    expect(fake.resumes).toBe(2);
  });

  it('destroys the client cleanly and leaves no open sockets', async () => {
    expect(fake.problems).toEqual([]);
    await client.destroy();
    await fake.waitFor(() => !fake.connected, 2000, 'the gateway connection to close');
    await fake.close();
    closed = true;
    const sockets = () =>
      process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap');
    const deadline = Date.now() + 2000;
    while (sockets().length > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sockets()).toEqual([]);
  });
});
