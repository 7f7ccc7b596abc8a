import type { KilnDoc } from '@kilndb/server/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage, Notice } from '../components/messages.js';
import { failureText, useStudio } from '../context.js';
import { useThrottled, useFeed } from '../hooks.js';
import { cellText } from '../lib/format.js';
import { hrefOf } from '../lib/route.js';
import { DocumentEditor, type EditTarget } from './document-editor.js';

const PAGE_SIZE = 20;

/** One collection, a page at a time; each document opens in the editor; writes by others refresh the page. */
export function CollectionPage({ name }: { name: string }) {
  const studio = useStudio();
  const [offset, setOffset] = useState(0);
  /** The page shown, with the offset it was read at (the offset may already point at the next one). */
  const [shown, setShown] = useState<{ offset: number; docs: KilnDoc[] }>();
  const [total, setTotal] = useState<number>();
  const [target, setTarget] = useState<EditTarget>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState('');
  const wanted = useRef(offset);
  wanted.current = offset;

  const fetchPage = async (): Promise<void> => {
    const at = wanted.current;
    try {
      const [docs, stats] = await Promise.all([studio.client.collection(name).list({ limit: PAGE_SIZE, offset: at }), studio.client.stats()]);
      if (at !== wanted.current) return; // a newer page was asked for meanwhile
      setShown({ offset: at, docs });
      setTotal(stats.collections[name]?.count ?? 0);
      setError(undefined);
    } catch (failure) {
      setError(failureText(studio, failure));
    }
  };
  // Paging is answered at once; refreshes after writes elsewhere at most once a second.
  useEffect(() => {
    void fetchPage();
  }, [offset]);
  const refresh = useThrottled(fetchPage, 1000);
  useFeed((item) => {
    if (item.collection === name) refresh();
  });

  const open = async (key: string): Promise<void> => {
    try {
      const doc = await studio.client.collection(name).get(key);
      if (doc === undefined) setNotice(`${key} no longer exists.`);
      else setTarget({ mode: 'edit', doc });
    } catch (failure) {
      setError(failureText(studio, failure));
    }
  };

  const docs = shown?.docs;
  const from = shown?.offset ?? 0;
  const last = from + (docs?.length ?? 0);
  return (
    <div class="collection">
      <h1>
        Collection <code>{name}</code>
      </h1>
      <p class="toolbar">
        <button type="button" onClick={() => { setTarget({ mode: 'insert' }); }}>
          Insert document
        </button>
        <a href={hrefOf({ page: 'query', collection: name })}>Query this collection</a>
      </p>
      {notice === '' ? null : <Notice>{notice}</Notice>}
      <ErrorMessage text={error} />
      <div class="split">
        <section aria-labelledby="docs-heading">
          <h2 id="docs-heading">
            Documents {docs === undefined ? '' : `${docs.length === 0 ? 0 : from + 1}–${last}${total === undefined ? '' : ` of ${total}`}`}
          </h2>
          {docs === undefined ? (
            <p>Loading…</p>
          ) : docs.length === 0 ? (
            <p>No documents on this page.</p>
          ) : (
            <div class="table-wrap">
              <table class="docs">
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col" class="num">
                      Version
                    </th>
                    <th scope="col">Fields</th>
                  </tr>
                </thead>
                <tbody>
                  {docs.map((doc) => (
                    <tr key={doc._key}>
                      <td>
                        <button type="button" class="link" onClick={() => void open(doc._key)} aria-label={`Open ${doc._key}`}>
                          {doc._key}
                        </button>
                      </td>
                      <td class="num">{doc._v}</td>
                      <td class="preview">{preview(doc)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav class="pager" aria-label="Pages of documents">
            <button type="button" disabled={offset === 0} onClick={() => { setOffset(Math.max(0, offset - PAGE_SIZE)); }}>
              Previous page
            </button>
            <button type="button" disabled={total === undefined || offset + PAGE_SIZE >= total} onClick={() => { setOffset(offset + PAGE_SIZE); }}>
              Next page
            </button>
          </nav>
        </section>
        {target === undefined ? null : (
          <DocumentEditor
            key={target.mode === 'edit' ? `${target.doc._key}@${target.doc._v}` : 'new'}
            collection={name}
            target={target}
            onDone={(message) => {
              setTarget(undefined);
              setNotice(message);
              void fetchPage();
            }}
          />
        )}
      </div>
    </div>
  );
}

function preview(doc: KilnDoc): string {
  const text = Object.entries(doc)
    .filter(([field]) => !field.startsWith('_'))
    .map(([field, value]) => `${field}: ${cellText(value)}`)
    .join(', ');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
