// The image list: Glance's filters, sort and paging (in the URL's hash, so a view can be linked), badges, size,
// checksum, tags and properties at a glance, and a search box that narrows the rows as you type.
import {h, put, bytes, badge, field, flash} from './dom.js';
import * as api from './api.js';

export const CORE = new Set(['id', 'name', 'status', 'visibility', 'protected', 'os_hidden', 'checksum',
  'os_hash_algo', 'os_hash_value', 'owner', 'size', 'virtual_size', 'min_ram', 'min_disk', 'created_at',
  'updated_at', 'tags', 'direct_url', 'locations', 'self', 'file', 'schema', 'disk_format', 'container_format',
  'stores']);

export function properties(image) {
  return Object.keys(image).filter(k => !CORE.has(k)).sort().map(k => [k, image[k]]);
}

const FILTERS = [
  ['name', 'Name (exact)', null],
  ['visibility', 'Visibility', ['', 'public', 'private', 'shared', 'community', 'all']],
  ['status', 'Status', ['', 'queued', 'saving', 'uploading', 'importing', 'active', 'deactivated', 'killed',
    'deleted', 'pending_delete']],
  ['owner', 'Owner', null],
  ['tag', 'Tag', null],
  ['disk_format', 'Disk format', ['', 'raw', 'qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'iso', 'ploop', 'aki', 'ari', 'ami']],
  ['member_status', 'Member status', ['', 'accepted', 'pending', 'rejected', 'all']],
  ['protected', 'Protected', ['', 'true', 'false']],
  ['os_hidden', 'Hidden', ['', 'false', 'true']],
];
const FIRST_ROWS = 50;
const SLICE_ROWS = 250;
const SORT_KEYS = ['created_at', 'updated_at', 'name', 'size', 'status', 'disk_format', 'visibility', 'id'];

class GlintImageList extends HTMLElement {
  connectedCallback() {
    document.title = 'Images · Glint console';
    const params = new URLSearchParams(this.getAttribute('query') || '');
    this.params = params;
    const controls = {};
    const form = h('form', {class: 'filters', 'aria-label': 'Filters', role: 'search'});
    for (const [key, label, choices] of FILTERS) {
      const input = choices
        ? h('select', {name: key}, choices.map(c => h('option', {value: c}, c || 'any')))
        : h('input', {name: key, autocomplete: 'off'});
      input.value = params.get(key) || '';
      controls[key] = input;
      form.append(field(label, input));
    }
    const sortKey = h('select', {name: 'sort_key'}, SORT_KEYS.map(k => h('option', {value: k}, k)));
    sortKey.value = params.get('sort_key') || 'created_at';
    const sortDir = h('select', {name: 'sort_dir'}, h('option', {value: 'desc'}, 'descending'),
      h('option', {value: 'asc'}, 'ascending'));
    sortDir.value = params.get('sort_dir') || 'desc';
    const limit = h('select', {name: 'limit'}, ['25', '50', '100', '200', '1000'].map(n => h('option', {value: n}, n)));
    limit.value = params.get('limit') || '25';
    form.append(field('Sort by', sortKey), field('Order', sortDir), field('Per page', limit),
      h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'apply-filters'}, 'Apply'),
        h('a', {href: '#/images', class: 'button secondary'}, 'Reset')));
    form.addEventListener('submit', e => {
      e.preventDefault();
      const q = new URLSearchParams();
      for (const [key] of FILTERS) if (controls[key].value) q.set(key, controls[key].value);
      q.set('sort_key', sortKey.value);
      q.set('sort_dir', sortDir.value);
      q.set('limit', limit.value);
      location.hash = '#/images?' + q.toString();
    });
    for (const select of form.querySelectorAll('select')) {
      select.addEventListener('change', () => form.requestSubmit());
    }

    this.search = h('input', {type: 'search', id: 'search', autocomplete: 'off',
      placeholder: 'name, id, tag or property'});
    this.search.addEventListener('input', () => this.narrow());
    this.count = h('p', {class: 'count', id: 'image-count', 'aria-live': 'polite'});
    this.body = h('div', {role: 'rowgroup', class: 'rows'});
    this.pager = h('nav', {class: 'pager', 'aria-label': 'Pages'});
    const table = h('div', {role: 'table', class: 'grid images', 'aria-label': 'Images',
      'aria-describedby': 'image-count'},
      h('div', {role: 'rowgroup', class: 'head'}, h('div', {role: 'row', class: 'row'},
        ['Name', 'Status', 'Visibility', 'Size', 'Formats', 'Checksum', 'Tags', 'Properties', 'Updated']
          .map(t => h('div', {role: 'columnheader'}, t)))),
      this.body);
    put(this, h('h1', null, 'Images'),
      h('details', {class: 'filter-box', open: params.toString() ? true : null},
        h('summary', null, 'Filters, sort and paging'), form),
      field('Search this page', this.search), this.count, table, this.pager);
    this.load();
  }

  async load() {
    const started = performance.now();
    const query = Object.fromEntries(this.params.entries());
    if (!query.limit) query.limit = '25';
    put(this.count, 'Loading…');
    let page;
    try {
      page = await api.call('GET', '/v2/images', {query});
    } catch (e) {
      put(this.count, '');
      flash(e.message);
      return;
    }
    this.dataset.fetchMs = String(Math.round(performance.now() - started));
    this.images = page.images;
    // The first screenful at once; the rest in slices between frames, so that a page of 1,000 images is
    // readable (and the search box usable) as soon as its first rows are.
    const first = page.images.slice(0, FIRST_ROWS);
    this.body.replaceChildren(...first.map(image => this.row(image)));
    this.narrow();
    const links = [];
    if (this.params.get('marker')) {
      const first = new URLSearchParams(this.params);
      first.delete('marker');
      links.push(h('a', {href: '#/images?' + first.toString(), id: 'first-page'}, '« First page'));
    }
    if (page.next) {
      const next = new URLSearchParams(page.next.split('?')[1] || '');
      links.push(h('a', {href: '#/images?' + next.toString(), id: 'next-page', rel: 'next'}, 'Next page »'));
    }
    put(this.pager, links);
    // Loaded when the browser has styled and laid the rows out (read back here, which forces both now; waiting
    // for a frame would measure the headless browser's frame scheduling instead).
    this.dataset.height = String(Math.round(this.body.getBoundingClientRect().height));
    this.dataset.renderMs = String(Math.round(performance.now() - started));
    this.dataset.loaded = 'true';
    for (let i = FIRST_ROWS; i < page.images.length; i += SLICE_ROWS) {
      await new Promise(resolve => setTimeout(resolve, 0));
      if (!this.isConnected) return;
      this.body.append(...page.images.slice(i, i + SLICE_ROWS).map(image => this.row(image)));
      this.narrow();
    }
    this.dataset.height = String(Math.round(this.body.getBoundingClientRect().height));
    this.dataset.completeMs = String(Math.round(performance.now() - started));
    this.dataset.complete = 'true';
  }

  /** One row, cloned from a skeleton (much cheaper than building 30 elements for each of 1,000 images). */
  row(image) {
    const tr = ROW.cloneNode(true);
    tr.dataset.id = image.id;
    const [name, status, vis, size, formats, checksum, tags, props, updated] = tr.children;
    const link = name.firstChild;
    link.href = '#/image/' + encodeURIComponent(image.id);
    link.textContent = image.name ?? '(no name)';
    name.lastChild.textContent = image.id;
    status.append(badge('status', image.status));
    vis.append(badge('vis', image.visibility));
    if (image.protected) vis.append(h('span', {class: 'badge protected'}, 'protected'));
    size.textContent = bytes(image.size);
    formats.textContent = [image.disk_format, image.container_format].filter(Boolean).join(' / ') || '—';
    if (image.checksum) checksum.append(h('code', {title: image.checksum}, image.checksum.slice(0, 8) + '…'));
    else checksum.textContent = '—';
    for (const t of image.tags || []) tags.append(h('span', {class: 'tag'}, t));
    const list = properties(image);
    if (list.length === 0) {
      props.textContent = '—';
    } else {
      const text = ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
      props.title = list.map(text).join('\n');
      for (const p of list.slice(0, 3)) props.append(h('span', {class: 'prop'}, text(p)));
      if (list.length > 3) props.append(` +${list.length - 3}`);
    }
    const time = updated.firstChild;
    time.setAttribute('datetime', image.updated_at || '');
    time.textContent = (image.updated_at || '').replace('T', ' ').replace('Z', '');
    tr.image = image;
    return tr;
  }

  narrow() {
    const term = this.search.value.trim().toLowerCase();
    let shown = 0;
    for (const tr of this.body.children) {
      if (term && tr.searchText === undefined) {
        const image = tr.image;
        tr.searchText = [image.name, image.id, ...(image.tags || []),
          ...properties(image).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)]
          .join(' ').toLowerCase();
      }
      const match = !term || tr.searchText.includes(term);
      tr.hidden = !match;
      if (match) shown++;
    }
    const total = this.body.children.length;
    const images = n => `${n} image${n === 1 ? '' : 's'}`;
    put(this.count, term ? `${shown} of ${images(total)} on this page match` : `${images(total)} on this page`);
  }
}

const cell = (label, ...children) => h('div', {role: 'cell', 'data-label': label}, ...children);
const ROW = h('div', {role: 'row', class: 'row image-row'},
  cell('Name', h('a', {class: 'name'}), h('small', {class: 'id'})),
  cell('Status'), cell('Visibility'), cell('Size'), cell('Formats'), cell('Checksum'), cell('Tags'),
  cell('Properties'), cell('Updated', h('time')));

customElements.define('glint-image-list', GlintImageList);
