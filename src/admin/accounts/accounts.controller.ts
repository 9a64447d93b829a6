// /admin/v1/accounts: the stored subscription logins — list, remove, make one its provider's
// default, and import a login made elsewhere (a Codex CLI auth.json or Claude Code credentials
// in the body). Logging in over HTTP is logins.controller.ts. Tokens never leave the store.
import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AccountCredentials } from '../../auth/account-credentials.service';
import { CREDENTIAL_IMPORTERS, type CredentialImporters } from '../../auth/importers/credential-importer';
import { ImportError } from '../../auth/importers/import-error';
import { GatewayError } from '../../common/gateway-error';
import { isObject } from '../../protocol/json-object';
import { RequestRouter } from '../../routing/request-router.service';
import type { NewAccount } from '../../store/account';
import { AccountStore } from '../../store/account-store';
import { RateLimitSnapshots } from '../../store/rate-limit-snapshots';
import { ChangeNotices } from '../../store/shared/change-notices';
import { AdminBodyPipe } from '../admin-body.pipe';
import { AdminKeyGuard } from '../admin-key.guard';
import { ADMIN_SECURITY } from '../admin-openapi';
import { ACCOUNT_NAME, SetProxyDto } from './account-dtos';
import { accountView, type AccountView } from './account-views';

/** What the importers' messages call the file when it came as a request body. */
const BODY = 'the request body';

@ApiTags('admin: accounts')
@ApiBearerAuth(ADMIN_SECURITY)
@Controller('admin/v1/accounts')
@UseGuards(AdminKeyGuard)
@UsePipes(AdminBodyPipe)
export class AccountsController {
  constructor(
    private readonly store: AccountStore,
    private readonly rateLimits: RateLimitSnapshots,
    private readonly router: RequestRouter,
    private readonly credentials: AccountCredentials,
    @Inject(CREDENTIAL_IMPORTERS) private readonly importers: CredentialImporters,
    private readonly notices: ChangeNotices,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Stored subscription accounts', description: 'By provider, default first. Tokens are never shown.' })
  @ApiQuery({ name: 'provider', required: false, description: 'Only this provider\'s accounts (codex, claude, …).' })
  async list(@Query('provider') provider?: string): Promise<{ object: 'list'; data: AccountView[] }> {
    const accounts = await this.store.list(provider || undefined);
    return { object: 'list', data: accounts.map((a) => accountView(a, this.rateLimits.get(a.provider, a.accountId))) };
  }

  @Delete(':provider/:account')
  @ApiOperation({ summary: 'Remove an account', description: 'When it was the default, the oldest remaining account of the provider becomes the default.' })
  @ApiResponse({ status: 404, description: 'No such account.' })
  async remove(@Param('provider') provider: string, @Param('account') account: string): Promise<{ provider: string; account_id: string; deleted: true }> {
    if (!(await this.store.remove(provider, account))) throw this.noAccount(provider, account);
    await this.accountsChanged(`removed ${provider}/${account}`);
    return { provider, account_id: account, deleted: true };
  }

  @Post(':provider/:account/default')
  @HttpCode(200)
  @ApiOperation({ summary: "Make an account its provider's default" })
  @ApiResponse({ status: 404, description: 'No such account.' })
  async makeDefault(@Param('provider') provider: string, @Param('account') account: string): Promise<AccountView> {
    if (!(await this.store.setDefault(provider, account))) throw this.noAccount(provider, account);
    await this.accountsChanged(`${provider}/${account} made the default`);
    const stored = await this.store.get(provider, account);
    if (!stored) throw this.noAccount(provider, account);
    return accountView(stored);
  }

  @Put(':provider/:account/proxy')
  @HttpCode(200)
  @ApiOperation({
    summary: "Pin an account to its own proxy",
    description:
      "Its requests, WebSockets and token refreshes go through proxy_url (or straight out with \"none\"), whatever the instance's proxy_url and HTTPS_PROXY say; null drops the pin. The answer shows the proxy without its credentials.",
  })
  @ApiResponse({ status: 400, description: 'proxy_url is not a proxy URL, "none" or null.' })
  @ApiResponse({ status: 404, description: 'No such account.' })
  async setProxy(@Param('provider') provider: string, @Param('account') account: string, @Body() body: SetProxyDto): Promise<AccountView> {
    if (!(await this.store.setProxy(provider, account, body.proxy_url ?? undefined))) throw this.noAccount(provider, account);
    await this.accountsChanged(`${provider}/${account} proxy changed`);
    const stored = await this.store.get(provider, account);
    if (!stored) throw this.noAccount(provider, account);
    return accountView(stored);
  }

  @Post(':provider/import')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Import a login made elsewhere',
    description:
      'codex: the Codex CLI\'s auth.json as the body; claude: Claude Code\'s .credentials.json ({"claudeAiOauth": …}). ' +
      'Stored encrypted like a login; an account of the same name gets the new tokens.',
  })
  @ApiQuery({ name: 'account', required: false, description: 'The account name (default: codex-cli or claude-code).' })
  @ApiBody({ description: 'The credentials file\'s JSON, as is.', schema: { type: 'object', additionalProperties: true } })
  @ApiResponse({ status: 400, description: 'The body is not such a login (the message says what is missing).' })
  async import(@Param('provider') provider: string, @Body() body: unknown, @Query('account') account?: string): Promise<AccountView> {
    const importer = Object.hasOwn(this.importers, provider) ? this.importers[provider] : undefined;
    if (!importer) {
      const importable = Object.keys(this.importers).join(', ');
      throw new GatewayError(400, `Logins can be imported for ${importable}, not "${provider}"; log in with POST /admin/v1/accounts/${provider}/login instead.`, {
        type: 'invalid_request_error',
        code: 'import_unsupported',
      });
    }
    if (account !== undefined && !ACCOUNT_NAME.test(account)) {
      throw new GatewayError(400, 'account must be 1-128 letters, digits or . _ @ + -, starting with a letter or digit.', {
        type: 'invalid_request_error',
        code: 'invalid_account_name',
        param: 'account',
      });
    }
    if (!isObject(body)) {
      throw new GatewayError(400, `The body must be ${importer.fileName} as a JSON object.`, {
        type: 'invalid_request_error',
        code: 'invalid_body',
      });
    }
    let imported: NewAccount;
    try {
      imported = importer.fromJson(body, BODY, account);
    } catch (error) {
      if (error instanceof ImportError) throw new GatewayError(400, `Not imported: ${error.message}.`, { type: 'invalid_request_error', code: 'invalid_credentials' });
      throw error;
    }
    const saved = await this.store.save(imported);
    await this.accountsChanged(`imported ${provider}/${saved.accountId}`);
    return accountView(saved);
  }

  /**
   * The next request uses the accounts as they are now, not a copy read before the change — here,
   * and on the other gateway instances, which are told.
   */
  private async accountsChanged(detail: string): Promise<void> {
    this.router.accountsChanged();
    this.credentials.accountsChanged();
    await this.notices.publish('accounts', detail);
  }

  private noAccount(provider: string, account: string): GatewayError {
    return new GatewayError(404, `No ${provider} account is named "${account}" (GET /admin/v1/accounts lists them).`, {
      type: 'not_found_error',
      code: 'account_not_found',
    });
  }
}
