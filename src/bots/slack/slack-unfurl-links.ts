/** A design page link as Facet hands it out (designPageUrl): the design and the link's signature. */
export type DesignPageLink = { designId: string; signature: string };

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const signature = /^[A-Za-z0-9_-]{43}$/;

/**
 * The design page a shared URL names, when it is one under `baseUrl` (PUBLIC_URL): the page itself,
 * with exactly one `k`. Anything else on the domain (an image, the spec sheet, a mangled link) is not
 * unfurled. Whether the signature is valid is the database's to say (DesignLinks.verify).
 */
export function readDesignPageLink(baseUrl: string, url: string): DesignPageLink | undefined {
  // Slack escapes `&` in the URLs of a message; a design page link has one parameter, but be exact.
  const text = url.replaceAll('&amp;', '&');
  if (!URL.canParse(text) || !URL.canParse(baseUrl)) return undefined;
  const link = new URL(text);
  const base = new URL(baseUrl);
  if (link.protocol !== base.protocol || link.host !== base.host) return undefined;
  const prefix = `${base.pathname.replace(/\/+$/, '')}/designs/`;
  if (!link.pathname.startsWith(prefix)) return undefined;
  const designId = decodeURIComponent(link.pathname.slice(prefix.length));
  const keys = link.searchParams.getAll('k');
  const key = keys[0];
  if (!uuid.test(designId) || keys.length !== 1 || key === undefined || !signature.test(key))
    return undefined;
  return { designId, signature: key };
}

/**
 * The URL of one of the page's images, authorised by the same link (the design page's image route):
 * it stops working when the link is revoked, as the page does.
 */
export function designPageImageUrl(baseUrl: string, link: DesignPageLink, imageKey: string): string | null {
  const folder = `designs/${link.designId}/`;
  if (!imageKey.startsWith(folder)) return null;
  const file = imageKey.slice(folder.length).split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/designs/${link.designId}/images/${file}?k=${encodeURIComponent(link.signature)}`;
}
