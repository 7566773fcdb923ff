/**
 * The shared state behind a root cache and all its namespaces: the lru-cache tier, the
 * in-flight loads, tag and bus invalidation, and the conversions between in-process entries
 * and the envelopes stored in the shared tier.
 *
 * Freshness is decided here, not by lru-cache: each entry carries its own deadlines (fresh,
 * stale-while-revalidate, stale-if-error), lru-cache only bounds the tier, and an entry past
 * its last deadline is dropped when read (or evicted by the bound before that).
 */
import { AbortedError } from '@arm/errors';
import { LRUCache } from 'lru-cache';
import { checkFraction, checkMs } from './_validate';
import type { CacheOptions, EntryOptions, GetOrSetOptions, MemoryOptions } from './cache';
import { estimateSize } from './estimate-size';
import { emit } from './hooks';
import type { CacheHooks, CacheOperation } from './hooks';
import type { RemoteTier } from './remote-tier';

/** Longest timer Node accepts (about 24.8 days); longer TTLs are clamped to it. */
const MAX_TTL = 2_147_483_647;
/** Above this many invalidated tags the in-process tier is reset instead of growing. */
const MAX_TRACKED_TAGS = 10_000;
/**
 * The options of the in-process reads that go through `read`. lru-cache writes `status` into
 * the options object of each `get`; its default is a new object per call, which cost that path
 * about a quarter of its instructions (counted with callgrind). It holds nothing between
 * reads. The common hit in `cache.ts` passes no options: there the optimizing compiler inlines
 * lru-cache's `get` and removes the object.
 */
const GET_OPTIONS: LRUCache.GetOptions<string, Entry, unknown> = {};

/** One cached value with its deadlines, as kept in the process. */
export interface Entry {
  readonly value: unknown;
  /** Fresh until (ms). */
  readonly fresh: number;
  /** Stale-while-revalidate until. */
  readonly swr: number;
  /** Stale-if-error until. */
  readonly sie: number;
  /** When the entry is of no more use: the latest of the three deadlines. */
  readonly end: number;
  /** When this process stored it. */
  readonly stored: number;
  /** Write sequence in this process: tag and bus invalidations compare against it. */
  readonly seq: number;
  readonly tags: readonly string[] | undefined;
  /** How long the load took, for early refresh. */
  readonly loadMs: number;
}

/** The stored envelope in the shared tier. */
export interface Envelope {
  readonly v: unknown;
  readonly f: number;
  readonly w: number;
  readonly e: number;
  readonly t?: readonly string[];
  readonly d: number;
}

export interface BusMessage {
  readonly i: string;
  readonly o: 'drop' | 'tags' | 'clear';
  readonly k: readonly string[];
}

export interface Resolved {
  readonly ttl: number;
  readonly swr: number;
  readonly sie: number;
  readonly negativeTtl: number;
  readonly jitter: number;
}

export function checkEntryOptions(options: EntryOptions & GetOrSetOptions): void {
  checkMs('ttl', options.ttl, false);
  checkMs('staleWhileRevalidate', options.staleWhileRevalidate, true);
  checkMs('staleIfError', options.staleIfError, true);
  checkMs('negativeTtl', options.negativeTtl, false);
  checkFraction('jitter', options.jitter, 1);
  checkMs('softTimeout', options.softTimeout, true);
  checkMs('hardTimeout', options.hardTimeout, false);
  checkFraction('earlyRefresh', options.earlyRefresh, 100);
}

