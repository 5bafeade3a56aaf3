import { describe, expect, it } from 'vitest';
import { PiecePool, release } from './pool.js';

describe('PiecePool', () => {
  it('reuses a piece once every byte handed out has been released, in views of any split', () => {
    const pool = new PiecePool(16, 4);
    const a = pool.take();
    pool.handOut(a, 16);
    release(a.subarray(0, 5));
    release(a.subarray(5, 9));
    expect(pool.idle).toBe(0); // 7 bytes still out
    release(a.subarray(9));
    expect(pool.idle).toBe(1);
    const b = pool.take();
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(16);
    expect([pool.made, pool.reused]).toEqual([1, 1]);
  });

  it('counts only the bytes handed out: a short last piece comes back when they are released, an empty one at once', () => {
    const pool = new PiecePool(16, 4);
    const a = pool.take();
    pool.handOut(a, 3);
    release(a.subarray(0, 3));
    expect(pool.idle).toBe(1);
    const b = pool.take();
    pool.handOut(b, 0);
    expect(pool.idle).toBe(1);
    expect(pool.take().buffer).toBe(a.buffer);
  });

  it('leaves a piece to the garbage collector while any of its bytes are kept', () => {
    const pool = new PiecePool(16, 4);
    const a = pool.take();
    pool.handOut(a, 16);
    release(a.subarray(0, 15));
    expect(pool.idle).toBe(0);
    const b = pool.take();
    expect(b.buffer).not.toBe(a.buffer);
    expect(pool.made).toBe(2);
  });

  it('keeps at most `keep` idle pieces', () => {
    const pool = new PiecePool(8, 2);
    const pieces = [pool.take(), pool.take(), pool.take()];
    for (const p of pieces) pool.handOut(p, 8);
    for (const p of pieces) release(p);
    expect(pool.idle).toBe(2);
  });

  it('ignores buffers of no pool, and refuses bytes released twice once the piece is back', () => {
    expect(() => release(Buffer.from('not pooled'))).not.toThrow();
    const pool = new PiecePool(8, 2);
    const a = pool.take();
    pool.handOut(a, 8);
    release(a);
    expect(() => release(a.subarray(0, 1))).toThrow(/released twice/);
    const other = new PiecePool(8, 2);
    expect(() => other.handOut(pool.take(), 8)).toThrow(/not a piece of this pool/);
  });
});
