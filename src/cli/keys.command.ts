// `byokey keys create|list|revoke|update`: the client keys callers need when the gateway is in
// `keys` mode. The secret is printed once, at creation; the store keeps only its hash. A running
// gateway on the same BYOKEY_HOME picks up every change within a second.
import {
  BUDGET_PERIODS,
  createClientKey,
  KEY_NAME,
  KEY_NAME_RULE,
  keyStatus,
  parseDuration,
  parseModels,
  type KeySpec,
} from '../access/client-key-specs';
import type { BudgetPeriod, ClientKey, ClientKeyChanges } from '../store/client-key';
import { ClientKeyNameTaken } from '../store/client-key-store';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { parseCommandArgs, pickSubcommand, type CommandSpec } from './command-spec';
import { relativeTime, table } from './format';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, storeSettingsForCommand } from './load-config';
import { withClientKeyStore, withReadStores } from './open-store';

const LIMITS_HELP = `Limits:
  --models LIST          model globs the key may use, e.g. 'gpt-5*,claude-*' (default: all)
  --rpm N                requests per minute
  --tpm N                tokens (input + output) per minute
  --concurrency N        requests at the same time
  --budget-tokens N      tokens per --per day|month (UTC), with --per
  --per day|month        the budget's period
  --expires DURATION     e.g. 12h, 30d, 2w from now`;

const OPTIONS_HELP = `Options:
${CONFIG_OPTION_HELP}
  -h, --help            show this help`;

export const KEYS_USAGE = `Usage: byokey keys <subcommand> [options]

  create --name NAME [limits]     a new client key; its secret is printed once
  list                            the keys, their limits and state (never a secret)
  revoke <name|id>                stop a key for good (within a second on a running gateway)
  update <name|id> [limits]       change a key's models and limits

${LIMITS_HELP}
With update, 'none' removes a limit (--rpm none), --models all allows every model and
--expires never removes the expiry.

${OPTIONS_HELP} (byokey keys <subcommand> --help for one subcommand)`;

const LIMIT_OPTIONS = {
  models: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  concurrency: { type: 'string' },
  'budget-tokens': { type: 'string' },
  per: { type: 'string' },
  expires: { type: 'string' },
  ...CONFIG_OPTION,
} as const;
const LIMIT_VALUES = { per: BUDGET_PERIODS };

const CREATE_OPTIONS = { name: { type: 'string' }, ...LIMIT_OPTIONS } as const;
const CREATE: CommandSpec<typeof CREATE_OPTIONS> = {
  path: 'keys create',
  summary: 'a new client key; its secret is printed once',
  usage: `Usage: byokey keys create --name NAME [limits] [--config FILE]

Creates a client key and prints its secret, once.

  --name NAME            the key's name (${KEY_NAME_RULE})
${LIMITS_HELP}

${OPTIONS_HELP}`,
  options: CREATE_OPTIONS,
  optionValues: LIMIT_VALUES,
};

const LIST: CommandSpec<typeof CONFIG_OPTION> = {
  path: 'keys list',
  summary: 'the keys, their limits and state (never a secret)',
  usage: `Usage: byokey keys list [--config FILE]

Lists the client keys: name, id, prefix, state, limits, expiry and last use (never a secret).

${OPTIONS_HELP}`,
  options: CONFIG_OPTION,
};

const REVOKE: CommandSpec<typeof CONFIG_OPTION> = {
  path: 'keys revoke',
  summary: 'stop a key for good',
  usage: `Usage: byokey keys revoke <name|id> [--config FILE]

Stops a client key for good; a running gateway refuses it within a second.

${OPTIONS_HELP}`,
  options: CONFIG_OPTION,
  positionals: {},
};

const UPDATE: CommandSpec<typeof LIMIT_OPTIONS> = {
  path: 'keys update',
  summary: "change a key's models and limits",
  usage: `Usage: byokey keys update <name|id> [limits] [--config FILE]

Changes a client key's models and limits. 'none' removes a limit (--rpm none), --models all
allows every model and --expires never removes the expiry.

${LIMITS_HELP}

${OPTIONS_HELP}`,
  options: LIMIT_OPTIONS,
  positionals: {},
  optionValues: LIMIT_VALUES,
};

export const KEYS_COMMAND: CommandSpec = {
  path: 'keys',
  summary: 'create, list, update or revoke client keys',
  usage: KEYS_USAGE,
  options: {},
  subcommands: [CREATE, LIST, REVOKE, UPDATE],
};

export async function keysCommand(argv: string[], io: CliIo): Promise<number> {
  const { sub, rest } = pickSubcommand(KEYS_COMMAND, argv);
  switch (sub) {
    case CREATE:
      return create(rest, io);
    case LIST:
      return list(rest, io);
    case REVOKE:
      return revoke(rest, io);
    default:
      return update(rest, io);
  }
}

