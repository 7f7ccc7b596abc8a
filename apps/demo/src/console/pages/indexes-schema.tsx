import { useEffect, useState } from 'preact/hooks';
import { ErrorMessage, Notice } from '../components/messages.js';
import { failureText, useStudio } from '../context.js';
import { readOptionalJson } from '../lib/json-text.js';

/** Secondary indexes and the JSON schema (with TTL and cap) of one collection. */
export function IndexesAndSchema() {
  const studio = useStudio();
  const [names, setNames] = useState<string[]>([]);
  const [collection, setCollection] = useState('');
  const [indexes, setIndexes] = useState<string[]>();
  const [field, setField] = useState('');
  const [schema, setSchema] = useState('');
  const [ttl, setTtl] = useState('');
  const [maxSize, setMaxSize] = useState('');
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState('');

  useEffect(() => {
    studio.client.collections().then(
      (list) => {
        setNames(list.sort());
        setCollection((current) => (current === '' ? (list[0] ?? '') : current));
      },
      (failure: unknown) => { setError(failureText(studio, failure)); },
    );
  }, [studio]);

  const loadIndexes = async (): Promise<void> => {
    if (collection === '') return;
    try {
      setIndexes(await studio.client.collection(collection).indexes());
    } catch (failure) {
      setError(failureText(studio, failure));
    }
  };
  useEffect(() => {
    void loadIndexes();
  }, [collection]);

  const attempt = async (task: () => Promise<string>): Promise<void> => {
    setError(undefined);
    setNotice('');
    try {
      setNotice(await task());
      await loadIndexes();
    } catch (failure) {
      setError(failureText(studio, failure));
    }
  };

  const applySchema = async (remove: boolean): Promise<string> => {
    const read = remove ? { ok: true as const, value: undefined } : readOptionalJson(schema, 'Schema');
    if (!read.ok) throw new Error(read.error);
    if (read.value !== undefined && (typeof read.value !== 'object' || read.value === null)) throw new Error('Schema: a JSON Schema object');
    const options = { ...(ttl.trim() === '' ? {} : { ttl: wholeNumber(ttl, 'TTL') }), ...(maxSize.trim() === '' ? {} : { maxSize: wholeNumber(maxSize, 'Max size') }) };
    // `schema: null` removes the schema (POST /schema); the client's type only admits an object, hence the cast.
    const schemaArg = remove ? (null as unknown as object) : ((read.value ?? undefined));
    await studio.client.setSchema(collection, schemaArg, options);
    return remove ? `Schema removed from ${collection}.` : `Settings applied to ${collection}.`;
  };

  return (
    <section aria-labelledby="indexes-heading" class="panel">
      <h2 id="indexes-heading">Indexes and schema</h2>
      <label for="ix-collection">Collection</label>
      <select id="ix-collection" value={collection} onChange={(e) => { setCollection(e.currentTarget.value); }}>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <h3>Indexes</h3>
      {indexes === undefined ? null : indexes.length === 0 ? (
        <p>No secondary indexes.</p>
      ) : (
        <ul class="indexes">
          {indexes.map((indexed) => (
            <li key={indexed}>
              <code>{indexed}</code>{' '}
              <button type="button" class="secondary" onClick={() => void attempt(async () => `Index on ${indexed} ${(await studio.client.collection(collection).dropIndex(indexed)) ? 'dropped' : 'was not there'}.`)}>
                Drop index {indexed}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void attempt(async () => {
            await studio.client.collection(collection).createIndex(field.trim());
            return `Index on ${field.trim()} created.`;
          });
        }}
      >
        <label for="ix-field">Field to index</label>
        <input id="ix-field" placeholder="price or specs.cpu.cores" required value={field} onInput={(e) => { setField(e.currentTarget.value); }} />
        <button type="submit">Create index</button>
      </form>
      <h3>Schema and limits</h3>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void attempt(() => applySchema(false));
        }}
      >
        <label for="schema-json">JSON Schema (blank: leave the schema as it is)</label>
        <textarea id="schema-json" rows={5} spellcheck={false} placeholder='{ "type": "object", "required": ["brand"] }' value={schema} onInput={(e) => { setSchema(e.currentTarget.value); }} />
        <div class="row">
          <span class="field">
            <label for="schema-ttl">Collection TTL (seconds)</label>
            <input id="schema-ttl" inputMode="numeric" value={ttl} onInput={(e) => { setTtl(e.currentTarget.value); }} />
          </span>
          <span class="field">
            <label for="schema-max">Max size (documents)</label>
            <input id="schema-max" inputMode="numeric" value={maxSize} onInput={(e) => { setMaxSize(e.currentTarget.value); }} />
          </span>
        </div>
        <div class="actions">
          <button type="submit">Apply schema and limits</button>
          <button type="button" class="secondary" onClick={() => void attempt(() => applySchema(true))}>
            Remove schema
          </button>
        </div>
      </form>
      {notice === '' ? null : <Notice>{notice}</Notice>}
      <ErrorMessage text={error} />
    </section>
  );
}

function wholeNumber(text: string, label: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${label}: a whole number of 0 or more, got "${text}"`);
  return value;
}
