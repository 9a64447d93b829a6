// The "model" behind the fake upstreams when real client CLIs are driven through byokey: a tiny
// scripted agent. Asked to run a command (a prompt holding "Run `CMD`") by a request that offers
// a shell tool, it answers with a call to that tool; on a request carrying a tool result it
// answers with text quoting the result; otherwise it answers plain text naming the prompt's probe.
// One decision, three wire views (Anthropic Messages, Chat Completions, Responses), and for each
// fake a `responder` that turns the decision into that fake's scenario.
import type { AnthropicScenario } from '../../fakes/anthropic-upstream.fake';
import type { CodexScenario } from '../../fakes/codex-backend.fake';
import type { Scenario as ChatScenario } from '../../fakes/openai-upstream.fake';

type Json = Record<string, any>;

/** Names the clients give their shell tool: Claude Code, Codex CLI (unified exec / classic), opencode. */
export const SHELL_TOOL_NAMES = ['Bash', 'exec_command', 'shell', 'shell_command', 'bash'] as const;

/** The text the agent answers once it has a tool result: the test looks for it on the CLI's stdout. */
export const TOOL_RESULT_PREFIX = 'The shell printed:';
/** The text the agent answers to a plain prompt, followed by the prompt's probe. */
export const PLAIN_REPLY_PREFIX = 'byokey fake model answering';

/** What the agent needs to know about one request, whatever its protocol. */
export interface AgentView {
  /** Tools offered, with their JSON Schema for the arguments. */
  tools: Array<{ name: string; schema: Json | undefined }>;
  /** Every user text in the conversation, in order. */
  userTexts: string[];
  /** Every tool result in the conversation, as text, in order. */
  toolResults: string[];
}

export type AgentTurn =
  | { kind: 'call'; tool: string; input: Json }
  | { kind: 'text'; text: string };

