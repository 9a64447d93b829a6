// The "model" behind the fake upstreams when real client CLIs are driven through byokey: a tiny
// scripted agent. Asked to run a command (a prompt holding "Run `CMD`") by a request that offers
// a shell tool, it answers with a call to that tool; on a request carrying a tool result it
// answers with text quoting the result; otherwise it answers plain text naming the prompt's probe.
// Codex CLI's newest models get no direct shell tool but "code mode": one freeform tool, `exec`,
// running JavaScript that reaches the shell as `tools.exec_command({cmd})`; the agent writes that
// script. On a chat or Messages upstream byokey hands that tool over flattened — a function
// `functions__exec` taking the script as its one string argument, `input` — and the agent calls
// it so.
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
  /** Tools offered: JSON-Schema function tools, or freeform (`custom`) tools with their description. */
  tools: Array<{ name: string; schema: Json | undefined; custom?: boolean; description?: string }>;
  /** Every user text in the conversation, in order. */
  userTexts: string[];
  /** Every tool result in the conversation, as text, in order. */
  toolResults: string[];
}

export type AgentTurn =
  | { kind: 'call'; tool: string; input: Json }
  /** A freeform tool's call: its input is raw text (Codex code mode's JavaScript). */
  | { kind: 'custom_call'; tool: string; input: string }
  | { kind: 'text'; text: string };

/** Codex code mode: the freeform `exec` tool whose nested tools include the shell, or its flattened function. */
function codeModeExec(view: AgentView) {
  return view.tools.find((t) => t.description?.includes('exec_command(') && (t.custom ? t.name === 'exec' : isFlattenedExec(t)));
}

/** byokey's form of a freeform tool on a function-only upstream: `<namespace>__exec`, one string argument `input`. */
function isFlattenedExec(tool: AgentView['tools'][number]): boolean {
  return /(^|__)exec$/.test(tool.name) && Object.keys(tool.schema?.properties ?? {}).join() === 'input' && tool.schema?.properties.input.type === 'string';
}

/** The tool the agent would run a command with, if the request offers one. */
export function shellToolOf(view: AgentView): string | undefined {
  return view.tools.find((t) => (SHELL_TOOL_NAMES as readonly string[]).includes(t.name))?.name ?? (codeModeExec(view) ? 'exec (code mode: tools.exec_command)' : undefined);
}

/** The tool result the agent quoted in its final answer, read back from a CLI's output. */
export function quotedToolResult(output: string): string | undefined {
  const at = output.indexOf(TOOL_RESULT_PREFIX);
  return at < 0 ? undefined : output.slice(at + TOOL_RESULT_PREFIX.length).split('\n')[0].trim();
}

/** The one decision, protocol-free. */
export function decide(view: AgentView): AgentTurn {
  const prompt = view.userTexts.join('\n');
  const lastResult = view.toolResults[view.toolResults.length - 1];
  if (lastResult !== undefined) return { kind: 'text', text: `${TOOL_RESULT_PREFIX} ${oneLine(lastResult)}` };
  const command = /Run `([^`]+)`/.exec(prompt)?.[1];
  const shell = view.tools.find((t) => (SHELL_TOOL_NAMES as readonly string[]).includes(t.name));
  if (command && shell) return { kind: 'call', tool: shell.name, input: shellInput(shell.schema, command) };
  const exec = codeModeExec(view);
  if (command && exec) {
    const script = `const result = await tools.exec_command({ cmd: ${JSON.stringify(command)} });\ntext(result.output);\n`;
    return exec.custom ? { kind: 'custom_call', tool: exec.name, input: script } : { kind: 'call', tool: exec.name, input: { input: script } };
  }
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
    if (typeof tool?.name === 'string') view.tools.push({ name: tool.name, schema: tool.input_schema, description: String(tool.description ?? '') });
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
    if (typeof tool?.function?.name === 'string') view.tools.push({ name: tool.function.name, schema: tool.function.parameters, description: String(tool.function.description ?? '') });
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
      if (typeof tool?.name === 'string' && tool.type === 'custom') {
        view.tools.push({ name: tool.name, schema: undefined, custom: true, description: String(tool.description ?? '') });
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
  return { kind: 'answer', answer: 'text', text: turn.kind === 'text' ? turn.text : 'no freeform tools on the Messages API' };
}

/** For FakeCodexBackend.responder. */
export function codexResponder(body: Json): CodexScenario {
  const turn = decide(responsesView(body));
  if (turn.kind === 'call') {
    return { kind: 'stream', answer: 'function_call', functionCall: { name: turn.tool, arguments: JSON.stringify(turn.input), callId: callId('call_agent') } };
  }
  if (turn.kind === 'custom_call') return { kind: 'stream', events: customToolCallEvents(body, turn.tool, turn.input) };
  return { kind: 'stream', answer: 'text', text: turn.text };
}

/** A Responses stream whose one output item is a `custom_tool_call` (the Codex fake has no such answer). */
function customToolCallEvents(body: Json, name: string, input: string): Json[] {
  const id = callId('ctc_agent');
  const response = { id: callId('resp_agent'), object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'in_progress', model: body?.model, output: [] as Json[], usage: null };
  const added = { id, type: 'custom_tool_call', status: 'in_progress', call_id: callId('call_agent'), name, input: '' };
  const done = { ...added, status: 'completed', input };
  const usage = { input_tokens: 900, input_tokens_details: { cached_tokens: 0 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 940 };
  return [
    { type: 'response.created', response },
    { type: 'response.in_progress', response },
    { type: 'response.output_item.added', output_index: 0, item: added },
    { type: 'response.custom_tool_call_input.delta', item_id: id, output_index: 0, delta: input },
    { type: 'response.custom_tool_call_input.done', item_id: id, output_index: 0, input },
    { type: 'response.output_item.done', output_index: 0, item: done },
    { type: 'response.completed', response: { ...response, status: 'completed', output: [done], usage } },
  ];
}

/** For FakeOpenAIUpstream.responder: a stream as OpenAI sends it (or one JSON completion). */
export function chatResponder(body: Json): ChatScenario {
  const turn = decide(chatView(body));
  const created = 1767225600;
  const base = { id: 'chatcmpl-agent', object: 'chat.completion.chunk', created, model: body?.model, system_fingerprint: null };
  const usage = { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 };
  if (turn.kind === 'custom_call') throw new Error('no freeform tools on Chat Completions');
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
