/** "1 credit", "3 credits": the one way every answer and card counts credits. */
export function creditCount(n: number): string {
  return `${n} credit${n === 1 ? '' : 's'}`;
}
