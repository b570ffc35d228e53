// The gateway graph: BGP adverts <- EPIC nodes -> replicas (placed / ready / lost, the revision each ACKed) -> gateway
// -> listeners -> routes -> rules (matches) -> Services -> endpoints -> GUE tunnels -> the client nodes hosting them.
// Columns by kind, rows in the order the API lists things, so the picture is the same for the same gateway. The same
// model is built from the live gateway view and data plane (GET .../view, .../dataplane and their server-sent
// events) and from an audit replay and the data plane at a past instant.
import { h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import cytoscape from 'cytoscape';

// A replica is the proxy its xDS node id names (<gatewayId>~<instance>), so they share a column.
const COLUMNS = [['advert'], ['epicnode'], ['replica', 'proxy'], ['gateway'], ['listener'], ['route'], ['rule'],
  ['service'], ['endpoint'], ['tunnel'], ['node']];
const columnOf = (kind) => COLUMNS.findIndex(c => c.includes(kind));
const NO_DATA_PLANE = { replicas: [], epicNodes: [], tunnels: [], clientNodes: [] };

/**
 * From a gateway view (epic.gateway-state, as the API renders it), the gateway's xDS revisions (newest first) and its
 * data plane (GET .../dataplane): each replica with the newest revision its proxy ACKed; proxies that ACKed the
 * served revision but are no replica of the placement (an Envoy started by hand) are drawn as proxies.
 */
export function modelFromView(view, revisions = [], dataPlane = NO_DATA_PLANE) {
  const served = revisions.find(r => r.served) || revisions[0];
  const ackOf = (instance) => revisions.find(r => [...(r.runningOn || [])].some(p => p.endsWith('~' + instance)))?.version;
  const replicaIds = new Set(dataPlane.replicas.map(r => r.instance));
  return {
    gateway: view.gateway,
    replicas: view.template?.replicas ?? null,
    httpRoutes: view.httpRoutes || [],
    tcpRoutes: view.tcpRoutes || [],
    endpointSlices: view.endpointSlices || [],
    dataPlane: { ...dataPlane, replicas: dataPlane.replicas.map(r => ({ ...r, ack: ackOf(r.instance) })) },
    proxies: served ? [...(served.runningOn || [])].filter(p => !replicaIds.has(p.split('~').pop()))
      .map(p => ({ id: p, version: served.version })) : [],
  };
}

/**
 * From `GET /audit/replay?at=&gateway=` (the aggregates the gateway's view held at that instant) and
 * `GET .../dataplane?at=` (its placement, nodes and tunnels then); which proxy ran which revision is not in the log.
 */
export function modelFromReplay(replay, gatewayId, dataPlane = NO_DATA_PLANE) {
  const of = (prefix) => replay.aggregates.filter(a => a.aggregateId.startsWith(prefix)).map(a => a.resource);
  const gateway = replay.aggregates.find(a => a.aggregateId === gatewayId)?.resource;
  return gateway && {
    gateway, replicas: null, dataPlane,
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
  const short = (version) => String(version).slice(0, 8);
  const dp = model.dataPlane || NO_DATA_PLANE;
  dp.epicNodes.forEach(n => {
    node(`epicnode:${n.node}`, 'epicnode', `EPIC node ${n.node}${n.lost ? '\n(lost)' : ''}${(n.addresses || []).length ? '\n' + n.addresses[0] : ''}`);
    n.adverts.forEach(a => { node(`advert:${n.node}:${a}`, 'advert', `BGP ${a}`); edge(`epicnode:${n.node}`, `advert:${n.node}:${a}`, 'announces'); });
  });
  dp.replicas.forEach(r => {
    const id = `replica:${r.instance}`;
    node(id, 'replica', `replica ${r.instance}\n${r.state}${r.ack ? '\nACK ' + short(r.ack) : ''}`);
    edge(`epicnode:${r.node}`, id, 'runs');
    edge(id, 'gateway', r.ack ? `ACK ${short(r.ack)}` : r.state);
  });
  model.proxies.forEach(p => { node(`proxy:${p.id}`, 'proxy', `proxy ${p.id}`); edge(`proxy:${p.id}`, 'gateway', `ACK ${short(p.version)}`); });
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
        const name = e.nodeName || e.nodeAddress;
        const nid = `node:${name}`;
        const client = dp.clientNodes.find(c => c.node === e.nodeName);
        const state = client ? (client.lost ? '\n(lost)' : client.known ? '' : '\n(no heartbeat)') : '';
        node(nid, 'node', `client node ${e.nodeName || ''}${e.nodeAddress ? '\n' + e.nodeAddress : ''}${state}`);
        const tunnels = dp.tunnels.filter(t => t.clientNode === e.nodeName);
        if (tunnels.length === 0) edge(eid, nid, 'tunnel');
        tunnels.forEach(t => {
          const tid = `tunnel:${t.epicNode}#${t.tunnelId}`;
          node(tid, 'tunnel', `GUE tunnel ${t.tunnelId}\n${t.epicNode} → ${t.clientNode}`);
          edge(eid, tid, 'via');
          edge(tid, nid);
        });
      }
    }));
  });
  return { nodes: [...nodes.values()], edges: edges.filter(e => nodes.has(e.from) && nodes.has(e.to)) };
}

/**
 * Kinds left to right, only the columns in use; when they do not fit the box at a readable size they run in two
 * bands (the second under the first, again left to right); on a narrow screen (a phone) top to bottom.
 */
function elementsOf(graph, width) {
  const vertical = width < 640;
  const used = [...new Set(graph.nodes.map(n => columnOf(n.kind)))].sort((a, b) => a - b);
  const perBand = !vertical && used.length * 190 > width ? Math.ceil(used.length / 2) : used.length;
  const rowsIn = {};
  graph.nodes.forEach(n => { const c = columnOf(n.kind); rowsIn[c] = (rowsIn[c] || 0) + 1; });
  const firstBandRows = Math.max(0, ...used.slice(0, perBand).map(c => rowsIn[c]));
  const rows = {};
  return [
    ...graph.nodes.map(n => {
      const col = columnOf(n.kind);
      const row = rows[col] = (rows[col] ?? -1) + 1;
      const at = used.indexOf(col);
      const band = at < perBand ? 0 : 1;
      const x = (at - band * perBand) * 190;
      const y = band * (firstBandRows * 90 + 60) + row * 90;
      const position = vertical ? { x: row * 180, y: at * 95 } : { x, y };
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
  { selector: 'node[kind = "proxy"], node[kind = "replica"]', style: { 'background-color': '#dff3e4', 'border-color': '#2f855a' } },
  { selector: 'node[kind = "epicnode"]', style: { shape: 'hexagon', 'background-color': '#e0e7ff', 'border-color': '#3730a3' } },
  { selector: 'node[kind = "advert"]', style: { shape: 'tag', 'background-color': '#fef9c3', 'border-color': '#a16207' } },
  { selector: 'node[kind = "tunnel"]', style: { shape: 'barrel', 'background-color': '#f3e8ff', 'border-color': '#7e22ce' } },
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
    const width = box.current.clientWidth;
    // Top to bottom, a kind per row: as tall as the rows need, so the picture is not shrunk to fit.
    box.current.style.height = width < 640 ? `${new Set(graph.nodes.map(n => columnOf(n.kind))).size * 95 + 60}px` : '';
    const wanted = elementsOf(graph, width);
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
