import { readFileSync } from 'node:fs';
import { ChatErrorCode } from './chat-error-code.js';
import { CloseCode } from './close-code.js';
import { CLOSE_CODE_MEANINGS, ERROR_CODE_MEANINGS } from './code-meanings.js';

/** The doc comment of each member of the enum declared in a source file beside this one, by member value. */
function memberDocs(file: string, values: Record<string, string | number>): Record<string, string> {
  const source = readFileSync(new URL(file, import.meta.url), 'utf8');
  const body = source.slice(source.indexOf('export enum'));
  const docs: Record<string, string> = {};
  for (const [, comment, member] of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*(\w+)\s*=/g)) {
    docs[String(values[member])] = comment
      .split('\n')
      .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
  }
  return docs;
}

describe('code meanings, the data the AsyncAPI document shows', () => {
  it("are each ChatErrorCode member's doc line, word for word", () => {
    expect(ERROR_CODE_MEANINGS).toEqual(memberDocs('./chat-error-code.ts', ChatErrorCode));
  });

  it("are each CloseCode member's doc line, word for word", () => {
    expect(CLOSE_CODE_MEANINGS).toEqual(memberDocs('./close-code.ts', CloseCode));
  });
});
