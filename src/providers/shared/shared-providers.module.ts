// Building blocks several provider plugins use.
import { Global, Module } from '@nestjs/common';
import { OpenAIChatForwarder } from './openai-chat-forwarder';

@Global()
@Module({ providers: [OpenAIChatForwarder], exports: [OpenAIChatForwarder] })
export class SharedProvidersModule {}
