// The public Glance API, called like any client. The session (token or development identity) lives only in
// this module's memory: nothing is written to storage or cookies; reloading the page signs out.

const session = {
  headers: null,      // headers sent with every API call (X-Auth-Token, or the trusted identity headers)
  project: null,
  user: null,
  roles: [],
};

export const PATCH_TYPE = 'application/openstack-images-v2.1-json-patch';

export function signedIn() { return session.headers !== null; }
export function project() { return session.project; }
export function user() { return session.user; }
export function roles() { return session.roles.slice(); }
export function isAdmin() { return session.roles.includes('admin'); }

export function signOut() {
  session.headers = null;
  session.project = null;
  session.user = null;
  session.roles = [];
}

/** Development identity (auth_strategy trusted-headers): the headers a proxy would set. */
export function useTrustedIdentity(projectId, userId, roleList) {
  session.headers = {
    'X-Identity-Status': 'Confirmed',
    'X-Project-Id': projectId,
    'X-User-Id': userId || 'console-user',
    'X-Roles': roleList.join(','),
  };
  session.project = projectId;
  session.user = userId || 'console-user';
  session.roles = roleList.slice();
}

/** No authentication configured (Glance's noauth pipeline): every caller is admin. */
export function useNoAuth() {
  session.headers = {};
  session.project = null;
  session.user = null;
  session.roles = ['admin'];
}

/**
 * Keystone password sign-in through the same-origin pass-through of Keystone's POST /v3/auth/tokens,
 * scoped to a project. Keeps the token (X-Subject-Token) in memory.
 */
export async function keystoneSignIn(url, {username, password, userDomain, projectName, projectDomain}) {
  const body = {auth: {
    identity: {methods: ['password'], password: {user: {name: username, password, domain: {name: userDomain}}}},
    scope: {project: {name: projectName, domain: {name: projectDomain}}},
  }};
  const response = await fetch(url, {
    method: 'POST', headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
    body: JSON.stringify(body), credentials: 'omit', cache: 'no-store',
  });
  if (response.status !== 201) {
    throw new ApiError(response.status, await errorText(response, response.statusText || 'Sign-in refused'));
  }
  const token = response.headers.get('X-Subject-Token');
  const data = await response.json();
  session.headers = {'X-Auth-Token': token};
  session.project = data.token?.project?.id ?? null;
  session.user = data.token?.user?.name ?? username;
  session.roles = (data.token?.roles ?? []).map(r => r.name);
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The words of an API error: Glance's JSON {message} (without webob's <br />), else the text. */
export async function errorText(response, fallback) {
  const text = await response.text().catch(() => '');
  return errorFromBody(response.status, text, fallback || response.statusText);
}

function errorFromBody(status, text, fallback) {
  let message = '';
  try {
    const json = JSON.parse(text);
    message = json.message || json.error?.message || json.title || '';
  } catch (e) {
    message = text;
  }
  message = String(message).replace(/<br\s*\/?>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return `${status} ${fallback || ''}: ${message || 'no explanation given'}`.replace(/\s+:/, ':');
}

/** One API call; resolves to the parsed JSON (or null), rejects with an ApiError in words. */
export async function call(method, path, {json, patch, query} = {}) {
  if (!signedIn()) throw new ApiError(401, 'Not signed in');
  const headers = {'Accept': 'application/json', ...session.headers};
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (patch !== undefined) {
    headers['Content-Type'] = PATCH_TYPE;
    body = JSON.stringify(patch);
  }
  let url = path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') q.append(k, v);
    }
    const qs = q.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  let response;
  try {
    response = await fetch(url, {method, headers, body, credentials: 'omit', cache: 'no-store'});
  } catch (e) {
    throw new ApiError(0, `The API cannot be reached (${e.message})`);
  }
  if (!response.ok) {
    throw new ApiError(response.status, await errorText(response, response.statusText || 'Error'));
  }
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * Uploads a File to PUT /v2/images/{id}/file with XMLHttpRequest, so that progress is the browser's own count
 * of bytes sent. onProgress({loaded, total, bytesPerSecond, etaSeconds}).
 */
export function upload(imageId, file, onProgress) {
  let xhr;
  const promise = new Promise((resolve, reject) => {
    xhr = new XMLHttpRequest();
    xhr.open('PUT', `/v2/images/${encodeURIComponent(imageId)}/file`);
    for (const [k, v] of Object.entries(session.headers)) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    const started = performance.now();
    xhr.upload.addEventListener('progress', e => {
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? e.loaded / seconds : 0;
      const total = e.lengthComputable ? e.total : file.size;
      onProgress({loaded: e.loaded, total, bytesPerSecond: rate,
        etaSeconds: rate > 0 ? (total - e.loaded) / rate : Infinity, seconds});
    });
    xhr.addEventListener('load', () => {
      const seconds = (performance.now() - started) / 1000;
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({seconds, bytesPerSecond: file.size / Math.max(seconds, 0.001)});
      } else {
        reject(new ApiError(xhr.status, errorFromBody(xhr.status, xhr.responseText, xhr.statusText || 'Error')));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'The upload failed: the connection was lost')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'The upload was cancelled')));
    xhr.send(file);
  });
  promise.abort = () => xhr.abort();
  return promise;
}