async function create(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(CREATE, argv);
  if (values.name === undefined) throw new UsageError('keys create needs --name NAME', CREATE.usage);
  if (!KEY_NAME.test(values.name)) throw new UsageError(`--name: ${KEY_NAME_RULE}, got ${JSON.stringify(values.name)}`);
  const now = Date.now();
  const spec: KeySpec = { name: values.name };
  if (values.models !== undefined) spec.models = parseModels(values.models);
  if (values.rpm !== undefined) spec.rpm = count('--rpm', values.rpm);
  if (values.tpm !== undefined) spec.tpm = count('--tpm', values.tpm);
  if (values.concurrency !== undefined) spec.concurrency = count('--concurrency', values.concurrency);
  if ((values['budget-tokens'] === undefined) !== (values.per === undefined)) throw new UsageError('--budget-tokens and --per go together');
  if (values['budget-tokens'] !== undefined) spec.budget = { tokens: count('--budget-tokens', values['budget-tokens']), per: period(values.per!) };
  if (values.expires !== undefined) spec.expiresAt = now + duration(values.expires);

  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withClientKeyStore(io, settings, async (store) => {
    let created;
    try {
      created = await createClientKey(store, spec);
    } catch (error) {
      if (error instanceof ClientKeyNameTaken) {
        io.err(`byokey keys create: ${error.message}`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    io.out(`Created client key "${created.key.name}" (${created.key.id}). Its secret, shown this once — keep it now:\n`);
    io.out(`  ${created.secret}\n`);
    io.out('Clients send it as their API key (Authorization: Bearer, x-api-key or x-goog-api-key).');
    io.out(`Limits: ${describeLimits(created.key)}`);
    return EXIT_OK;
  });
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(LIST, argv);
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withReadStores(io, settings, async ({ clientKeys: store }) => {
    const keys = await store.list();
    if (keys.length === 0) {
      io.out('No client keys yet. Create one with: byokey keys create --name NAME');
      return EXIT_OK;
    }
    const now = Date.now();
    const rows = keys.map((k) => [
      k.name,
      k.id,
      `${k.prefix}…`,
      keyStatus(k, now),
      describeLimits(k),
      k.expiresAt === undefined ? 'never' : relativeTime(k.expiresAt, now),
      k.lastUsedAt === undefined ? 'never' : relativeTime(k.lastUsedAt, now),
    ]);
    io.out(table(['NAME', 'ID', 'KEY', 'STATUS', 'LIMITS', 'EXPIRES', 'LAST USED'], rows));
    return EXIT_OK;
  });
}

async function revoke(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(REVOKE, argv);
  if (positionals.length !== 1) throw new UsageError('name one key to revoke', REVOKE.usage);
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withClientKeyStore(io, settings, async (store) => {
    const key = await store.revoke(positionals[0]);
    if (!key) {
      io.err(`byokey keys revoke: no client key named or with id "${positionals[0]}" (see: byokey keys list)`);
      return EXIT_FAILURE;
    }
    io.out(`Revoked client key "${key.name}" (${key.id}); a running gateway refuses it within a second.`);
    return EXIT_OK;
  });
}

async function update(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(UPDATE, argv);
  if (positionals.length !== 1) throw new UsageError('name one key to update', UPDATE.usage);
  const changes: ClientKeyChanges = {};
  if (values.models !== undefined) changes.models = parseModels(values.models);
  if (values.rpm !== undefined) changes.rpm = countOrNone('--rpm', values.rpm);
  if (values.tpm !== undefined) changes.tpm = countOrNone('--tpm', values.tpm);
  if (values.concurrency !== undefined) changes.concurrency = countOrNone('--concurrency', values.concurrency);
  const budgetTokens = values['budget-tokens'] === undefined ? undefined : countOrNone('--budget-tokens', values['budget-tokens']);
  if (values.expires !== undefined) changes.expiresAt = values.expires === 'never' ? null : Date.now() + duration(values.expires);
  if (Object.keys(changes).length === 0 && budgetTokens === undefined && values.per === undefined) {
    throw new UsageError('keys update needs at least one limit to change', UPDATE.usage);
  }
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withClientKeyStore(io, settings, async (store) => {
    const current = await store.find(positionals[0]);
    if (!current) {
      io.err(`byokey keys update: no client key named or with id "${positionals[0]}" (see: byokey keys list)`);
      return EXIT_FAILURE;
    }
    if (budgetTokens === null) changes.budget = null;
    else if (budgetTokens !== undefined || values.per !== undefined) {
      const per = values.per === undefined ? current.budget?.per : period(values.per);
      const tokens = budgetTokens ?? current.budget?.tokens;
      if (per === undefined || tokens === undefined) throw new UsageError('a new budget needs both --budget-tokens and --per');
      changes.budget = { tokens, per };
    }
    const key = await store.update(current.id, changes);
    if (!key) {
      io.err(`byokey keys update: the client key "${positionals[0]}" was removed meanwhile`);
      return EXIT_FAILURE;
    }
    io.out(`Updated client key "${key.name}" (${key.id}): ${describeLimits(key)}.`);
    return EXIT_OK;
  });
}

function describeLimits(key: ClientKey): string {
  const parts = [key.models.length === 0 ? 'all models' : `models ${key.models.join(',')}`];
  if (key.rpm !== undefined) parts.push(`${key.rpm} rpm`);
  if (key.tpm !== undefined) parts.push(`${key.tpm} tpm`);
  if (key.concurrency !== undefined) parts.push(`${key.concurrency} concurrent`);
  if (key.budget !== undefined) parts.push(`${key.budget.tokens} tokens/${key.budget.per}`);
  return parts.join(', ');
}

function count(option: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new UsageError(`${option} must be a whole number from 1, got "${text}"`);
  return value;
}

function countOrNone(option: string, text: string): number | null {
  return text === 'none' ? null : count(option, text);
}

function period(text: string): BudgetPeriod {
  if (!(BUDGET_PERIODS as readonly string[]).includes(text)) throw new UsageError(`--per must be day or month, got "${text}"`);
  return text as BudgetPeriod;
}

function duration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`--expires must be a duration such as 12h, 30d or 2w, got "${text}"`);
  return ms;
}
