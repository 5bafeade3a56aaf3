/**
 * Page-aligned memory, as direct I/O (O_DIRECT) needs: Node's buffers
 * start wherever malloc puts them (16 bytes past a page for large ones), a
 * WebAssembly memory starts on a page. Allocate few and reuse them: each
 * one reserves address space until it is collected.
 */

// The one WebAssembly API used here (the ES lib this project compiles against does not declare it).
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum?: number }) => { readonly buffer: ArrayBuffer } };

/** `size` bytes of page-aligned memory (a whole number of 64 KiB pages is reserved). */
export function alignedBuffer(size: number): Buffer {
  const pages = Math.max(1, Math.ceil(size / 65536));
  return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, size);
}
