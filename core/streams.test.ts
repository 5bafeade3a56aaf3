import { describe, expect, it } from 'vitest';
import { ByteBudget, Channel } from './streams.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Channel', () => {
  it('lets the writer run ahead of the reader by its budget, and no further', async () => {
    const budget = new ByteBudget(10);
    const ch = new Channel(budget);
    let pushed = 0;
    const writer = (async () => {
      for (let i = 0; i < 5; i++) {
        await ch.push(Buffer.alloc(4, i));
        pushed++;
      }
      ch.end();
    })();
    await tick();
    expect(pushed).toBe(2); // 8 bytes held; a third chunk would make 12
    const got: Buffer[] = [];
    for await (const c of ch) got.push(c);
    await writer;
    expect(Buffer.concat(got).equals(Buffer.concat([0, 1, 2, 3, 4].map((i) => Buffer.alloc(4, i))))).toBe(true);
  });

  it('passes a chunk larger than the whole budget when nothing else is held', async () => {
    const ch = new Channel(new ByteBudget(4));
    await ch.push(Buffer.alloc(100));
    ch.end();
    const sizes: number[] = [];
    for await (const c of ch) sizes.push(c.length);
    expect(sizes).toEqual([100]);
  });

  it('shares one budget between channels, and gives bytes back when one fails', async () => {
    const budget = new ByteBudget(8);
    const a = new Channel(budget);
    const b = new Channel(budget);
    await a.push(Buffer.alloc(8));
    let bPushed = false;
    const pushB = b.push(Buffer.alloc(4)).then(() => (bPushed = true));
    await tick();
    expect(bPushed).toBe(false);
    const boom = new Error('upload failed');
    a.fail(boom);
    await pushB;
    expect(bPushed).toBe(true);
    await expect(a.push(Buffer.alloc(1))).rejects.toBe(boom);
    await expect((async () => {
      for await (const _ of a) void _;
    })()).rejects.toBe(boom);
  });
});
