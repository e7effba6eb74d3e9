import { describe, expect, it } from 'vitest';
import { webhookBody, webhookSignature } from './webhook-alert-notifier';

describe('alert webhook payload', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256 (vector computed with openssl dgst -sha256 -hmac)', () => {
    expect(webhookSignature('webhook-test-secret-0123456789abcdef', '1700000000', '{"id":"n1"}')).toBe(
      'sha256=55ffd4d2493f27180407db9c66bafaea60de7ae6c3676c5ae6c60b731f1cbee8',
    );
  });

  it('carries ids and codes only, in a fixed shape', () => {
    const body = webhookBody({
      id: 'n1',
      kind: 'ESCALATED',
      alertId: 'a1',
      organizationId: 'o1',
      patientId: 'p1',
      recipientUserId: 'u1',
      condition: 'HYPERTENSIVE_CRISIS',
      severity: 'CRITICAL',
      occurredAt: new Date('2026-11-23T10:00:00Z'),
    });
    expect(JSON.parse(body)).toEqual({
      id: 'n1',
      type: 'alert.escalated',
      alertId: 'a1',
      organizationId: 'o1',
      patientId: 'p1',
      recipientUserId: 'u1',
      condition: 'HYPERTENSIVE_CRISIS',
      severity: 'CRITICAL',
      occurredAt: '2026-11-23T10:00:00.000Z',
    });
  });
});
