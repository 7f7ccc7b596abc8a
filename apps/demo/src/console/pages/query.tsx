import { KilnNotFoundError } from '@kilndb/server/client';
import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/messages.js';
import { ResultsTable } from '../components/results-table.js';
import { failureText, useStudio } from '../context.js';
import { curlCommand } from '../lib/curl.js';
import { buildQuery, resultRows, type QueryForm } from '../lib/query-form.js';
import { serverOrigin } from '../lib/session.js';

const EXAMPLE: Omit<QueryForm, 'collection'> = {
  where: '{ "in_stock": true }',
  sort: '[{ "field": "price", "order": "desc" }]',
  fields: 'brand, model, price',
  joins: '[{ "ram": { "from": "memory", "on": "memory_id", "fields": ["capacity_gb", "type"] } }]',
  count: '10',
  offset: '',
};

/** MoltenDB's query language as a form: run it, see the rows as a table or JSON, copy it as `curl`. */
export function QueryPage({ initialCollection }: { initialCollection: string | undefined }) {
  const studio = useStudio();
  const [names, setNames] = useState<string[]>([]);
  const [form, setForm] = useState<QueryForm>({ collection: initialCollection ?? '', ...EXAMPLE });
  const [view, setView] = useState<'table' | 'json'>('table');
  const [result, setResult] = useState<{ rows: Record<string, unknown>[]; ms: number }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    studio.client.collections().then(
      (list) => {
        const sorted = list.sort();
        setNames(sorted);
        setForm((current) => (current.collection === '' ? { ...current, collection: sorted.includes('laptops') ? 'laptops' : (sorted[0] ?? '') } : current));
      },
      (failure: unknown) => { setError(failureText(studio, failure)); },
    );
  }, [studio]);

  const built = buildQuery(form);
  const set = (field: keyof QueryForm) => (event: { currentTarget: { value: string } }) => { setForm({ ...form, [field]: event.currentTarget.value }); };

  const run = async (): Promise<void> => {
    if (!built.ok) {
      setError(built.error);
      return;
    }
    setBusy(true);
    setError(undefined);
    const started = performance.now();
    try {
      const rows = resultRows(await studio.client.get(built.body as { collection: string }));
      setResult({ rows, ms: performance.now() - started });
    } catch (failure) {
      if (failure instanceof KilnNotFoundError) setResult({ rows: [], ms: performance.now() - started });
      else setError(failureText(studio, failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="query">
      <h1>Query</h1>
      <form
        class="query-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <div class="field wide">
          <label for="q-collection">Collection</label>
          <select id="q-collection" value={form.collection} onChange={set('collection')}>
            {form.collection !== '' && !names.includes(form.collection) ? <option value={form.collection}>{form.collection}</option> : null}
            {names.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="q-count">Count</label>
          <input id="q-count" inputMode="numeric" value={form.count} onInput={set('count')} />
        </div>
        <div class="field">
          <label for="q-offset">Offset</label>
          <input id="q-offset" inputMode="numeric" value={form.offset} onInput={set('offset')} />
        </div>
        <div class="field wide">
          <label for="q-where">Where (JSON)</label>
          <textarea id="q-where" rows={3} spellcheck={false} value={form.where} onInput={set('where')} />
        </div>
        <div class="field wide">
          <label for="q-sort">Sort (JSON)</label>
          <textarea id="q-sort" rows={2} spellcheck={false} value={form.sort} onInput={set('sort')} />
        </div>
        <div class="field wide">
          <label for="q-fields">Fields (comma-separated)</label>
          <input id="q-fields" value={form.fields} onInput={set('fields')} />
        </div>
        <div class="field wide">
          <label for="q-joins">Joins (JSON)</label>
          <textarea id="q-joins" rows={3} spellcheck={false} value={form.joins} onInput={set('joins')} />
        </div>
        <div class="actions wide">
          <button type="submit" disabled={busy}>
            Run query
          </button>
          <fieldset class="inline">
            <legend>Show results as</legend>
            <label>
              <input type="radio" name="view" checked={view === 'table'} onChange={() => { setView('table'); }} /> Table
            </label>
            <label>
              <input type="radio" name="view" checked={view === 'json'} onChange={() => { setView('json'); }} /> JSON
            </label>
          </fieldset>
        </div>
      </form>
      <ErrorMessage text={error ?? (built.ok ? undefined : built.error)} />
      {result === undefined ? null : (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading">
            Results: {result.rows.length} {result.rows.length === 1 ? 'document' : 'documents'} in {result.ms.toFixed(0)} ms
          </h2>
          {result.rows.length === 0 ? (
            <p>No documents found.</p>
          ) : view === 'table' ? (
            <ResultsTable docs={result.rows} caption="Query results" />
          ) : (
            <pre class="json" tabIndex={0} aria-label="Query results as JSON">
              {JSON.stringify(result.rows, null, 2)}
            </pre>
          )}
        </section>
      )}
      <section aria-labelledby="curl-heading">
        <h2 id="curl-heading">As a curl command</h2>
        <pre class="curl" data-testid="curl">
          {built.ok ? curlCommand(serverOrigin(), 'POST', '/get', built.body) : '(fix the query first)'}
        </pre>
        <p class="hint">
          Set <code>KILNDB_TOKEN</code> to a token from <code>POST /login</code> first.
        </p>
      </section>
    </div>
  );
}
