// Creating an image, then giving it data: a file streamed from the browser with XHR (a real progress bar with
// speed and ETA; a failed upload's error shown), or an import from a URL (web-download).
import {h, put, bytes, duration, field, flash} from './dom.js';
import * as api from './api.js';

/** Waits until the image leaves the transient states (or the time is up); returns the image. */
export async function settle(id, seconds = 120) {
  const end = Date.now() + seconds * 1000;
  let image;
  do {
    image = await api.call('GET', `/v2/images/${encodeURIComponent(id)}`);
    if (!['saving', 'importing', 'uploading'].includes(image.status)) return image;
    await new Promise(r => setTimeout(r, 500));
  } while (Date.now() < end);
  return image;
}

/** <glint-upload image-id="…">: a file input, a progress bar, speed and ETA; fires "uploaded". */
class GlintUpload extends HTMLElement {
  connectedCallback() {
    const imageId = this.getAttribute('image-id');
    const file = h('input', {type: 'file', id: 'upload-file', name: 'file'});
    const start = h('button', {type: 'button', id: 'upload-start'}, 'Upload');
    const cancel = h('button', {type: 'button', id: 'upload-cancel', hidden: true}, 'Cancel');
    const bar = h('progress', {id: 'upload-progress', max: 100, value: 0, 'aria-label': 'Upload progress'});
    const status = h('p', {id: 'upload-status', 'aria-live': 'polite'});
    put(this, field('File', file), h('div', {class: 'actions'}, start, cancel), bar, status);
    start.addEventListener('click', async () => {
      const chosen = file.files[0];
      if (!chosen) { flash('Choose a file first.'); return; }
      start.disabled = true;
      cancel.hidden = false;
      put(status, `Uploading ${bytes(chosen.size)}…`);
      const transfer = api.upload(imageId, chosen, p => {
        const pct = p.total > 0 ? Math.floor(100 * p.loaded / p.total) : 0;
        bar.value = pct;
        bar.dataset.percent = String(pct);
        put(status, `${pct} % — ${bytes(p.loaded)} of ${bytes(p.total)} — ${bytes(p.bytesPerSecond)}/s — ` +
          `${duration(p.etaSeconds)} left`);
      });
      cancel.onclick = () => transfer.abort();
      try {
        const done = await transfer;
        bar.value = 100;
        bar.dataset.percent = '100';
        this.dataset.seconds = String(done.seconds);
        put(status, `Uploaded ${bytes(chosen.size)} in ${done.seconds.toFixed(1)} s ` +
          `(${bytes(done.bytesPerSecond)}/s). Waiting for the image to become active…`);
        const image = await settle(imageId);
        put(status, `Uploaded ${bytes(chosen.size)} in ${done.seconds.toFixed(1)} s ` +
          `(${bytes(done.bytesPerSecond)}/s). The image is ${image.status}.`);
        this.dataset.done = image.status;
        this.dispatchEvent(new CustomEvent('uploaded', {bubbles: true, detail: image}));
      } catch (e) {
        bar.classList.add('failed');
        put(status, h('span', {class: 'error'}, `Upload failed: ${e.message}`));
        this.dataset.done = 'failed';
        flash(`Upload failed: ${e.message}`);
      } finally {
        start.disabled = false;
        cancel.hidden = true;
      }
    });
  }
}
customElements.define('glint-upload', GlintUpload);

/** Why an import left the image without data, in words: its latest task's message (or Glance's property). */
async function importFailure(image) {
  try {
    const r = await api.call('GET', `/v2/images/${encodeURIComponent(image.id)}/tasks`);
    const tasks = (r.tasks || []).slice().sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    if (tasks[0]?.message) return `${tasks[0].status}: ${tasks[0].message}`;
  } catch (e) {
    // the tasks may not be readable by this project: fall back on the image
  }
  return image.os_glance_failed_import ? `failed to import to ${image.os_glance_failed_import}`
    : `the image is ${image.status}`;
}

/**
 * <glint-import image-id="…" [url="…" start]>: a URL, an Import button (web-download), the image followed until
 * it settles, and the outcome in words (a failed task's message); fires "imported".
 */
