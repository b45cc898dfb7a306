// The playground page: draws the server's card model (the same one Slack and Discord render) and sends
// commands and clicks back. Plain DOM, no build step; every user string goes in through textContent.

const state = {
  user: localStorage.getItem('facet-user') ?? 'ben',
  users: [],
  views: new Map(),
  openThread: null,
  /** False until the first designs are drawn: a reload scrolls and opens a thread once, at the end. */
  loaded: false,
};
const $ = (id) => document.getElementById(id);
/** A phone: the thread covers the channel, so it opens only when asked for. */
const narrow = window.matchMedia('(max-width: 700px)');

/** A request that got no answer of Facet's own: shown on the page, not only in the console. */
class RequestError extends Error {}

/** A command with an image: the image is the body, the command rides in the query. */
async function uploadCommand(request, file) {
  let response;
  try {
    response = await fetch(`/playground/api/command-with-image?${new URLSearchParams(request)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw new RequestError('Facet is not answering, or the image was too large to send. Try again.');
  }
  const parsed = await response.json().catch(() => undefined);
  if (typeof parsed?.reply !== 'string' && !response.ok)
    throw new RequestError(`Facet answered ${response.status}; nothing was changed. Try again in a moment.`);
  if (parsed === undefined) throw new RequestError('Facet sent an answer the page cannot read.');
  return parsed;
}

async function api(path, body) {
  let response;
  try {
    response = await fetch(`/playground/api/${path}`, {
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new RequestError('Facet is not answering (is it restarting?). Try again in a moment.');
  }
  let parsed;
  try {
    parsed = await response.json();
  } catch {
    parsed = undefined;
  }
  // Facet's own refusals (400, 403, 500) carry a reply for the page to show; anything else is an error.
  if (!response.ok && typeof parsed?.reply !== 'string')
    throw new RequestError(`Facet answered ${response.status}; nothing was changed. Try again in a moment.`);
  if (parsed === undefined) throw new RequestError('Facet sent an answer the page cannot read.');
  return parsed;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-') || key.startsWith('aria-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** Facet's texts mark commands as `code` (as Slack and Discord show them): here they become <code>. */
function richText(value) {
  const pieces = value.split('`');
  return pieces.map((piece, index) => {
    if (index % 2 === 0) return piece;
    // An unmatched backtick stays as typed.
    return index === pieces.length - 1 ? `\`${piece}` : element('code', { textContent: piece });
  });
}

const svgNs = 'http://www.w3.org/2000/svg';
/** Drawn shapes per status: no emoji font needed (emoji show as empty boxes without one). */
const iconShapes = {
  done: [
    ['circle', { cx: 8, cy: 8, r: 7, fill: '#2eb67d' }],
    ['path', { d: 'M4.5 8.3l2.3 2.3 4.7-4.9', fill: 'none', stroke: '#fff', 'stroke-width': 1.8 }],
  ],
  generating: [
    ['circle', { cx: 8, cy: 8, r: 6, fill: 'none', stroke: '#d8d8de', 'stroke-width': 2 }],
    ['path', { d: 'M8 2a6 6 0 0 1 6 6', fill: 'none', stroke: '#5865f2', 'stroke-width': 2 }],
  ],
  pending: [['circle', { cx: 8, cy: 8, r: 6, fill: 'none', stroke: '#999', 'stroke-width': 1.6 }]],
  failed: [
    ['circle', { cx: 8, cy: 8, r: 7, fill: '#e01e5a' }],
    ['path', { d: 'M5.5 5.5l5 5m0-5l-5 5', fill: 'none', stroke: '#fff', 'stroke-width': 1.8 }],
  ],
  stopped: [
    ['circle', { cx: 8, cy: 8, r: 7, fill: '#999' }],
    ['rect', { x: 5.5, y: 5.5, width: 5, height: 5, fill: '#fff' }],
  ],
};
function icon(name) {
  const svg = document.createElementNS(svgNs, 'svg');
  for (const [key, value] of Object.entries({ viewBox: '0 0 16 16', width: 16, height: 16 }))
    svg.setAttribute(key, String(value));
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  for (const [tag, attributes] of iconShapes[name] ?? iconShapes.pending) {
    const shape = document.createElementNS(svgNs, tag);
    for (const [key, value] of Object.entries(attributes)) shape.setAttribute(key, String(value));
    svg.append(shape);
  }
  return svg;
}

const nameOf = (id) => state.users.find((u) => u.id === id)?.name ?? id;
// A moment from the card: a start counts up as "12 s ago" (kept current by tickMoments), a deadline
// reads in the browser's own time zone.
function momentText(part) {
  const at = new Date(part.at);
  if (part.show === 'deadline')
    return at.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const seconds = Math.max(0, Math.round((Date.now() - at.getTime()) / 1000));
  return seconds < 90 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
}
const text = (parts) =>
  parts
    .map((part) =>
      typeof part === 'string'
        ? part
        : 'at' in part
          ? momentText(part)
          : 'group' in part
            ? `@${part.group}`
            : `@${nameOf(part.mention)}`,
    )
    .join('');
const hasStart = (parts) => parts.some((part) => typeof part === 'object' && part.show === 'since');

/** Redraws the text of every status that counts up from a start, once a second. */
function tickMoments() {
  for (const node of document.querySelectorAll('[data-ticking]')) {
    const view = state.views.get(node.dataset.ticking);
    if (view) node.textContent = text(view.card.status);
  }
}
setInterval(tickMoments, 1000);

const messages = $('messages');
/** Whether the channel shows its end: then it keeps showing it as cards grow and arrive. */
const atBottom = () => messages.scrollHeight - messages.scrollTop - messages.clientHeight < 48;
function scrollToEnd() {
  messages.scrollTop = messages.scrollHeight;
}

function updateEmptyHint() {
  $('empty-hint').hidden = !state.loaded || messages.children.length > 0;
}

/** A private answer: only the user who asked sees it (switching user hides it). */
function note(message, { error = false, actions = [] } = {}) {
  const item = element(
    'li',
    {
      class: error ? 'note error' : 'note',
      'data-testid': error ? 'request-error' : 'note',
      'data-user': state.user,
      ...(error ? { role: 'alert' } : {}),
    },
    ...richText(message),
    ...actions.map(buttonRow),
    element('small', {}, error ? 'Only on this page' : 'Only visible to you'),
  );
  messages.append(item);
  updateEmptyHint();
  item.scrollIntoView({ block: 'end' });
}

function showOnlyMyNotes() {
  for (const item of messages.querySelectorAll('.note')) item.hidden = item.dataset.user !== state.user;
}

function applyUsers(users) {
  state.users = users;
  const select = $('user');
  if (select.options.length === 0)
    for (const user of state.users)
      select.append(element('option', { value: user.id }, `${user.name} (${user.role})`));
  select.value = state.user;
  const me = state.users.find((u) => u.id === state.user);
  // A phone drops " available" to keep the header on one line.
  $('balance').replaceChildren(
    ...(me
      ? [
          `${me.available} credits`,
          element('span', { class: 'wide' }, ' available'),
          ` · ${me.held} reserved`,
        ]
      : []),
  );
  $('balance').dataset.available = String(me?.available ?? '');
}

async function refreshUsers() {
  applyUsers(await api('users'));
}

/** Several candidates side by side, each numbered as its Pick button; the picked one marked. */
function candidateGrid(view) {
  if (!view.candidates || view.candidates.length === 0) return null;
  return element(
    'div',
    { class: 'candidates', 'data-testid': 'card-candidates' },
    ...view.candidates.map((candidate) =>
      element(
        'figure',
        {
          class: candidate.picked ? 'candidate picked' : 'candidate',
          'data-testid': 'card-candidate',
          'data-key': candidate.key,
        },
        element('img', { src: candidate.url, alt: candidate.alt, width: 512, height: 512 }),
        element('figcaption', {
          textContent: `Candidate ${candidate.number}${candidate.picked ? ' (picked)' : ''}`,
        }),
      ),
    ),
  );
}

/** The front view's frame: the same size before and after the image, so the card does not jump. */
function imageFrame(view, previous) {
  const { card } = view;
  if (view.candidates && view.candidates.length > 0) return candidateGrid(view);
  if (!card.image) {
    if (card.tone !== 'working') return null;
    return element(
      'div',
      { class: 'image-frame waiting', 'data-testid': 'card-image-placeholder' },
      element('span', { textContent: 'Drawing the front view…' }),
    );
  }
  // The same image keeps its element (and its URL): no download again, no blank while it reloads.
  const kept = [...(previous?.querySelectorAll('img[data-key]') ?? [])].find(
    (img) => img.dataset.key === card.image.key,
  );
  const img =
    kept ??
    element('img', {
      src: view.imageUrl ?? '',
      alt: card.image.alt,
      width: 1024,
      height: 1024,
      'data-testid': 'card-image',
      'data-key': card.image.key,
    });
  img.alt = card.image.alt;
  return element('div', { class: 'image-frame' }, img);
}

function renderCard(view, previous) {
  const { card } = view;
  const buttons = card.actions.map(buttonRow);
  // Only http(s): the URL comes from the server, but a link is never the place to run anything.
  const pageLink =
    card.link && /^https?:\/\//.test(card.link.url)
      ? element(
          'div',
          { class: 'page-link' },
          element('a', {
            href: card.link.url,
            target: '_blank',
            rel: 'noopener noreferrer',
            textContent: card.link.label,
            'data-testid': 'design-page-link',
          }),
        )
      : null;
  // An empty thread still takes replies (feedback by replying, where the settings switch it on).
  const threadLink = element('button', {
    class: 'thread-link',
    textContent:
      view.thread.status || view.thread.images.length > 0 || view.thread.notices.length > 0
        ? threadLabel(view.thread)
        : 'Reply in thread',
    onclick: () => openThread(view.id),
  });
  return element(
    'li',
    {
      class: `card ${card.tone}`,
      'data-testid': 'card',
      'data-design-id': view.id,
      'data-tone': card.tone,
      'data-created-at': view.createdAt,
    },
    element('h3', { textContent: card.title }),
    card.fullPrompt ? element('p', { class: 'details', textContent: card.fullPrompt }) : null,
    element('div', { textContent: `Requested by @${nameOf(card.requesterId)}` }),
    card.sourceImage
      ? element(
          'div',
          { class: 'source-image', 'data-testid': 'card-source-image' },
          view.sourceImageUrl
            ? element('img', { src: view.sourceImageUrl, alt: card.sourceImage.alt, width: 48, height: 48 })
            : null,
          element('span', { textContent: card.sourceImage.label }),
        )
      : null,
    view.approvers.includes(state.user)
      ? element('div', {
          class: 'badge',
          'data-testid': 'approval-badge',
          textContent: 'Waiting for your approval',
        })
      : null,
    element('div', {
      class: 'status',
      'data-testid': 'card-status',
      textContent: text(card.status),
      ...(hasStart(card.status) ? { 'data-ticking': view.id } : {}),
    }),
    element('div', { class: 'facts', textContent: card.facts.map(text).join(' · ') }),
    imageFrame(view, previous),
    ...buttons,
    pageLink,
    threadLink,
  );
}

/** "View thread (5 images, 1 note)": what the thread holds, counted. */
function threadLabel(thread) {
  const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [count(thread.images.length, 'image')];
  if (thread.notices.length > 0) parts.push(count(thread.notices.length, 'note'));
  return `View thread (${parts.join(', ')})`;
}

/** Keeps the newest card's first buttons (Approve) in view, with the end of the channel. */
function keepInView(card) {
  scrollToEnd();
  card.querySelector('.actions')?.scrollIntoView({ block: 'nearest' });
}

/** Draws a design; returns whether it changed (not just the once-a-second resend of a working one). */
function show(view) {
  const known = state.views.get(view.id);
  if (known && known.version > view.version) return false;
  state.views.set(view.id, view);
  const stick = atBottom();
  const existing = messages.querySelector(`[data-testid="card"][data-design-id="${view.id}"]`);
  const card = renderCard(view, existing);
  if (existing) existing.replaceWith(card);
  else {
    // In the order they were asked for: an event can bring a design before the list that holds older ones.
    const later = [...messages.querySelectorAll('[data-testid="card"]')].find(
      (other) => other.dataset.createdAt > view.createdAt,
    );
    if (later) later.before(card);
    else messages.append(card);
  }
  updateEmptyHint();
  if (state.loaded) {
    const newest = [...messages.querySelectorAll('[data-testid="card"]')].at(-1) === card;
    if (!existing || (stick && newest)) keepInView(card);
    else if (stick) scrollToEnd();
    const mine = view.card.requesterId === state.user;
    // The thread of a design of mine that was just approved comes forward (a phone opens it when asked).
    const started = view.thread.status && !known?.thread.status;
    if (started && mine && !narrow.matches) openThread(view.id);
  }
  if (state.openThread === view.id) renderThread(view);
  return !known || known.version !== view.version;
}

function openThread(id) {
  state.openThread = id;
  $('thread').hidden = false;
  // The thread takes the side column from "For you" (whose button in the channel brings it back).
  document.body.dataset.thread = 'open';
  $('thread').dataset.designId = id;
  renderThread(state.views.get(id));
}

function lineIcon(line) {
  // A stopped design leaves its unfinished views pending or generating: they will not come.
  return line.text.endsWith(': stopped') ? 'stopped' : line.state;
}

function renderThread(view) {
  const body = $('thread-body');
  const kept = new Map([...body.querySelectorAll('figure[data-key]')].map((f) => [f.dataset.key, f]));
  body.replaceChildren();
  if (!view) return;
  const { status, images } = view.thread;
  if (status)
    body.append(
      element(
        'div',
        { 'data-testid': 'thread-status' },
        element('strong', { textContent: status.title }),
        element(
          'ul',
          { class: 'progress' },
          ...status.lines.map((line) =>
            element(
              'li',
              { 'data-state': line.state, 'data-view': line.view },
              icon(lineIcon(line)),
              element('span', { textContent: line.text }),
            ),
          ),
        ),
        status.footer ? element('em', { textContent: status.footer }) : null,
      ),
    );
  for (const notice of view.thread.notices)
    body.append(element('p', { class: 'notice', 'data-testid': 'thread-notice', textContent: notice }));
  for (const image of images)
    body.append(
      kept.get(image.key) ??
        element(
          'figure',
          { 'data-testid': 'thread-image', 'data-key': image.key },
          element('img', { src: image.url, alt: image.title }),
          element('figcaption', { textContent: image.title }),
        ),
    );
}

async function answer(result) {
  if (result.reply) note(result.reply, { actions: result.actions });
  if (result.modal) openFeedback(result.modal);
  await Promise.all([refreshUsers(), refreshHome()]);
}

/** A row of card buttons (a card's, a pending list's, the side panel's): each click goes to Facet. */
function buttonRow(row) {
  return element(
    'div',
    { class: 'actions' },
    ...row.map((button) =>
      element('button', {
        class: button.style ?? '',
        textContent: button.label,
        'data-action-id': button.id,
        onclick: () => void click(button),
      }),
    ),
  );
}

/** "For you": what waits for the selected user's approval, and their designs (Slack's Home tab). */
function renderHome(home) {
  const waiting = home.waiting.map((entry) => {
    const imageUrl = state.views.get(entry.designId)?.imageUrl;
    return element(
      'li',
      { class: 'home-item', 'data-testid': 'home-waiting-item', 'data-design-id': entry.designId },
      imageUrl
        ? element('img', { src: imageUrl, alt: `Front view, iteration ${entry.iteration}`, class: 'thumb' })
        : null,
      element(
        'div',
        { class: 'home-text' },
        element('strong', { textContent: entry.prompt }),
        element('small', {
          textContent: `by @${nameOf(entry.requesterId)} · iteration ${entry.iteration} · ${entry.held} credits reserved · waiting since ${new Date(entry.waitingSince).toLocaleTimeString(undefined, { timeStyle: 'short' })}`,
        }),
        buttonRow(entry.buttons),
      ),
    );
  });
  $('home-waiting').replaceChildren(
    ...(waiting.length > 0
      ? waiting
      : [element('li', { class: 'home-none', textContent: 'Nothing is waiting for your approval.' })]),
    ...(home.moreWaiting
      ? [element('li', { class: 'home-none', textContent: 'More are waiting: these are the oldest.' })]
      : []),
  );
  const designs = home.designs.map((design) =>
    element(
      'li',
      { class: 'home-item', 'data-testid': 'home-design', 'data-design-id': design.designId },
      element(
        'div',
        { class: 'home-text' },
        element('strong', { textContent: design.prompt }),
        element('small', {
          textContent: `${design.state} · iteration ${design.iteration} · ${design.credits}`,
        }),
      ),
    ),
  );
  $('home-designs').replaceChildren(
    ...(designs.length > 0
      ? designs
      : [element('li', { class: 'home-none', textContent: 'No designs yet.' })]),
  );
  $('home-settings-section').hidden = home.settings === null;
  $('home-settings').textContent = home.settings ?? '';
  $('open-home').textContent =
    home.waiting.length > 0 ? `For you (${home.waiting.length} waiting)` : 'For you';
}

/** Asked again after each change; an older answer arriving late is dropped. */
let homeRequests = 0;
async function refreshHome() {
  const asked = (homeRequests += 1);
  const home = await api(`home?user=${encodeURIComponent(state.user)}`);
  if (asked === homeRequests) renderHome(home);
}

/** Runs what a click or command asked for; a request that failed says so on the page. */
async function attempt(work) {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    note(error.message, { error: true });
  }
}

/** The page's own confirmation (Slack's confirm dialog): resolves true when confirmed. */
function confirmWith(confirm) {
  const dialog = $('confirm');
  $('confirm-title').textContent = confirm.title;
  $('confirm-text').textContent = confirm.text;
  $('confirm-ok').textContent = confirm.confirm;
  $('confirm-deny').textContent = confirm.deny;
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
    dialog.showModal();
    $('confirm-ok').focus();
  });
}

