import { ChatErrorCode } from '../protocol/chat-error-code.js';
import { PROBLEM_STATUS, problemOf } from './problem-details.js';

describe('PROBLEM_STATUS', () => {
  it('gives every ChatErrorCode an HTTP status', () => {
    for (const code of Object.values(ChatErrorCode))
      expect(PROBLEM_STATUS[code], code).toBeGreaterThanOrEqual(400);
  });

  it.each([
    [ChatErrorCode.ValidationFailed, 400],
    [ChatErrorCode.BadRequest, 400],
    ['unauthorized', 401],
    [ChatErrorCode.Forbidden, 403],
    [ChatErrorCode.NotFound, 404],
    [ChatErrorCode.NotInRoom, 409],
    ['length_required', 411],
    ['payload_too_large', 413],
    ['unsupported_media_type', 415],
    [ChatErrorCode.RateLimited, 429],
    [ChatErrorCode.Internal, 500],
    [ChatErrorCode.Unavailable, 503],
  ] as const)('answers %s with %i', (code, status) => {
    expect(PROBLEM_STATUS[code]).toBe(status);
  });
});

describe('problemOf', () => {
  it('builds an RFC 9457 body whose title is the status phrase', () => {
    const sut = problemOf(ChatErrorCode.ValidationFailed, 'validation failed', {
      errors: [{ field: 'text', errors: ['text must be a string'] }],
    });

    expect(sut).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'validation failed',
      code: 'validation_failed',
      errors: [{ field: 'text', errors: ['text must be a string'] }],
    });
  });

  it('has a title for every status of the table', () => {
    for (const code of Object.keys(PROBLEM_STATUS))
      expect(problemOf(code as keyof typeof PROBLEM_STATUS, 'x').title, code).toEqual(
        expect.any(String),
      );
  });
});
