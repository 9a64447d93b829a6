// Applies edits to providers.yaml without a restart (issue #6): the file's folder is watched
// (editors often replace the file rather than write it) and SIGHUP asks for a reload too. A new
// configuration is checked in full before it replaces the old one; an invalid edit is logged
// and the old one stays. Requests in flight finish on the instances they started with.
//
// With several instances, an operator's reload on one (POST /admin/v1/reload) reaches the
// others as a change notice: each reads its own providers.yaml again (a file watch misses a
// Kubernetes ConfigMap update, which swaps a symlink). A runtime provider change on another
// instance (the admin API, stored in the shared store) is read from the store again here.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigError } from '../config/config-error';
import { BUILT_IN_DEFAULTS, loadGatewayConfig } from '../config/config.loader';
import type { GatewayConfig } from '../config/gateway-config';
import { ChangeNotices } from '../store/shared/change-notices';
import { PluginRegistry } from './plugin-registry.service';

/** Editors write a file in several steps; one reload after the last of them. */
const SETTLE_MS = 150;

@Injectable()
export class ConfigReloader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConfigReloader.name);
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private readonly onHangup = () => void this.reload('SIGHUP');
  private readonly unsubscribe: Array<() => void> = [];
  /** Reloads done so far (for tests and the admin API). */
  reloads = 0;

  constructor(
    private readonly registry: PluginRegistry,
    @Optional() private readonly notices?: ChangeNotices,
  ) {}

  onApplicationBootstrap(): void {
    const file = this.registry.config.source;
    process.on('SIGHUP', this.onHangup);
    if (this.notices) {
      this.unsubscribe.push(
        this.notices.subscribe('config-reload', () => void this.reload('a reload on another instance')),
        this.notices.subscribe('providers', () => void this.applyStoredOverrides()),
      );
    }
    if (file === BUILT_IN_DEFAULTS) return;
    try {
      this.watcher = watch(dirname(file), (_event, name) => {
        if (name !== null && name !== basename(file)) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload('file change'), SETTLE_MS);
      });
      this.watcher.on('error', (error) => this.logger.warn(`stopped watching ${file}: ${error.message}`));
    } catch (error) {
      this.logger.warn(`cannot watch ${file} for changes (${(error as Error).message}); SIGHUP still reloads it`);
    }
  }

  onApplicationShutdown(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
    process.off('SIGHUP', this.onHangup);
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  /**
   * Reads the file again and puts it in force; false (old config kept) when it cannot be. Never
   * throws: it runs from a timer and a signal handler, where a rejection would end the process.
   */
  async reload(why: string): Promise<boolean> {
    return (await this.reloadNow(why)).reloaded;
  }

  /** Puts in force the runtime provider changes in the store (another instance made one). Never throws. */
  async applyStoredOverrides(): Promise<void> {
    try {
      await this.registry.applyStoredOverrides();
      this.logger.log('applied the runtime provider changes another instance made');
    } catch (error) {
      this.logger.error(`could not apply the runtime provider changes another instance made: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Reload with its outcome spelled out, for the admin API: what changed, or why nothing did.
   * The runtime overrides are read from the store again too (another gateway may have changed
   * them). Never throws.
   */
  async reloadNow(why: string): Promise<ReloadOutcome> {
    const current = this.registry.config;
    if (current.source === BUILT_IN_DEFAULTS) {
      return { reloaded: false, source: current.source, problem: 'no-file', message: 'The gateway started without a providers.yaml, so there is no file to reload.' };
    }
    const before = this.registry.fileConfig;
    try {
      const next = loadGatewayConfig({ file: current.source });
      this.registry.reload({ ...next, server: current.server }, await this.registry.readOverrides());
      this.reloads++;
      // server: (host, port, limits) is read at startup only; everything else applies now.
      this.logger.log(`reloaded ${current.source} (${why}): ${next.providers.length} provider instances`);
      this.registry.warnUnready();
      return { reloaded: true, source: current.source, ...instanceChanges(before, next) };
    } catch (error) {
      if (error instanceof ConfigError) {
        this.logger.error(`kept the running configuration: ${error.message}`);
        return { reloaded: false, source: current.source, problem: 'invalid', message: error.message };
      }
      // A bug rather than a bad file (the registry or a plugin threw): worth its stack.
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.logger.error(`kept the running configuration after an unexpected error reloading ${current.source} (${why}): ${detail}`);
      return {
        reloaded: false,
        source: current.source,
        problem: 'failed',
        message: `The running configuration was kept: reloading ${current.source} failed unexpectedly (${error instanceof Error ? error.message : String(error)}); the gateway log has details.`,
      };
    }
  }
}

export type ReloadOutcome =
  | { reloaded: true; source: string; instances: string[]; added: string[]; removed: string[]; changed: string[] }
  | { reloaded: false; source: string; problem: 'no-file' | 'invalid' | 'failed'; message: string };

/** Provider instances in the new file, and which were added, removed or edited compared with the old. */
function instanceChanges(before: GatewayConfig, after: GatewayConfig): { instances: string[]; added: string[]; removed: string[]; changed: string[] } {
  const old = new Map(before.providers.map((p) => [p.name, JSON.stringify(p.raw)]));
  const names = after.providers.map((p) => p.name);
  return {
    instances: names,
    added: names.filter((name) => !old.has(name)),
    removed: before.providers.map((p) => p.name).filter((name) => !names.includes(name)),
    changed: after.providers.filter((p) => old.has(p.name) && old.get(p.name) !== JSON.stringify(p.raw)).map((p) => p.name),
  };
}