async function click(button) {
  if (button.confirm && !(await confirmWith(button.confirm))) return;
  await attempt(async () => answer(await api('action', { userId: state.user, actionId: button.id })));
}

/** The three text forms: what the dialog says for each. */
const formWords = {
  feedback: (t) => ({
    title: 'Request changes',
    label: `What should change in iteration ${t.iteration}?`,
    submit: 'Revise',
  }),
  decline: (t) => ({
    title: 'Decline this design',
    label: `Why is iteration ${t.iteration} declined? The requester is told; the design ends and its credits are returned.`,
    submit: 'Decline',
  }),
  // Editing one view of a finished design: the text is optional (empty draws the view again).
  view_edit: (t) => ({
    title: `Edit the ${t.view} view`,
    label: `What should change in the ${t.view} view? (optional: empty draws it again)`,
    submit: 'Redraw',
  }),
};

let feedbackTarget = null;
function openFeedback(modal) {
  const { form, ...target } = modal;
  // Only a decline says which form it is: the server tells the other two apart by their fields.
  feedbackTarget = form === 'decline' ? { ...target, form } : target;
  const words = formWords[form](target);
  $('feedback-title').textContent = words.title;
  $('feedback-label').textContent = words.label;
  $('feedback-submit').textContent = words.submit;
  $('feedback-text').value = '';
  $('feedback-error').textContent = '';
  $('feedback').showModal();
}

