// One image: every field, properties with the metadef catalogue's descriptions, tags, members (sharing and
// accepting), tasks, locations for admins, and the actions (edit, deactivate/reactivate, protect, delete).
import {h, put, bytes, badge, field, flash, confirmDialog} from './dom.js';
import * as api from './api.js';
import {properties} from './image-list.js';
import './image-create.js';

let catalogue = null;   // property name -> {title, description, namespace}, loaded once per page load

async function metadefs() {
  if (catalogue) return catalogue;
  const map = new Map();
  try {
    const list = await api.call('GET', '/v2/metadefs/namespaces',
      {query: {resource_types: 'OS::Glance::Image', limit: 100}});
    await Promise.all((list.namespaces || []).slice(0, 50).map(async ns => {
      const assoc = (ns.resource_type_associations || []).find(a => a.name === 'OS::Glance::Image');
      const prefix = assoc?.prefix || '';
      const props = await api.call('GET', `/v2/metadefs/namespaces/${encodeURIComponent(ns.namespace)}/properties`);
      for (const [name, p] of Object.entries(props.properties || {})) {
        map.set(prefix + name, {title: p.title, description: p.description, namespace: ns.display_name || ns.namespace});
      }
    }));
  } catch (e) {
    // The catalogue is optional help: without it, properties are shown without descriptions.
  }
  catalogue = map;
  return map;
}

const FIELDS = ['id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'owner', 'size', 'virtual_size',
  'disk_format', 'container_format', 'min_disk', 'min_ram', 'checksum', 'os_hash_algo', 'os_hash_value',
  'created_at', 'updated_at', 'stores', 'direct_url', 'file', 'self', 'schema'];