class GlintImport extends HTMLElement {
  connectedCallback() {
    const imageId = this.getAttribute('image-id');
    const url = h('input', {type: 'url', id: 'import-url', name: 'url', autocomplete: 'off',
      value: this.getAttribute('url') || '', placeholder: 'https://example.org/image.qcow2'});
    const start = h('button', {type: 'button', id: 'import-start'}, 'Import');
    const status = h('p', {id: 'import-status', 'aria-live': 'polite'});
    put(this, field('URL', url, 'Glint fetches it (import_filtering_opts decide which URLs it may).'),
      h('div', {class: 'actions'}, start), status);
    start.addEventListener('click', async () => {
      if (!url.value.trim()) { flash('Give the URL to import from.'); url.focus(); return; }
      start.disabled = true;
      delete this.dataset.done;
      put(status, `Import requested: Glint is fetching ${url.value.trim()}…`);
      try {
        await api.call('POST', `/v2/images/${encodeURIComponent(imageId)}/import`,
          {json: {method: {name: 'web-download', uri: url.value.trim()}}});
        put(status, 'Glint is importing the data; the image is importing…');
        const image = await settle(imageId, 600);
        if (image.status === 'active') {
          put(status, `Imported ${bytes(image.size)}. The image is active.`);
          flash(`Imported ${bytes(image.size)}. The image is active.`, 'info');
        } else {
          const why = await importFailure(image);
          put(status, h('span', {class: 'error'}, `Import failed: ${why}`));
          flash(`Import failed: ${why}`);
        }
        this.dataset.done = image.status === 'active' ? 'active' : 'failed';
        this.dispatchEvent(new CustomEvent('imported', {bubbles: true, detail: image}));
      } catch (e) {
        put(status, h('span', {class: 'error'}, `Import failed: ${e.message}`));
        flash(`Import failed: ${e.message}`);
        this.dataset.done = 'failed';
      } finally {
        start.disabled = false;
      }
    });
    if (this.hasAttribute('start')) start.click();
  }
}
customElements.define('glint-import', GlintImport);

class GlintImageCreate extends HTMLElement {
  async connectedCallback() {
    document.title = 'Create an image · Glint console';
    const name = h('input', {name: 'name', id: 'create-name', required: true, autocomplete: 'off'});
    const disk = h('select', {name: 'disk_format', id: 'create-disk'},
      ['raw', 'qcow2', 'iso', 'vmdk', 'vdi', 'vhd', 'vhdx', 'ploop', 'aki', 'ari', 'ami'].map(v => h('option', {value: v}, v)));
    const container = h('select', {name: 'container_format', id: 'create-container'},
      ['bare', 'ovf', 'ova', 'docker', 'compressed', 'aki', 'ari', 'ami'].map(v => h('option', {value: v}, v)));
    const visibility = h('select', {name: 'visibility', id: 'create-visibility'},
      ['private', 'shared', 'community', 'public'].map(v => h('option', {value: v}, v)));
    const tags = h('input', {name: 'tags', id: 'create-tags', autocomplete: 'off'});
    const props = h('textarea', {name: 'properties', id: 'create-properties', rows: 3,
      placeholder: 'os_distro=debian\nhw_disk_bus=virtio'});
    const source = h('select', {name: 'source', id: 'create-source'},
      h('option', {value: 'upload'}, 'Upload a file from this computer'),
      h('option', {value: 'web-download'}, 'Import from a URL (web-download)'),
      h('option', {value: 'none'}, 'No data yet'));
    const url = h('input', {name: 'url', id: 'create-url', type: 'url', autocomplete: 'off'});
    const urlField = field('URL', url, 'Glint fetches it (import_filtering_opts decide which URLs it may).');
    urlField.hidden = true;
    source.addEventListener('change', () => {
      urlField.hidden = source.value !== 'web-download';
      url.required = !urlField.hidden;
    });
    const submit = h('button', {type: 'submit', id: 'create-submit'}, 'Create');
    const form = h('form', {class: 'card', 'aria-labelledby': 'create-title'},
      h('h1', {id: 'create-title'}, 'Create an image'),
      field('Name', name), field('Disk format', disk), field('Container format', container),
      field('Visibility', visibility), field('Tags (comma-separated)', tags),
      field('Properties (one name=value a line)', props), field('Data', source), urlField,
      h('div', {class: 'actions'}, submit));
    this.after_ = h('div');
    put(this, form, this.after_);
    form.addEventListener('submit', async e => {
      e.preventDefault();
      const body = {name: name.value, disk_format: disk.value, container_format: container.value,
        visibility: visibility.value, tags: tags.value.split(',').map(t => t.trim()).filter(Boolean)};
      for (const line of props.value.split('\n')) {
        const i = line.indexOf('=');
        if (i > 0) body[line.slice(0, i).trim()] = line.slice(i + 1).trim();
      }
      submit.disabled = true;
      let image;
      try {
        image = await api.call('POST', '/v2/images', {json: body});
      } catch (err) {
        flash(err.message);
        submit.disabled = false;
        return;
      }
      flash(`Image created: ${image.id}`, 'info');
      const link = h('a', {href: '#/image/' + encodeURIComponent(image.id), id: 'created-link'}, 'Open the image page');
      if (source.value === 'upload') {
        put(this.after_, h('section', {class: 'card'}, h('h2', null, 'Upload data'),
          h('glint-upload', {'image-id': image.id}), link));
      } else if (source.value === 'web-download') {
        urlField.hidden = true; // the import below carries the URL on (and lets it be changed for a retry)
        put(this.after_, h('section', {class: 'card'}, h('h2', null, 'Import from a URL'),
          h('glint-import', {'image-id': image.id, url: url.value, start: true}), link));
      } else {
        put(this.after_, h('p', null, link));
      }
      form.querySelector('fieldset, button[type=submit]').disabled = true;
    });
    name.focus();
  }
}
customElements.define('glint-image-create', GlintImageCreate);