$('feedback-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  let result;
  try {
    result = await api('feedback', {
      userId: state.user,
      ...feedbackTarget,
      feedback: $('feedback-text').value,
    });
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    // The form stays open with what was typed: it can be sent again once Facet answers.
    $('feedback-error').textContent = error.message;
    return;
  }
  if (result.error) {
    $('feedback-error').textContent = result.error;
    return;
  }
  $('feedback').close();
  await attempt(() => answer(result));
});
$('feedback-cancel').addEventListener('click', () => $('feedback').close());
function closeThread() {
  state.openThread = null;
  $('thread').hidden = true;
  delete document.body.dataset.thread;
}
$('close-thread').addEventListener('click', closeThread);
$('image').addEventListener('change', () => {
  const file = $('image').files?.[0];
  $('image-name').textContent = file ? `Starting from ${file.name}` : '';
});

// A reply in the thread, read as Slack and Discord read one: Request changes, marked, where allowed.
$('thread-reply').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('thread-reply-text');
  const typed = input.value;
  const designId = $('thread').dataset.designId;
  if (!designId) return;
  input.value = '';
  await attempt(async () => {
    const result = await api('reply', {
      userId: state.user,
      designId,
      text: typed,
      requestId: crypto.randomUUID(),
    });
    $('thread-body').append(
      element('p', {
        class: 'mine',
        'data-testid': 'thread-reply-sent',
        textContent: `${nameOf(state.user)}: ${typed}${result.reaction ? ` ${result.reaction}` : ''}`,
      }),
    );
    await answer(result);
  });
});
$('example').addEventListener('click', () => {
  $('text').value = $('example').textContent.trim();
  $('text').focus();
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('text');
  const typed = input.value.trim();
  if (typed === '') return;
  input.value = '';
  messages.append(element('li', { class: 'mine', textContent: `${nameOf(state.user)}: ${typed}` }));
  scrollToEnd();
  // An image chosen with the attach button goes with the command, as the body of its own request.
  const picker = $('image');
  const file = picker.files?.[0];
  picker.value = '';
  $('image-name').textContent = '';
  await attempt(async () => {
    try {
      const request = { userId: state.user, text: typed, requestId: crypto.randomUUID() };
      await answer(file ? await uploadCommand(request, file) : await api('command', request));
    } catch (error) {
      // Not sent: what was typed comes back, ready to send again.
      if (error instanceof RequestError && input.value === '') input.value = typed;
      throw error;
    }
  });
});

