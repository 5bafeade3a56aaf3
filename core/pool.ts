/**
 * Reused memory for large streams. On the VMs Sovra is benchmarked on
 * (and on any host with free page reporting), memory the process frees
 * goes back to the host, and every page taken again costs a fault there:
 * 2 GiB handed out as fresh 1 MiB buffers took 3.3-4.4 s, the same bytes
 * copied into reused buffers 0.08 s. A PiecePool hands out pieces and takes
 * them back once every byte of a piece has been given back with `release`.
 *
 * `release(view)` is how a consumer says it is done with a chunk: the
 * chunk, and every view of the same bytes, must not be read again. Chunks
 * that no pool handed out are ignored, and a piece whose bytes are not all
 * given back (a consumer that keeps a chunk, or does not call `release`)
 * is simply left to the garbage collector: forgetting to release costs
 * memory, never correctness. A stream that hands out pooled pieces says
 * so; a consumer that releases must be the last reader of what it
 * releases (the upload releases a chunk once the socket has taken it).
 */

interface Piece {
  readonly pool: PiecePool;
  /** Bytes handed out and not given back yet. */
  outstanding: number;
}

const pieces = new WeakMap<ArrayBufferLike, Piece>();

/** Pieces of `size` bytes, at most `keep` of them kept for reuse. */
export class PiecePool {
  private readonly free: Buffer[] = [];
  /** Pieces made (for tests and the benchmark: how often the pool had none to reuse). */
  made = 0;
  /** Pieces reused. */
  reused = 0;

  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  /**
   * A piece of `size` bytes whose first `used` bytes the caller hands out
   * (as the piece or as views of it); it comes back to the pool when views
   * covering all `used` bytes have been released.
   */
  take(): Buffer {
    const b = this.free.pop();
    if (b) {
      this.reused++;
      return b;
    }
    this.made++;
    // Its own ArrayBuffer (never a slice of Node's shared pool): the piece is identified by it.
    const piece = Buffer.allocUnsafeSlow(this.size);
    pieces.set(piece.buffer, { pool: this, outstanding: 0 });
    return piece;
  }

  /** Says that the first `used` bytes of `piece` (from `take`) are handed out; a piece handed out with 0 bytes goes back at once. */
  handOut(piece: Buffer, used: number): void {
    const p = pieces.get(piece.buffer);
    if (!p || p.pool !== this) throw new Error('PiecePool.handOut: not a piece of this pool');
    if (p.outstanding !== 0) throw new Error('PiecePool.handOut: the piece is handed out already');
    if (used === 0) this.giveBack(piece);
    else p.outstanding = used;
  }

  /** Pieces waiting for reuse. */
  get idle(): number {
    return this.free.length;
  }

  /** @internal */
  giveBack(piece: Buffer): void {
    if (this.free.length < this.keep) this.free.push(piece);
  }
}

/**
 * Gives back the bytes of `view` to the pool its piece came from (see the
 * file comment): the caller and every other holder of these bytes must not
 * read them again. A view of no pool's piece is ignored.
 */
export function release(view: Buffer): void {
  const p = pieces.get(view.buffer);
  if (!p || view.length === 0) return;
  p.outstanding -= view.length;
  if (p.outstanding < 0) throw new Error('release: more bytes of a pooled piece given back than were handed out (a chunk released twice)');
  if (p.outstanding === 0) p.pool.giveBack(Buffer.from(view.buffer, 0, p.pool.size));
}
