// Plugin "kiro": a Kiro subscription (imported Kiro IDE login) over AWS CodeWhisperer's event-stream API.
import { Module } from '@nestjs/common';
import { KiroExecutor } from './kiro.executor';

@Module({ providers: [KiroExecutor] })
export class KiroModule {}
