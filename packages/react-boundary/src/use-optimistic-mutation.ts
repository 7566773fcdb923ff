/**
 * `useOptimisticMutation`: shows a change at once, runs the mutation, and on failure rolls
 * back exactly that change (other pending changes stay) and surfaces the error as an AppError,
 * to the caller and, when asked, to the nearest error boundary. Works with React 18 and 19,
 * outside transitions.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { toAppError } from '@arm/errors';
import type { AppError } from '@arm/errors';

/** The outcome of one mutation; `mutate` resolves to it and never rejects. */
export type MutationResult<R> =
  | {
      /** The mutation succeeded. */
      readonly ok: true;
      /** What the mutation resolved to. */
      readonly value: R;
    }
  | {
      /** The mutation failed and its change was rolled back. */
      readonly ok: false;
      /** Why, normalised to an AppError. */
      readonly error: AppError;
    };

/** Options of {@link useOptimisticMutation}. */
export interface OptimisticMutationOptions<T, I, R> {
  /** The confirmed value (server state); when it changes it becomes the new base. */
  readonly value: T;
  /**
   * Applies a change optimistically; must be pure, it is re-applied on each render.
   * @param current - The value to change.
   * @param input - What `mutate` was called with.
   */
  readonly apply: (current: T, input: I) => T;
  /**
   * Performs the change on the server.
   * @param input - What `mutate` was called with.
   * @param signal - Aborted when the component unmounts.
   */
  readonly mutation: (input: I, signal: AbortSignal) => Promise<R>;
  /**
   * The confirmed value after a success.
   * @defaultValue `(confirmed, result, input) => apply(confirmed, input)`
   */
  readonly reconcile?: (confirmed: T, result: R, input: I) => T;
  /**
   * Send failures to the nearest error boundary (the hook throws them while rendering); a
   * function chooses which.
   * @defaultValue `false`
   */
  readonly throwOnError?: boolean | ((error: AppError) => boolean);
  /**
   * Called after a failure was rolled back.
   * @defaultValue none
   */
  readonly onError?: (error: AppError, input: I) => void;
  /**
   * Called after a success.
   * @defaultValue none
   */
  readonly onSuccess?: (result: R, input: I) => void;
}

/** What {@link useOptimisticMutation} returns. */
export interface OptimisticMutation<T, I, R> {
  /** The confirmed value with every pending change applied. */
  readonly value: T;
  /** How many mutations are in flight. */
  readonly pending: number;
  /** The error of the last failed mutation, until `clearError` or the next success. */
  readonly error: AppError | undefined;
  /**
   * Applies the change, runs the mutation, rolls back on failure.
   * @param input - The change.
   * @returns The outcome; never rejects.
   */
  readonly mutate: (input: I) => Promise<MutationResult<R>>;
  /** Forgets the last error. */
  readonly clearError: () => void;
}

interface Pending<I> {
  readonly input: I;
}

/**
 * Optimistic updates with rollback and typed errors.
 *
 * @param options - The confirmed value, how to apply a change, the mutation.
 * @returns The value to show, the pending count, the last error and `mutate`.
 * @example
 * ```tsx
 * function Likes({ post }: { post: { id: string; likes: number } }) {
 *   const { value, mutate, error } = useOptimisticMutation({
 *     value: post.likes,
 *     apply: (likes, by: number) => likes + by,
 *     mutation: (by, signal) => api.like(post.id, by, signal),
 *     reconcile: (_likes, saved) => saved.likes,
 *   });
 *   return (
 *     <button onClick={() => void mutate(1)} title={error?.message}>
 *       {value} likes
 *     </button>
 *   );
 * }
 * ```
 */
export function useOptimisticMutation<T, I, R>(
  options: OptimisticMutationOptions<T, I, R>,
): OptimisticMutation<T, I, R> {
  const latest = useRef(options);
  latest.current = options;
  const [base, setBase] = useState(() => ({ from: options.value, value: options.value }));
  const [pending, setPending] = useState<readonly Pending<I>[]>([]);
  const [error, setError] = useState<AppError>();
  const [thrown, setThrown] = useState<AppError>();
  const controller = useRef<AbortController | null>(null);
  useEffect(() => {
    const current = new AbortController();
    controller.current = current;
    return () => {
      current.abort();
    };
  }, []);

  // A new confirmed value from the caller replaces the base (derived state, during render).
  let confirmed = base.value;
  if (!Object.is(base.from, options.value)) {
    confirmed = options.value;
    setBase({ from: options.value, value: options.value });
  }

  const mutate = useCallback(async (input: I): Promise<MutationResult<R>> => {
    const signal = (controller.current ??= new AbortController()).signal;
    const entry: Pending<I> = { input };
    const settle = () => {
      setPending((list) => list.filter((item) => item !== entry));
    };
    setPending((list) => [...list, entry]);
    try {
      const value = await latest.current.mutation(input, signal);
      if (!signal.aborted) {
        const { reconcile, apply, onSuccess } = latest.current;
        settle();
        setBase((current) => ({
          from: current.from,
          value: reconcile ? reconcile(current.value, value, input) : apply(current.value, input),
        }));
        setError(undefined);
        onSuccess?.(value, input);
      }
      return { ok: true, value };
    } catch (caught) {
      const failure = toAppError(caught);
      if (!signal.aborted) {
        const { throwOnError, onError } = latest.current;
        settle();
        setError(failure);
        onError?.(failure, input);
        if (typeof throwOnError === 'function' ? throwOnError(failure) : throwOnError) {
          setThrown(failure);
        }
      }
      return { ok: false, error: failure };
    }
  }, []);

  const clearError = useCallback(() => {
    setError(undefined);
  }, []);

  if (thrown) throw thrown;
  const { apply } = options;
  return {
    value: pending.reduce((current, item) => apply(current, item.input), confirmed),
    pending: pending.length,
    error,
    mutate,
    clearError,
  };
}
