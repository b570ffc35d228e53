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

function SignIn({ onSignedIn }) {
  const [error, setError] = useState(null);
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
          { username: v.username, password: v.password, roles: list(v.roles) }).then(r => r.json) })));
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

function status(g, revisions) {
  const served = revisions?.find(r => r.served);
  return {
    accepted: !!g.spec.address,
    programmed: !!served && (served.runningOn || []).length > 0,
  };
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
  // The item is addressed by ?namespace=, its sub-resources (revisions, view) by namespace/name in the path.
  const item = `/accounts/${enc(account)}/gateways/${enc(name)}?namespace=${enc(namespace)}`;
  const path = `/accounts/${enc(account)}/gateways/${enc(namespace)}/${enc(name)}`;
  const [state, reload] = useLoad(async () => {
    const { json, etag } = await api('GET', item);
    let revisions = [];
    try { revisions = await get(path + '/revisions'); } catch { /* no xDS projector in this process */ }
    return { gateway: json, etag, revisions };
  }, [path]);
  const [view, setView] = useState(null);
  const [live, setLive] = useState('connecting');
  const [at, setAt] = useState('');
  const [past, setPast] = useState(null);
  useEffect(() => {
    // The view's server-sent events: a 'view' now and at every change; EventSource reconnects by itself.
    const source = new EventSource(`/api/v1${path}/view/events`);
    source.addEventListener('view', e => { setView(JSON.parse(e.data)); setLive('live'); reload(); });
    source.addEventListener('deleted', () => setView(null));
    source.onerror = () => setLive('reconnecting');
    source.onopen = () => setLive('live');
    return () => source.close();
  }, [path]);
  const showPast = async (ev) => {
    ev.preventDefault();
    try {
      const replay = await get(`/audit/replay?at=${enc(at)}&account=${enc(account)}&gateway=${enc(namespace + '/' + name)}`);
      setPast({ at, model: modelFromReplay(replay, `gateway/${account}/${namespace}/${name}`) });
    } catch (e) { setPast({ at, error: e }); }
  };
  return h(Loaded, { state }, ({ gateway: g, etag, revisions }) => {
    const s = status(g, revisions);
    const model = past ? past.model : view && modelFromView(view, revisions);
    return h('section', null,
      h('h2', null, `Gateway ${namespace}/${name}`),
      h('div', { class: 'cards' },
        h('div', { class: 'card', id: 'gateway-status' },
          h('dl', null,
            h('dt', null, 'Address'), h('dd', { id: 'gateway-address' }, g.spec.address || 'pending'),
            h('dt', null, 'Template'), h('dd', null, g.spec.template),
            h('dt', null, 'Accepted'), h('dd', { class: s.accepted ? 'ok' : 'muted' }, s.accepted ? 'True: address allocated' : 'not yet'),
            h('dt', null, 'Programmed'), h('dd', { class: s.programmed ? 'ok' : 'muted' },
              s.programmed ? 'True: a proxy runs the served revision' : 'no proxy has ACKed the served revision yet'))),
        h('div', { class: 'card' }, h('h3', null, 'Listeners'),
          h('ul', null, g.spec.listeners.map(l => h('li', null, `${l.name}: ${l.protocol}:${l.port}${l.hostname ? ' ' + l.hostname : ''}`))))),
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
            h('button', { type: 'submit' }, 'Show'),
            past && h('button', { type: 'button', onClick: () => setPast(null) }, 'Back to live'))),
        past?.error ? h(Refused, { error: past.error })
          : model ? h(GatewayGraph, { model }) : h('p', { class: 'muted' }, 'Waiting for the gateway view…')),
      h(Form, { id: 'gateway-edit', key: etag, title: 'Edit listeners',
        fields: [{ name: 'listeners', label: 'Listeners', rows: 3, hint: 'one per line: name port protocol [hostname]' }],
        initial: { listeners: listenersText(g.spec.listeners) }, onDone: reload,
        submit: v => api('PUT', item, { listeners: listenersOf(v.listeners) }, { 'If-Match': etag }).then(r => r.json) }));
  });
}

const DEFAULT_RULES = JSON.stringify([{ matches: [{ path: { type: 'PATH_PREFIX', value: '/' } }], backendRefs: [{ name: 'web', port: 8080 }] }], null, 2);

