/**
 * `@arm/react-boundary/optimistic`: optimistic updates that roll back on error and surface the
 * typed error to the caller or the nearest boundary.
 *
 * @packageDocumentation
 */
export { useOptimisticMutation } from './use-optimistic-mutation';
export type {
  MutationResult,
  OptimisticMutation,
  OptimisticMutationOptions,
} from './use-optimistic-mutation';
