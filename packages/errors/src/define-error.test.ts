import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from './app-error';
import { defineError } from './define-error';
import { ConfigurationError } from './errors';

const PaymentDeclined = defineError({
  code: 'PAYMENT_DECLINED',
  status: 402,
  title: 'Payment declined',
  type: 'https://docs.example.com/errors/payment-declined',
  message: (details: { last4: string }) => `The card ending ${details.last4} was declined`,
});

describe('defineError', () => {
  it('makes a class whose errors carry the declared code, status, title, type and details', () => {
    const error = new PaymentDeclined({ last4: '4242' });
    expect(error).toBeInstanceOf(PaymentDeclined);
    expect(error).toBeInstanceOf(AppError);
    expect(isAppError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'PAYMENT_DECLINED',
      status: 402,
      title: 'Payment declined',
      type: 'https://docs.example.com/errors/payment-declined',
      details: { last4: '4242' },
      message: 'The card ending 4242 was declined',
      expose: true,
      retryable: false,
      name: 'PaymentDeclinedError',
    });
    expect(PaymentDeclined.name).toBe('PaymentDeclinedError');
    expect(PaymentDeclined.code).toBe('PAYMENT_DECLINED');
    expect(PaymentDeclined.definition.status).toBe(402);
  });

  it('lets an occurrence override the message and add headers and a cause', () => {
    const cause = new Error('gateway said no');
    const error = new PaymentDeclined(
      { last4: '0000' },
      { message: 'Declined', headers: { 'X-Gateway': 'stripe' }, cause },
    );
    expect(error.message).toBe('Declined');
    expect(error.headers).toEqual({ 'x-gateway': 'stripe' });
    expect(error.cause).toBe(cause);
  });

  it('recognises its own errors with is(), by code', () => {
    const Other = defineError({ code: 'OTHER_THING', status: 409 });
    expect(PaymentDeclined.is(new PaymentDeclined({ last4: '1' }))).toBe(true);
    expect(PaymentDeclined.is(new Other())).toBe(false);
    expect(PaymentDeclined.is(new Error('x'))).toBe(false);
    expect(new Other() instanceof PaymentDeclined).toBe(false);
  });

  it('uses the title, then the reason phrase, when there is no message builder', () => {
    const Quota = defineError({
      code: 'QUOTA',
      status: 429,
      title: 'Quota used up',
      retryable: true,
    });
    expect(new Quota().message).toBe('Quota used up');
    expect(new Quota().retryable).toBe(true);
    const Teapot = defineError({ code: 'TEAPOT', status: 418 });
    expect(new Teapot().message).toBe('Bad Request');
    expect(new Teapot().details).toBeUndefined();
  });

  it('hides 5xx messages unless the definition exposes them', () => {
    const Upstream = defineError({ code: 'LEDGER_DOWN', status: 503 });
    const Maintenance = defineError({ code: 'MAINTENANCE', status: 503, expose: true });
    expect(new Upstream().expose).toBe(false);
    expect(new Maintenance().expose).toBe(true);
  });

  it('fails at start-up on a code that is not SCREAMING_SNAKE', () => {
    for (const code of ['paymentDeclined', 'PAYMENT-DECLINED', '', '1ABC']) {
      expect(() => defineError({ code, status: 400 })).toThrow(ConfigurationError);
    }
    expect(() => defineError({ code: 'bad', status: 400 })).toThrow(
      /\[@arm\/errors\] defineError: "code" must be SCREAMING_SNAKE like "PAYMENT_DECLINED", got "bad"/,
    );
  });

  it('fails at start-up on a status that is not an error status', () => {
    for (const status of [200, 302, 600, 400.5]) {
      expect(() => defineError({ code: 'X_Y', status })).toThrow(
        /defineError\(X_Y\): "status" must be an integer 400-599/,
      );
    }
  });
});
