// Storage per project: the project's images by size, and its usage against its quotas (GET /v2/info/usage),
// in SVG drawn here by hand.
import {h, s, put, bytes, flash} from './dom.js';
import * as api from './api.js';

const MIB = 1024 * 1024;
const LABELS = {
  image_size_total: 'Stored image data',
  image_stage_total: 'Staged image data',
  image_count_total: 'Images',
  image_count_uploading: 'Images uploading',
};

class GlintStorage extends HTMLElement {
  async connectedCallback() {
    document.title = 'Storage · Glint console';
    const owner = api.project();
    put(this, h('h1', null, 'Storage'), h('p', null, owner ? `Project ${owner}` : 'All projects'),
      h('p', null, 'Loading…'));
    let images = [];
    let usage = {};
    try {
      let query = {owner: owner || undefined, sort_key: 'size', sort_dir: 'desc', limit: 1000};
      for (let page = 0; page < 10 && query; page++) {
        const r = await api.call('GET', '/v2/images', {query});
        images = images.concat(r.images);
        query = r.next ? Object.fromEntries(new URLSearchParams(r.next.split('?')[1] || '')) : null;
      }
      usage = (await api.call('GET', '/v2/info/usage')).usage || {};
    } catch (e) {
      flash(e.message);
    }
    const total = images.reduce((sum, i) => sum + (i.size || 0), 0);
    put(this, h('h1', null, 'Storage'),
      h('p', null, owner ? `Project ${owner}: ` : 'All projects: ', `${images.length} images, ${bytes(total)}.`),
      h('section', {class: 'card', 'aria-labelledby': 'quota-title'}, h('h2', {id: 'quota-title'}, 'Usage and quotas'),
        this.quotaChart(usage)),
      h('section', {class: 'card', 'aria-labelledby': 'bysize-title'}, h('h2', {id: 'bysize-title'}, 'Largest images'),
        this.sizeChart(images.filter(i => i.size).slice(0, 15))));
  }

  quotaChart(usage) {
    const keys = Object.keys(usage);
    if (keys.length === 0) {
      return h('p', {id: 'no-quota'}, 'No limits are enforced on this Glint (use_keystone_limits is off), so there is no quota to draw.');
    }
    const rowH = 46;
    const width = 600;
    const svg = s('svg', {viewBox: `0 0 ${width} ${keys.length * rowH + 10}`, class: 'chart', id: 'quota-chart',
      role: 'img', 'aria-labelledby': 'quota-desc'});
    const text = [];
    keys.forEach((key, i) => {
      const {limit, usage: used} = usage[key];
      const sizes = key.endsWith('_total') && key.startsWith('image_s');
      const fmt = v => sizes ? bytes(v * MIB) : String(v);
      const unlimited = limit < 0;
      const ratio = unlimited ? 0 : limit === 0 ? (used > 0 ? 1 : 0) : Math.min(1, used / limit);
      const y = i * rowH + 8;
      const label = `${LABELS[key] || key}: ${fmt(used)} of ${unlimited ? 'unlimited' : fmt(limit)}`;
      text.push(label);
      svg.append(
        s('text', {x: 0, y: y + 12, class: 'chart-label'}, label),
        s('rect', {x: 0, y: y + 18, width, height: 16, rx: 3, class: 'chart-track'}),
        s('rect', {x: 0, y: y + 18, width: Math.max(unlimited ? 0 : 2, ratio * width), height: 16, rx: 3,
          class: ratio >= 0.9 ? 'chart-bar chart-high' : 'chart-bar'}));
    });
    return h('figure', null, svg, h('figcaption', {id: 'quota-desc'}, text.join('; ')));
  }

  sizeChart(images) {
    if (images.length === 0) return h('p', null, 'No image holds data yet.');
    const max = images[0].size;
    const rowH = 26;
    const width = 600;
    const labelW = 220;
    const svg = s('svg', {viewBox: `0 0 ${width} ${images.length * rowH}`, class: 'chart', id: 'size-chart',
      role: 'img', 'aria-label': 'Largest images by size'});
    images.forEach((image, i) => {
      const y = i * rowH;
      const w = Math.max(2, (width - labelW - 90) * image.size / max);
      const name = image.name ?? image.id;
      const a = s('a', {href: '#/image/' + encodeURIComponent(image.id)},
        s('title', null, `${name}: ${bytes(image.size)}`),
        s('text', {x: 0, y: y + 17, class: 'chart-label'}, name.length > 28 ? name.slice(0, 27) + '…' : name),
        s('rect', {x: labelW, y: y + 5, width: w, height: 16, rx: 2, class: 'chart-bar'}),
        s('text', {x: labelW + w + 6, y: y + 17, class: 'chart-value'}, bytes(image.size)));
      svg.append(a);
    });
    return h('figure', null, svg, h('figcaption', {class: 'sr-only'},
      images.map(i => `${i.name ?? i.id}: ${bytes(i.size)}`).join('; ')));
  }
}

customElements.define('glint-storage', GlintStorage);
