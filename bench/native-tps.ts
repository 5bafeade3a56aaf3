/**
 * Tokens per second through `native/` against the same model driven
 * directly through node-llama-cpp, in the same process and run.
 *
 *   npx tsx bench/native-tps.ts [--rounds 7] [--tokens 96] [--threads N] [--layers 8] [--width 512]
 *
 * The model is a larger build of the tiny test model (random weights, it
 * never stops by itself), written once under os.tmpdir(). Both paths get the
 * same GGUF, thread count, context size, chat template, prompt and greedy
 * sampling, and each keeps its context between rounds; rounds alternate
 * between the two so drift on a shared machine hits both alike. Reported:
 * load time (native: digest + header check + llama.cpp load; direct:
 * llama.cpp load alone), time to first token, decode and end-to-end
 * tokens/s (medians), and the ratio native / direct, also per CPU second
 * (process CPU time), which other load on a shared machine disturbs less.
 * --threads defaults to half the cores: llama.cpp's threads spin-wait for
 * each other, so on a busy 2-core machine two threads measure mostly noise.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LlamaChat, resolveChatWrapper, type ChatHistoryItem } from 'node-llama-cpp';
import { sharedLlama } from '../native/llama.js';
import { loadLocalModel } from '../native/load.js';
import { buildTinyModel, tinyModelDeclaration, type TinyModelOptions } from '../native/tiny/builder.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    tokens: { type: 'string', default: '96' },
    threads: { type: 'string', default: String(Math.max(1, Math.floor(cpus().length / 2))) },
    layers: { type: 'string', default: '8' },
    width: { type: 'string', default: '512' },
  },
});
const rounds = Math.min(20, Number(values.rounds));
const tokens = Math.min(1000, Number(values.tokens));
const threads = Number(values.threads);
const width = Number(values.width);
const shape: TinyModelOptions = { name: 'sovra-bench', layers: Number(values.layers), embeddingLength: width, feedForwardLength: width * 3, heads: width / 64, contextLength: 2048, answers: false, seed: 7 };
const contextSize = 1024;

interface Sample {
  readonly ttftMs: number;
  readonly totalMs: number;
  /** CPU time of the whole process during the request. */
  readonly cpuMs: number;
  readonly tokens: number;
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function modelFile(): Promise<string> {
  const decl = tinyModelDeclaration(shape);
  const dir = join(tmpdir(), 'sovra-bench-models');
  const file = join(dir, `${decl.sha256.slice(0, 16)}.gguf`);
  if (!existsSync(file)) {
    await mkdir(dir, { recursive: true });
    await writeFile(`${file}.tmp`, buildTinyModel(shape));
    await rename(`${file}.tmp`, file);
  }
  return file;
}

async function main(): Promise<void> {
  const file = await modelFile();
  const decl = tinyModelDeclaration(shape, file);
  const system = 'be brief';
  const user = 'tell me a short story about the red model';
  const messages = [{ role: 'system' as const, content: system }, { role: 'user' as const, content: user }];
  // Built with answers: false, the model has no planted answer and runs to max_tokens.

  let t = performance.now();
  const llama = await sharedLlama();
  const llamaInitMs = performance.now() - t;

  t = performance.now();
  const native = await loadLocalModel({ path: file, declaration: decl, threads, contexts: 1, contextSize });
  const nativeLoadMs = performance.now() - t;

  t = performance.now();
  const directModel = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
  const directLoadMs = performance.now() - t;
  const directContext = await directModel.createContext({ contextSize, threads, sequences: 1 });
  const directChat = new LlamaChat({ contextSequence: directContext.getSequence(), chatWrapper: resolveChatWrapper(directModel, { type: 'jinjaTemplate' })! });
  const history: ChatHistoryItem[] = [{ type: 'system', text: system }, { type: 'user', text: user }, { type: 'model', response: [] }];

  async function runNative(): Promise<Sample> {
    const cpu = process.cpuUsage();
    const start = performance.now();
    let first = 0;
    let n = 0;
    for await (const c of native.chatStream({ messages, max_tokens: tokens, temperature: 0 })) {
      if (first === 0 && c.delta !== '') first = performance.now();
      if (c.usage) n = c.usage.completion_tokens;
    }
    return { ttftMs: first - start, totalMs: performance.now() - start, cpuMs: cpuMsSince(cpu), tokens: n };
  }

  async function runDirect(): Promise<Sample> {
    const cpu = process.cpuUsage();
    const start = performance.now();
    let first = 0;
    let n = 0;
    await directChat.generateResponse(history, {
      maxTokens: tokens,
      temperature: 0,
      onToken: (ts) => (n += ts.length),
      onTextChunk: (chunk) => {
        if (first === 0 && chunk !== '') first = performance.now();
      },
    });
    return { ttftMs: first - start, totalMs: performance.now() - start, cpuMs: cpuMsSince(cpu), tokens: n };
  }

  // One warm-up each (first-use allocations), then alternating measured rounds.
  await runNative();
  await runDirect();
  const samples = { native: [] as Sample[], direct: [] as Sample[] };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      samples.native.push(await runNative());
      samples.direct.push(await runDirect());
    } else {
      samples.direct.push(await runDirect());
      samples.native.push(await runNative());
    }
  }
  await native.close();
  await directContext.dispose();
  await directModel.dispose();

  const summary = (xs: Sample[]) => ({
    ttftMs: median(xs.map((s) => s.ttftMs)),
    e2eTps: median(xs.map((s) => (s.tokens / s.totalMs) * 1000)),
    decodeTps: median(xs.map((s) => ((s.tokens - 1) / (s.totalMs - s.ttftMs)) * 1000)),
    cpuTps: median(xs.map((s) => (s.tokens / s.cpuMs) * 1000)),
    tokens: median(xs.map((s) => s.tokens)),
  });
  const n = summary(samples.native);
  const d = summary(samples.direct);
  const p = decl.parameters;
  const f = (x: number, digits = 1) => x.toFixed(digits);
  console.log(`model: llama ${p.layers} layers, width ${p.embeddingLength}, vocabulary ${p.vocabSize}, ${p.quantization}, ${(decl.sizeBytes / 2 ** 20).toFixed(0)} MiB`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${threads} threads, CPU build, context ${contextSize}`);
  console.log(`runs: ${rounds} per path after one warm-up, ${tokens} tokens each, greedy`);
  console.log(`llama.cpp init (shared, once per process): ${f(llamaInitMs, 0)} ms`);
  console.log(`load: native ${f(nativeLoadMs, 0)} ms (sha256 + header check + load), direct ${f(directLoadMs, 0)} ms`);
  console.log(`time to first token: native ${f(n.ttftMs)} ms, direct ${f(d.ttftMs)} ms`);
  console.log(`decode tokens/s: native ${f(n.decodeTps)}, direct ${f(d.decodeTps)}`);
  console.log(`end-to-end tokens/s: native ${f(n.e2eTps)}, direct ${f(d.e2eTps)}`);
  console.log(`completion tokens per request (usage): native ${n.tokens}, direct ${d.tokens} (max_tokens ${tokens})`);
  console.log(`tokens per CPU second: native ${f(n.cpuTps)}, direct ${f(d.cpuTps)}`);
  console.log(`ratio native/direct, end-to-end tokens/s: ${(n.e2eTps / d.e2eTps).toFixed(3)} (target >= 0.95)`);
  console.log(`ratio native/direct, tokens per CPU second: ${(n.cpuTps / d.cpuTps).toFixed(3)}`);
}

await main();
