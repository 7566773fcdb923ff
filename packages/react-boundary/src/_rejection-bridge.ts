/**
 * The opt-in bridge from `unhandledrejection` events to boundaries. Every mounted boundary
 * registers; one window listener exists while any is registered. A rejection goes to the
 * deepest boundary whose `captureUnhandledRejections` accepts it (the latest registered among
 * equals), and its default logging is prevented, since the boundary and React report it from
 * then on. Without a boundary that opted in, rejections are left alone.
 */
import type { BoundaryApi } from './_context';

type RejectionTarget = Pick<BoundaryApi, 'depth' | 'accepts' | 'show'>;

const targets: RejectionTarget[] = [];

function onRejection(event: PromiseRejectionEvent): void {
  let chosen: RejectionTarget | undefined;
  for (const target of targets) {
    if ((!chosen || target.depth >= chosen.depth) && target.accepts(event.reason)) chosen = target;
  }
  if (!chosen) return;
  event.preventDefault();
  chosen.show(event.reason);
}

/** Registers a boundary; returns the function that unregisters it. */
export function registerRejectionTarget(target: RejectionTarget): () => void {
  targets.push(target);
  if (targets.length === 1) addEventListener('unhandledrejection', onRejection);
  return () => {
    targets.splice(targets.indexOf(target), 1);
    if (targets.length === 0) removeEventListener('unhandledrejection', onRejection);
  };
}
