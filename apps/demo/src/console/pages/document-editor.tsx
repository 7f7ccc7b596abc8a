import { KilnConflictError, type KilnDoc } from '@kilndb/server/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage } from '../components/messages.js';
import { failureText, useStudio } from '../context.js';
import { editableText, readDocument } from '../lib/json-text.js';

/** What the editor opened: an existing document (edited under its version) or a new one. */
export type EditTarget = { readonly mode: 'edit'; readonly doc: KilnDoc } | { readonly mode: 'insert' };

interface Conflict {
  readonly mine: Record<string, unknown>;
  readonly current: KilnDoc | undefined;
}

/**
 * A JSON editor for one document. The text is checked as JSON (an object without `_` fields) before anything is
 * sent; saving an edit sends the version it was loaded at, so a concurrent write comes back as a conflict that
 * is shown with the document as it is now.
 */
export function DocumentEditor({ collection, target, onDone }: { collection: string; target: EditTarget; onDone: (message: string) => void }) {
  const studio = useStudio();
  const [key, setKey] = useState(target.mode === 'edit' ? target.doc._key : '');
  const [text, setText] = useState(target.mode === 'edit' ? editableText(target.doc) : '{\n  \n}');
  const [version, setVersion] = useState(target.mode === 'edit' ? target.doc._v : 0);
  const [error, setError] = useState<string>();
  const [conflict, setConflict] = useState<Conflict>();
  const [busy, setBusy] = useState(false);
  const check = readDocument(text);
  const editing = target.mode === 'edit';
  const keyInput = useRef<HTMLInputElement>(null);
  const textInput = useRef<HTMLTextAreaElement>(null);
  // Opening a document moves the keyboard to it: the text for an edit, the key for an insert.
  useEffect(() => {
    (editing ? textInput.current : keyInput.current)?.focus();
  }, []);

  const save = async (ifVersion: number): Promise<void> => {
    const read = readDocument(text);
    if (!read.ok) {
      setError(read.error);
      return;
    }
    if (key.trim() === '') {
      setError('Give the document a key');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const ack = await studio.client.collection(collection).put(key, read.value, { ifVersion });
      setConflict(undefined);
      onDone(`Saved ${key} (v${ack._v}).`);
    } catch (failure) {
      if (failure instanceof KilnConflictError) {
        setConflict({ mine: read.value, current: await studio.client.collection(collection).get(key).catch(() => undefined) });
      } else setError(failureText(studio, failure));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (): Promise<void> => {
    setBusy(true);
    try {
      const deleted = await studio.client.collection(collection).delete(key, { ifVersion: version });
      onDone(deleted ? `Deleted ${key}.` : `${key} was already gone.`);
    } catch (failure) {
      if (failure instanceof KilnConflictError) {
        setConflict({ mine: check.ok ? check.value : {}, current: await studio.client.collection(collection).get(key).catch(() => undefined) });
      } else setError(failureText(studio, failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="editor" aria-labelledby="editor-heading">
      <h2 id="editor-heading">{editing ? `Edit ${key}` : 'Insert a document'}</h2>
      {conflict === undefined ? null : (
        <div class="conflict" role="alert">
          <h3>Version conflict</h3>
          {conflict.current === undefined ? (
            <p>
              {editing ? `${key} was deleted by someone else after you opened it.` : `${key} was created by someone else meanwhile.`}
            </p>
          ) : (
            <>
              <p>
                {editing
                  ? `${key} changed since you opened it: you edited version ${version}, it is now version ${conflict.current._v}.`
                  : `A document with key ${key} already exists (version ${conflict.current._v}).`}{' '}
                Your edit was not saved. The document as it is now:
              </p>
              <pre class="current-doc">{JSON.stringify(conflict.current, null, 2)}</pre>
            </>
          )}
          <div class="actions">
            {conflict.current === undefined ? null : (
              <button
                type="button"
                onClick={() => {
                  const current = conflict.current;
                  if (current === undefined) return;
                  setText(editableText(current));
                  setVersion(current._v);
                  setConflict(undefined);
                }}
              >
                Load the current version
              </button>
            )}
            <button type="button" class="danger" disabled={busy} onClick={() => void save(conflict.current?._v ?? 0)}>
              Overwrite with my edit
            </button>
          </div>
        </div>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save(version);
        }}
      >
        <label for="doc-key">Key</label>
        <input id="doc-key" ref={keyInput} value={key} readOnly={editing} required pattern="[A-Za-z0-9_.\-]{1,256}" onInput={(e) => { setKey(e.currentTarget.value); }} />
        {editing ? <p class="hint">Version {version}: saving replaces the document only if nobody changed it since.</p> : null}
        <label for="doc-json">Document (JSON)</label>
        <textarea
          id="doc-json"
          ref={textInput}
          rows={12}
          spellcheck={false}
          value={text}
          aria-invalid={!check.ok}
          aria-describedby="doc-json-check"
          onInput={(e) => { setText(e.currentTarget.value); }}
        />
        <p id="doc-json-check" class={check.ok ? 'hint' : 'error'}>
          {check.ok ? 'Valid JSON.' : check.error}
        </p>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {editing ? 'Save' : 'Insert'}
          </button>
          {editing ? (
            <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
              Delete
            </button>
          ) : null}
          <button type="button" class="secondary" onClick={() => { onDone(''); }}>
            Close
          </button>
        </div>
        <ErrorMessage text={error} />
      </form>
    </section>
  );
}