$('user').addEventListener('change', async (event) => {
  state.user = event.target.value;
  localStorage.setItem('facet-user', state.user);
  showOnlyMyNotes();
  for (const view of state.views.values()) show(view);
  await attempt(() => Promise.all([refreshUsers(), refreshHome()]));
});
// A phone opens "For you" over the channel; a wider page gives it back the side column a thread took.
$('open-home').addEventListener('click', () => {
  if (narrow.matches) $('home').dataset.open = 'true';
  else closeThread();
});
$('close-home').addEventListener('click', () => delete $('home').dataset.open);

/** Everything again from the server: at start, and after every reconnect (a restart misses events). */
async function sync() {
  const [users, designs] = await Promise.all([api('users'), api('designs')]);
  applyUsers(users);
  for (const view of designs) show(view);
  // After the designs: the panel's thumbnails are theirs.
  await refreshHome();
}

function setConnection(live) {
  $('connection').hidden = live;
  $('connection').textContent = live ? '' : 'reconnecting…';
}

function connect() {
  const events = new EventSource('/playground/api/events');
  events.addEventListener('open', () => {
    setConnection(true);
    sync().catch(() => setConnection(false));
  });
  events.addEventListener('error', () => {
    setConnection(false);
    // The browser retries a dropped stream by itself, but not one refused (a 404 while Facet starts).
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
  });
  events.addEventListener('design', (event) => {
    if (show(JSON.parse(event.data))) {
      refreshUsers().catch(() => undefined);
      refreshHome().catch(() => undefined);
    }
  });
}

connect();
try {
  await sync();
} catch {
  setConnection(false);
}
state.loaded = true;
showOnlyMyNotes();
updateEmptyHint();
scrollToEnd();
// After a reload: the latest design's thread, not the first one drawn (a phone opens it when asked).
const latestThread = [...state.views.values()]
  .filter((v) => v.thread.status || v.thread.images.length)
  .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
  .at(-1);
if (latestThread && !narrow.matches) openThread(latestThread.id);
document.body.dataset.ready = 'true';
