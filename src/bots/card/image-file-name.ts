/** A readable file name for an image-store key: `designs/<id>/r1/back.png` → `r1-back.png`. */
export function imageFileName(imageKey: string): string {
  return imageKey
    .split('/')
    .slice(-2)
    .join('-')
    .replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/, '');
}
