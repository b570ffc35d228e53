// The audit timeline of one account: its events newest first with actor and time (GET /audit), two instants picked
// from it, what changed between them field by field (GET /audit/diff) and, for a gateway, the Envoy configuration
// derived at each instant side by side as a line diff (GET /audit/replay); and the hash chain checked (GET /audit/verify).
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, enc, listAll } from './api.js';

const actorText = (a) => a ? `${a.kind === 'USER' ? '' : a.kind.toLowerCase() + ' '}${a.id}` : '';

/** Lines only in a, only in b, or in both (LCS), for two short texts. */
export function lineDiff(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  const n = x.length, m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--)
    lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { out.push([' ', x[i]]); i++; j++; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) { out.push(['+', y[j]]); j++; }
    else { out.push(['-', x[i]]); i++; }
  }
  return out;
}

export function Timeline({ account }) {
  const [events, setEvents] = useState(null);
  const [error, setError] = useState(null);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [gateway, setGateway] = useState('');
  const [gateways, setGateways] = useState([]);
  const [diff, setDiff] = useState(null);
  const [envoy, setEnvoy] = useState(null);
  const [verify, setVerify] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    get(`/audit?account=${enc(account)}&limit=200`).then(p => setEvents(p.items)).catch(setError);
    listAll(`/accounts/${enc(account)}/gateways`).then(setGateways).catch(() => setGateways([]));
  }, [account]);
  const showDiff = async (ev) => {
    ev.preventDefault();
    setBusy(true); setError(null); setDiff(null); setEnvoy(null);
    try {
      const scope = `account=${enc(account)}` + (gateway ? `&gateway=${enc(gateway)}` : '');
      setDiff(await get(`/audit/diff?from=${enc(from)}&to=${enc(to)}&${scope}`));
      if (gateway) {
        const [a, b] = await Promise.all([from, to].map(t => get(`/audit/replay?at=${enc(t)}&${scope}`)));
        const cfg = (r) => JSON.stringify(r.gateways[0]?.envoy ?? null, null, 2);
        setEnvoy(lineDiff(cfg(a), cfg(b)));
      }
    } catch (e) { setError(e); } finally { setBusy(false); }
  };
  const check = async () => {
    setVerify({ running: true });
    try { setVerify(await get(`/audit/verify?account=${enc(account)}`)); } catch (e) { setVerify({ error: e.message }); }
  };
  return h('section', { class: 'timeline' },
    h('h2', null, `Timeline of ${account}`),
    error && h('p', { class: 'error', role: 'alert' }, error.message),
    h('div', { class: 'card' },
      h('button', { id: 'verify-chain', onClick: check }, 'Verify the hash chain'),
      verify && h('p', { id: 'verify-result', role: 'status', class: verify.intact ? 'ok' : verify.running ? '' : 'error' },
        verify.running ? 'Checking every event…' : verify.error ? verify.error
          : verify.intact ? `Intact: ${verify.eventsChecked} events of ${verify.aggregates} aggregates, every link and seal holds.`
            : `Broken at ${verify.firstBreak.position} (${verify.firstBreak.aggregateId} #${verify.firstBreak.sequence}): ${verify.firstBreak.reason}`)),
    h('form', { class: 'card diff-form', onSubmit: showDiff },
      h('h3', null, 'Compare two instants'),
      h('div', { class: 'row' },
        h('div', { class: 'field' }, h('label', { for: 'diff-from' }, 'From (ISO instant)'),
          h('input', { id: 'diff-from', value: from, onInput: e => setFrom(e.target.value), placeholder: '2026-12-04T16:00:00Z' })),
        h('div', { class: 'field' }, h('label', { for: 'diff-to' }, 'To (ISO instant)'),
          h('input', { id: 'diff-to', value: to, onInput: e => setTo(e.target.value) })),
        h('div', { class: 'field' }, h('label', { for: 'diff-gateway' }, 'Gateway (Envoy config diff)'),
          h('select', { id: 'diff-gateway', value: gateway, onChange: e => setGateway(e.target.value) },
            h('option', { value: '' }, 'whole account'),
            gateways.map(g => h('option', { value: `${g.spec.namespace}/${g.spec.name}` }, `${g.spec.namespace}/${g.spec.name}`))))),
      h('button', { type: 'submit', id: 'show-diff', disabled: busy || !from || !to }, busy ? 'Folding the log…' : 'Show the diff')),
    diff && h('div', { class: 'card', id: 'diff-result' },
      h('h3', null, `${diff.changes.length} change(s) between ${diff.from} and ${diff.to}`),
      diff.changes.map(c => h('div', { class: 'change', 'data-aggregate': c.aggregateId },
        h('h4', null, `${c.aggregateId}: ${c.change} (v${c.fromVersion} → v${c.toVersion})`),
        h('table', null, h('thead', null, h('tr', null, h('th', null, 'field'), h('th', null, 'before'), h('th', null, 'after'))),
          h('tbody', null, c.fields.map(f => h('tr', null, h('td', null, h('code', null, f.path)),
            h('td', { class: 'before' }, JSON.stringify(f.before)), h('td', { class: 'after' }, JSON.stringify(f.after)))))),
        h('p', { class: 'muted' }, c.causes.map(x => `${x.event} by ${x.actor} at ${x.at}`).join('; '))))),
    envoy && h('div', { class: 'card', id: 'envoy-diff' },
      h('h3', null, `Envoy configuration of ${gateway}: ${envoy.filter(l => l[0] !== ' ').length} changed line(s)`),
      h('pre', { class: 'linediff' }, envoy.map(([k, line]) => h('span', { class: k === '+' ? 'add' : k === '-' ? 'del' : '' }, `${k} ${line}\n`)))),
    h('div', { class: 'card' },
      h('h3', null, 'Events, newest first'),
      !events ? h('p', null, 'Loading…') : h('table', { id: 'events', class: 'events' },
        h('thead', null, h('tr', null, ['time', 'event', 'aggregate', 'actor', 'pick'].map(t => h('th', null, t)))),
        h('tbody', null, events.map(e => h('tr', { 'data-type': e.type, 'data-at': e.timestamp },
          h('td', null, h('time', { datetime: e.timestamp }, e.timestamp.replace('T', ' ').replace('Z', ''))),
          h('td', null, e.type),
          h('td', null, `${e.aggregateId} #${e.sequence}`),
          h('td', null, actorText(e.actor)),
          h('td', { class: 'pick' },
            h('button', { class: 'small pick-from', title: 'compare from just before this event', onClick: () => setFrom(new Date(Date.parse(e.timestamp) - 1).toISOString()) }, 'from'),
            h('button', { class: 'small pick-to', title: 'compare up to and with this event', onClick: () => setTo(e.timestamp) }, 'to'))))))));
}
