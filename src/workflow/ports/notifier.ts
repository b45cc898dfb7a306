import type { DesignSnapshot } from '../design-snapshot.ts';

/** Shows a design's current state wherever it lives (a Slack or Discord card, the playground). */
export interface Notifier {
  notify(design: DesignSnapshot): Promise<void>;
}
