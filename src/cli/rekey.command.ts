// `byokey rekey`: the step of a secret key rotation that moves the stored data to the new key.
// With the new key as the secret key and the old one as the previous key, re-seals every sealed
// value in the store (account tokens, upstream keys added at runtime, the key check) with the new
// key in one transaction, and says how many. Values already sealed with the new key are left as
// they are, so a second run re-seals nothing.
import { byokeyHome } from '../config/byokey-home';
import { loadPreviousSecretKey, PREVIOUS_SECRET_KEY_ENV, previousSecretKeyPath, SECRET_KEY_ENV } from '../store/secret-key';
import { resealedTotal, type ResealCounts } from '../store/secret-rotation';
import { StoreError } from '../store/store-error';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from './cli-io';
import { parseCommandArgs, type CommandSpec } from './command-spec';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, storeSettingsForCommand } from './load-config';
import { withStores } from './open-store';

export const REKEY_USAGE = `Usage: byokey rekey [--config FILE]

Re-seals every secret in the store (account tokens, upstream keys added at runtime, the key
check) with the current secret key, in one transaction. It needs both keys:
  ${SECRET_KEY_ENV}            the new key (else $BYOKEY_HOME/secret.key)
  ${PREVIOUS_SECRET_KEY_ENV}   the old key (else $BYOKEY_HOME/secret.key.previous)
Run it once every instance runs with the new key and the old one as previous; then remove the
previous key everywhere. Safe to run again: values already sealed with the new key are left as
they are. Nothing is changed when some value opens with neither key.

Options:
${CONFIG_OPTION_HELP}
  -h, --help            show this help`;

export const REKEY_COMMAND: CommandSpec<typeof CONFIG_OPTION> = {
  path: 'rekey',
  summary: 're-seal stored secrets with a new secret key (key rotation)',
  usage: REKEY_USAGE,
  options: CONFIG_OPTION,
};

export async function rekeyCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(REKEY_COMMAND, argv);
  const settings = storeSettingsForCommand(values.config, io);
  if (!settings) return EXIT_FAILURE;

  // Before opening the store: without the old key, a store still sealed with it would only be
  // refused as "does not match", which hides what is actually missing.
  const home = byokeyHome();
  try {
    if (!loadPreviousSecretKey({ home, env: process.env })) {
      io.err(
        `byokey rekey: no previous key is configured (${PREVIOUS_SECRET_KEY_ENV} is not set and ` +
          `${previousSecretKeyPath(home)} does not exist), so there is nothing to rotate from. Set ` +
          `${PREVIOUS_SECRET_KEY_ENV} to the old key and ${SECRET_KEY_ENV} to the new one, then run it again.`,
      );
      return EXIT_FAILURE;
    }
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    io.err(`byokey rekey: ${error.message}`);
    return EXIT_FAILURE;
  }

  return withStores(io, settings, async (stores) => {
    let counts: ResealCounts;
    try {
      counts = await stores.rotation.reseal();
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      io.err(`byokey rekey: ${error.message}`);
      return EXIT_FAILURE;
    }
    const sources = stores.rotation.keySources;
    const total = resealedTotal(counts);
    if (total === 0) {
      io.out(
        `Re-sealed 0 values: all ${plural(counts.unchanged, 'sealed value')} in ${stores.location} were already ` +
          `sealed with the secret key from ${sources.current}. Nothing changed.`,
      );
    } else {
      const parts = [plural(counts.accounts, 'account'), plural(counts.runtimeKeys, 'runtime upstream key')];
      if (counts.keyCheck) parts.push('the key check');
      io.out(
        `Re-sealed ${plural(total, 'value')} in ${stores.location} with the secret key from ${sources.current} ` +
          `(${parts.join(', ')}); ${counts.unchanged} already sealed with it.`,
      );
    }
    io.out(
      `Every stored secret now opens with the secret key alone: once every instance runs with it, remove the ` +
        `previous key (${sources.previous ?? PREVIOUS_SECRET_KEY_ENV}) from each.`,
    );
    return EXIT_OK;
  });
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
