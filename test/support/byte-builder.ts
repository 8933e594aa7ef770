/**
 * Writes test input bytes: fixed-width integers in either byte order, LEB128, strings, and
 * labels whose positions or distances are patched in once known (unit lengths, offsets).
 */
export class ByteBuilder {
  private readonly out: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly patches: { at: number; size: 1 | 2 | 4 | 8; compute: () => number }[] = [];
  readonly isLittleEndian: boolean;

  constructor(isLittleEndian = true) {
    this.isLittleEndian = isLittleEndian;
  }

  get length(): number {
    return this.out.length;
  }

  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.uint(v, 2);
  }
  u32(v: number): this {
    return this.uint(v, 4);
  }
  u64(v: number | bigint): this {
    const big = BigInt.asUintN(64, BigInt(v));
    const bytes: number[] = [];
    for (let i = 0n; i < 8n; i++) bytes.push(Number((big >> (8n * i)) & 0xffn));
    if (!this.isLittleEndian) bytes.reverse();
    this.out.push(...bytes);
    return this;
  }
  /** An unsigned integer of `size` bytes (1, 2, 4 or 8) in the builder's byte order. */
  uint(v: number, size: 1 | 2 | 4 | 8): this {
    if (size === 8) return this.u64(v);
    const bytes: number[] = [];
    for (let i = 0; i < size; i++) bytes.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
    if (!this.isLittleEndian) bytes.reverse();
    this.out.push(...bytes);
    return this;
  }
  uleb(v: number | bigint): this {
    let big = BigInt(v);
    do {
      let b = Number(big & 0x7fn);
      big >>= 7n;
      if (big !== 0n) b |= 0x80;
      this.out.push(b);
    } while (big !== 0n);
    return this;
  }
  sleb(v: number | bigint): this {
    let big = BigInt(v);
    for (;;) {
      const b = Number(big & 0x7fn);
      big >>= 7n;
      const done = (big === 0n && (b & 0x40) === 0) || (big === -1n && (b & 0x40) !== 0);
      this.out.push(done ? b : b | 0x80);
      if (done) return this;
    }
  }
  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.out.push((b[i] as number) & 0xff);
    return this;
  }
  /** UTF-8 bytes of `s`, NUL-terminated unless `terminate` is false. */
  cstring(s: string, terminate = true): this {
    this.bytes(new TextEncoder().encode(s));
    if (terminate) this.out.push(0);
    return this;
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.out.push(0);
    return this;
  }
  align(n: number): this {
    while (this.out.length % n !== 0) this.out.push(0);
    return this;
  }
  /** Marks the current position with `name`. */
  label(name: string): this {
    this.labels.set(name, this.out.length);
    return this;
  }
  /** A `size`-byte field patched at build() with the position of label `name` (plus `delta`). */
  positionOf(name: string, size: 1 | 2 | 4 | 8, delta = 0): this {
    this.patches.push({ at: this.out.length, size, compute: () => this.labelAt(name) + delta });
    return this.zeros(size);
  }
  /** A `size`-byte field patched at build() with (label `to` − label `from`): a length. */
  distance(from: string, to: string, size: 1 | 2 | 4 | 8): this {
    this.patches.push({ at: this.out.length, size, compute: () => this.labelAt(to) - this.labelAt(from) });
    return this.zeros(size);
  }
  build(): Uint8Array {
    const result = new Uint8Array(this.out);
    for (const p of this.patches) {
      const field = new ByteBuilder(this.isLittleEndian).uint(p.compute(), p.size).build();
      result.set(field, p.at);
    }
    return result;
  }
  private labelAt(name: string): number {
    const at = this.labels.get(name);
    if (at === undefined) throw new Error(`label ${name} never set`);
    return at;
  }
}
