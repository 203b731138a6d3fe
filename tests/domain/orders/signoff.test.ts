import { describe, expect, it } from 'vitest';
import {
  countsAsDelivered,
  credibilityRates,
  isUrgentNotReceived,
  normalizeSignoffKind,
  SIGNOFF_GRADE,
} from '../../../src/domain/orders/signoff.ts';

describe('sign-off grading (seed 002)', () => {
  it('orders the kinds electronic < locker < photo = otp', () => {
    expect(SIGNOFF_GRADE.electronic).toBeLessThan(SIGNOFF_GRADE.locker);
    expect(SIGNOFF_GRADE.locker).toBeLessThan(SIGNOFF_GRADE.photo);
    expect(SIGNOFF_GRADE.photo).toBe(SIGNOFF_GRADE.otp);
  });

  it('counts only locker, photo and OTP as delivered; a missing kind is electronic', () => {
    expect(countsAsDelivered('electronic')).toBe(false);
    expect(countsAsDelivered(undefined)).toBe(false);
    expect(countsAsDelivered('something-else')).toBe(false);
    expect(normalizeSignoffKind(null)).toBe('electronic');
    expect(countsAsDelivered('locker')).toBe(true);
    expect(countsAsDelivered('photo')).toBe(true);
    expect(countsAsDelivered('otp')).toBe(true);
  });
});

describe('credibility rates', () => {
  const records = [
    ...Array.from({ length: 9 }, () => ({ carrier: 'sf', network: '朝阳区营业部', signoffKind: 'photo' })),
    { carrier: 'sf', network: '朝阳区营业部', signoffKind: 'electronic' },
    ...Array.from({ length: 3 }, () => ({ carrier: 'zto', network: '西湖区网点', signoffKind: 'electronic' })),
    { carrier: 'zto', network: '西湖区网点', signoffKind: 'locker' },
  ];

  it('gives credible ÷ signed overall, per carrier and per network, worst first', () => {
    const r = credibilityRates(records);
    expect(r.overall).toMatchObject({ signed: 14, credible: 10 });
    expect(r.overall.rate).toBeCloseTo(10 / 14);
    expect(r.byCarrier.map((c) => [c.label, c.signed, c.credible])).toEqual([
      ['中通', 4, 1],
      ['顺丰', 10, 9],
    ]);
    expect(r.byCarrier[0]?.belowTarget).toBe(true);
    expect(r.byCarrier[1]?.rate).toBeCloseTo(0.9);
    expect(r.byCarrier[1]?.belowTarget).toBe(false);
    expect(r.byNetwork[0]?.label).toBe('中通 西湖区网点');
  });

  it('reports zero sign-offs as rate 0, not NaN', () => {
    expect(credibilityRates([]).overall).toMatchObject({ signed: 0, rate: 0 });
  });
});

describe('signed but not received → urgent', () => {
  const signedAt = new Date('2026-11-22T02:00:00Z');
  const order = { lastTrackingKind: 'signed', lastSignoffKind: 'electronic', lastTrackingAt: signedAt };
  const hoursLater = (h: number) => new Date(signedAt.getTime() + h * 3_600_000);

  it('is urgent within 24 h of an electronic-only sign-off', () => {
    expect(isUrgentNotReceived(order, hoursLater(3))).toBe(true);
    expect(isUrgentNotReceived(order, hoursLater(24))).toBe(true);
  });

  it('is not urgent after 24 h, with proof of delivery, or before any sign-off', () => {
    expect(isUrgentNotReceived(order, hoursLater(25))).toBe(false);
    expect(isUrgentNotReceived({ ...order, lastSignoffKind: 'photo' }, hoursLater(3))).toBe(false);
    expect(isUrgentNotReceived({ ...order, lastTrackingKind: 'delivering' }, hoursLater(3))).toBe(false);
  });
});
