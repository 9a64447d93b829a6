// The Google Cloud project a logged-in account's Code Assist calls name, found the way Gemini CLI
// finds it (reference/wire-protocols.md §6.1 "Project discovery"): loadCodeAssist; a current
// tier means the account is set up and the answer names its project; otherwise onboardUser
// with the default allowed tier (no project for free-tier: Google refuses one there) returns a
// long-running operation, polled until done, whose answer names the project. Done once per
// account: the project is kept in the account's claims (`code_assist_project`, with the pinned
// project it was set up for), so a restart does not onboard again, and concurrent first
// requests share one set-up.
import { Injectable } from '@nestjs/common';
import type { OAuthCredential } from '../../../auth/oauth-credential';
import { GatewayError } from '../../../common/gateway-error';
import {
  FREE_TIER,
  LEGACY_TIER,
  type ClientMetadata,
  type CodeAssistTier,
  type LoadCodeAssistResponse,
  type OnboardOperation,
  type OnboardUserRequest,
} from '../../../protocol/gemini-code-assist';
import { AccountStore } from '../../../store/account-store';
import { UpstreamError, cancelled } from '../../../upstream/upstream-error';
import { UpstreamHttp } from '../../../upstream/upstream-http.service';
import { getCodeAssistOperation, postCodeAssistJson, projectIdOf, type CodeAssistTarget } from './code-assist-http';
import { CodeAssistTiming } from './code-assist-timing';

/** The claims a set-up leaves on the account. */
export const PROJECT_CLAIM = 'code_assist_project';
export const PINNED_CLAIM = 'code_assist_project_pin';

export interface ProjectQuery {
  /** Where to call, with the account's token; its signal is ignored (see `projectFor`). */
  target: CodeAssistTarget;
  account: OAuthCredential;
  /** Gemini CLI's GOOGLE_CLOUD_PROJECT: the instance's `project:` setting. */
  pinned?: string;
  /** `IDE_UNSPECIFIED` for Gemini CLI, `ANTIGRAVITY` for Antigravity. */
  ideType: string;
}

@Injectable()
export class CodeAssistProjects {
  /** Set-ups in progress, by account: later requests wait for the first one's. */
  private readonly inflight = new Map<string, Promise<string>>();
  /** Projects found or read by this process: the cached account in AccountCredentials predates the claim. */
  private readonly known = new Map<string, string>();

  constructor(
    private readonly http: UpstreamHttp,
    private readonly store: AccountStore,
    private readonly timing: CodeAssistTiming,
  ) {}

  /**
   * The account's project. A set-up runs under its own deadline, not the request's signal: it is
   * shared, and one client leaving must not fail the others waiting for it.
   */
  async projectFor(query: ProjectQuery): Promise<string> {
    const { account } = query;
    const pin = query.pinned ?? '';
    const key = JSON.stringify([account.provider, account.accountId, pin, account.claims.email ?? null]);
    const known = this.known.get(key);
    if (known) return known;
    const claimed = account.claims[PROJECT_CLAIM];
    if (typeof claimed === 'string' && claimed !== '' && (account.claims[PINNED_CLAIM] ?? '') === pin) {
      this.known.set(key, claimed);
      return claimed;
    }
    let running = this.inflight.get(key);
    if (!running) {
      running = this.setUp(query, pin).finally(() => this.inflight.delete(key));
      this.inflight.set(key, running);
    }
    const project = await running;
    this.known.set(key, project);
    return project;
  }

  private async setUp(query: ProjectQuery, pin: string): Promise<string> {
    const signal = AbortSignal.timeout(this.timing.setupTimeoutMs);
    const target = { ...query.target, signal };
    try {
      const project = await this.discover(target, query, pin || undefined);
      await this.store.mergeClaims(query.account.provider, query.account.accountId, { [PROJECT_CLAIM]: project, [PINNED_CLAIM]: pin });
      return project;
    } catch (error) {
      if (signal.aborted && !(error instanceof GatewayError)) throw cancelled(target.instance, signal, error);
      throw error;
    }
  }

  private async discover(target: CodeAssistTarget, query: ProjectQuery, pinned: string | undefined): Promise<string> {
    const metadata: ClientMetadata = { ideType: query.ideType, platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI', ...(pinned ? { duetProject: pinned } : {}) };
    const loaded = await postCodeAssistJson<LoadCodeAssistResponse>(this.http, target, 'loadCodeAssist', {
      ...(pinned ? { cloudaicompanionProject: pinned } : {}),
      metadata,
    });
    if (loaded.currentTier) return projectIdOf(loaded.cloudaicompanionProject) ?? pinned ?? projectRequired(target.instance, query.account);

    const tier = onboardTier(loaded);
    const request: OnboardUserRequest =
      tier.id === FREE_TIER
        ? { tierId: tier.id, metadata: { ...metadata, duetProject: undefined } }
        : { tierId: tier.id, ...(pinned ? { cloudaicompanionProject: pinned } : {}), metadata };
    let operation = await postCodeAssistJson<OnboardOperation>(this.http, target, 'onboardUser', dropUndefined(request));
    for (let polls = 0; !operation.done; polls++) {
      if (polls >= this.timing.maxPolls || typeof operation.name !== 'string' || operation.name === '') {
        throw new UpstreamError(`upstream ${target.instance} did not finish setting up the Google account for Code Assist (onboardUser)`, {
          failure: 'protocol',
          instance: target.instance,
        });
      }
      await this.timing.sleep(this.timing.pollIntervalMs, target.signal);
      operation = await getCodeAssistOperation<OnboardOperation>(this.http, target, operation.name);
    }
    if (operation.error) {
      const code = typeof operation.error.code === 'number' && operation.error.code >= 400 ? operation.error.code : 500;
      throw new UpstreamError(`upstream ${target.instance} could not set up the Google account for Code Assist: ${operation.error.message ?? 'onboarding failed'}`, {
        failure: 'status',
        status: code,
        instance: target.instance,
        upstreamMessage: operation.error.message,
        upstreamType: operation.error.status,
      });
    }
    return projectIdOf(operation.response?.cloudaicompanionProject) ?? pinned ?? projectRequired(target.instance, query.account);
  }
}

/** The tier Gemini CLI onboards to: the default allowed one, else legacy-tier. */
function onboardTier(loaded: LoadCodeAssistResponse): CodeAssistTier {
  return loaded.allowedTiers?.find((tier) => tier.isDefault) ?? { id: LEGACY_TIER };
}

/** A paid tier needs a project the user names: say where. */
function projectRequired(instance: string, account: OAuthCredential): never {
  throw new GatewayError(
    503,
    `The ${account.provider} account "${account.accountId}" needs a Google Cloud project for Code Assist: set \`project: <project id>\` on providers.${instance} (what Gemini CLI reads from GOOGLE_CLOUD_PROJECT).`,
    { type: 'server_error', code: 'project_required', headers: { 'x-should-retry': 'false' } },
  );
}

function dropUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
