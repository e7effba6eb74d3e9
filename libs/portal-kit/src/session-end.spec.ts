import { describe, expect, it } from 'vitest';
import { SESSION_END_REASONS, sessionEndedPath, sessionEndReasonOf } from './session-end';

describe('session end reasons', () => {
  it.each(SESSION_END_REASONS)(
    'send an ended session (%s) to a sign-in page that reads the reason back',
    (reason) => {
      const landing = new URL(sessionEndedPath('/sign-in', reason), 'http://127.0.0.1:3000');
      expect(landing.pathname).toBe('/sign-in');
      expect(sessionEndReasonOf(landing.searchParams.get('ended'))).toBe(reason);
    },
  );

  it.each([null, undefined, '', 'expired', 'IDLE'])('read an unknown reason (%s) as none', (value) => {
    expect(sessionEndReasonOf(value)).toBeNull();
  });
});
