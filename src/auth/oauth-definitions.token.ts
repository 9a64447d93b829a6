// DI token for the providers' OAuth definitions (provider id → definition). The composition root
// (app.module.ts) provides src/providers/oauth-definitions.ts under it, so auth/ never imports a
// provider.
import type { OAuthDefinition } from './oauth-definition';

export const OAUTH_DEFINITIONS = Symbol('OAUTH_DEFINITIONS');

export type OAuthDefinitions = Readonly<Record<string, OAuthDefinition>>;
