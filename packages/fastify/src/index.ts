/**
 * `@arm/fastify`: Fastify plugins over the ARM packages. `arm` registers the recommended
 * stack; each feature is also its own subpath (`@arm/fastify/errors`, `/ratelimit`, ...).
 *
 * @packageDocumentation
 */
export { arm } from './arm';
export type { ArmOptions } from './arm';