export function abortError(signal: AbortSignal): AbortedError {
  return new AbortedError('[@arm/cache] the call was aborted', { cause: signal.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

let cachedNow = 0;

/**
 * `Date.now()`, read at most once per millisecond (as lru-cache does with `ttlResolution`):
 * the hit path would otherwise spend a good part of its time reading the clock.
 */
function coarseNow(): number {
  if (cachedNow === 0) {
    cachedNow = Date.now();
    const timer = setTimeout(() => {
      cachedNow = 0;
    }, 1);
    (timer as { unref?: () => void }).unref?.();
  }
  return cachedNow;
}

/** The shared state of a root cache and all its namespaces. */
export class Core {
  readonly memory: LRUCache<string, Entry>;
  readonly inflight = new Map<string, Promise<unknown>>();
  readonly tagSeq = new Map<string, number>();
  readonly leaseWaiters = new Map<string, Set<() => void>>();
  readonly id = Math.random().toString(36).slice(2) + Date.now().toString(36);
  seq = 0;
  /** Entries with a seq at or below this are stale (set when the bus reconnects). */
  staleBeforeSeq = 0;
  busUp: boolean;
  busWasUp = false;
  unsubscribe: (() => Promise<void>) | undefined;

  readonly defaults: Resolved;
  readonly hardTimeout: number | undefined;
  readonly earlyRefresh: number;
  readonly leaseTtl: number;
  readonly leasePollInterval: number;
  readonly busDownTtl: number;
  readonly hooks: Partial<CacheHooks>;
  readonly now: () => number;
  readonly random: () => number;
  readonly remote: RemoteTier | undefined;

  constructor(options: CacheOptions) {
    this.defaults = {
      ttl: options.ttl ?? 60_000,
      swr: options.staleWhileRevalidate ?? 0,
      sie: options.staleIfError ?? 0,
      negativeTtl: options.negativeTtl ?? 5_000,
      jitter: options.jitter ?? 0,
    };
    this.hardTimeout = options.hardTimeout;
    this.earlyRefresh = options.earlyRefresh ?? 0;
    this.leaseTtl = options.leaseTtl ?? 5_000;
    this.leasePollInterval = options.leasePollInterval ?? 25;
    this.busDownTtl = options.busDownTtl ?? 1_000;
    this.hooks = options.hooks ?? {};
    this.now = options.now ?? coarseNow;
    this.random = options.random ?? Math.random;
    this.remote = options.remote;
    this.busUp = this.remote?.bus !== true;
    this.memory = this.createMemory(options.memory ?? {});
    if (this.remote?.bus === true) {
      this.unsubscribe = this.remote.subscribe(
        (message) => {
          this.onBusMessage(message);
        },
        (up, error) => {
          this.onBusStatus(up, error);
        },
      );
    }
  }

  private createMemory(options: MemoryOptions): LRUCache<string, Entry> {
    const { max, maxSize, sizeCalculation } = options;
    const evicted = this.hooks.evicted;
    const calculate = sizeCalculation ?? estimateSize;
    const lruOptions = {
      ...(max === undefined && maxSize === undefined ? { max: 10_000 } : {}),
      ...(max === undefined ? {} : { max }),
      ...(maxSize === undefined
        ? {}
        : { maxSize, sizeCalculation: (entry: Entry, key: string) => calculate(entry.value, key) }),
      ...(evicted === undefined
        ? {}
        : {
            dispose: (_entry: Entry, key: string, reason: LRUCache.DisposeReason) => {
              if (reason === 'evict') emit(this.hooks, 'evicted', { key, reason });
            },
          }),
    } as LRUCache.Options<string, Entry, unknown>;
    return new LRUCache<string, Entry>(lruOptions);
  }

  /** Reports a non-fatal failure. */
  fail(operation: CacheOperation, error: unknown, key?: string): void {
    emit(this.hooks, 'error', key === undefined ? { error, operation } : { error, operation, key });
  }

  /** The in-process entry, unless a tag invalidated it. */
  read(full: string, now: number): Entry | undefined {
    const entry = this.memory.get(full, GET_OPTIONS);
    return entry === undefined ? undefined : this.check(full, entry, now);
  }

  /** `entry`, read from the process at `full`, unless it expired or a tag invalidated it. */
  check(full: string, entry: Entry, now: number): Entry | undefined {
    if (now >= entry.end) {
      // lru-cache keeps no TTLs of its own (its `get` stays cheap); expired entries go here
      // or when the LRU bound evicts them.
      this.memory.delete(full);
      if (this.hooks.evicted !== undefined)
        emit(this.hooks, 'evicted', { key: full, reason: 'expire' });
      return undefined;
    }
    if (entry.tags === undefined) return entry;
    for (const tag of entry.tags) {
      const seq = this.tagSeq.get(tag);
      if (seq !== undefined && seq >= entry.seq) {
        this.memory.delete(full);
        return undefined;
      }
    }
    return entry;
  }

  isFresh(entry: Entry, now: number): boolean {
    return (
      now < entry.fresh &&
      entry.seq > this.staleBeforeSeq &&
      (this.busUp || now < entry.stored + this.busDownTtl)
    );
  }

  /** Stores an entry in the process, unless it is already past its last deadline. */
  store(full: string, entry: Entry): void {
    if (entry.end > entry.stored) this.memory.set(full, entry);
  }

  /** Builds and stores an entry; returns it for the shared tier. */
  remember(full: string, value: unknown, options: EntryOptions, loadMs: number): Entry {
    const d = this.defaults;
    const now = this.now();
    const jitter = options.jitter ?? d.jitter;
    let ttl = options.ttl ?? (value === null ? (options.negativeTtl ?? d.negativeTtl) : d.ttl);
    ttl = Math.min(ttl, MAX_TTL);
    if (jitter > 0) ttl = Math.max(1, Math.round(ttl * (1 - this.random() * jitter)));
    const fresh = now + ttl;
    const entry: Entry = {
      value,
      fresh,
      swr: fresh + (options.staleWhileRevalidate ?? d.swr),
      sie: fresh + (options.staleIfError ?? d.sie),
      end: fresh + Math.max(options.staleWhileRevalidate ?? d.swr, options.staleIfError ?? d.sie),
      stored: now,
      seq: ++this.seq,
      tags: options.tags && options.tags.length > 0 ? options.tags : undefined,
      loadMs,
    };
    this.store(full, entry);
    return entry;
  }

  /** Writes an entry to the shared tier (errors go to the hook). */
  async writeRemote(full: string, entry: Entry): Promise<void> {
    const remote = this.remote;
    if (remote === undefined) return;
    let payload: string;
    try {
      const envelope: Envelope = {
        v: entry.value,
        f: entry.fresh,
        w: entry.swr,
        e: entry.sie,
        d: entry.loadMs,
        ...(entry.tags === undefined ? {} : { t: entry.tags }),
      };
      payload = remote.serializer.serialize(envelope);
    } catch (error) {
      this.fail('serialize', error, full);
      return;
    }
    const ttl = Math.min(entry.end - entry.stored, MAX_TTL);
    try {
      await remote.set(full, payload, ttl, entry.tags ?? []);
    } catch (error) {
      this.fail('redis-set', error, full);
    }
  }

  /** Turns a shared-tier payload into an in-process entry (stored); `undefined` if unusable. */
  adopt(full: string, payload: string | null): Entry | undefined {
    if (payload === null) return undefined;
    const decoded = this.remote?.serializer.deserialize(payload);
    const envelope = decoded?.value as Envelope | undefined;
    if (envelope === undefined || typeof envelope.f !== 'number') return undefined;
    const entry: Entry = {
      value: envelope.v,
      fresh: envelope.f,
      swr: envelope.w,
      sie: envelope.e,
      end: Math.max(envelope.f, envelope.w, envelope.e),
      stored: this.now(),
      seq: ++this.seq,
      tags: envelope.t,
      loadMs: envelope.d,
    };
    this.store(full, entry);
    return entry;
  }

  async readRemote(full: string): Promise<Entry | undefined> {
    const remote = this.remote;
    if (remote === undefined) return undefined;
    try {
      return this.adopt(full, await remote.get(full));
    } catch (error) {
      this.fail('redis-get', error, full);
      return undefined;
    }
  }

  async publish(kind: BusMessage['o'], keys: readonly string[]): Promise<void> {
    if (this.remote?.bus !== true) return;
    const message: BusMessage = { i: this.id, o: kind, k: keys };
    try {
      await this.remote.publish(JSON.stringify(message));
    } catch (error) {
      this.fail('bus', error);
    }
  }

  markTags(tags: readonly string[]): void {
    if (this.tagSeq.size + tags.length > MAX_TRACKED_TAGS) {
      // Forgetting an invalidation would resurrect entries; dropping the tier cannot.
      this.tagSeq.clear();
      this.memory.clear();
    }
    const seq = ++this.seq;
    for (const tag of tags) this.tagSeq.set(tag, seq);
  }

  clearPrefix(prefix: string): void {
    if (prefix === '') {
      this.memory.clear();
      return;
    }
    for (const key of [...this.memory.keys()]) {
      if (key.startsWith(prefix)) this.memory.delete(key);
    }
  }

  private onBusMessage(raw: string): void {
    let message: BusMessage;
    try {
      const parsed = JSON.parse(raw) as { i?: unknown; o?: unknown; k?: unknown };
      if (!Array.isArray(parsed.k)) return;
      message = { i: String(parsed.i), o: parsed.o as BusMessage['o'], k: parsed.k.map(String) };
    } catch (error) {
      this.fail('bus', error);
      return;
    }
    if (message.i === this.id) return;
    emit(this.hooks, 'busMessage', { kind: message.o, keys: message.k });
    if (message.o === 'tags') {
      this.markTags(message.k);
    } else if (message.o === 'clear') {
      for (const prefix of message.k) this.clearPrefix(prefix);
    } else {
      for (const key of message.k) {
        this.memory.delete(key);
        const waiters = this.leaseWaiters.get(key);
        if (waiters !== undefined) for (const wake of waiters) wake();
      }
    }
  }

  private onBusStatus(up: boolean, error: unknown): void {
    if (up === this.busUp) return;
    this.busUp = up;
    if (!up) {
      emit(this.hooks, 'busDown', error === undefined ? {} : { error });
      return;
    }
    const reconnect = this.busWasUp;
    // Messages sent while the bus was down are lost: nothing stored before now is trusted
    // as fresh, though it may still be served within its grace periods.
    if (reconnect) this.staleBeforeSeq = this.seq;
    this.busWasUp = true;
    emit(this.hooks, 'busUp', { reconnect });
  }

  /** Sleeps until `ms` pass or a bus message names the key. */
  waitForKey(full: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.leaseWaiters.get(full);
      if (waiters === undefined) {
        waiters = new Set();
        this.leaseWaiters.set(full, waiters);
      }
      const set = waiters;
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0) this.leaseWaiters.delete(full);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
    });
  }
}

/** Whether a stale-if-error window was asked for and is still open. */
export function servesOnError(entry: Entry, now: number): boolean {
  return entry.sie > entry.fresh && now < entry.sie;
}
