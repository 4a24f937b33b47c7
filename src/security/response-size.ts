import type { ErrorCode } from '../errors.js';

/**
 * Apollo's `stringifyResult`, bounded: an answer over `maxBytes` is replaced by one
 * RESPONSE_TOO_LARGE error, so no answer within the other limits can be larger than that.
 */
export function boundedAnswers(maxBytes: number, stringify: (value: unknown) => string) {
  const tooLarge = JSON.stringify({
    errors: [
      {
        message: `The answer is larger than ${maxBytes} bytes (MAX_RESPONSE_BYTES); ask for fewer or smaller lists.`,
        extensions: { code: 'RESPONSE_TOO_LARGE' satisfies ErrorCode, limit: maxBytes },
      },
    ],
  });
  return (value: unknown): string => {
    const json = stringify(value);
    return Buffer.byteLength(json, 'utf8') <= maxBytes ? json : tooLarge;
  };
}
