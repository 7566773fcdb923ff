/**
 * `@arm/express`: Express middleware over the ARM packages. `arm` mounts the recommended
 * stack; each feature is also its own subpath (`@arm/express/errors`, `/ratelimit`, ...).
 *
 * @packageDocumentation
 */
export { arm } from './arm';
export type { ArmOptions, ArmStack } from './arm';
