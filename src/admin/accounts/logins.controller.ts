// Logging in to a subscription over HTTP, for servers without a terminal: POST
// /admin/v1/accounts/{provider}/login starts the provider's flow — a device code to enter at a
// URL (then poll GET …/logins/{id}), or a browser (PKCE) login whose redirected address is posted
// back to …/logins/{id}/complete. The account is stored and serves the next request. With shared
// Redis any instance answers for a login another one started (HttpLogins).
import { Body, Controller, Get, HttpCode, Param, Post, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { parsePastedAnswer } from '../../auth/authorization-code-flow';
import { AdminBodyPipe } from '../admin-body.pipe';
import { AdminKeyGuard } from '../admin-key.guard';
import { ADMIN_SECURITY } from '../admin-openapi';
import { HttpLogins } from '../logins/http-logins.service';
import { CompleteLoginDto, StartLoginDto } from './account-dtos';
import type { LoginView } from '../logins/login-views';

@ApiTags('admin: accounts')
@ApiBearerAuth(ADMIN_SECURITY)
@Controller('admin/v1/accounts')
@UseGuards(AdminKeyGuard)
@UsePipes(AdminBodyPipe)
export class LoginsController {
  constructor(private readonly logins: HttpLogins) {}

  @Post(':provider/login')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a login over HTTP',
    description:
      'Device-code providers (copilot, qwen, …) answer user_code and verification_uri: enter the code there, then poll the login. ' +
      'Browser providers (codex, claude, …) answer authorize_url: log in, then POST the address the browser was sent back to to …/logins/{id}/complete.',
  })
  @ApiResponse({ status: 202, description: 'The login, pending: what to do next is in `next`.' })
  @ApiResponse({ status: 404, description: 'No login for that provider.' })
  @ApiResponse({ status: 429, description: 'Too many logins are pending.' })
  start(@Param('provider') provider: string, @Body() body: StartLoginDto): Promise<LoginView> {
    return this.logins.start(provider, body.account);
  }

  @Get('logins/:id')
  @ApiOperation({ summary: "A login's status", description: 'pending; done (with the account); or failed (with why).' })
  @ApiResponse({ status: 404, description: 'No such login (or it finished long ago).' })
  status(@Param('id') id: string): Promise<LoginView> {
    return this.logins.get(id);
  }

  @Post('logins/:id/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete a browser login with the redirected address',
    description: 'Exchanges the code for tokens and stores the account; answers the finished login, or the reason it failed.',
  })
  @ApiResponse({ status: 400, description: 'Not a redirect address, or the provider refused the code (the message says which).' })
  @ApiResponse({ status: 409, description: 'A device-code login, or one that has already finished.' })
  complete(@Param('id') id: string, @Body() body: CompleteLoginDto): Promise<LoginView> {
    return this.logins.complete(id, body.redirect_url, (text) => parsePastedAnswer(text) !== undefined);
  }
}