function routeBody(v) {
  return { name: v.name, parentRefs: list(v.parentRefs).map(n => ({ name: n })), hostnames: list(v.hostnames),
    rules: parseJson(v.rules, 'rules') };
}

function Routes({ account }) {
  const base = `/accounts/${enc(account)}`;
  const [state, reload] = useLoad(async () => ({
    http: await listAll(base + '/httproutes'), tcp: await listAll(base + '/tcproutes') }), [account]);
  const [editing, setEditing] = useState(null);
  const fields = [{ name: 'name', label: 'Name' }, { name: 'namespace', label: 'Namespace', value: 'default' },
    { name: 'parentRefs', label: 'Gateways (parentRefs)', hint: 'gateway names, comma separated' },
    { name: 'hostnames', label: 'Hostnames', hint: 'comma separated, optional' },
    { name: 'rules', label: 'Rules (JSON, as in the Gateway API)', rows: 8, value: DEFAULT_RULES }];
  return h('section', null, h('h2', null, `Routes of ${account}`),
    h(Loaded, { state }, ({ http, tcp }) => h('table', { id: 'routes' },
      h('thead', null, h('tr', null, ['route', 'kind', 'gateways', 'hostnames', 'rules', ''].map(t => h('th', null, t)))),
      h('tbody', null, [...http.map(r => ['HTTPRoute', r]), ...tcp.map(r => ['TCPRoute', r])].map(([kind, r]) =>
        h('tr', { 'data-route': `${r.spec.namespace}/${r.spec.name}` },
          h('td', null, `${r.spec.namespace}/${r.spec.name}`), h('td', null, kind),
          h('td', null, r.spec.parentRefs.map(p => p.name).join(', ')), h('td', null, (r.spec.hostnames || []).join(', ')),
          h('td', null, r.spec.rules.length),
          h('td', null, kind === 'HTTPRoute' && h('button', { class: 'small', onClick: () => setEditing(r) }, 'Edit'))))))),
    editing
      ? h(Form, { id: 'route-edit', key: editing.aggregateId, title: `Edit HTTPRoute ${editing.spec.name}`, fields,
        initial: { ...editing.spec, parentRefs: editing.spec.parentRefs.map(p => p.name).join(', '),
          hostnames: (editing.spec.hostnames || []).join(', '), rules: JSON.stringify(editing.spec.rules, null, 2) },
        onDone: () => { setEditing(null); reload(); },
        submit: v => api('PUT', `${base}/httproutes/${enc(editing.spec.name)}?namespace=${enc(editing.spec.namespace)}`,
          routeBody(v), { 'If-Match': `"${editing.version}"` }).then(r => r.json) })
      : h(Form, { id: 'route-form', title: 'Create an HTTPRoute', fields, onDone: reload,
        submit: v => api('POST', `${base}/httproutes?namespace=${enc(v.namespace || 'default')}`, routeBody(v)).then(r => r.json) }));
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

// ---------- shell ----------

function Nav({ session, account, onSignOut }) {
  const link = (href, text) => h('a', { href, 'aria-current': location.hash === href ? 'page' : undefined }, text);
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onClick: e => { e.preventDefault(); document.getElementById('main').focus(); } }, 'Skip to content'),
    h('strong', { class: 'brand' }, 'EPIC Gateway Service Manager'),
    h('nav', { 'aria-label': 'pages' },
      session.admin && [link('#/pools', 'Pools'), link('#/templates', 'Templates'), link('#/accounts', 'Accounts')],
      account && [link(`#/a/${enc(account)}/gateways`, 'Gateways'), link(`#/a/${enc(account)}/routes`, 'Routes'),
        link(`#/a/${enc(account)}/slices`, 'Endpoint slices'), link(`#/a/${enc(account)}/timeline`, 'Timeline')]),
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
          : sub === 'timeline' ? h(Timeline, { account })
            : h(Gateways, { account });
  } else if (session.admin && r[0] === 'templates') page = h(Templates);
  else if (session.admin && r[0] === 'accounts') page = h(Accounts);
  else if (session.admin) page = h(Pools);
  else page = h(Gateways, { account });
  return h('div', { class: 'shell' }, h(Nav, { session, account, onSignOut }),
    h('main', { id: 'main', tabindex: -1 }, page));
}

render(h(App), document.getElementById('app'));
