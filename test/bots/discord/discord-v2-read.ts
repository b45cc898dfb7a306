/**
 * Reading a Components V2 message the way a person sees it: its text displays top to bottom, the media
 * its galleries show, its buttons.
 */
type Component = Record<string, unknown>;

/** Every component of a message, nested ones included, in reading order. */
export function componentsOf(message: { components: unknown[] }): Component[] {
  const walk = (list: unknown[]): Component[] =>
    (list as Component[]).flatMap((component) => [
      component,
      ...walk((component.components as unknown[] | undefined) ?? []),
      ...(component.accessory ? walk([component.accessory]) : []),
    ]);
  return walk(message.components);
}

/** The message's text displays, joined by new lines. */
export function textOf(message: { components: unknown[] }): string {
  return componentsOf(message)
    .filter((component) => component.type === 10)
    .map((component) => component.content as string)
    .join('\n');
}

/** What the galleries show: each item's media (as Discord answers: URL, attachment id) and description. */
export function galleryOf(message: {
  components: unknown[];
}): { url: string; attachment_id?: string; description?: string }[] {
  return componentsOf(message)
    .filter((component) => component.type === 12)
    .flatMap((gallery) =>
      (gallery.items as { media: { url: string; attachment_id?: string }; description?: string }[]).map(
        (item) => ({ ...item.media, ...(item.description ? { description: item.description } : {}) }),
      ),
    );
}

export function buttonsOf(message: { components: unknown[] }): { label?: string; custom_id?: string }[] {
  return componentsOf(message).filter((component) => component.type === 2);
}
