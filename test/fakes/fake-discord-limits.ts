/**
 * Discord's payload limits as the fake enforces them, with errors shaped like Discord's HTTP 400
 * `{ code: 50035, message: 'Invalid Form Body', errors: { <path>: { _errors: [{ code, message }] } } }`.
 * Sources: the message / component / embed / modal / application-command reference pages
 * (see /work/shared/notes/platforms.md). Only what a bot can plausibly break is checked.
 */

export type Json = Record<string, unknown>;

/** One problem at a path in the request body, e.g. `['components', 0, 'components']`. */
export type FieldError = { path: (string | number)[]; code: string; message: string };

export const MessageFlag = {
  ephemeral: 1 << 6,
  loading: 1 << 7,
  suppressEmbeds: 1 << 2,
  hasThread: 1 << 5,
  componentsV2: 1 << 15,
} as const;

export const limits = {
  content: 2000,
  embeds: 10,
  embedTotal: 6000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  embedAuthor: 256,
  attachments: 10,
  actionRows: 5,
  rowButtons: 5,
  customId: 100,
  buttonLabel: 80,
  selectOptions: 25,
  selectPlaceholder: 150,
  componentsV2Total: 40,
  mediaGalleryItems: 10,
  mediaDescription: 1024,
  containerChildren: 10,
  sectionTexts: 3,
  textDisplayTotal: 4000,
  modalTitle: 45,
  modalComponents: 5,
  textInputLabel: 45,
  textInputLength: 4000,
  textInputPlaceholder: 100,
  labelDescription: 100,
  commandName: 32,
  commandDescription: 100,
  commandOptions: 25,
  commands: 100,
} as const;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Discord counts characters, not UTF-16 code units. */
export function length(value: unknown): number {
  // A surrogate pair is one character.
  return typeof value === 'string' ? value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length : 0;
}

/** Turns field errors into Discord's nested `errors` object. */
export function errorTree(errors: FieldError[]): Json {
  const root: Json = {};
  for (const error of errors) {
    let node = root;
    for (const key of error.path) {
      const name = String(key);
      const next = node[name];
      if (isRecord(next)) node = next;
      else {
        const created: Json = {};
        node[name] = created;
        node = created;
      }
    }
    const list = Array.isArray(node._errors) ? (node._errors as unknown[]) : [];
    list.push({ code: error.code, message: error.message });
    node._errors = list;
  }
  return root;
}

class Problems {
  readonly list: FieldError[] = [];
  constructor(private readonly prefix: (string | number)[]) {}

  add(path: (string | number)[], code: string, message: string) {
    this.list.push({ path: [...this.prefix, ...path], code, message });
  }

  required(path: (string | number)[]) {
    this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
  }

  maxLength(path: (string | number)[], value: unknown, max: number) {
    if (length(value) > max) this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }

