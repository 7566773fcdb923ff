import type { Algorithm } from '../policy';
import { fixedWindow } from './fixed-window';
import { gcra } from './gcra';
import { slidingWindow } from './sliding-window';
import { tokenBucket } from './token-bucket';
import type { AlgorithmImpl } from './types';

/** Every algorithm by name. */
export const ALGORITHM_IMPLS: Readonly<Record<Algorithm, AlgorithmImpl>> = {
  'fixed-window': fixedWindow,
  'sliding-window': slidingWindow,
  'token-bucket': tokenBucket,
  gcra,
};
