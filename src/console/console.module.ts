// The web console at /console: its files (console-assets.ts) and the routes that serve them
// (console-routes.ts). The browser app itself is web/ at the repository root.
import { Module } from '@nestjs/common';
import { ConsoleAssets } from './console-assets';
import { ConsoleRoutes } from './console-routes';

@Module({ providers: [ConsoleAssets, ConsoleRoutes] })
export class ConsoleModule {}