  between(path: (string | number)[], count: number, min: number, max: number) {
    if (count < min || count > max)
      this.add(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
  }

  maxItems(path: (string | number)[], count: number, max: number) {
    if (count > max) this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }

  customId(path: (string | number)[], value: unknown, seen: Set<string>) {
    if (typeof value !== 'string') return this.required(path);
    this.between(path, length(value), 1, limits.customId);
    if (seen.has(value))
      this.add(path, 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
    seen.add(value);
  }
}

export type MessageCheck = {
  /** Where the message sits in the request body: `[]` for channel/webhook routes, `['data']` for callbacks. */
  prefix?: (string | number)[];
  /** Attachments the message will carry (kept ones plus new uploads). */
  attachmentCount: number;
  /** Creating (an empty message is refused) or editing (absent fields are left unchanged). */
  creating: boolean;
  /**
   * The names of the files the message will carry: a V2 `attachment://name` must name one of them.
   * Left out, references are not checked.
   */
  fileNames?: string[];
};

/** Field errors for a message body (create or edit), plus whether it would be an empty message. */
export function checkMessage(body: Json, check: MessageCheck): { errors: FieldError[]; empty: boolean } {
  const problems = new Problems(check.prefix ?? []);
  const flags = typeof body.flags === 'number' ? body.flags : 0;
  const v2 = (flags & MessageFlag.componentsV2) !== 0;

  if (body.content !== undefined && body.content !== null) {
    if (typeof body.content !== 'string')
      problems.add(['content'], 'STRING_TYPE_CONVERT', 'Must be a string.');
    else problems.maxLength(['content'], body.content, limits.content);
  }
  if (v2 && typeof body.content === 'string' && body.content !== '')
    problems.add(
      ['content'],
      'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
      'The content field cannot be used when using MessageFlags.IS_COMPONENTS_V2',
    );

  const embeds = body.embeds === null || body.embeds === undefined ? [] : records(body.embeds);
  if (v2 && embeds.length > 0)
    problems.add(
      ['embeds'],
      'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2',
      'The embeds field cannot be used when using MessageFlags.IS_COMPONENTS_V2',
    );
  problems.maxItems(['embeds'], embeds.length, limits.embeds);
  let embedTotal = 0;
  embeds.forEach((embed, index) => (embedTotal += checkEmbed(embed, ['embeds', index], problems)));
  if (embedTotal > limits.embedTotal)
    problems.add(
      ['embeds'],
      'MAX_EMBED_SIZE_EXCEEDED',
      `Embed size exceeds maximum size of ${limits.embedTotal}`,
    );

  const components =
    body.components === null || body.components === undefined ? [] : records(body.components);
  if (v2) checkComponentsV2(components, problems, check.fileNames);
  else checkActionRows(components, problems);

  problems.maxItems(['attachments'], check.attachmentCount, limits.attachments);

  const empty =
    check.creating &&
    !(typeof body.content === 'string' && body.content.trim() !== '') &&
    embeds.length === 0 &&
    components.length === 0 &&
    check.attachmentCount === 0 &&
    !(Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0) &&
    !isRecord(body.poll);
  return { errors: problems.list, empty };
}

/** Returns the embed's character count towards the 6,000 total. */
function checkEmbed(embed: Json, path: (string | number)[], problems: Problems): number {
  problems.maxLength([...path, 'title'], embed.title, limits.embedTitle);
  problems.maxLength([...path, 'description'], embed.description, limits.embedDescription);
  const footer = isRecord(embed.footer) ? embed.footer : {};
  const author = isRecord(embed.author) ? embed.author : {};
  problems.maxLength([...path, 'footer', 'text'], footer.text, limits.embedFooter);
  problems.maxLength([...path, 'author', 'name'], author.name, limits.embedAuthor);
  const fields = records(embed.fields);
  problems.maxItems([...path, 'fields'], fields.length, limits.embedFields);
  let total = length(embed.title) + length(embed.description) + length(footer.text) + length(author.name);
  fields.forEach((field, index) => {
    const fieldPath = [...path, 'fields', index];
    if (typeof field.name !== 'string' || field.name === '') problems.required([...fieldPath, 'name']);
    if (typeof field.value !== 'string' || field.value === '') problems.required([...fieldPath, 'value']);
    problems.maxLength([...fieldPath, 'name'], field.name, limits.embedFieldName);
    problems.maxLength([...fieldPath, 'value'], field.value, limits.embedFieldValue);
    total += length(field.name) + length(field.value);
  });
  for (const key of ['image', 'thumbnail'] as const) {
    const media = embed[key];
    if (media !== undefined && !(isRecord(media) && typeof media.url === 'string'))
      problems.required([...path, key, 'url']);
  }
  return total;
}

const selectTypes = new Set([3, 5, 6, 7, 8]);

function checkActionRows(rows: Json[], problems: Problems) {
  problems.maxItems(['components'], rows.length, limits.actionRows);
  const seen = new Set<string>();
  rows.forEach((row, rowIndex) => {
    const path = ['components', rowIndex];
    if (row.type !== 1) {
      problems.add(
        [...path, 'type'],
        'UNION_TYPE_CHOICES',
        'Value of field "type" must be one of (1,) without MessageFlags.IS_COMPONENTS_V2.',
      );
      return;
    }
    checkRow(row, path, problems, seen);
  });
}

function checkRow(row: Json, path: (string | number)[], problems: Problems, seen: Set<string>) {
  const children = records(row.components);
  problems.between([...path, 'components'], children.length, 1, limits.rowButtons);
  const hasSelect = children.some((child) => typeof child.type === 'number' && selectTypes.has(child.type));
  if (hasSelect && children.length > 1)
    problems.add(
      [...path, 'components'],
      'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
      'The specified component exceeds the maximum width',
    );
  children.forEach((child, index) => checkInteractive(child, [...path, 'components', index], problems, seen));
}

function checkInteractive(component: Json, path: (string | number)[], problems: Problems, seen: Set<string>) {
  if (component.type === 2) return checkButton(component, path, problems, seen);
  if (typeof component.type === 'number' && selectTypes.has(component.type)) {
    problems.customId([...path, 'custom_id'], component.custom_id, seen);
    problems.maxLength([...path, 'placeholder'], component.placeholder, limits.selectPlaceholder);
    if (component.type === 3) {
      const options = records(component.options);
      problems.between([...path, 'options'], options.length, 1, limits.selectOptions);
      options.forEach((option, index) => {
        problems.maxLength([...path, 'options', index, 'label'], option.label, 100);
        problems.maxLength([...path, 'options', index, 'value'], option.value, 100);
      });
    }
    return;
  }
  problems.add(
    [...path, 'type'],
    'UNION_TYPE_CHOICES',
    'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).',
  );
}

function checkButton(button: Json, path: (string | number)[], problems: Problems, seen: Set<string>) {
  const style = button.style;
  if (typeof style !== 'number' || style < 1 || style > 6)
    problems.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
  if (style === 5) {
    if (typeof button.url !== 'string') problems.required([...path, 'url']);
    if (button.custom_id !== undefined)
      problems.add(
        [...path, 'custom_id'],
        'BUTTON_COMPONENT_LINK_WITH_CUSTOM_ID',
        'A link button cannot have a custom id',
      );
  } else if (style !== 6) {
    problems.customId([...path, 'custom_id'], button.custom_id, seen);
  }
  if (style !== 6 && typeof button.label !== 'string' && !isRecord(button.emoji))
    problems.add([...path], 'BUTTON_COMPONENT_INVALID', 'A button needs a label or an emoji');
  problems.maxLength([...path, 'label'], button.label, limits.buttonLabel);
}

const v2TopLevel = new Set([1, 9, 10, 12, 13, 14, 17]);
const v2InContainer = new Set([1, 9, 10, 12, 13, 14]);

/**
 * Components V2 (components reference): the tree's shape (what may sit where), 40 components in all
 * counted nested, 10 children a Container, 1-10 items a Media Gallery, 1-3 Text Displays a Section, 4,000
 * characters of Text Display in all, media URLs that are http(s) or name one of the message's files.
 */
function checkComponentsV2(components: Json[], problems: Problems, fileNames: string[] | undefined) {
  const seen = new Set<string>();
  let total = 0;
  let text = 0;
  const typeChoices = (path: (string | number)[], allowed: Set<number>) =>
    problems.add(
      [...path, 'type'],
      'UNION_TYPE_CHOICES',
      `Value of field "type" must be one of (${[...allowed].join(', ')}).`,
    );
  const media = (value: unknown, path: (string | number)[], attachmentOnly: boolean) => {
    const url = isRecord(value) ? value.url : undefined;
    if (typeof url !== 'string' || url === '') return problems.required([...path, 'url']);
    if (url.startsWith('attachment://')) {
      const name = url.slice('attachment://'.length);
      if (fileNames && !fileNames.includes(name))
        problems.add(
          [...path, 'url'],
          'UNFURLED_MEDIA_ITEM_ATTACHMENT_NOT_FOUND',
          `No attachment named ${name} in this message`,
        );
    } else if (attachmentOnly || !/^https?:\/\//.test(url))
      problems.add(
        [...path, 'url'],
        'URL_TYPE_INVALID_SCHEME',
        'Scheme must be one of (http, https, attachment).',
      );
  };
  const walk = (component: Json, path: (string | number)[], allowed: Set<number>) => {
    total += 1;
    const type = component.type;
    if (!(typeof type === 'number' && allowed.has(type))) return typeChoices(path, allowed);
    switch (type) {
      case 1:
        checkRow(component, path, problems, seen);
        total += records(component.components).length;
        return;
      case 9: {
        const texts = records(component.components);
        problems.between([...path, 'components'], texts.length, 1, limits.sectionTexts);
        texts.forEach((child, index) => walk(child, [...path, 'components', index], new Set([10])));
        const accessory = component.accessory;
        if (!isRecord(accessory)) return problems.required([...path, 'accessory']);
        total += 1;
        if (accessory.type === 2) checkButton(accessory, [...path, 'accessory'], problems, seen);
        else if (accessory.type === 11) {
          media(accessory.media, [...path, 'accessory', 'media'], false);
          problems.maxLength(
            [...path, 'accessory', 'description'],
            accessory.description,
            limits.mediaDescription,
          );
        } else typeChoices([...path, 'accessory'], new Set([2, 11]));
        return;
      }
      case 10:
        if (typeof component.content !== 'string' || component.content === '')
          problems.required([...path, 'content']);
        text += length(component.content);
        return;
      case 12: {
        const items = records(component.items);
        problems.between([...path, 'items'], items.length, 1, limits.mediaGalleryItems);
        items.forEach((item, index) => {
          media(item.media, [...path, 'items', index, 'media'], false);
          problems.maxLength(
            [...path, 'items', index, 'description'],
            item.description,
            limits.mediaDescription,
          );
        });
        return;
      }
      case 13:
        media(component.file, [...path, 'file'], true);
        return;
      case 14:
        if (component.spacing !== undefined && component.spacing !== 1 && component.spacing !== 2)
          problems.add([...path, 'spacing'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
        return;
      case 17: {
        const children = records(component.components);
        problems.between([...path, 'components'], children.length, 1, limits.containerChildren);
        const accent = component.accent_color;
        if (
          accent !== undefined &&
          accent !== null &&
          !(typeof accent === 'number' && accent >= 0 && accent <= 0xffffff)
        )
          problems.add(
            [...path, 'accent_color'],
            'NUMBER_TYPE_MAX',
            'int value should be less than or equal to 16777215.',
          );
        children.forEach((child, index) => walk(child, [...path, 'components', index], v2InContainer));
        return;
      }
      default:
        return;
    }
  };
  components.forEach((component, index) => walk(component, ['components', index], v2TopLevel));
  if (total > limits.componentsV2Total)
    problems.add(
      ['components'],
      'BASE_TYPE_MAX_LENGTH',
      `Must be ${limits.componentsV2Total} or fewer in length.`,
    );
  if (text > limits.textDisplayTotal)
    problems.add(
      ['components'],
      'BASE_TYPE_MAX_LENGTH',
      'Text display content must be 4000 or fewer in length.',
    );
}

/** Field errors for a modal (interaction callback type 9, `data`). */
export function checkModal(modal: Json): FieldError[] {
  const problems = new Problems(['data']);
  if (typeof modal.title !== 'string' || modal.title === '') problems.required(['title']);
  problems.maxLength(['title'], modal.title, limits.modalTitle);
  problems.customId(['custom_id'], modal.custom_id, new Set());
  const components = records(modal.components);
  problems.between(['components'], components.length, 1, limits.modalComponents);
  const seen = new Set<string>();
  components.forEach((component, index) => {
    const path = ['components', index];
    if (component.type === 1) {
      const children = records(component.components);
      problems.between([...path, 'components'], children.length, 1, 1);
      children.forEach((child, childIndex) =>
        checkModalInput(child, [...path, 'components', childIndex], problems, seen, true),
      );
    } else if (component.type === 18) {
      if (typeof component.label !== 'string' || component.label === '')
        problems.required([...path, 'label']);
      problems.maxLength([...path, 'label'], component.label, limits.textInputLabel);
      problems.maxLength([...path, 'description'], component.description, limits.labelDescription);
      if (isRecord(component.component))
        checkModalInput(component.component, [...path, 'component'], problems, seen, false);
      else problems.required([...path, 'component']);
    } else if (component.type !== 10) {
      problems.add(
        [...path, 'type'],
        'UNION_TYPE_CHOICES',
        'Value of field "type" must be one of (1, 10, 18).',
      );
    }
  });
  return problems.list;
}

function checkModalInput(
  input: Json,
  path: (string | number)[],
  problems: Problems,
  seen: Set<string>,
  needsLabel: boolean,
) {
  if (input.type !== 4) {
    if (typeof input.type === 'number' && selectTypes.has(input.type)) {
      problems.customId([...path, 'custom_id'], input.custom_id, seen);
      return;
    }
    problems.add(
      [...path, 'type'],
      'UNION_TYPE_CHOICES',
      'Value of field "type" must be one of (4, 3, 5, 6, 7, 8).',
    );
    return;
  }
  problems.customId([...path, 'custom_id'], input.custom_id, seen);
  if (input.style !== 1 && input.style !== 2)
    problems.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2}.');
  if (needsLabel && (typeof input.label !== 'string' || input.label === ''))
    problems.required([...path, 'label']);
  if (!needsLabel && input.label !== undefined)
    problems.add(
      [...path, 'label'],
      'TEXT_INPUT_LABEL_IN_LABEL',
      'A text input inside a label cannot have a label',
    );
  problems.maxLength([...path, 'label'], input.label, limits.textInputLabel);
  problems.maxLength([...path, 'placeholder'], input.placeholder, limits.textInputPlaceholder);
  problems.maxLength([...path, 'value'], input.value, limits.textInputLength);
  for (const key of ['min_length', 'max_length'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    const min = key === 'min_length' ? 0 : 1;
    if (typeof value !== 'number' || value < min || value > limits.textInputLength)
      problems.add(
        [...path, key],
        'NUMBER_TYPE_MAX',
        `int value should be between ${min} and ${limits.textInputLength}.`,
      );
  }
}

const commandNamePattern = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** The locales Discord accepts in `name_localizations` / `description_localizations`. */
export const discordLocales = new Set([
  'id',
  'da',
  'de',
  'en-GB',
  'en-US',
  'es-ES',
  'es-419',
  'fr',
  'hr',
  'it',
  'lt',
  'hu',
  'nl',
  'no',
  'pl',
  'pt-BR',
  'ro',
  'fi',
  'sv-SE',
  'vi',
  'tr',
  'cs',
  'el',
  'bg',
  'ru',
  'uk',
  'hi',
  'th',
  'zh-CN',
  'ja',
  'zh-TW',
  'ko',
]);

/** Option types that may be autocompleted: string, integer, number. */
const autocompletable = new Set([3, 4, 10]);

/**
 * A part's localisations as Discord checks them: known locales only; names like the name itself
 * (lowercase, Discord's pattern; a choice's label 1-100 chars), descriptions 1-100 chars.
 */
function checkLocalisations(
  part: Json,
  path: (string | number)[],
  problems: Problems,
  kind: 'command' | 'choice',
) {
  for (const field of ['name_localizations', 'description_localizations'] as const) {
    const map = part[field];
    if (map === undefined || map === null) continue;
    if (!isRecord(map)) {
      problems.add([...path, field], 'DICT_TYPE_CONVERT', 'Must be an object.');
      continue;
    }
    for (const [locale, value] of Object.entries(map)) {
      const at = [...path, field, locale];
      if (!discordLocales.has(locale)) {
        problems.add(at, 'LOCALE_INVALID', `"${locale}" is not a valid locale.`);
        continue;
      }
      if (typeof value !== 'string' || value === '') {
        problems.add(at, 'BASE_TYPE_REQUIRED', 'This field is required');
        continue;
      }
      if (field === 'description_localizations' || kind === 'choice')
        problems.maxLength(at, value, limits.commandDescription);
      else if (!commandNamePattern.test(value) || value !== value.toLowerCase())
        problems.add(at, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
  }
}

function checkNumberList(
  command: Json,
  field: 'integration_types' | 'contexts',
  allowed: readonly number[],
  problems: Problems,
) {
  const list = command[field];
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) return problems.add([field], 'ARRAY_TYPE_CONVERT', 'Must be an array.');
  list.forEach((value: unknown, index) => {
    if (typeof value !== 'number' || !allowed.includes(value))
      problems.add([field, index], 'BASE_TYPE_CHOICES', `Value must be one of {${allowed.join(', ')}}.`);
  });
}

/** Field errors for a bulk command overwrite (PUT .../commands), paths indexed by command. */
export function checkCommands(commands: unknown): FieldError[] {
  const problems = new Problems([]);
  if (!Array.isArray(commands)) {
    problems.add([], 'ARRAY_TYPE_CONVERT', 'Must be an array.');
    return problems.list;
  }
  problems.maxItems([], commands.length, limits.commands);
  const names = new Set<string>();
  commands.forEach((command: unknown, index) => {
    if (!isRecord(command)) return problems.add([index], 'DICT_TYPE_CONVERT', 'Must be an object.');
    problems.list.push(...checkCommand(command).map((error) => ({ ...error, path: [index, ...error.path] })));
    const key = `${typeof command.type === 'number' ? command.type : 1}:${String(command.name)}`;
    if (names.has(key))
      problems.add(
        [index, 'name'],
        'APPLICATION_COMMANDS_DUPLICATE_NAME',
        'Application command names must be unique',
      );
    names.add(key);
  });
  return problems.list;
}

export function checkCommand(command: Json): FieldError[] {
  const problems = new Problems([]);
  const type = command.type ?? 1;
  const name = command.name;
  if (typeof name !== 'string') problems.required(['name']);
  else if (
    type === 1
      ? !commandNamePattern.test(name) || name !== name.toLowerCase()
      : length(name) > limits.commandName
  )
    problems.add(['name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  if (type === 1) {
    if (typeof command.description !== 'string' || command.description === '')
      problems.required(['description']);
    problems.maxLength(['description'], command.description, limits.commandDescription);
    checkCommandOptions(records(command.options), ['options'], problems);
  }
  checkLocalisations(command, [], problems, 'command');
  checkNumberList(command, 'integration_types', [0, 1], problems);
  checkNumberList(command, 'contexts', [0, 1, 2], problems);
  return problems.list;
}

function checkCommandOptions(options: Json[], path: (string | number)[], problems: Problems) {
  problems.maxItems(path, options.length, limits.commandOptions);
  let optionalSeen = false;
  options.forEach((option, index) => {
    const optionPath = [...path, index];
    if (
      typeof option.name !== 'string' ||
      !commandNamePattern.test(option.name) ||
      option.name !== option.name.toLowerCase()
    )
      problems.add([...optionPath, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    if (typeof option.description !== 'string' || option.description === '')
      problems.required([...optionPath, 'description']);
    problems.maxLength([...optionPath, 'description'], option.description, limits.commandDescription);
    checkLocalisations(option, optionPath, problems, 'command');
    const choices = records(option.choices);
    problems.maxItems([...optionPath, 'choices'], choices.length, 25);
    choices.forEach((choice, choiceIndex) => {
      const choicePath = [...optionPath, 'choices', choiceIndex];
      problems.maxLength([...choicePath, 'name'], choice.name, limits.commandDescription);
      checkLocalisations(choice, choicePath, problems, 'choice');
    });
    if (option.autocomplete === true) {
      if (typeof option.type !== 'number' || !autocompletable.has(option.type))
        problems.add(
          [...optionPath, 'autocomplete'],
          'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_INVALID_TYPE',
          'Autocomplete is only for string, integer and number options',
        );
      if (choices.length > 0)
        problems.add(
          [...optionPath, 'autocomplete'],
          'APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES',
          'Autocomplete cannot be set with choices',
        );
    }
    if (option.type === 1 || option.type === 2) {
      checkCommandOptions(records(option.options), [...optionPath, 'options'], problems);
      return;
    }
    if (option.required === true && optionalSeen)
      problems.add(
        [...optionPath, 'required'],
        'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        'Required options must be placed before non-required options',
      );
    if (option.required !== true) optionalSeen = true;
  });
}

/** An autocomplete answer (callback type 8): up to 25 choices, each a 1-100 character name and a value. */
export function checkAutocompleteChoices(data: Json): FieldError[] {
  const problems = new Problems(['data']);
  if (!Array.isArray(data.choices)) {
    problems.required(['choices']);
    return problems.list;
  }
  const choices = records(data.choices);
  problems.maxItems(['choices'], choices.length, 25);
  choices.forEach((choice, index) => {
    if (typeof choice.name !== 'string' || choice.name === '') problems.required(['choices', index, 'name']);
    problems.maxLength(['choices', index, 'name'], choice.name, limits.commandDescription);
    if (typeof choice.value !== 'string' && typeof choice.value !== 'number')
      problems.required(['choices', index, 'value']);
    checkLocalisations(choice, ['choices', index], problems, 'choice');
  });
  return problems.list;
}
