// EPIC Gateway Service Manager: a client of the REST API and nothing else. Pages are hash routes
// (#/pools, #/a/<account>/gateways/<ns>/<name>, ...), so every view has a URL, Back works, and a page of another
// account is simply the API's 403 shown as such.
import { h, render } from 'preact';
import { useEffect, useState, useCallback } from 'preact/hooks';
import { api, get, enc, listAll, signIn, signOut, currentSession } from './api.js';
import { Form, list, parseJson } from './forms.js';
import { GatewayGraph, modelFromView, modelFromReplay } from './graph.js';
import { Timeline } from './timeline.js';

const route = () => (location.hash.replace(/^#\/?/, '') || '').split('/').map(decodeURIComponent);

function useRoute() {
  const [r, setR] = useState(route());
  useEffect(() => {
    const on = () => { setR(route()); document.getElementById('main')?.focus(); };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return r;
}

/** Loads with `load()`, reloads on `reload()`, shows the API's refusal (403/404) as the page's content. */
function useLoad(load, deps) {
  const [state, setState] = useState({ loading: true });
  const reload = useCallback(() => {
    load().then(data => setState({ data }), error => setState({ error }));
  }, deps);
  useEffect(reload, deps);
  return [state, reload];
}

function Refused({ error }) {
  return h('div', { class: 'card refused', role: 'alert', id: 'refused' },
    h('h2', null, error.status === 403 ? 'Refused' : error.status === 404 ? 'Not found' : 'Error'),
    h('p', null, `${error.status || ''} ${error.code || ''}: ${error.message}`));
}

function Loaded({ state, children }) {
  if (state.error) return h(Refused, { error: state.error });
  if (state.loading && !state.data) return h('p', null, 'Loading…');
  return children(state.data);
}

// ---------- sign-in ----------

/** The reason an OIDC callback refused a sign-in: it sends the browser here with it in the fragment. */
function refusedSignIn() {
  const prefix = '#signin-refused=';
  return location.hash.startsWith(prefix) ? decodeURIComponent(location.hash.slice(prefix.length)) : null;
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
  const [refused] = useState(refusedSignIn);
  const [oidc, setOidc] = useState(null);
  useEffect(() => { get('/oidc').then(setOidc, () => setOidc(null)); }, []);
  const submit = async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    try { onSignedIn(await signIn(f.get('login'), f.get('password'))); } catch (e) { setError(e); }
  };
  return h('main', { class: 'signin', id: 'main', tabindex: -1 },
    h('form', { class: 'card', id: 'signin', onSubmit: submit },
      h('h1', null, 'Gateway Service Manager'),
      h('p', { class: 'muted' }, 'Sign in with your API user, as ', h('code', null, 'user@account'), '.'),
      refused && !error && h('p', { class: 'error', role: 'alert', id: 'signin-refused' },
        'Sign-in through your organisation was refused: ', refused),
      error && h('p', { class: 'error', role: 'alert', id: 'signin-error' }, error.message),
      h('div', { class: 'field' }, h('label', { for: 'login' }, 'User'),
        h('input', { id: 'login', name: 'login', autocomplete: 'username', required: true, autofocus: true })),
      h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'),
        h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
      h('button', { type: 'submit', id: 'signin-submit' }, 'Sign in'),
      oidc?.enabled && h('p', { class: 'oidc' }, 'or ',
        // A plain link: the browser itself goes to the provider and comes back with the session cookie.
        h('a', { id: 'signin-oidc', href: '/api/v1/oidc/login' }, 'sign in with your organisation'),
        h('span', { class: 'muted' }, ` (${oidc.issuer})`))));
}

// ---------- admin: pools, templates, accounts ----------

function UsageBar({ used, capacity }) {
  const total = Number(capacity);
  const pct = total > 0 ? Math.min(100, (used / total) * 100) : 0;
  const free = capacity.length > 15 ? 'very many' : String(total - used);
  return h('div', { class: 'usage' },
    h('div', { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': used,
      'aria-label': `${used} of ${capacity} addresses allocated` },
      h('div', { class: 'used', style: { width: pct + '%' } })),
    h('span', { class: 'usage-text' }, `${used} allocated / ${free} free of ${capacity}`));
}

function Pools() {
  const [state, reload] = useLoad(() => listAll('/pools'), []);
  return h('section', null, h('h2', null, 'Address pools'),
    h(Loaded, { state }, pools => h('table', { id: 'pools' },
      h('thead', null, h('tr', null, ['pool', 'ranges', 'use'].map(t => h('th', null, t)))),
      h('tbody', null, pools.map(p => h('tr', { 'data-pool': p.spec.pool },
        h('td', null, p.spec.pool), h('td', null, p.spec.ranges.join(', ')),
        h('td', null, h(UsageBar, { used: Object.keys(p.spec.allocated).length, capacity: p.spec.capacity }))))))),
    h(Form, { id: 'pool-form', title: 'Define a pool', onDone: reload,
      fields: [{ name: 'pool', label: 'Name' }, { name: 'ranges', label: 'Ranges', hint: 'CIDRs or a-b ranges, comma separated' }],
      submit: v => api('POST', '/pools', { pool: v.pool, ranges: list(v.ranges) }).then(r => r.json) }));
}

const TEMPLATE_FIELDS = [
  { name: 'template', label: 'Name' }, { name: 'pool', label: 'Address pool' },
  { name: 'replicas', label: 'Replicas (Envoy proxies)', type: 'number', value: '1' },
  { name: 'shareable', label: 'Shareable between clusters', type: 'checkbox' },
  { name: 'dnsNamePattern', label: 'DNS name pattern', hint: 'optional' },
  { name: 'envoyBaseConfig', label: 'Envoy base config (JSON or YAML)', rows: 10, value: '{}' },
];

function templateBody(v) {
  const body = { template: v.template, pool: v.pool, replicas: Number(v.replicas), shareable: !!v.shareable,
    envoyBaseConfig: v.envoyBaseConfig };
  if (v.dnsNamePattern) body.dnsNamePattern = v.dnsNamePattern;
  return body;
}

function Templates() {
  const [state, reload] = useLoad(() => listAll('/templates'), []);
  const [editing, setEditing] = useState(null);
  return h('section', null, h('h2', null, 'Gateway templates'),
    h(Loaded, { state }, ts => h('table', { id: 'templates' },
      h('thead', null, h('tr', null, ['template', 'pool', 'replicas', 'version', ''].map(t => h('th', null, t)))),
      h('tbody', null, ts.map(t => h('tr', { 'data-template': t.spec.template },
        h('td', null, t.spec.template), h('td', null, t.spec.pool), h('td', null, t.spec.replicas), h('td', null, t.version),
        h('td', null, h('button', { class: 'small', onClick: () => setEditing(t) }, 'Edit'))))))),
    editing
      ? h(Form, { id: 'template-edit', key: editing.aggregateId, title: `Edit template ${editing.spec.template}`,
        fields: TEMPLATE_FIELDS, initial: { ...editing.spec, replicas: String(editing.spec.replicas) },
        onDone: () => { setEditing(null); reload(); },
        submit: v => api('PUT', `/templates/${enc(editing.spec.template)}`, templateBody(v), { 'If-Match': `"${editing.version}"` }).then(r => r.json) })
      : h(Form, { id: 'template-form', title: 'Define a template', fields: TEMPLATE_FIELDS, onDone: reload,
        submit: v => api('POST', '/templates', templateBody(v)).then(r => r.json) }));
}

function Accounts() {
  const [state, reload] = useLoad(() => listAll('/accounts'), []);
  return h('section', null, h('h2', null, 'Accounts'),
    h(Loaded, { state }, accounts => h('table', { id: 'accounts' },
      h('thead', null, h('tr', null, ['account', 'gateway quota', 'users', ''].map(t => h('th', null, t)))),
      h('tbody', null, accounts.map(a => {
        const name = a.spec.account;
        return h('tr', { 'data-account': name },
          h('td', null, h('a', { href: `#/a/${enc(name)}/gateways` }, name), a.spec.displayName ? ` (${a.spec.displayName})` : ''),
          h('td', null, a.spec.maxGateways ?? '—'),
          h('td', null, a.spec.users.map(u => u.username + ((u.roles || []).length ? ` (${u.roles.join(', ')})` : '')).join(', ') || '—'),
          h('td', null, h('a', { href: `#/a/${enc(name)}/timeline` }, 'timeline')));
      })))),
    h('div', { class: 'forms' },
      h(Form, { id: 'account-form', title: 'Create an account', onDone: reload,
        fields: [{ name: 'account', label: 'Account' }, { name: 'displayName', label: 'Display name', hint: 'optional' }],
        submit: v => api('POST', '/accounts', v.displayName ? v : { account: v.account }).then(r => r.json) }),
      h(Form, { id: 'user-form', title: 'Add a user to an account', onDone: reload,
        fields: [{ name: 'account', label: 'Account' }, { name: 'username', label: 'User name' },
          { name: 'password', label: 'Password', type: 'password', hint: 'at least 8 characters' },
          { name: 'roles', label: 'Roles', hint: 'comma separated; "admin" makes a platform admin' }],
        submit: v => api('POST', `/accounts/${enc(v.account)}/users`,
          { username: v.username, password: v.password, roles: list(v.roles) }).then(r => r.json) }),
      h(Form, { id: 'revoke-form', title: "Revoke a user's sessions", submitLabel: 'Revoke',
        fields: [{ name: 'account', label: 'Account' },
          { name: 'username', label: 'User name', hint: 'oidc:<subject> for a person signed in through OIDC' }],
        submit: v => api('DELETE', `/accounts/${enc(v.account)}/users/${enc(v.username)}/sessions`)
          .then(r => ({ message: `Every session of ${r.json.user} until now is revoked` })) })));
}

// ---------- tenant: gateways, routes, endpoint slices ----------

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS'];

function listenersOf(text) {
  // "name port PROTOCOL [hostname]" per line: short to type, and each line is listeners[i] in the API's errors.
  return text.split('\n').map(l => l.trim()).filter(Boolean).map(l => {
    const [name, port, protocol, hostname] = l.split(/\s+/);
    const out = { name, port: Number(port), protocol: (protocol || 'HTTP').toUpperCase() };
    if (hostname) out.hostname = hostname;
    return out;
  });
}
const listenersText = (ls) => ls.map(l => [l.name, l.port, l.protocol, l.hostname || ''].join(' ').trim()).join('\n');

/** A condition of `GET .../status` (Accepted, Programmed) as one line; null while the gateway has no view yet. */
function condition(status, type) {
  const c = status?.conditions?.find(x => x.type === type);
  return c && { ok: c.status === 'True', text: `${c.status}: ${c.reason}${c.message ? ' (' + c.message + ')' : ''}` };
}

function Gateways({ account }) {
  const [state, reload] = useLoad(() => listAll(`/accounts/${enc(account)}/gateways`), [account]);
  return h('section', null, h('h2', null, `Gateways of ${account}`),
    h(Loaded, { state }, gws => gws.length === 0 ? h('p', { class: 'muted' }, 'No gateways yet.') : h('table', { id: 'gateways' },
      h('thead', null, h('tr', null, ['gateway', 'address', 'listeners', 'template'].map(t => h('th', null, t)))),
      h('tbody', null, gws.map(g => h('tr', { 'data-gateway': `${g.spec.namespace}/${g.spec.name}` },
        h('td', null, h('a', { href: `#/a/${enc(account)}/gateways/${enc(g.spec.namespace)}/${enc(g.spec.name)}` }, `${g.spec.namespace}/${g.spec.name}`)),
        h('td', null, g.spec.address || h('span', { class: 'muted' }, 'pending')),
        h('td', null, g.spec.listeners.map(l => `${l.name} ${l.protocol}:${l.port}`).join(', ')),
        h('td', null, g.spec.template)))))),
    h(Form, { id: 'gateway-form', title: 'Create a gateway', onDone: reload,
      fields: [{ name: 'name', label: 'Name' }, { name: 'namespace', label: 'Namespace', value: 'default' },
        { name: 'template', label: 'Template' },
        { name: 'listeners', label: 'Listeners', rows: 3, value: 'http 80 HTTP', hint: 'one per line: name port protocol [hostname]' }],
      submit: v => api('POST', `/accounts/${enc(account)}/gateways?namespace=${enc(v.namespace || 'default')}`,
        { name: v.name, template: v.template, listeners: listenersOf(v.listeners) }).then(r => r.json) }));
}

function GatewayDetail({ account, namespace, name }) {
  // The item is addressed by ?namespace=, its sub-resources (revisions, status, view) by namespace/name in the path.
  const item = `/accounts/${enc(account)}/gateways/${enc(name)}?namespace=${enc(namespace)}`;
  const path = `/accounts/${enc(account)}/gateways/${enc(namespace)}/${enc(name)}`;
  const [state, reload] = useLoad(async () => {
    const { json, etag } = await api('GET', item);
    let revisions = [], status = null;
    try { revisions = await get(path + '/revisions'); } catch { /* no xDS projector in this process */ }
    try { status = await get(path + '/status'); } catch { /* 404 until the view projection has the gateway */ }
    return { gateway: json, etag, revisions, status };
  }, [path]);
  useEffect(() => {
    // ACKs come from the proxies, not from the log, so no view event announces them: revisions and status are
    // asked again every 2 s while the page is open.
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [reload]);
  const [view, setView] = useState(null);
  const [dataPlane, setDataPlane] = useState(undefined);
  const [live, setLive] = useState('connecting');
  const [at, setAt] = useState('');
  const [past, setPast] = useState(null);
  useEffect(() => {
    // Server-sent events: 'view' now and at every change, 'dataplane' now and whenever placement, nodes, tunnels or
    // adverts change; EventSource reconnects by itself.
    const source = new EventSource(`/api/v1${path}/view/events`);
    source.addEventListener('view', e => { setView(JSON.parse(e.data)); setLive('live'); reload(); });
    source.addEventListener('dataplane', e => { setDataPlane(JSON.parse(e.data)); reload(); });
    source.addEventListener('deleted', () => setView(null));
    source.onerror = () => setLive('reconnecting');
    source.onopen = () => setLive('live');
    return () => source.close();
  }, [path]);
  const showPast = async (ev) => {
    ev.preventDefault();
    try {
      const replay = await get(`/audit/replay?at=${enc(at)}&account=${enc(account)}&gateway=${enc(namespace + '/' + name)}`);
      const then = await get(`${path}/dataplane?at=${enc(at)}`);
      setPast({ at, dataPlane: then, model: modelFromReplay(replay, `gateway/${account}/${namespace}/${name}`, then) });
    } catch (e) { setPast({ at, error: e }); }
  };
  return h(Loaded, { state }, ({ gateway: g, etag, revisions, status }) => {
    const accepted = condition(status, 'Accepted');
    const programmed = condition(status, 'Programmed');
    const model = past ? past.model : view && modelFromView(view, revisions, dataPlane);
    const plane = past ? past.dataPlane : dataPlane;
    return h('section', null,
      h('h2', null, `Gateway ${namespace}/${name}`),
      h('div', { class: 'cards' },
        h('div', { class: 'card', id: 'gateway-status' },
          h('dl', null,
            h('dt', null, 'Address'), h('dd', { id: 'gateway-address' }, g.spec.address || 'pending'),
            h('dt', null, 'Template'), h('dd', null, g.spec.template),
            h('dt', null, 'Accepted'), h('dd', { id: 'gateway-accepted', class: accepted?.ok ? 'ok' : 'muted' }, accepted?.text || 'not yet'),
            h('dt', null, 'Programmed'), h('dd', { id: 'gateway-programmed', class: programmed?.ok ? 'ok' : 'muted' },
              programmed?.text || 'no proxy has ACKed the served revision yet'),
            h('dt', null, 'Replicas ready'), h('dd', null, `${g.placement?.readyReplicas ?? 0}`))),
        h('div', { class: 'card' }, h('h3', null, 'Listeners'),
          h('ul', null, g.spec.listeners.map(l => h('li', null, `${l.name}: ${l.protocol}:${l.port}${l.hostname ? ' ' + l.hostname : ''}`))))),
      h(DataPlaneTable, { plane, revisions: past ? [] : revisions, when: past ? past.at : null }),
      h('div', { class: 'card' }, h('h3', null, 'Envoy revisions (which proxies ACKed which)'),
        revisions.length === 0 ? h('p', { class: 'muted' }, 'No revision derived yet.') :
          h('table', { id: 'revisions' }, h('thead', null, h('tr', null, ['revision', 'served', 'running on', 'rejected by'].map(t => h('th', null, t)))),
            h('tbody', null, revisions.slice(0, 10).map(r => h('tr', null,
              h('td', null, h('code', null, String(r.version).slice(0, 12))), h('td', null, r.served ? 'yes' : ''),
              h('td', null, [...(r.runningOn || [])].join(', ') || '—'),
              h('td', null, Object.entries(r.rejectedBy || {}).map(([p, why]) => `${p}: ${why}`).join('; ') || '—')))))),
      h('div', { class: 'card' },
        h('div', { class: 'graph-head' },
          h('h3', null, past ? `Graph at ${past.at}` : 'Graph (live)'),
          h('span', { id: 'live-state', class: 'badge' }, past ? 'past' : live),
          h('form', { class: 'inline', onSubmit: showPast },
            h('label', { for: 'graph-at' }, 'At instant'),
            h('input', { id: 'graph-at', value: at, placeholder: 'ISO instant', onInput: e => setAt(e.target.value) }),
            h('button', { type: 'submit', id: 'graph-at-show' }, 'Show'),
            past && h('button', { type: 'button', id: 'graph-live', onClick: () => setPast(null) }, 'Back to live'))),
        past?.error ? h(Refused, { error: past.error })
          : model ? h(GatewayGraph, { model }) : h('p', { class: 'muted' }, 'Waiting for the gateway view…')),
      h(Form, { id: 'gateway-edit', key: etag, title: 'Edit listeners',
        fields: [{ name: 'listeners', label: 'Listeners', rows: 3, hint: 'one per line: name port protocol [hostname]' }],
        initial: { listeners: listenersText(g.spec.listeners) }, onDone: reload,
        submit: v => api('PUT', item, { listeners: listenersOf(v.listeners) }, { 'If-Match': etag }).then(r => r.json) }));
  });
}

/** The replicas and where they run, as a table (the graph's data plane columns, readable without the picture). */
function DataPlaneTable({ plane, revisions, when }) {
  const ackOf = (instance) => revisions.find(r => [...(r.runningOn || [])].some(p => p.endsWith('~' + instance)));
  const advertsOf = (node) => plane.epicNodes.find(n => n.node === node)?.adverts || [];
  const tunnelsOf = (node) => plane.tunnels.filter(t => t.epicNode === node);
  return h('div', { class: 'card' }, h('h3', null, when ? `Replicas at ${when}` : 'Replicas and nodes'),
    !plane ? h('p', { class: 'muted' }, 'Loading…')
      : plane.replicas.length === 0 ? h('p', { class: 'muted', id: 'no-replicas' }, 'No replica placed (no live EPIC node).')
        : h('table', { id: 'replicas' },
          h('thead', null, h('tr', null, ['replica', 'EPIC node', 'state', 'ACKed revision', 'BGP adverts', 'tunnels'].map(t => h('th', null, t)))),
          h('tbody', null, plane.replicas.map(r => h('tr', { 'data-replica': r.instance, 'data-state': r.state },
            h('td', null, r.instance), h('td', null, r.node),
            h('td', { class: r.state === 'ready' ? 'ok' : r.state === 'lost' ? 'error' : 'muted' }, r.state + (r.reason ? `: ${r.reason}` : '')),
            h('td', null, ackOf(r.instance) ? h('code', null, String(ackOf(r.instance).version).slice(0, 12)) : '—'),
            h('td', null, advertsOf(r.node).join(', ') || '—'),
            h('td', null, tunnelsOf(r.node).map(t => `${t.tunnelId} → ${t.clientNode}`).join(', ') || '—'))))));
}

const DEFAULT_RULES = JSON.stringify([{ matches: [{ path: { type: 'PATH_PREFIX', value: '/' } }], backendRefs: [{ name: 'web', port: 8080 }] }], null, 2);

function routeBody(v) {
  return { name: v.name, parentRefs: list(v.parentRefs).map(n => ({ name: n })), hostnames: list(v.hostnames),
    rules: parseJson(v.rules, 'rules') };
}

const DEFAULT_TCP_RULES = JSON.stringify([{ backendRefs: [{ name: 'db', port: 5432 }] }], null, 2);

function tcpRouteBody(v) {
  return { name: v.name, parentRefs: list(v.parentRefs).map(n => ({ name: n })), rules: parseJson(v.rules, 'rules') };
}

function Routes({ account }) {
  const base = `/accounts/${enc(account)}`;
  const [state, reload] = useLoad(async () => ({
    http: await listAll(base + '/httproutes'), tcp: await listAll(base + '/tcproutes') }), [account]);
  const [editing, setEditing] = useState(null);
  const common = [{ name: 'name', label: 'Name' }, { name: 'namespace', label: 'Namespace', value: 'default' },
    { name: 'parentRefs', label: 'Gateways (parentRefs)', hint: 'gateway names, comma separated' }];
  const httpFields = [...common, { name: 'hostnames', label: 'Hostnames', hint: 'comma separated, optional' },
    { name: 'rules', label: 'Rules (JSON, as in the Gateway API)', rows: 8, value: DEFAULT_RULES }];
  const tcpFields = [...common, { name: 'rules', label: 'Rules (JSON: backendRefs to Services)', rows: 6, value: DEFAULT_TCP_RULES }];
  const kinds = {
    HTTPRoute: { collection: 'httproutes', fields: httpFields, body: routeBody },
    TCPRoute: { collection: 'tcproutes', fields: tcpFields, body: tcpRouteBody },
  };
  const editForm = () => {
    const [kind, r] = editing;
    const k = kinds[kind];
    return h(Form, { id: 'route-edit', key: r.aggregateId, title: `Edit ${kind} ${r.spec.name}`, fields: k.fields,
      initial: { ...r.spec, parentRefs: r.spec.parentRefs.map(p => p.name).join(', '),
        hostnames: (r.spec.hostnames || []).join(', '), rules: JSON.stringify(r.spec.rules, null, 2) },
      onDone: () => { setEditing(null); reload(); },
      submit: v => api('PUT', `${base}/${k.collection}/${enc(r.spec.name)}?namespace=${enc(r.spec.namespace)}`,
        k.body(v), { 'If-Match': `"${r.version}"` }).then(res => res.json) });
  };
  const createForm = (kind, id) => h(Form, { id, title: `Create a ${kind}`, fields: kinds[kind].fields, onDone: reload,
    submit: v => api('POST', `${base}/${kinds[kind].collection}?namespace=${enc(v.namespace || 'default')}`,
      kinds[kind].body(v)).then(r => r.json) });
  return h('section', null, h('h2', null, `Routes of ${account}`),
    h(Loaded, { state }, ({ http, tcp }) => h('table', { id: 'routes' },
      h('thead', null, h('tr', null, ['route', 'kind', 'gateways', 'hostnames', 'rules', ''].map(t => h('th', null, t)))),
      h('tbody', null, [...http.map(r => ['HTTPRoute', r]), ...tcp.map(r => ['TCPRoute', r])].map(([kind, r]) =>
        h('tr', { 'data-route': `${r.spec.namespace}/${r.spec.name}`, 'data-kind': kind },
          h('td', null, `${r.spec.namespace}/${r.spec.name}`), h('td', null, kind),
          h('td', null, r.spec.parentRefs.map(p => p.name).join(', ')), h('td', null, (r.spec.hostnames || []).join(', ')),
          h('td', null, r.spec.rules.length),
          h('td', null, h('button', { class: 'small', onClick: () => setEditing([kind, r]) }, 'Edit'))))))),
    editing ? editForm() : h('div', { class: 'forms' }, createForm('HTTPRoute', 'route-form'), createForm('TCPRoute', 'tcproute-form')));
}

function Slices({ account }) {
  const base = `/accounts/${enc(account)}`;
  const [state, reload] = useLoad(() => listAll(base + '/endpointslices'), [account]);
  return h('section', null, h('h2', null, `Endpoint slices of ${account}`),
    h(Loaded, { state }, slices => h('table', { id: 'slices' },
      h('thead', null, h('tr', null, ['slice', 'service', 'ports', 'endpoints'].map(t => h('th', null, t)))),
      h('tbody', null, slices.map(s => h('tr', { 'data-slice': `${s.spec.namespace}/${s.spec.name}` },
        h('td', null, `${s.spec.namespace}/${s.spec.name}`), h('td', null, s.spec.serviceName),
        h('td', null, (s.spec.ports || []).map(p => `${p.port}/${p.protocol}`).join(', ')),
        h('td', null, (s.spec.endpoints || []).map(e => `${(e.addresses || []).join(' ')}${e.nodeName ? ' on ' + e.nodeName : ''}`).join('; '))))))),
    h(Form, { id: 'slice-form', title: 'Create an endpoint slice', onDone: reload,
      fields: [{ name: 'name', label: 'Name' }, { name: 'namespace', label: 'Namespace', value: 'default' },
        { name: 'serviceName', label: 'Service' }, { name: 'ports', label: 'Port', type: 'number', value: '8080' },
        { name: 'endpoints', label: 'Endpoint addresses', hint: 'comma separated' },
        { name: 'nodeName', label: 'Client node', hint: 'optional' }, { name: 'nodeAddress', label: 'Node address (GUE tunnel)', hint: 'optional, IPv4' }],
      submit: v => {
        const ep = { addresses: list(v.endpoints), conditions: { ready: true } };
        if (v.nodeName) ep.nodeName = v.nodeName;
        if (v.nodeAddress) ep.nodeAddress = v.nodeAddress;
        return api('POST', `${base}/endpointslices?namespace=${enc(v.namespace || 'default')}`, {
          name: v.name, serviceName: v.serviceName, ports: [{ port: Number(v.ports), protocol: 'TCP' }],
          endpoints: list(v.endpoints).length ? [ep] : [] }).then(r => r.json);
      } }));
}

// ---------- tenant: Services, ReferenceGrants, certificates ----------

/** "name port [targetPort] [appProtocol]" per line: each line is ports[i] in the API's errors. */
function portsOf(text) {
  return text.split('\n').map(l => l.trim()).filter(Boolean).map(l => {
    const [name, port, targetPort, appProtocol] = l.split(/\s+/);
    const out = { name, port: Number(port) };
    if (targetPort) out.targetPort = Number(targetPort);
    if (appProtocol) out.appProtocol = appProtocol;
    return out;
  });
}

function ServicesPage({ account }) {
  const base = `/accounts/${enc(account)}`;
  const [state, reload] = useLoad(() => listAll(base + '/services'), [account]);
  return h('section', null, h('h2', null, `Services of ${account}`),
    h('p', { class: 'muted' }, 'A Service names the ports routes reach its endpoints on; endpoint slices carry its endpoints.'),
    h(Loaded, { state }, services => services.length === 0 ? h('p', { class: 'muted' }, 'No Services yet.') : h('table', { id: 'services' },
      h('thead', null, h('tr', null, ['service', 'ports', 'version'].map(t => h('th', null, t)))),
      h('tbody', null, services.map(s => h('tr', { 'data-service': `${s.spec.namespace}/${s.spec.name}` },
        h('td', null, `${s.spec.namespace}/${s.spec.name}`),
        h('td', null, s.spec.ports.map(p => `${p.name || ''} ${p.port}${p.targetPort ? '→' + p.targetPort : ''}${p.appProtocol ? ' ' + p.appProtocol : ''}`.trim()).join(', ')),
        h('td', null, s.version)))))),
    h(Form, { id: 'service-form', title: 'Create a Service', onDone: reload,
      fields: [{ name: 'name', label: 'Name' }, { name: 'namespace', label: 'Namespace', value: 'default' },
        { name: 'ports', label: 'Ports', rows: 3, value: 'http 8080', hint: 'one per line: name port [targetPort] [appProtocol]' }],
      submit: v => api('POST', `${base}/services?namespace=${enc(v.namespace || 'default')}`,
        { name: v.name, ports: portsOf(v.ports) }).then(r => r.json) }));
}

/** "kind namespace" (from) or "kind [name]" (to) per line. */
const grantLines = (text, second) => text.split('\n').map(l => l.trim()).filter(Boolean).map(l => {
  const [kind, other] = l.split(/\s+/);
  return other ? { kind, [second]: other } : { kind };
});

function ReferenceGrantsPage({ account }) {
  const base = `/accounts/${enc(account)}`;
  const [state, reload] = useLoad(() => listAll(base + '/referencegrants'), [account]);
  return h('section', null, h('h2', null, `ReferenceGrants of ${account}`),
    h('p', { class: 'muted' }, 'A ReferenceGrant lets routes of another namespace of this account reach its Services.'),
    h(Loaded, { state }, grants => grants.length === 0 ? h('p', { class: 'muted' }, 'No ReferenceGrants yet.') : h('table', { id: 'referencegrants' },
      h('thead', null, h('tr', null, ['grant', 'from', 'to'].map(t => h('th', null, t)))),
      h('tbody', null, grants.map(g => h('tr', { 'data-grant': `${g.spec.namespace}/${g.spec.name}` },
        h('td', null, `${g.spec.namespace}/${g.spec.name}`),
        h('td', null, g.spec.from.map(f => `${f.kind} in ${f.namespace}`).join(', ')),
        h('td', null, g.spec.to.map(t => t.name ? `${t.kind} ${t.name}` : `every ${t.kind}`).join(', '))))))),
    h(Form, { id: 'grant-form', title: 'Create a ReferenceGrant', onDone: reload,
      fields: [{ name: 'name', label: 'Name' }, { name: 'namespace', label: 'Namespace (of the Services)', value: 'default' },
        { name: 'from', label: 'From', rows: 2, value: 'HTTPRoute other', hint: 'one per line: route kind and namespace' },
        { name: 'to', label: 'To', rows: 2, value: 'Service', hint: 'one per line: Service [name] (no name: every Service)' }],
      submit: v => api('POST', `${base}/referencegrants?namespace=${enc(v.namespace || 'default')}`,
        { name: v.name, from: grantLines(v.from, 'namespace'), to: grantLines(v.to, 'name') }).then(r => r.json) }));
}

/**
 * Listener certificates: the ones the account's gateways name (their content hash and expiry, or "not uploaded"),
 * and an upload form. The API never returns a key; the key field is emptied once the upload is stored.
 */
function CertificatesPage({ account }) {
  const base = `/accounts/${enc(account)}`;
  const [state, reload] = useLoad(async () => {
    const refs = new Map();
    for (const g of await listAll(base + '/gateways')) {
      for (const l of g.spec.listeners) {
        for (const ref of l.tlsCertificateRefs || []) {
          const key = `${ref.namespace || g.spec.namespace}/${ref.name}`;
          refs.set(key, [...(refs.get(key) || []), `${g.spec.namespace}/${g.spec.name} ${l.name}`]);
        }
      }
    }
    return Promise.all([...refs].map(async ([ref, usedBy]) => {
      const [ns, name] = ref.split('/');
      try { return { ref, usedBy, ...(await get(`${base}/certificates/${enc(ns)}/${enc(name)}`)) }; } catch (e) {
        if (e.status === 404) return { ref, usedBy, missing: true };
        throw e;
      }
    }));
  }, [account]);
  const [uploaded, setUploaded] = useState(null);
  return h('section', null, h('h2', null, `Certificates of ${account}`),
    h(Loaded, { state }, certs => certs.length === 0 ? h('p', { class: 'muted' }, 'No listener names a certificate yet.') : h('table', { id: 'certificates' },
      h('thead', null, h('tr', null, ['certificate', 'named by', 'SHA-256', 'not after'].map(t => h('th', null, t)))),
      h('tbody', null, certs.map(c => h('tr', { 'data-certificate': c.ref },
        h('td', null, c.ref), h('td', null, c.usedBy.join(', ')),
        c.missing ? h('td', { colspan: 2, class: 'error' }, 'not uploaded: the listener serves nothing')
          : [h('td', null, h('code', null, c.sha256.slice(0, 16) + '…')), h('td', null, c.notAfter)]))))),
    uploaded && h('p', { class: 'ok card', role: 'status', id: 'certificate-uploaded' },
      `Stored ${uploaded.name}: SHA-256 ${uploaded.sha256.slice(0, 16)}…, valid until ${uploaded.notAfter}`),
    h(Form, { id: 'certificate-form', title: 'Upload or rotate a certificate', submitLabel: 'Upload',
      onDone: r => { setUploaded(r); reload(); },
      fields: [{ name: 'namespace', label: 'Namespace', value: 'default' }, { name: 'name', label: 'Name' },
        { name: 'certificate', label: 'Certificate chain (PEM, leaf first)', rows: 6 },
        { name: 'privateKey', label: 'Private key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)', rows: 4, secret: true,
          hint: 'stored encrypted outside Kafka; never shown again' }],
      submit: v => api('PUT', `${base}/certificates/${enc(v.namespace || 'default')}/${enc(v.name)}`,
        { certificate: v.certificate, privateKey: v.privateKey }).then(r => r.json) }));
}

// ---------- admin: nodes ----------

function Nodes() {
  const [state] = useLoad(() => get('/nodes').then(r => r.items), []);
  return h('section', null, h('h2', null, 'Nodes'),
    h(Loaded, { state }, nodes => nodes.length === 0 ? h('p', { class: 'muted' }, 'No node agent has sent a heartbeat.') : h('table', { id: 'nodes' },
      h('thead', null, h('tr', null, ['node', 'kind', 'addresses', 'state', 'BGP adverts', 'tunnels'].map(t => h('th', null, t)))),
      h('tbody', null, nodes.map(n => h('tr', { 'data-node': n.node },
        h('td', null, n.node), h('td', null, n.kind), h('td', null, (n.addresses || []).join(', ')),
        h('td', { class: n.lost ? 'error' : 'ok' }, n.lost ? 'lost' : 'live'),
        h('td', null, n.adverts.map(a => `${a.prefix} (${a.gatewayId})`).join(', ') || '—'),
        h('td', null, (n.tunnels || []).map(t => `${t.tunnelId} → ${t.clientNode}`).join(', ') || '—')))))));
}

// ---------- shell ----------

function Nav({ session, account, onSignOut }) {
  const link = (href, text) => h('a', { href, 'aria-current': location.hash === href ? 'page' : undefined }, text);
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onClick: e => { e.preventDefault(); document.getElementById('main').focus(); } }, 'Skip to content'),
    h('strong', { class: 'brand' }, 'EPIC Gateway Service Manager'),
    h('nav', { 'aria-label': 'pages' },
      session.admin && [link('#/pools', 'Pools'), link('#/templates', 'Templates'), link('#/accounts', 'Accounts'),
        link('#/nodes', 'Nodes')],
      account && [link(`#/a/${enc(account)}/gateways`, 'Gateways'), link(`#/a/${enc(account)}/routes`, 'Routes'),
        link(`#/a/${enc(account)}/services`, 'Services'), link(`#/a/${enc(account)}/slices`, 'Endpoint slices'),
        link(`#/a/${enc(account)}/referencegrants`, 'ReferenceGrants'),
        link(`#/a/${enc(account)}/certificates`, 'Certificates'), link(`#/a/${enc(account)}/timeline`, 'Timeline')]),
    h('span', { class: 'who', id: 'who' }, session.user),
    h('button', { class: 'small', id: 'signout', onClick: onSignOut }, 'Sign out'));
}

function App() {
  const [session, setSession] = useState(undefined);
  const r = useRoute();
  useEffect(() => { currentSession().then(setSession, () => setSession(null)); }, []);
  if (session === undefined) return h('p', null, 'Loading…');
  if (!session) return h(SignIn, { onSignedIn: s => { setSession(s); location.hash = s.admin ? '#/pools' : `#/a/${enc(s.account)}/gateways`; } });
  const onSignOut = async () => { await signOut(); setSession(null); location.hash = ''; };
  let page, account = session.admin ? null : session.account;
  if (r[0] === 'a' && r[1]) {
    account = r[1];
    const sub = r[2];
    page = sub === 'gateways' && r[4] ? h(GatewayDetail, { account, namespace: r[3], name: r[4] })
      : sub === 'routes' ? h(Routes, { account })
        : sub === 'slices' ? h(Slices, { account })
        : sub === 'services' ? h(ServicesPage, { account })
        : sub === 'referencegrants' ? h(ReferenceGrantsPage, { account })
        : sub === 'certificates' ? h(CertificatesPage, { account })
          : sub === 'timeline' ? h(Timeline, { account })
            : h(Gateways, { account });
  } else if (session.admin && r[0] === 'templates') page = h(Templates);
  else if (session.admin && r[0] === 'accounts') page = h(Accounts);
  else if (session.admin && r[0] === 'nodes') page = h(Nodes);
  else if (session.admin) page = h(Pools);
  else page = h(Gateways, { account });
  return h('div', { class: 'shell' }, h(Nav, { session, account, onSignOut }),
    h('main', { id: 'main', tabindex: -1 }, page));
}

render(h(App), document.getElementById('app'));
