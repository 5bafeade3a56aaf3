/**
 * Turns an OpenAI-shaped chat request into node-llama-cpp's chat history
 * and generation options, rejecting malformed requests as user mistakes.
 */
import type { ChatHistoryItem } from 'node-llama-cpp';
import { SovraError } from '../core/errors.js';
import type { ChatMessage, ChatRequest } from './types.js';

/** Generation settings after defaults and checks. */
export interface GenerationSettings {
  readonly history: ChatHistoryItem[];
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number | undefined;
  readonly stop: string[];
}

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);

function bad(message: string): never {
  throw new SovraError('bad-input', message);
}

function toHistoryItem(m: ChatMessage, i: number): ChatHistoryItem {
  if (m === null || typeof m !== 'object' || !ROLES.has(m.role)) bad(`messages[${i}].role must be one of system, user, assistant.`);
  if (typeof m.content !== 'string') bad(`messages[${i}].content must be a string.`);
  if (m.role === 'system') return { type: 'system', text: m.content };
  if (m.role === 'user') return { type: 'user', text: m.content };
  return { type: 'model', response: [m.content] };
}

/**
 * Checks `request` and resolves its defaults. OpenAI's defaults apply
 * (temperature 1, top_p 1); `max_tokens` defaults to the context size.
 */
export function generationSettings(request: ChatRequest, contextSize: number): GenerationSettings {
  if (!Array.isArray(request.messages) || request.messages.length === 0) bad('messages must be a non-empty list.');
  const history = request.messages.map(toHistoryItem);
  // The open assistant turn the model writes into; `continue_from` is text it already holds.
  if (request.continue_from !== undefined && typeof request.continue_from !== 'string') bad('continue_from must be a string.');
  history.push({ type: 'model', response: request.continue_from ? [request.continue_from] : [] });

  const maxTokens = request.max_tokens ?? contextSize;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) bad(`max_tokens must be a positive integer, got ${String(request.max_tokens)}.`);
  const temperature = request.temperature ?? 1;
  if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) bad(`temperature must be between 0 and 2, got ${String(request.temperature)}.`);
  const topP = request.top_p ?? 1;
  if (typeof topP !== 'number' || !(topP > 0 && topP <= 1)) bad(`top_p must be in (0, 1], got ${String(request.top_p)}.`);
  if (request.seed !== undefined && !Number.isSafeInteger(request.seed)) bad(`seed must be an integer, got ${String(request.seed)}.`);
  const stop = request.stop ?? [];
  if (!Array.isArray(stop) || stop.some((s) => typeof s !== 'string' || s === '')) bad('stop must be a list of non-empty strings.');
  return { history, maxTokens: Math.min(maxTokens, contextSize), temperature, topP, seed: request.seed, stop: [...stop] };
}
