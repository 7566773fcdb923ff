import type { Algorithm } from '../policy';
import { decideFixedWindow, fixedWindow } from './fixed-window';
import { decideGcra, gcra } from './gcra';
import { decideSlidingWindow, slidingWindow } from './sliding-window';
import { decideTokenBucket, tokenBucket } from './token-bucket';
import type { AlgorithmImpl, Kernel } from './types';

/** Every algorithm by name. */
export const ALGORITHM_IMPLS: Readonly<Record<Algorithm, AlgorithmImpl>> = {
  'fixed-window': fixedWindow,
  'sliding-window': slidingWindow,
  'token-bucket': tokenBucket,
  gcra,
};

/** Every algorithm's kernel by name: the memory store's allocation-free path. */
export const KERNELS: Readonly<Record<Algorithm, Kernel>> = {
  'fixed-window': decideFixedWindow,
  'sliding-window': decideSlidingWindow,
  'token-bucket': decideTokenBucket,
  gcra: decideGcra,
};
