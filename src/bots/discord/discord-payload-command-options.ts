import type { DiscordAttachment, DiscordCommandOptions } from './discord-command-options.ts';
import type { CommandPayload, PayloadCommandOption } from './discord-interaction-payload.ts';

/** Discord's application command option types (ApplicationCommandOptionType), as the payload's numbers. */
const OptionType = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Role: 8,
  Number: 10,
  Attachment: 11,
} as const;
type OptionType = (typeof OptionType)[keyof typeof OptionType];

/**
 * A command's options read from the raw payload, the way discord.js's resolver reads them for gateway
 * mode: a subcommand (group) hoists its options; a missing required option is an error (Discord never
 * sends such a command, so it is a forged or outdated one).
 */
export class PayloadCommandOptions implements DiscordCommandOptions {
  private readonly subcommand: string | null;
  private readonly hoisted: PayloadCommandOption[];

  constructor(private readonly data: CommandPayload['data']) {
    let options = data.options ?? [];
    let subcommand: string | null = null;
    const group = options.find((o) => o.type === OptionType.SubcommandGroup);
    if (group) options = group.options ?? [];
    const sub = options.find((o) => o.type === OptionType.Subcommand);
    if (sub) {
      subcommand = sub.name;
      options = sub.options ?? [];
    }
    this.subcommand = subcommand;
    this.hoisted = options;
  }

  getSubcommand(): string | null {
    return this.subcommand;
  }

  getString(name: string, required: true): string;
  getString(name: string): string | null;
  getString(name: string, required = false): string | null {
    return this.typed(name, OptionType.String, 'string', required);
  }

  getInteger(name: string, required: true): number;
  getInteger(name: string): number | null;
  getInteger(name: string, required = false): number | null {
    const value = this.typed(name, OptionType.Integer, 'number', required);
    if (value !== null && !Number.isInteger(value)) throw new Error(`option ${name} is not a whole number`);
    return value;
  }

  getNumber(name: string): number | null {
    return this.typed(name, OptionType.Number, 'number', false);
  }

  getBoolean(name: string): boolean | null {
    return this.typed(name, OptionType.Boolean, 'boolean', false);
  }

  getUser(name: string, required: true): { id: string; bot: boolean } {
    const id = this.typed(name, OptionType.User, 'string', required);
    const user = this.data.resolved?.users?.[id];
    return { id, bot: user?.bot ?? false };
  }

  getRole(name: string): { id: string } | null {
    const id = this.typed(name, OptionType.Role, 'string', false);
    return id === null ? null : { id };
  }

  getAttachment(name: string): DiscordAttachment | null {
    const id = this.typed(name, OptionType.Attachment, 'string', false);
    if (id === null) return null;
    const attachment = this.data.resolved?.attachments?.[id];
    if (!attachment) throw new Error(`option ${name} names an attachment the payload does not carry`);
    return { url: attachment.url, size: attachment.size };
  }

  private typed<T extends 'string' | 'number' | 'boolean'>(
    name: string,
    type: OptionType,
    valueType: T,
    required: true,
  ): Value<T>;
  private typed<T extends 'string' | 'number' | 'boolean'>(
    name: string,
    type: OptionType,
    valueType: T,
    required: boolean,
  ): Value<T> | null;
  private typed<T extends 'string' | 'number' | 'boolean'>(
    name: string,
    type: OptionType,
    valueType: T,
    required: boolean,
  ): Value<T> | null {
    const option = this.hoisted.find((o) => o.name === name);
    if (!option) {
      if (required) throw new Error(`the command has no option ${name}`);
      return null;
    }
    if (option.type !== type || typeof option.value !== valueType)
      throw new Error(`option ${name} is not of the type the command defines`);
    return option.value as Value<T>;
  }
}

type Value<T> = T extends 'string' ? string : T extends 'number' ? number : boolean;
