import type { KilnClient } from '@kilndb/server/client';
import { KilnAuthError } from '@kilndb/server/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { errorText } from './lib/format.js';
import type { LiveFeed } from './lib/live-feed.js';

/** What every page of a logged-in console needs. */
export interface Studio {
  readonly client: KilnClient;
  readonly feed: LiveFeed;
  readonly user: string;
  /** The token was refused (expired, revoked): back to the login form. */
  readonly authLost: (message: string) => void;
}

export const StudioContext = createContext<Studio | undefined>(undefined);

export function useStudio(): Studio {
  const studio = useContext(StudioContext);
  if (studio === undefined) throw new Error('useStudio outside a logged-in console');
  return studio;
}

/** The text to show for a failed call; a refused token (401) logs out instead. */
export function failureText(studio: Studio, error: unknown): string {
  if (error instanceof KilnAuthError && error.status === 401) studio.authLost('Your session ended; log in again.');
  return errorText(error);
}
