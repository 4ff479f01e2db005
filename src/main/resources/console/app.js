// The console shell: a hash router that shows one page component at a time, and the header.
import {h, put, flash, staleFlash} from './dom.js';
import * as api from './api.js';
import './signin.js';
import './image-list.js';
import './image-page.js';
import './image-create.js';
import './storage.js';

const PAGES = [
  [/^#\/images(?:\?(.*))?$/, m => h('glint-image-list', {query: m[1] || ''})],
  [/^#\/image\/([^/?]+)$/, m => h('glint-image-page', {'image-id': decodeURIComponent(m[1])})],
  [/^#\/create$/, () => h('glint-image-create')],
  [/^#\/storage$/, () => h('glint-storage')],
];

class GlintApp extends HTMLElement {
  connectedCallback() {
    window.addEventListener('hashchange', () => this.route());
    // The skip link moves the focus without touching the address (whose hash is the page).
    document.querySelector('a.skip').addEventListener('click', e => {
      e.preventDefault();
      document.getElementById('main').focus();
    });
    document.getElementById('signout').addEventListener('click', () => {
      api.signOut();
      flash('Signed out.', 'info');
      this.route();
    });
    this.addEventListener('signed-in', () => {
      flash(null);
      if (!location.hash || location.hash === '#/signin') location.hash = '#/images';
      else this.route();
    });
    this.route();
  }

  route() {
    staleFlash();
    const hash = location.hash || '#/images';
    const nav = document.getElementById('nav');
    const out = document.getElementById('signout');
    const who = document.getElementById('who');
    if (!api.signedIn()) {
      nav.hidden = true;
      out.hidden = true;
      put(who);
      put(this, h('glint-signin'));
      document.title = 'Sign in · Glint console';
      return;
    }
    nav.hidden = false;
    out.hidden = false;
    put(who, api.project() ? `project ${api.project()}` : 'no project', ' · ',
      api.roles().join(', ') || 'no roles');
    for (const link of nav.querySelectorAll('a')) {
      const current = hash.startsWith(link.getAttribute('href'));
      if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
    }
    for (const [pattern, make] of PAGES) {
      const m = hash.match(pattern);
      if (m) {
        put(this, make(m));
        return;
      }
    }
    put(this, h('section', null, h('h1', null, 'Not found'), h('p', null, 'No such page in the console.'),
      h('a', {href: '#/images'}, 'Back to the images')));
  }
}

customElements.define('glint-app', GlintApp);
