import { randomBytes } from 'node:crypto';
import { designPageRoute } from '../../src/http/design-page/design-page-route.ts';
import { startHealthServer, type HttpServerHandle } from '../../src/http/health-server.ts';
import { DesignLinks, designPageUrl } from '../../src/workflow/design-links.ts';
import { loadSnapshot, type DesignSnapshot } from '../../src/workflow/design-snapshot.ts';
import { actor, createHarness, inState, waitFor, type Harness } from '../workflow/workflow-harness.ts';

export const hostilePrompt =
  '<script>alert("prompt")</script> a kettle & <img src=x onerror=alert(1)> "quoted" \'single\' `tick`';
export const hostileFeedback = '</blockquote><script>alert("feedback")</script><b>bold</b>';

export type DesignPageFixture = {
  h: Harness;
  server: HttpServerHandle;
  links: DesignLinks;
  /** Completed after a quick edit and hostile feedback (three iterations), with its round's sheets. */
  completed: DesignSnapshot;
  /** Awaiting approval of its first front view. */
  awaiting: DesignSnapshot;
  pageUrl(designId: string): Promise<string>;
  close(): Promise<void>;
};

/** A workflow against the model fakes, two designs in it, and an HTTP server with the design page route. */
export async function designPageFixture(label: string): Promise<DesignPageFixture> {
  const h = await createHarness(label, { starterCredits: 50 });
  const links = new DesignLinks(h.test.db, randomBytes(32));
  const server = await startHealthServer(h.test.db, '127.0.0.1', 0, () => [
    designPageRoute({ links, images: h.images, loadDesign: (id) => loadSnapshot(h.test.db, id) }),
  ]);
  const user = actor('U-requester');
  const start = async (prompt: string) => {
    const outcome = await h.workflow.service.start({ workspaceId: h.workspaceId, actor: user, prompt });
    if (!outcome.ok) throw new Error(`not started: ${outcome.reason}`);
    return outcome.design;
  };
  let design = await start(hostilePrompt);
  const edits = [{ preset: 'minimal' as const }, { feedback: hostileFeedback }];
  for (const [i, edit] of edits.entries()) {
    await waitFor(h.workflow, design.id, inState('awaiting_approval'));
    const edited = await h.workflow.service.edit({
      designId: design.id,
      actor: user,
      iteration: i + 1,
      edit,
    });
    if (!edited.ok) throw new Error(`edit refused: ${edited.reason}`);
  }
  await waitFor(h.workflow, design.id, (d) => d.state === 'awaiting_approval' && d.iteration === 3);
  // An admin approves: the page names the approver apart from the requester.
  const approver = actor('U-approver', { isAdmin: true });
  const approved = await h.workflow.service.approve({ designId: design.id, actor: approver, iteration: 3 });
  if (!approved.ok) throw new Error(`approval refused: ${approved.reason}`);
  design = await waitFor(h.workflow, design.id, inState('completed', 'failed'));
  if (design.state !== 'completed') throw new Error(`design ended ${design.state}`);
  design = await waitFor(h.workflow, design.id, (d) => d.revision?.specSheetKey != null);
  const second = await start('a plain desk lamp');
  const awaiting = await waitFor(h.workflow, second.id, inState('awaiting_approval'));
  return {
    h,
    server,
    links,
    completed: design,
    awaiting,
    async pageUrl(designId) {
      const signature = await links.signatureFor(designId);
      if (!signature) throw new Error('revoked');
      return designPageUrl(server.url, designId, signature);
    },
    async close() {
      await server.close();
      await h.close();
    },
  };
}
