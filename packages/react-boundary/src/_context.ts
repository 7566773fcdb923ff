/** The context through which hooks reach the nearest `ErrorBoundary`. */
import { createContext } from 'react';

/** What a boundary offers the hooks below it. */
export interface BoundaryApi {
  /** How many boundaries deep this one is, from 1: the rejection bridge picks the deepest. */
  readonly depth: number;
  /** Shows the boundary's fallback for an error. */
  readonly show: (error: unknown) => void;
  /** Clears the boundary's error. */
  readonly reset: (...args: unknown[]) => void;
  /** Whether the boundary takes an unhandled rejection with this reason. */
  readonly accepts: (reason: unknown) => boolean;
}

/** The nearest boundary, or null outside any. */
export const BoundaryContext = createContext<BoundaryApi | null>(null);
