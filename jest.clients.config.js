// `npm run test:clients` (not part of `npm test`): the real Claude Code, Codex CLI and opencode,
// installed at pinned versions into a cache outside the project, driven through the built byokey
// (test/clients/*.clients-spec.ts). One spec at a time: each runs a heavy CLI.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/clients/**/*.clients-spec.ts'],
  testTimeout: 300000,
  maxWorkers: 1,
  verbose: true,
};
