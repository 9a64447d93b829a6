// Plugin "iflow": iFlow (OAuth browser login, traded for an API key) over iFlow's OpenAI-compatible API.
import { Module } from '@nestjs/common';
import { IflowSigner } from './iflow-signature';
import { IflowExecutor } from './iflow.executor';

@Module({ providers: [IflowExecutor, IflowSigner] })
export class IflowModule {}
