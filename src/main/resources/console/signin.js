// Sign-in: Keystone password (token kept in memory), trusted identity headers (development), or noauth.
import {h, put, field, flash} from './dom.js';
import * as api from './api.js';

class GlintSignin extends HTMLElement {
  async connectedCallback() {
    document.title = 'Sign in · Glint console';
    put(this, h('p', null, 'Loading…'));
    let config;
    try {
      const r = await fetch('/console/config.json', {cache: 'no-store'});
      config = await r.json();
    } catch (e) {
      put(this, h('p', {class: 'error'}, `The console's configuration cannot be read: ${e.message}`));
      return;
    }
    if (config.auth === 'keystone') this.keystone(config.keystone_login);
    else if (config.auth === 'trusted-headers') this.trusted();
    else this.noauth();
  }

  done() {
    this.dispatchEvent(new CustomEvent('signed-in', {bubbles: true}));
  }

  keystone(url) {
    const user = h('input', {name: 'username', autocomplete: 'username', required: true});
    const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
    const userDomain = h('input', {name: 'user-domain', value: 'Default', required: true});
    const projectName = h('input', {name: 'project', required: true});
    const projectDomain = h('input', {name: 'project-domain', value: 'Default', required: true});
    const submit = h('button', {type: 'submit'}, 'Sign in');
    const form = h('form', {class: 'card', 'aria-labelledby': 'signin-title'},
      h('h1', {id: 'signin-title'}, 'Sign in with Keystone'),
      field('User name', user), field('Password', password), field('User domain', userDomain),
      field('Project', projectName), field('Project domain', projectDomain),
      h('div', {class: 'actions'}, submit),
      h('p', {class: 'note'}, 'The token is kept in this page\'s memory only; reloading signs you out.'));
    form.addEventListener('submit', async e => {
      e.preventDefault();
      submit.disabled = true;
      try {
        await api.keystoneSignIn(url, {username: user.value, password: password.value,
          userDomain: userDomain.value, projectName: projectName.value, projectDomain: projectDomain.value});
        password.value = '';
        this.done();
      } catch (err) {
        flash(err.message);
        submit.disabled = false;
      }
    });
    put(this, form);
    user.focus();
  }

  trusted() {
    const projectId = h('input', {name: 'project-id', required: true, autocomplete: 'off'});
    const userId = h('input', {name: 'user-id', autocomplete: 'off', value: 'console-user'});
    const roleList = h('input', {name: 'roles', value: 'member,reader', autocomplete: 'off'});
    const submit = h('button', {type: 'submit'}, 'Enter');
    const form = h('form', {class: 'card', 'aria-labelledby': 'signin-title'},
      h('h1', {id: 'signin-title'}, 'Development identity'),
      h('p', {class: 'note'}, 'This Glint trusts identity headers (auth_strategy trusted-headers): the console ' +
        'sends X-Project-Id, X-User-Id and X-Roles as an authenticating proxy would. For development only.'),
      field('Project id', projectId), field('User id', userId), field('Roles (comma-separated)', roleList),
      h('div', {class: 'actions'}, submit));
    form.addEventListener('submit', e => {
      e.preventDefault();
      const roles = roleList.value.split(',').map(r => r.trim()).filter(Boolean);
      api.useTrustedIdentity(projectId.value.trim(), userId.value.trim(), roles);
      this.done();
    });
    put(this, form);
    projectId.focus();
  }

  noauth() {
    const submit = h('button', {type: 'submit'}, 'Enter');
    const form = h('form', {class: 'card'}, h('h1', null, 'No authentication'),
      h('p', {class: 'note'}, 'This Glint runs without authentication: every caller is an administrator.'),
      h('div', {class: 'actions'}, submit));
    form.addEventListener('submit', e => {
      e.preventDefault();
      api.useNoAuth();
      this.done();
    });
    put(this, form);
    submit.focus();
  }
}

customElements.define('glint-signin', GlintSignin);
