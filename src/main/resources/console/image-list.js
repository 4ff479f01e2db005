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
    this.count = h('p', {class: 'count', 'aria-live': 'polite'});
    this.body = h('tbody');
    this.pager = h('nav', {class: 'pager', 'aria-label': 'Pages'});
    const table = h('table', {class: 'images'},
      h('caption', {class: 'sr-only'}, 'Images'),
      h('thead', null, h('tr', null, ['Name', 'Status', 'Visibility', 'Size', 'Formats', 'Checksum', 'Tags',
        'Properties', 'Updated'].map(t => h('th', {scope: 'col'}, t)))),
      this.body);
    put(this, h('h1', null, 'Images'),
      h('details', {class: 'filter-box', open: params.toString() ? true : null},
        h('summary', null, 'Filters, sort and paging'), form),
      field('Search this page', this.search), this.count, h('div', {class: 'table-wrap'}, table), this.pager);
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
    this.images = page.images;
    const rows = page.images.map(image => this.row(image));
    this.body.replaceChildren(...rows);
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
    this.dataset.renderMs = String(Math.round(performance.now() - started));
    this.dataset.loaded = 'true';
  }

  row(image) {
    const props = properties(image);
    const tr = h('tr', {'data-id': image.id},
      h('td', {'data-label': 'Name'}, h('a', {href: '#/image/' + encodeURIComponent(image.id), class: 'name'},
        image.name ?? '(no name)'), h('small', {class: 'id'}, image.id)),
      h('td', {'data-label': 'Status'}, badge('status', image.status)),
      h('td', {'data-label': 'Visibility'}, badge('vis', image.visibility),
        image.protected ? h('span', {class: 'badge protected', title: 'protected'}, 'protected') : null),
      h('td', {'data-label': 'Size', class: 'num'}, bytes(image.size)),
      h('td', {'data-label': 'Formats'}, [image.disk_format, image.container_format].filter(Boolean).join(' / ') || '—'),
      h('td', {'data-label': 'Checksum'}, image.checksum
        ? h('code', {title: image.checksum}, image.checksum.slice(0, 8) + '…') : '—'),
      h('td', {'data-label': 'Tags'}, (image.tags || []).map(t => h('span', {class: 'tag'}, t))),
      h('td', {'data-label': 'Properties'}, props.length === 0 ? '—' : h('span', {
        title: props.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n')},
      props.slice(0, 3).map(([k, v]) => h('span', {class: 'prop'}, `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)),
      props.length > 3 ? ` +${props.length - 3}` : null)),
      h('td', {'data-label': 'Updated'}, h('time', {datetime: image.updated_at}, (image.updated_at || '').replace('T', ' ').replace('Z', ''))));
    tr.searchText = [image.name, image.id, ...(image.tags || []), ...props.map(([k, v]) => `${k} ${v}`)]
      .join(' ').toLowerCase();
    return tr;
  }

  narrow() {
    const term = this.search.value.trim().toLowerCase();
    let shown = 0;
    for (const tr of this.body.children) {
      const match = !term || tr.searchText.includes(term);
      tr.hidden = !match;
      if (match) shown++;
    }
    const total = this.body.children.length;
    put(this.count, term ? `${shown} of ${total} images on this page match` : `${total} images on this page`);
  }
}

customElements.define('glint-image-list', GlintImageList);
