// The gateway graph: proxies (EPIC replicas) -> gateway -> listeners -> routes -> rules (matches) -> Services ->
// endpoints -> the client nodes whose GUE tunnels carry them. Columns by kind, rows in the order the API lists
// things, so the picture is the same for the same gateway. The same model is built from the live gateway view
// (GET .../view and its server-sent events) and from an audit replay at a past instant.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import cytoscape from 'cytoscape';

const COLUMNS = ['proxy', 'gateway', 'listener', 'route', 'rule', 'service', 'endpoint', 'node'];

/** From a gateway view (epic.gateway-state, as the API renders it) and the gateway's xDS revisions. */
export function modelFromView(view, revisions = []) {
  const served = revisions.find(r => r.served) || revisions[0];
  return {
    gateway: view.gateway,
    replicas: view.template?.replicas ?? null,
    httpRoutes: view.httpRoutes || [],
    tcpRoutes: view.tcpRoutes || [],
    endpointSlices: view.endpointSlices || [],
    proxies: served ? [...(served.runningOn || [])].map(p => ({ id: p, version: served.version })) : [],
  };
}

/** From `GET /audit/replay?at=&gateway=`: the aggregates the gateway's view held at that instant. */
export function modelFromReplay(replay, gatewayId) {
  const of = (prefix) => replay.aggregates.filter(a => a.aggregateId.startsWith(prefix)).map(a => a.resource);
  const gateway = replay.aggregates.find(a => a.aggregateId === gatewayId)?.resource;
  return gateway && {
    gateway, replicas: null,
    httpRoutes: of('httproute/'), tcpRoutes: of('tcproute/'), endpointSlices: of('endpointslice/'), proxies: [],
  };
}

function matchText(m) {
  const parts = [];
  if (m.path) parts.push(`${m.path.type === 'EXACT' ? '=' : m.path.type === 'PATH_PREFIX' ? '' : '~'}${m.path.value}${m.path.type === 'PATH_PREFIX' ? '*' : ''}`);
  if (m.method) parts.push(m.method);
  (m.headers || []).forEach(x => parts.push(`${x.name}: ${x.value}`));
  (m.queryParams || []).forEach(x => parts.push(`?${x.name}=${x.value}`));
  return parts.join(' ') || 'any';
}

/** Nodes and edges of the model: [{id, kind, label}], [{from, to, label}]. */
export function graphOf(model) {
  const nodes = new Map();
  const edges = [];
  const node = (id, kind, label) => { if (!nodes.has(id)) nodes.set(id, { id, kind, label }); };
  const edge = (from, to, label = '') => edges.push({ id: `${from}->${to}`, from, to, label });
  const g = model.gateway;
  node('gateway', 'gateway', `${g.name}\n${g.address || 'no address yet'}` + (model.replicas ? `\n${model.replicas} replica(s)` : ''));
  model.proxies.forEach(p => { node(`proxy:${p.id}`, 'proxy', `proxy ${p.id}`); edge(`proxy:${p.id}`, 'gateway', `ACK ${String(p.version).slice(0, 8)}`); });
  (g.listeners || []).forEach(l => {
    node(`listener:${l.name}`, 'listener', `${l.name}\n${l.protocol}:${l.port}${l.hostname ? '\n' + l.hostname : ''}`);
    edge('gateway', `listener:${l.name}`);
  });
  const attach = (route, id, protocols) => {
    const refs = (route.parentRefs || []).filter(p => p.name === g.name);
    const listeners = (g.listeners || []).filter(l => refs.some(p => p.sectionName ? p.sectionName === l.name : protocols.includes(l.protocol)));
    listeners.forEach(l => edge(`listener:${l.name}`, id));
  };
  const backends = (from, refs, route) => (refs || []).forEach(b => {
    const ns = b.namespace || route.namespace;
    const sid = `service:${ns}/${b.name}`;
    node(sid, 'service', `Service ${b.name}:${b.port}`);
    edge(from, sid, b.weight != null && b.weight !== 1 ? `weight ${b.weight}` : '');
  });
  model.httpRoutes.forEach(r => {
    const id = `route:${r.namespace}/${r.name}`;
    node(id, 'route', `HTTPRoute ${r.name}${(r.hostnames || []).length ? '\n' + r.hostnames.join(', ') : ''}`);
    attach(r, id, ['HTTP', 'HTTPS']);
    (r.rules || []).forEach((rule, i) => {
      const rid = `${id}#${i}`;
      node(rid, 'rule', (rule.matches || []).length ? rule.matches.map(matchText).join('\n') : 'any');
      edge(id, rid);
      backends(rid, rule.backendRefs, r);
    });
  });
  model.tcpRoutes.forEach(r => {
    const id = `route:${r.namespace}/${r.name}`;
    node(id, 'route', `TCPRoute ${r.name}`);
    attach(r, id, ['TCP', 'TLS']);
    (r.rules || []).forEach(rule => backends(id, rule.backendRefs, r));
  });
  model.endpointSlices.forEach(s => {
    const sid = `service:${s.namespace}/${s.serviceName}`;
    if (!nodes.has(sid)) return;
    const ports = (s.ports || []).map(p => p.port).join(',');
    (s.endpoints || []).forEach(e => (e.addresses || []).forEach(a => {
      const eid = `endpoint:${a}`;
      const ready = e.conditions?.ready === false ? ' (not ready)' : '';
      node(eid, 'endpoint', `${a}${ports ? ':' + ports : ''}${ready}`);
      edge(sid, eid, s.name);
      if (e.nodeName || e.nodeAddress) {
        const nid = `node:${e.nodeName || e.nodeAddress}`;
        node(nid, 'node', `node ${e.nodeName || ''}${e.nodeAddress ? '\nGUE tunnel ' + e.nodeAddress : ''}`);
        edge(eid, nid, 'tunnel');
      }
    }));
  });
  return { nodes: [...nodes.values()], edges: edges.filter(e => nodes.has(e.from) && nodes.has(e.to)) };
}

