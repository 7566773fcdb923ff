/**
 * `@arm/react-boundary/testing`: helpers for tests of components that are expected to fail.
 *
 * @packageDocumentation
 */
export { silenceExpectedErrors } from './silence-expected-errors';
export type { ExpectedError } from './silence-expected-errors';