/** The one decision, protocol-free. */
export function decide(view: AgentView): AgentTurn {
  const prompt = view.userTexts.join('\n');
  const lastResult = view.toolResults[view.toolResults.length - 1];
  if (lastResult !== undefined) return { kind: 'text', text: `${TOOL_RESULT_PREFIX} ${oneLine(lastResult)}` };
  const command = /Run `([^`]+)`/.exec(prompt)?.[1];
  const shell = view.tools.find((t) => (SHELL_TOOL_NAMES as readonly string[]).includes(t.name));
  if (command && shell) return { kind: 'call', tool: shell.name, input: shellInput(shell.schema, command) };
  const probe = /\[probe:([\w-]+)\]/.exec(prompt)?.[1] ?? 'no-probe';
  return { kind: 'text', text: `${PLAIN_REPLY_PREFIX} ${probe}.` };
}

/** Arguments shaped to the tool's own schema: `cmd` (exec_command), argv (shell), or `command` text. */
function shellInput(schema: Json | undefined, command: string): Json {
  const properties: Json = schema?.properties ?? {};
  if (properties.cmd) return { cmd: command };
  if (properties.command?.type === 'array') return { command: ['bash', '-lc', command] };
  const input: Json = { command };
  if (properties.description) input.description = 'Runs the command the user asked for';
  return input;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

// ---- views ---------------------------------------------------------------------------------

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: any) => (typeof part === 'string' ? part : typeof part?.text === 'string' ? part.text : typeof part?.content === 'string' ? part.content : ''))
    .join('\n');
}

/** POST /v1/messages. */
export function anthropicView(body: Json): AgentView {
  const view: AgentView = { tools: [], userTexts: [], toolResults: [] };
  for (const tool of Array.isArray(body?.tools) ? body.tools : []) {
    if (typeof tool?.name === 'string') view.tools.push({ name: tool.name, schema: tool.input_schema });
  }
  for (const message of Array.isArray(body?.messages) ? body.messages : []) {
    if (message?.role !== 'user') continue;
    if (typeof message.content === 'string') {
      view.userTexts.push(message.content);
      continue;
    }
    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (block?.type === 'text') view.userTexts.push(String(block.text ?? ''));
      if (block?.type === 'tool_result') view.toolResults.push(textOf(block.content));
    }
  }
  return view;
}

/** POST /v1/chat/completions. */
export function chatView(body: Json): AgentView {
  const view: AgentView = { tools: [], userTexts: [], toolResults: [] };
  for (const tool of Array.isArray(body?.tools) ? body.tools : []) {
    if (typeof tool?.function?.name === 'string') view.tools.push({ name: tool.function.name, schema: tool.function.parameters });
  }
  for (const message of Array.isArray(body?.messages) ? body.messages : []) {
    if (message?.role === 'user') view.userTexts.push(textOf(message.content));
    if (message?.role === 'tool') view.toolResults.push(textOf(message.content));
  }
  return view;
}

/** POST /responses: tools at the top level, or (newer Codex models) in an `additional_tools` input item. */
export function responsesView(body: Json): AgentView {
  const view: AgentView = { tools: [], userTexts: [], toolResults: [] };
  const addTools = (tools: unknown) => {
    for (const tool of Array.isArray(tools) ? tools : []) {
      if (typeof tool?.name === 'string' && (tool.type === 'function' || tool.type === undefined)) {
        view.tools.push({ name: tool.name, schema: tool.parameters });
      }
      if (tool?.type === 'namespace') addTools(tool.tools);
    }
  };
  addTools(body?.tools);
  const input: Json[] = typeof body?.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : Array.isArray(body?.input) ? body.input : [];
  for (const item of input) {
    if (item?.type === 'additional_tools') addTools(item.tools);
    if ((item?.type === 'message' || item?.type === undefined) && item?.role === 'user') view.userTexts.push(textOf(item.content));
    if (item?.type === 'function_call_output' || item?.type === 'custom_tool_call_output') view.toolResults.push(textOf(item.output));
  }
  return view;
}

// ---- responders for the fakes --------------------------------------------------------------

let calls = 0;
function callId(prefix: string): string {
  calls++;
  return `${prefix}${String(calls).padStart(6, '0')}`;
}

/** For FakeAnthropicUpstream.responder. */
export function anthropicResponder(body: Json): AnthropicScenario {
  const turn = decide(anthropicView(body));
  if (turn.kind === 'call') return { kind: 'answer', answer: 'tool_use', toolUse: { name: turn.tool, input: turn.input, id: callId('toolu_01Agent') } };
  return { kind: 'answer', answer: 'text', text: turn.text };
}

/** For FakeCodexBackend.responder. */
export function codexResponder(body: Json): CodexScenario {
  const turn = decide(responsesView(body));
  if (turn.kind === 'call') {
    return { kind: 'stream', answer: 'function_call', functionCall: { name: turn.tool, arguments: JSON.stringify(turn.input), callId: callId('call_agent') } };
  }
  return { kind: 'stream', answer: 'text', text: turn.text };
}

/** For FakeOpenAIUpstream.responder: a stream as OpenAI sends it (or one JSON completion). */
export function chatResponder(body: Json): ChatScenario {
  const turn = decide(chatView(body));
  const created = 1767225600;
  const base = { id: 'chatcmpl-agent', object: 'chat.completion.chunk', created, model: body?.model, system_fingerprint: null };
  const usage = { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 };
  const message =
    turn.kind === 'call'
      ? { role: 'assistant', content: null, tool_calls: [{ id: callId('call_agent'), type: 'function', function: { name: turn.tool, arguments: JSON.stringify(turn.input) } }] }
      : { role: 'assistant', content: turn.text };
  const finish = turn.kind === 'call' ? 'tool_calls' : 'stop';
  if (body?.stream !== true) {
    return { kind: 'json', body: { ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finish, logprobs: null }], usage } };
  }
  const includeUsage = body?.stream_options?.include_usage === true;
  const chunk = (delta: Json, finishReason: string | null = null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const events: Json[] = [];
  if (turn.kind === 'call') {
    const call = message.tool_calls![0];
    events.push(chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }));
  } else {
    events.push(chunk({ role: 'assistant', content: '' }));
    for (const word of turn.text.split(/(?<= )/)) events.push(chunk({ content: word }));
  }
  events.push(chunk({}, finish));
  if (includeUsage) events.push({ ...base, choices: [], usage });
  return { kind: 'stream', events };
}
