/**
 * `defineError` declares an application's own error codes as first-class classes: each with
 * its status, problem type URI, title and a typed `details` shape, checked once at start-up.
 */
import { AppError, isAppError, nameClass } from './app-error';
import type { ErrorDetails, ErrorHeaders } from './app-error';
import { isErrorStatus } from './codes';
import { ConfigurationError } from './errors';

/** The declaration of an application error code. */
export interface ErrorDefinition<C extends string, D extends ErrorDetails> {
  /** The stable machine code, SCREAMING_SNAKE (`PAYMENT_DECLINED`). */
  readonly code: C;
  /** The HTTP status, 400 to 599. */
  readonly status: number;
  /**
   * A short summary of the kind of problem, the same for every occurrence.
   * @defaultValue the HTTP reason phrase of `status`
   */
  readonly title?: string;
  /** The RFC 9457 problem type URI; documentation for the code should live there. */
  readonly type?: string;
  /**
   * Whether messages may reach clients.
   * @defaultValue `true` for 4xx statuses, `false` for 5xx
   */
  readonly expose?: boolean;
  /**
   * Whether trying again may succeed.
   * @defaultValue `false`
   */
  readonly retryable?: boolean;
  /**
   * Builds the message from the details. Annotating its parameter also types `details`.
   * @defaultValue the title
   */
  readonly message?: (details: D) => string;
}

/** Per-occurrence options of a defined error. */
export interface DefinedErrorOptions {
  /** Overrides the message the definition builds. */
  readonly message?: string | undefined;
  /** The error that led to this one. */
  readonly cause?: unknown;
  /** Response headers to send with this occurrence. */
  readonly headers?: ErrorHeaders | undefined;
}

/** The constructor arguments of a defined error: details are optional when they may be empty. */
export type DefinedErrorArgs<D extends ErrorDetails> =
  Partial<D> extends D
    ? [details?: D, options?: DefinedErrorOptions]
    : [details: D, options?: DefinedErrorOptions];

/** The class {@link defineError} returns. */
export interface DefinedErrorClass<C extends string, D extends ErrorDetails> {
  /** Makes an error of this code. */
  new (...args: DefinedErrorArgs<D>): AppError<C, D>;
  /** The code of every error of this class. */
  readonly code: C;
  /** The definition this class was made from. */
  readonly definition: ErrorDefinition<C, D>;
  /**
   * Tells whether a value is an error of this code, from any copy of `@arm/errors`.
   * @param value - Anything, typically a caught value.
   */
  is(value: unknown): value is AppError<C, D>;
}

/**
 * Declares an application error code as a class.
 *
 * @remarks
 * Misdeclarations fail here, at start-up, with a {@link ConfigurationError}. Pass the class in
 * `fromProblem`'s `catalog` so clients rebuild it from problem responses.
 *
 * @param definition - Code, status, title, type and how to build the message.
 * @returns A class whose instances are AppErrors with that code and typed details.
 * @throws {@link ConfigurationError} when the code is not SCREAMING_SNAKE or the status is not
 * an integer from 400 to 599.
 * @example
 * ```ts
 * const PaymentDeclined = defineError({
 *   code: 'PAYMENT_DECLINED',
 *   status: 402,
 *   title: 'Payment declined',
 *   type: 'https://docs.example.com/errors/payment-declined',
 *   message: (details: { last4: string }) => `The card ending ${details.last4} was declined`,
 * });
 * throw new PaymentDeclined({ last4: '4242' });
 * ```
 */
export function defineError<const C extends string, D extends ErrorDetails = ErrorDetails>(
  definition: ErrorDefinition<C, D>,
): DefinedErrorClass<C, D> {
  const { code, status, message, ...rest } = definition;
  if (!/^[A-Z][A-Z0-9_]*$/.test(code)) {
    throw new ConfigurationError(
      `[@arm/errors] defineError: "code" must be SCREAMING_SNAKE like "PAYMENT_DECLINED", got "${code}"`,
    );
  }
  if (!isErrorStatus(status)) {
    throw new ConfigurationError(
      `[@arm/errors] defineError(${code}): "status" must be an integer 400-599, got ${String(status)}`,
    );
  }
  class DefinedError extends AppError<C, D> {
    static override readonly code = code;
    static readonly definition = definition;
    static is(value: unknown): value is AppError<C, D> {
      return isAppError(value) && value.code === code;
    }
    constructor(...[details, options = {}]: DefinedErrorArgs<D>) {
      const { message: override, ...occurrence } = options;
      super(override ?? message?.((details ?? {}) as D), {
        ...rest,
        ...occurrence,
        code,
        status,
        details,
      });
    }
  }
  return nameClass(DefinedError, code);
}
