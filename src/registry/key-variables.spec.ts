// Naming the variable behind an empty key: read from the file's text, since substitution leaves
// only the empty string.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_DEFAULTS } from '../config/config.loader';
import { keyVariablesOf } from './key-variables';

describe('keyVariablesOf', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'byokey-keyvars-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the variables of api_key and api_keys (plain or with key:), per instance', () => {
    const file = join(dir, 'providers.yaml');
    writeFileSync(
      file,
      [
        'providers:',
        '  openai:',
        '    api_key: ${OPENAI_API_KEY:-}',
        '  router:',
        '    api_keys: ["${KEY_1}", { key: "${KEY_2}", base_url: "http://x" }, "${KEY_1}"]',
        '  local:',
        '    api_key: none',
        '',
      ].join('\n'),
    );
    expect(keyVariablesOf(file)).toEqual(new Map([['openai', ['OPENAI_API_KEY']], ['router', ['KEY_1', 'KEY_2']]]));
  });

  it('names none without a file', () => {
    expect(keyVariablesOf(BUILT_IN_DEFAULTS).size).toBe(0);
    expect(keyVariablesOf(join(dir, 'gone.yaml')).size).toBe(0);
  });
});
