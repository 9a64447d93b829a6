// `byokey usage [--since 24h] [--by key|model|account|instance]`: what the gateway served over a
// window, one row per group — requests, errors, tokens, median time to first byte and duration —
// read from the usage records in BYOKEY_HOME (a running gateway writes them within a second).
import type { UsageAggregate, UsageGrouping } from '../store/usage-store';
import { DEFAULT_GROUPING, DEFAULT_SINCE, parseGrouping, parseSince, UsageQueryError } from '../usage/usage-query';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliIo } from './cli-io';
import { parseCommandArgs, type CommandSpec } from './command-spec';
import { table } from './format';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, storeSettingsForCommand } from './load-config';
import { withReadStores } from './open-store';

export const USAGE_USAGE = `Usage: byokey usage [--since WINDOW] [--by key|model|account|instance]

Shows the requests the gateway served: per group, the requests, errors, input / output /
cached / reasoning tokens, and the median time to first byte and duration.

Options:
  --since WINDOW   how far back: 30m, 24h, 7d, 2w, or an ISO date (default ${DEFAULT_SINCE})
  --by GROUPING    key, model, account (credential) or instance (default ${DEFAULT_GROUPING})
${CONFIG_OPTION_HELP}
  -h, --help       show this help`;

const USAGE_OPTIONS = { since: { type: 'string' }, by: { type: 'string' }, ...CONFIG_OPTION } as const;

export const USAGE_COMMAND: CommandSpec<typeof USAGE_OPTIONS> = {
  path: 'usage',
  summary: 'requests and tokens served, by key, model, account or instance',
  usage: USAGE_USAGE,
  options: USAGE_OPTIONS,
  optionValues: { by: ['key', 'model', 'account', 'instance'] },
};

const HEADINGS: Record<UsageGrouping, string> = { key: 'KEY', model: 'MODEL', account: 'ACCOUNT', instance: 'INSTANCE' };

export async function usageCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(USAGE_COMMAND, argv);
  const now = Date.now();
  let since: number;
  let by: UsageGrouping;
  try {
    since = parseSince(values.since ?? DEFAULT_SINCE, now);
    by = parseGrouping(values.by ?? DEFAULT_GROUPING);
  } catch (error) {
    if (error instanceof UsageQueryError) throw new UsageError(error.message);
    throw error;
  }
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;
  return withReadStores(io, settings, async ({ usage: store }) => {
    const groups = await store.aggregate({ since, until: now }, by);
    io.out(`Usage since ${new Date(since).toISOString()}, by ${by}`);
    io.out('');
    if (groups.length === 0) {
      io.out('No requests in this window.');
      return EXIT_OK;
    }
    const rows = groups.map((g) => [label(g, by), ...figures(g)]);
    if (groups.length > 1) rows.push(['TOTAL', ...figures(total(groups))]);
    io.out(table([HEADINGS[by], 'REQUESTS', 'ERRORS', 'INPUT', 'OUTPUT', 'CACHED', 'REASONING', 'P50 TTFB', 'P50 TIME'], rows));
    return EXIT_OK;
  });
}

function label(group: UsageAggregate, by: UsageGrouping): string {
  if (group.group === null) return by === 'key' ? '(no key)' : '(none)';
  if (by === 'key' && group.name !== undefined) return `${group.name} (${group.group})`;
  return group.group;
}

function figures(g: UsageAggregate): string[] {
  const n = (value: number) => value.toLocaleString('en-US');
  return [
    n(g.requests),
    n(g.errors),
    n(g.tokens.input),
    n(g.tokens.output),
    n(g.tokens.cached),
    n(g.tokens.reasoning),
    duration(g.p50TtfbMs),
    duration(g.p50DurationMs),
  ];
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The groups summed; medians of medians would mislead, so the total has none. */
function total(groups: UsageAggregate[]): UsageAggregate {
  const sum = (pick: (g: UsageAggregate) => number) => groups.reduce((acc, g) => acc + pick(g), 0);
  return {
    group: 'TOTAL',
    requests: sum((g) => g.requests),
    errors: sum((g) => g.errors),
    tokens: {
      input: sum((g) => g.tokens.input),
      output: sum((g) => g.tokens.output),
      cached: sum((g) => g.tokens.cached),
      reasoning: sum((g) => g.tokens.reasoning),
    },
  };
}
