// Building DOM without HTML strings: every text goes through text nodes, so names and properties that users
// typed (they may hold markup) are shown as text, never parsed. No innerHTML anywhere in the console.

/** h('a', {href: '#/x', class: 'k', onclick: fn}, 'text', child) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element (for the hand-drawn charts). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k.startsWith('on') || k === 'style' || k === 'srcdoc') {
      throw new Error('refused attribute ' + k);
    } else if (k === 'value' && 'value' in el) {
      el.value = v;
    } else if (k === 'checked' && 'checked' in el) {
      el.checked = !!v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function put(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Bytes in words: 1.5 GiB. */
export function bytes(n) {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? String(v) : v.toFixed(v >= 100 ? 0 : 1)) + ' ' + units[i];
}

export function duration(seconds) {
  if (!isFinite(seconds)) return '—';
  seconds = Math.max(0, Math.round(seconds));
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}

export function badge(kind, value) {
  return h('span', {class: `badge ${kind}-${String(value).replace(/[^a-z_]/gi, '')}`}, value);
}

/** A labelled form field. */
export function field(label, input, hint) {
  const id = input.id || ('f-' + Math.random().toString(36).slice(2));
  input.id = id;
  return h('div', {class: 'field'}, h('label', {for: id}, label), input, hint ? h('small', null, hint) : null);
}

/** Shows a message in the flash area (role=alert); errors stay until the next message. */
export function flash(message, kind = 'error') {
  const el = document.getElementById('flash');
  flashedAt = message ? performance.now() : 0;
  put(el, message ? h('p', {class: kind}, message) : null);
}

let flashedAt = 0;

/** On a new page: a message older than a second belongs to the page left, and goes. */
export function staleFlash() {
  if (flashedAt && performance.now() - flashedAt > 1000) flash(null);
}

/** A confirmation in a modal <dialog> (no window.confirm). Resolves true when confirmed. */
export function confirmDialog(question, confirmLabel) {
  return new Promise(resolve => {
    const yes = h('button', {type: 'button', class: 'danger', id: 'confirm-yes'}, confirmLabel);
    const no = h('button', {type: 'button', id: 'confirm-no'}, 'Cancel');
    const dialog = h('dialog', {'aria-labelledby': 'confirm-q'}, h('p', {id: 'confirm-q'}, question),
      h('div', {class: 'actions'}, yes, no));
    const done = v => { dialog.close(); dialog.remove(); resolve(v); };
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', () => done(false));
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}
