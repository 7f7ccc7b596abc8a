import type { ComponentChildren } from 'preact';

/** An error announced to screen readers as it appears. */
export function ErrorMessage({ text, id }: { text: string | undefined; id?: string }) {
  if (text === undefined || text === '') return null;
  return (
    <p class="error" role="alert" id={id}>
      {text}
    </p>
  );
}

/** A quiet status line (saved, compacted, ...), read out politely. */
export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}
