import { readGeminiModelPage } from './gemini-model-list';

describe('readGeminiModelPage', () => {
  it('keeps the models that generate content, without their models/ prefix, and the next page token', () => {
    const page = readGeminiModelPage(
      {
        models: [
          { name: 'models/gemini-2.5-pro', displayName: 'Gemini 2.5 Pro', supportedGenerationMethods: ['generateContent', 'countTokens'] },
          { name: 'models/text-embedding-004', supportedGenerationMethods: ['embedContent'] },
          { name: 'models/gemini-2.5-flash' },
          { displayName: 'no name' },
        ],
        nextPageToken: 'abc',
      },
      'gemini',
    );
    expect(page).toEqual({ models: [{ id: 'gemini-2.5-pro', displayName: 'Gemini 2.5 Pro' }, { id: 'gemini-2.5-flash' }], next: 'abc' });
  });

  it('fails on a body that is no model list', () => {
    expect(() => readGeminiModelPage({ models: 'nope' }, 'gemini')).toThrow(/models/);
    expect(readGeminiModelPage({}, 'gemini')).toEqual({ models: [] });
  });
});
