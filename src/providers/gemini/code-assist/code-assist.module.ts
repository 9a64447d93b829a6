// Code Assist (Google's `v1internal` API) for logged-in Google accounts: the pieces the gemini
// and antigravity plugins share. Both import this module, so one CodeAssistProjects keeps the
// set-ups of both (keyed by provider and account).
import { Module } from '@nestjs/common';
import { CodeAssistCalls } from './code-assist-calls';
import { CodeAssistProjects } from './code-assist-projects';
import { CodeAssistTiming } from './code-assist-timing';

@Module({ providers: [CodeAssistTiming, CodeAssistProjects, CodeAssistCalls], exports: [CodeAssistTiming, CodeAssistProjects, CodeAssistCalls] })
export class CodeAssistModule {}
