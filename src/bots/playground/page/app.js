// The playground page: draws the server's card model (the same one Slack and Discord render) and sends
// commands and clicks back. Plain DOM, no build step; every user string goes in through textContent.

const state = {
  user: localStorage.getItem('facet-user') ?? 'ben',
  users: [],
  views: new Map(),
  openThread: null,
};
const $ = (id) => document.getElementById(id);

async function api(path, body) {
  const response = await fetch(`/playground/api/${path}`, {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
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
      typeof part === 'string' ? part : 'at' in part ? momentText(part) : `@${nameOf(part.mention)}`,
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

function note(message) {
  const item = element(
    'li',
    { class: 'note', 'data-testid': 'note' },
    message,
    element('small', {}, 'Only visible to you'),
  );
  $('messages').append(item);
  item.scrollIntoView({ block: 'end' });
}

async function refreshUsers() {
  state.users = await api('users');
  const select = $('user');
  if (select.options.length === 0)
    for (const user of state.users)
      select.append(element('option', { value: user.id }, `${user.name} (${user.role})`));
  select.value = state.user;
  const me = state.users.find((u) => u.id === state.user);
  $('balance').textContent = me ? `${me.available} credits available · ${me.held} reserved` : '';
  $('balance').dataset.available = String(me?.available ?? '');
}

function renderCard(view) {
  const { card } = view;
  const buttons = card.actions.map((row) =>
    element(
      'div',
      { class: 'actions' },
      ...row.map((button) =>
        element('button', {
          class: button.style ?? '',
          textContent: button.label,
          'data-action-id': button.id,
          onclick: () => click(button),
        }),
      ),
    ),
  );
  const threadLink =
    view.thread.status || view.thread.images.length > 0
      ? element('button', {
          textContent: `View thread (${view.thread.images.length} images)`,
          onclick: () => openThread(view.id),
        })
      : null;
  return element(
    'li',
    { class: `card ${card.tone}`, 'data-testid': 'card', 'data-design-id': view.id, 'data-tone': card.tone },
    element('h3', { textContent: card.title }),
    card.fullPrompt ? element('p', { class: 'details', textContent: card.fullPrompt }) : null,
    element('div', { textContent: `Requested by @${nameOf(card.requesterId)}` }),
    element('div', {
      class: 'status',
      'data-testid': 'card-status',
      textContent: text(card.status),
      ...(hasStart(card.status) ? { 'data-ticking': view.id } : {}),
    }),
    element('div', { class: 'facts', textContent: card.facts.map(text).join(' · ') }),
    view.imageUrl
      ? element('img', { src: view.imageUrl, alt: card.image?.alt ?? '', 'data-testid': 'card-image' })
      : null,
    ...buttons,
    threadLink,
  );
}

function show(view) {
  const known = state.views.get(view.id);
  if (known && known.version > view.version) return;
  state.views.set(view.id, view);
  const card = renderCard(view);
  const existing = document.querySelector(`[data-testid="card"][data-design-id="${view.id}"]`);
  if (existing) existing.replaceWith(card);
  else {
    $('messages').append(card);
    card.scrollIntoView({ block: 'end' });
  }
  if (view.thread.status && state.openThread === null && view.card.requesterId === state.user)
    openThread(view.id);
  if (state.openThread === view.id) renderThread(view);
}

function openThread(id) {
  state.openThread = id;
  $('thread').hidden = false;
  renderThread(state.views.get(id));
}

function renderThread(view) {
  const body = $('thread-body');
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
            element('li', { textContent: line.text, 'data-state': line.state, 'data-view': line.view }),
          ),
        ),
        status.footer ? element('em', { textContent: status.footer }) : null,
      ),
    );
  for (const image of images)
    body.append(
      element(
        'figure',
        { 'data-testid': 'thread-image' },
        element('img', { src: image.url, alt: image.title }),
        element('figcaption', { textContent: image.title }),
      ),
    );
}

async function answer(result) {
  if (result.reply) note(result.reply);
  if (result.modal) openFeedback(result.modal);
  await refreshUsers();
}

async function click(button) {
  if (button.confirm && !window.confirm(`${button.confirm.title}\n\n${button.confirm.text}`)) return;
  await answer(await api('action', { userId: state.user, actionId: button.id }));
}

let feedbackTarget = null;
function openFeedback(target) {
  feedbackTarget = target;
  // Editing one view of a finished design: the text is optional (empty draws the view again).
  $('feedback-label').textContent = target.view
    ? `What should change in the ${target.view} view? (optional: empty draws it again)`
    : `What should change in iteration ${target.iteration}?`;
  $('feedback-text').value = '';
  $('feedback-error').textContent = '';
  $('feedback').showModal();
}

$('feedback-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = await api('feedback', {
    userId: state.user,
    ...feedbackTarget,
    feedback: $('feedback-text').value,
  });
  if (result.error) {
    $('feedback-error').textContent = result.error;
    return;
  }
  $('feedback').close();
  await answer(result);
});
$('feedback-cancel').addEventListener('click', () => $('feedback').close());
$('close-thread').addEventListener('click', () => {
  state.openThread = null;
  $('thread').hidden = true;
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('text');
  const typed = input.value.trim();
  if (typed === '') return;
  input.value = '';
  $('messages').append(element('li', { class: 'mine', textContent: `${nameOf(state.user)}: ${typed}` }));
  await answer(await api('command', { userId: state.user, text: typed, requestId: crypto.randomUUID() }));
});

$('user').addEventListener('change', async (event) => {
  state.user = event.target.value;
  localStorage.setItem('facet-user', state.user);
  for (const view of state.views.values()) show(view);
  await refreshUsers();
});

const events = new EventSource('/playground/api/events');
events.addEventListener('design', (event) => {
  show(JSON.parse(event.data));
  void refreshUsers();
});

await refreshUsers();
for (const view of await api('designs')) show(view);
document.body.dataset.ready = 'true';