/** Kinds left to right; on a narrow screen top to bottom, so labels stay readable at phone width. */
function elementsOf(graph, vertical) {
  const rows = {};
  return [
    ...graph.nodes.map(n => {
      const col = COLUMNS.indexOf(n.kind);
      const row = rows[col] = (rows[col] ?? -1) + 1;
      const position = vertical ? { x: row * 180, y: col * 95 } : { x: col * 190, y: row * 90 };
      return { group: 'nodes', data: { id: n.id, label: n.label, kind: n.kind }, position };
    }),
    ...graph.edges.map(e => ({ group: 'edges', data: { id: e.id, source: e.from, target: e.to, label: e.label } })),
  ];
}

const STYLE = [
  { selector: 'node', style: {
    label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center', 'font-size': 13, width: 160, height: 60,
    shape: 'round-rectangle', 'background-color': '#e8eef7', 'border-width': 1, 'border-color': '#4a6fa5', color: '#102a43' } },
  { selector: 'node[kind = "gateway"]', style: { 'background-color': '#4a6fa5', color: '#fff' } },
  { selector: 'node[kind = "proxy"]', style: { 'background-color': '#dff3e4', 'border-color': '#2f855a' } },
  { selector: 'node[kind = "rule"]', style: { shape: 'rectangle', 'background-color': '#fff8e1', 'border-color': '#b7791f' } },
  { selector: 'node[kind = "service"]', style: { 'background-color': '#fde8ef', 'border-color': '#b83280' } },
  { selector: 'node[kind = "endpoint"]', style: { shape: 'ellipse', 'background-color': '#e6fffa', 'border-color': '#2c7a7b' } },
  { selector: 'node[kind = "node"]', style: { shape: 'hexagon', 'background-color': '#edf2f7', 'border-color': '#4a5568' } },
  { selector: 'edge', style: {
    width: 1.5, 'line-color': '#829ab1', 'target-arrow-color': '#829ab1', 'target-arrow-shape': 'triangle',
    'curve-style': 'bezier', label: 'data(label)', 'font-size': 9, 'text-background-color': '#fff', 'text-background-opacity': 1 } },
];

/**
 * The picture, and the same nodes as a list (what a keyboard or screen-reader user reads; the tests read it too).
 * A new model updates the graph in place: nodes that stay keep their identity, new ones appear, gone ones go.
 */
export function GatewayGraph({ model }) {
  const box = useRef(null);
  const cy = useRef(null);
  const graph = model ? graphOf(model) : { nodes: [], edges: [] };
  useEffect(() => {
    cy.current = cytoscape({ container: box.current, style: STYLE, elements: [], userZoomingEnabled: true,
      boxSelectionEnabled: false, autoungrabify: true });
    return () => cy.current.destroy();
  }, []);
  useEffect(() => {
    const c = cy.current;
    const vertical = box.current.clientWidth < 640;
    box.current.classList.toggle('vertical', vertical);
    const wanted = elementsOf(graph, vertical);
    const ids = new Set(wanted.map(e => e.data.id));
    c.batch(() => {
      c.elements().filter(e => !ids.has(e.id())).remove();
      wanted.forEach(e => {
        const existing = c.getElementById(e.data.id);
        if (existing.nonempty()) {
          existing.data(e.data);
          if (e.position) existing.position(e.position);
        } else {
          c.add(e);
        }
      });
    });
    c.resize();
    c.fit(undefined, 20);
  }, [JSON.stringify(graph)]);
  return h('div', { class: 'graph-wrap' },
    h('div', { ref: box, id: 'gateway-graph', class: 'graph', role: 'img', 'data-nodes': graph.nodes.length,
      'aria-label': `Graph of gateway ${model?.gateway?.name || ''}: ${graph.nodes.length} nodes, ${graph.edges.length} links` }),
    h('details', { class: 'graph-list' },
      h('summary', null, `The graph as a list (${graph.nodes.length} nodes)`),
      h('ul', { id: 'graph-nodes' }, graph.nodes.map(n => h('li', { 'data-id': n.id, 'data-kind': n.kind },
        `${n.kind}: ${n.label.replace(/\n/g, ' · ')}`,
        (() => {
          const out = graph.edges.filter(e => e.from === n.id).map(e => graph.nodes.find(x => x.id === e.to));
          return out.length ? h('span', { class: 'muted' }, ' → ' + out.map(x => x.label.split('\n')[0]).join('; ')) : null;
        })())))));
}