function show(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

class GlintImagePage extends HTMLElement {
  connectedCallback() {
    this.id_ = this.getAttribute('image-id');
    this.load();
  }

  async load() {
    put(this, h('p', null, 'Loading…'));
    try {
      this.image = await api.call('GET', `/v2/images/${encodeURIComponent(this.id_)}`);
    } catch (e) {
      put(this, h('h1', null, 'Image'), h('p', {class: 'error'}, e.message), h('a', {href: '#/images'}, 'Back to the images'));
      return;
    }
    const image = this.image;
    document.title = `${image.name ?? image.id} · Glint console`;
    const mine = image.owner === api.project() || api.isAdmin();
    this.dataset.status = image.status;
    put(this,
      h('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, h('a', {href: '#/images'}, 'Images'), ' › ',
        h('span', null, image.name ?? image.id)),
      h('h1', {id: 'image-name'}, image.name ?? '(no name)'),
      h('p', {class: 'badges'}, badge('status', image.status), badge('vis', image.visibility),
        image.protected ? h('span', {class: 'badge protected'}, 'protected') : null,
        image.os_hidden ? h('span', {class: 'badge'}, 'hidden') : null, ' ', bytes(image.size)),
      mine ? this.actions() : null,
      image.status === 'queued' && mine ? h('section', {class: 'card'}, h('h2', null, 'Upload data'),
        h('glint-upload', {'image-id': image.id})) : null,
      image.status === 'queued' && mine ? h('section', {class: 'card'}, h('h2', null, 'Or import from a URL'),
        h('glint-import', {'image-id': image.id})) : null,
      this.details(),
      this.propertiesSection(mine),
      this.tagsSection(mine),
      this.membersSection(mine),
      this.tasksSection(),
      api.isAdmin() ? this.locationsSection() : null);
    const imported = this.querySelector('glint-import');
    if (imported) {
      imported.addEventListener('imported', e => {
        if (e.detail.status === 'active') this.load(); // a failure stays on screen, in words, to retry
      });
    }
    const upload = this.querySelector('glint-upload');
    if (upload) {
      upload.addEventListener('uploaded', () => {
        flash(upload.querySelector('#upload-status').textContent, 'info');
        this.load();
      });
    }
  }

  async act(what, fn) {
    try {
      await fn();
      await this.load();
      flash(what, 'info'); // after the page shows the change
    } catch (e) {
      flash(e.message);
    }
  }

  patch(ops, what) {
    return this.act(what, () => api.call('PATCH', `/v2/images/${encodeURIComponent(this.image.id)}`, {patch: ops}));
  }

  actions() {
    const image = this.image;
    const id = encodeURIComponent(image.id);
    const buttons = [];
    if (image.status === 'active') {
      buttons.push(h('button', {type: 'button', id: 'deactivate', onclick: () => this.act('Image deactivated.',
        () => api.call('POST', `/v2/images/${id}/actions/deactivate`))}, 'Deactivate'));
    }
    if (image.status === 'deactivated') {
      buttons.push(h('button', {type: 'button', id: 'reactivate', onclick: () => this.act('Image reactivated.',
        () => api.call('POST', `/v2/images/${id}/actions/reactivate`))}, 'Reactivate'));
    }
    buttons.push(h('button', {type: 'button', id: 'protect', 'aria-pressed': String(!!image.protected),
      onclick: () => this.patch([{op: 'replace', path: '/protected', value: !image.protected}],
        image.protected ? 'Protection removed.' : 'Image protected.')},
    image.protected ? 'Unprotect' : 'Protect'));
    buttons.push(h('button', {type: 'button', class: 'danger', id: 'delete', onclick: async () => {
      const ok = await confirmDialog(`Delete the image “${image.name ?? image.id}”? Its data is removed too.`, 'Delete');
      if (!ok) return;
      try {
        await api.call('DELETE', `/v2/images/${id}`);
        flash('Image deleted.', 'info');
        location.hash = '#/images';
      } catch (e) {
        flash(e.message);
      }
    }}, 'Delete…'));

    const name = h('input', {name: 'name', value: image.name ?? ''});
    const visibility = h('select', {name: 'visibility'},
      ['private', 'shared', 'community', 'public'].map(v => h('option', {value: v}, v)));
    visibility.value = image.visibility;
    const minDisk = h('input', {name: 'min_disk', type: 'number', min: 0, value: image.min_disk ?? 0});
    const minRam = h('input', {name: 'min_ram', type: 'number', min: 0, value: image.min_ram ?? 0});
    const edit = h('form', {class: 'inline', 'aria-label': 'Edit image'},
      field('Name', name), field('Visibility', visibility), field('Min disk (GB)', minDisk),
      field('Min RAM (MB)', minRam), h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'save-image'}, 'Save')));
    edit.addEventListener('submit', e => {
      e.preventDefault();
      const ops = [];
      if (name.value !== (image.name ?? '')) ops.push({op: 'replace', path: '/name', value: name.value});
      if (visibility.value !== image.visibility) ops.push({op: 'replace', path: '/visibility', value: visibility.value});
      if (Number(minDisk.value) !== (image.min_disk ?? 0)) ops.push({op: 'replace', path: '/min_disk', value: Number(minDisk.value)});
      if (Number(minRam.value) !== (image.min_ram ?? 0)) ops.push({op: 'replace', path: '/min_ram', value: Number(minRam.value)});
      if (ops.length === 0) { flash('Nothing changed.', 'info'); return; }
      this.patch(ops, 'Image saved.');
    });
    return h('section', {class: 'card', 'aria-labelledby': 'actions-title'}, h('h2', {id: 'actions-title'}, 'Actions'),
      h('div', {class: 'actions'}, buttons), edit);
  }

  details() {
    const dl = h('dl', {class: 'fields'});
    for (const key of FIELDS) {
      if (!(key in this.image)) continue;
      let value = show(this.image[key]);
      if (key === 'size' || key === 'virtual_size') value = this.image[key] == null ? '—' : `${bytes(this.image[key])} (${this.image[key]} bytes)`;
      dl.append(h('dt', null, key), h('dd', {'data-field': key}, value));
    }
    return h('section', {class: 'card', 'aria-labelledby': 'fields-title'}, h('h2', {id: 'fields-title'}, 'Fields'), dl);
  }

  propertiesSection(mine) {
    const props = properties(this.image);
    const body = h('tbody');
    const section = h('section', {class: 'card', 'aria-labelledby': 'props-title'},
      h('h2', {id: 'props-title'}, 'Properties'));
    const rows = props.map(([k, v]) => {
      const desc = h('td', {'data-label': 'Description', class: 'desc'});
      const tr = h('tr', {'data-property': k}, h('th', {scope: 'row'}, k), h('td', {'data-label': 'Value'}, show(v)), desc,
        mine ? h('td', null, h('button', {type: 'button', class: 'small', 'aria-label': `Remove property ${k}`,
          onclick: () => this.patch([{op: 'remove', path: '/' + k.replace(/~/g, '~0').replace(/\//g, '~1')}],
            `Property ${k} removed.`)}, 'Remove')) : null);
      tr.desc = desc;
      return tr;
    });
    body.append(...rows);
    section.append(props.length ? h('div', {class: 'table-wrap'}, h('table', {class: 'props'},
      h('thead', null, h('tr', null, h('th', {scope: 'col'}, 'Name'), h('th', {scope: 'col'}, 'Value'),
        h('th', {scope: 'col'}, 'Description'), mine ? h('th', {scope: 'col'}, h('span', {class: 'sr-only'}, 'Remove')) : null)),
      body)) : h('p', null, 'No properties.'));
    metadefs().then(map => {
      for (const tr of rows) {
        const d = map.get(tr.dataset.property);
        if (d) put(tr.desc, h('strong', null, d.title || ''), d.title ? ' — ' : '', d.description || '',
          h('small', null, ` (${d.namespace})`));
      }
    });
    if (mine) {
      const key = h('input', {name: 'property-key', autocomplete: 'off', required: true});
      const value = h('input', {name: 'property-value', autocomplete: 'off'});
      const form = h('form', {class: 'inline', 'aria-label': 'Set a property'}, field('Property', key), field('Value', value),
        h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'set-property'}, 'Set property')));
      form.addEventListener('submit', e => {
        e.preventDefault();
        const k = key.value.trim();
        const op = k in this.image ? 'replace' : 'add';
        this.patch([{op, path: '/' + k.replace(/~/g, '~0').replace(/\//g, '~1'), value: value.value}], `Property ${k} set.`);
      });
      section.append(form);
    }
    return section;
  }

  tagsSection(mine) {
    const id = encodeURIComponent(this.image.id);
    const tags = this.image.tags || [];
    const section = h('section', {class: 'card', 'aria-labelledby': 'tags-title'}, h('h2', {id: 'tags-title'}, 'Tags'),
      tags.length ? h('ul', {class: 'tags'}, tags.map(t => h('li', {class: 'tag'}, t,
        mine ? h('button', {type: 'button', class: 'small', 'aria-label': `Remove tag ${t}`,
          onclick: () => this.act(`Tag ${t} removed.`, () => api.call('DELETE', `/v2/images/${id}/tags/${encodeURIComponent(t)}`))}, '×') : null)))
        : h('p', null, 'No tags.'));
    if (mine) {
      const tag = h('input', {name: 'tag', autocomplete: 'off', required: true});
      const form = h('form', {class: 'inline', 'aria-label': 'Add a tag'}, field('Tag', tag),
        h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'add-tag'}, 'Add tag')));
      form.addEventListener('submit', e => {
        e.preventDefault();
        const t = tag.value.trim();
        this.act(`Tag ${t} added.`, () => api.call('PUT', `/v2/images/${id}/tags/${encodeURIComponent(t)}`));
      });
      section.append(form);
    }
    return section;
  }

  membersSection(mine) {
    const image = this.image;
    const id = encodeURIComponent(image.id);
    const section = h('section', {class: 'card', 'aria-labelledby': 'members-title'},
      h('h2', {id: 'members-title'}, 'Members'));
    if (image.visibility !== 'shared') {
      // Only shared images have members (the API refuses to list them otherwise): say what to change instead.
      section.append(h('p', {id: 'members-note'}, `Sharing needs visibility “shared” (this image is ${image.visibility}` +
        (mine ? '; change it under Actions).' : ').')));
      return section;
    }
    const list = h('div', null, h('p', null, 'Loading…'));
    section.append(list);
    const answer = h('div', {class: 'actions', id: 'my-share'});
    section.append(answer);
    const me = api.project();
    api.call('GET', `/v2/images/${id}/members`).then(r => {
      const members = r.members || [];
      put(list, members.length === 0 ? h('p', null, 'Not shared with any project.') :
        h('ul', {class: 'members'}, members.map(m => h('li', {'data-member': m.member_id},
          h('code', null, m.member_id), ' ', badge('member', m.status),
          mine ? h('button', {type: 'button', class: 'small', 'aria-label': `Stop sharing with ${m.member_id}`,
            onclick: () => this.act('Share removed.', () => api.call('DELETE', `/v2/images/${id}/members/${encodeURIComponent(m.member_id)}`))},
          'Remove') : null))));
      // A project the image is shared with answers: accept (the image joins its lists) or reject.
      const own = !mine && me ? members.find(m => m.member_id === me) : null;
      if (own) {
        const set = status => this.act(`Share ${status}.`,
          () => api.call('PUT', `/v2/images/${id}/members/${encodeURIComponent(me)}`, {json: {status}}));
        put(answer, h('span', null, `Shared with your project (${own.status}): `),
          h('button', {type: 'button', id: 'accept-share', disabled: own.status === 'accepted',
            onclick: () => set('accepted')}, 'Accept share'),
          h('button', {type: 'button', id: 'reject-share', disabled: own.status === 'rejected',
            onclick: () => set('rejected')}, 'Reject share'));
      }
    }, e => put(list, h('p', {class: 'error'}, e.message)));
    if (mine) {
      const member = h('input', {name: 'member', autocomplete: 'off', required: true});
      const form = h('form', {class: 'inline', 'aria-label': 'Share with a project'}, field('Project id', member),
        h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'share'}, 'Share')));
      form.addEventListener('submit', e => {
        e.preventDefault();
        this.act('Shared.', () => api.call('POST', `/v2/images/${id}/members`, {json: {member: member.value.trim()}}));
      });
      section.append(form);
    }
    return section;
  }

  tasksSection() {
    const list = h('div', null, h('p', null, 'Loading…'));
    api.call('GET', `/v2/images/${encodeURIComponent(this.image.id)}/tasks`).then(r => {
      const tasks = r.tasks || [];
      put(list, tasks.length === 0 ? h('p', null, 'No tasks.') : h('ul', null, tasks.map(t => h('li', null,
        h('code', null, t.id), ' ', badge('task', t.status), ' ', t.type, ' ', t.message || '',
        ' ', h('time', {datetime: t.updated_at}, t.updated_at)))));
    }, e => put(list, h('p', {class: 'note'}, e.message)));
    return h('section', {class: 'card', 'aria-labelledby': 'tasks-title'}, h('h2', {id: 'tasks-title'}, 'Tasks'), list);
  }

  locationsSection() {
    const locations = this.image.locations;
    return h('section', {class: 'card', 'aria-labelledby': 'loc-title'}, h('h2', {id: 'loc-title'}, 'Locations (admin)'),
      Array.isArray(locations) && locations.length ? h('ul', null, locations.map(l => h('li', null,
        h('code', null, l.url), ' ', show(l.metadata))))
        : h('p', null, this.image.direct_url ? h('code', null, this.image.direct_url)
          : 'Not shown by this Glint (show_multiple_locations and show_image_direct_url are off).'));
  }
}

customElements.define('glint-image-page', GlintImagePage);
