import { KiroThinkingSplitter, type KiroTextPiece } from './kiro-thinking-splitter';

/** Feeds the pieces in order, then flushes; returns the thinking and the answer as joined text. */
function split(pieces: string[]): { reasoning: string; content: string; order: KiroTextPiece['kind'][] } {
  const splitter = new KiroThinkingSplitter();
  const out = [...pieces.flatMap((p) => splitter.push(p)), ...splitter.flush()];
  const join = (kind: KiroTextPiece['kind']) => out.filter((p) => p.kind === kind).map((p) => p.text).join('');
  const order = out.map((p) => p.kind).filter((kind, i, all) => i === 0 || all[i - 1] !== kind);
  return { reasoning: join('reasoning'), content: join('content'), order };
}

const RAW = '<thinking>\nFoxes are quick.\n</thinking>\n\nThe quick brown fox.';

describe('KiroThinkingSplitter', () => {
  it('splits an answer that opens with thinking into the thinking and the answer, dropping the line breaks around the tags', () => {
    expect(split([RAW])).toEqual({ reasoning: 'Foxes are quick.', content: 'The quick brown fox.', order: ['reasoning', 'content'] });
  });

  it('finds the tags wherever the events cut them: every cut position, in two pieces and in three', () => {
    for (let at = 0; at <= RAW.length; at++) {
      expect([at, split([RAW.slice(0, at), RAW.slice(at)])]).toEqual([at, { reasoning: 'Foxes are quick.', content: 'The quick brown fox.', order: ['reasoning', 'content'] }]);
      for (let second = at; second <= RAW.length; second += 3) {
        const got = split([RAW.slice(0, at), RAW.slice(at, second), RAW.slice(second)]);
        expect([at, second, got.reasoning, got.content]).toEqual([at, second, 'Foxes are quick.', 'The quick brown fox.']);
      }
    }
  });

  it('streams one character at a time, holding back only what may be a tag', () => {
    const splitter = new KiroThinkingSplitter();
    const out = [...RAW].flatMap((c) => splitter.push(c));
    // The thinking's words went out as they came, before its close tag was seen.
    expect(out.filter((p) => p.kind === 'reasoning').length).toBeGreaterThan(5);
    expect(out.map((p) => p.text).join('')).toBe('Foxes are quick.The quick brown fox.');
    expect(splitter.flush()).toEqual([]);
  });

  it('allows blank space before the opening tag', () => {
    expect(split(['\n\n', ' <think', 'ing>why</thinking>answer'])).toMatchObject({ reasoning: 'why', content: 'answer' });
  });

  it('leaves an answer that does not open with the tag untouched, even when it talks about it later', () => {
    const text = 'Use <thinking> tags like <thinking>this</thinking>.\n\nDone.';
    expect(split([text.slice(0, 5), text.slice(5)])).toEqual({ reasoning: '', content: text, order: ['content'] });
    expect(split(['  Hello'])).toEqual({ reasoning: '', content: '  Hello', order: ['content'] });
  });

  it('keeps a thinking that mentions the opening tag, and an answer that mentions the closing one', () => {
    expect(split(['<thinking>about <thinking> tags</thinking>\n\nThe </thinking> tag closes it.'])).toMatchObject({
      reasoning: 'about <thinking> tags',
      content: 'The </thinking> tag closes it.',
    });
  });

  it('sends a thinking never closed (the stream ended inside it) as thinking, held text included', () => {
    expect(split(['<thinking>\nStill going', ' and going\n</thi'])).toEqual({ reasoning: 'Still going and going\n</thi', content: '', order: ['reasoning'] });
  });

  it('sends what may have been the start of the tag as the answer when the text ends there', () => {
    expect(split(['<thin'])).toEqual({ reasoning: '', content: '<thin', order: ['content'] });
    expect(split(['  '])).toEqual({ reasoning: '', content: '  ', order: ['content'] });
  });

  it('sends an answer made of thinking only as thinking, and nothing as the answer', () => {
    expect(split(['<thinking>hmm</thinking>\n\n'])).toEqual({ reasoning: 'hmm', content: '', order: ['reasoning'] });
  });
});
