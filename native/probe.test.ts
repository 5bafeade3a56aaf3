/**
 * The child-process probe: a file that makes llama.cpp abort (SIGABRT) or
 * refuse it is reported as a SovraError while this process lives on.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSovraError } from '../core/errors.js';
import { loadLocalModel } from './load.js';
import { probeModelInChildProcess } from './probe.js';
import { buildTinyModel } from './tiny/builder.js';
import { renameTensor } from '../test/native/support/corrupt.js';

const dir = mkdtempSync(join(tmpdir(), 'sovra-probe-test-'));

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (!isSovraError(e)) throw e;
    expect(e.code).toBe('bad-input');
    return e.message;
  }
  throw new Error('expected a SovraError');
}

describe('loading in a child process first', () => {
  it('survives llama.cpp aborting on a file, and names what it refused', async () => {
    // A vocabulary piece twice: llama.cpp's GGML_ASSERT aborts the process (the header check
    // refuses it too; the probe is called directly here to show a real abort is contained).
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(2n);
    const dup = Buffer.from(buildTinyModel());
    dup.write('hi', dup.indexOf(Buffer.concat([len, Buffer.from('Hi')])) + 8);
    const dupFile = join(dir, 'dup.gguf');
    writeFileSync(dupFile, dup);
    // A tensor llama.cpp needs is missing: it passes the header check, llama.cpp refuses it.
    const noTensor = join(dir, 'no-tensor.gguf');
    writeFileSync(noTensor, renameTensor(buildTinyModel(), 'blk.1.ffn_up.weight', 'blk.1.ffn_up.weighX'));
    const good = join(dir, 'good.gguf');
    writeFileSync(good, buildTinyModel());

    const [crashed, refused, ok] = await Promise.all([
      message(probeModelInChildProcess(dupFile)),
      message(loadLocalModel({ path: noTensor })), // unpinned: probed by default
      probeModelInChildProcess(good),
    ]);
    expect(crashed).toMatch(/dup\.gguf cannot be loaded: llama\.cpp crashed \(signal SIGABRT\): .*GGML_ASSERT\(id_to_token\.size\(\) == token_to_id\.size\(\)\) failed/);
    expect(refused).toMatch(/no-tensor\.gguf cannot be loaded: llama\.cpp refused it: .*blk\.1\.ffn_up\.weight/);
    expect(ok).toBeUndefined();
  });
});
