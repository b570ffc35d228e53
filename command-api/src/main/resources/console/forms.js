// Forms whose errors come from the API: a 4xx names the field by its JSON path (listeners[0].port); the error is
// shown next to the input that owns that path, or above the form when no input does.
import { h } from 'preact';
import { useState } from 'preact/hooks';

/** The input that owns an API field path: the longest declared name that is the path or a prefix of it. */
export function ownerOf(path, names) {
  if (!path) return null;
  let best = null;
  for (const name of names) {
    if (path === name || path.startsWith(name + '[') || path.startsWith(name + '.')) {
      if (!best || name.length > best.length) best = name;
    }
  }
  return best;
}

/**
 * A form: `fields` are [{name, label, type?, options?, rows?, hint?, secret?}], `submit(values)` calls the API. An
 * ApiError lands next to its field; anything else above the form. A secret field (a private key) is emptied once
 * the API took it, so it does not stay in the page.
 */
export function Form({ id, title, fields, initial = {}, submit, submitLabel = 'Save', onDone }) {
  const [values, setValues] = useState(() => Object.fromEntries(fields.map(f => [f.name, initial[f.name] ?? f.value ?? ''])));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const owner = error ? ownerOf(error.field, fields.map(f => f.name)) : null;
  const onSubmit = async (ev) => {
    ev.preventDefault();
    setBusy(true); setError(null); setDone(null);
    try {
      const result = await submit(values);
      setDone(result?.aggregateId ? `Saved ${result.aggregateId} (version ${result.version})` : result?.message || 'Saved');
      const secrets = fields.filter(f => f.secret);
      if (secrets.length) setValues(v => ({ ...v, ...Object.fromEntries(secrets.map(f => [f.name, ''])) }));
      onDone && onDone(result);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return h('form', { id, class: 'card form', onSubmit, novalidate: true },
    h('h3', null, title),
    error && !owner && h('p', { class: 'error', role: 'alert', id: `${id}-error` }, error.message),
    done && h('p', { class: 'ok', role: 'status' }, done),
    fields.map(f => {
      const fieldId = `${id}-${f.name}`;
      const mine = owner === f.name;
      const set = (v) => setValues({ ...values, [f.name]: v });
      const common = {
        id: fieldId, name: f.name, 'aria-invalid': mine ? 'true' : 'false',
        'aria-describedby': mine ? `${fieldId}-error` : (f.hint ? `${fieldId}-hint` : undefined),
      };
      let input;
      if (f.options) {
        input = h('select', { ...common, value: values[f.name], onChange: e => set(e.target.value) },
          f.options.map(o => h('option', { value: o }, o)));
      } else if (f.type === 'checkbox') {
        input = h('input', { ...common, type: 'checkbox', checked: !!values[f.name], onChange: e => set(e.target.checked) });
      } else if (f.rows) {
        input = h('textarea', { ...common, rows: f.rows, spellcheck: false, autocomplete: 'off', value: values[f.name], onInput: e => set(e.target.value) });
      } else {
        input = h('input', { ...common, type: f.type || 'text', value: values[f.name], onInput: e => set(e.target.value) });
      }
      return h('div', { class: 'field' + (mine ? ' invalid' : '') },
        h('label', { for: fieldId }, f.label),
        input,
        f.hint && h('small', { id: `${fieldId}-hint` }, f.hint),
        mine && h('p', { class: 'error field-error', role: 'alert', id: `${fieldId}-error` },
          (error.field !== f.name ? error.field + ': ' : '') + error.message));
    }),
    h('button', { type: 'submit', disabled: busy }, busy ? 'Saving…' : submitLabel));
}

export const list = (text) => String(text).split(/[\s,]+/).map(s => s.trim()).filter(Boolean);

/** JSON typed by a person: a parse error is reported on that field like an API error. */
export function parseJson(text, field) {
  try {
    return JSON.parse(text);
  } catch (e) {
    const err = new Error('not valid JSON: ' + e.message);
    err.field = field;
    throw err;
  }
}
