// Every provider plugin module. Adding a provider is one folder under src/providers/ and one
// line here; removing one is the reverse.
import { OpenAICompatibleModule } from './openai-compatible/openai-compatible.module';

export const PROVIDER_PLUGIN_MODULES = [OpenAICompatibleModule];
