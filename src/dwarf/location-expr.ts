import { ByteCursor } from "../bytes/cursor.js";
import * as C from "./constants.js";

/** Where (one piece of) a value is, as far as goxray needs to know without evaluating the expression. */
export type Location =
  /** In a register, by DWARF register number (psABI numbering; see model/arch.ts). */
  | { readonly kind: "register"; readonly regnum: number }
  /** In memory at the canonical frame address plus `offset` (DW_OP_call_frame_cfa [+ N]). */
  | { readonly kind: "cfaOffset"; readonly offset: number }
  /** In memory at the function's frame base plus `offset` (DW_OP_fbreg). */
  | { readonly kind: "frameBaseOffset"; readonly offset: number }
  /** In memory at a register's value plus `offset` (DW_OP_bregN, DW_OP_bregx). */
  | { readonly kind: "registerOffset"; readonly regnum: number; readonly offset: number }
  /** In memory at a fixed address (DW_OP_addr: a global). */
  | { readonly kind: "address"; readonly address: number }
  /** No location: the value (or this piece) is optimized out here. */
  | { readonly kind: "empty" }
  /** The value is computed, not stored (DW_OP_stack_value, DW_OP_implicit_value). */
  | { readonly kind: "implicit" }
  /** Any other expression; `ops` names its operations for reports. */
  | { readonly kind: "computed"; readonly ops: string };

/** One piece of a location: `size` bytes of the value (undefined: the whole value, no DW_OP_piece). */
export interface LocationPiece {
  readonly size: number | undefined;
  readonly location: Location;
}

interface Op {
  readonly op: number;
  readonly a: number;
  readonly b: number;
}

// A location expression longer than this many operations is corrupt input, not Go's output.
const MAX_OPS = 4096;

/**
 * Decodes a location expression (DWARF 5 §2.5, §2.6) into pieces. An empty expression gives no
 * pieces: the value has no location. Operations are decoded, never executed.
 */
export function decodeLocation(expr: Uint8Array, addressSize: 4 | 8, offsetSize: 4 | 8, isLittleEndian: boolean, place: { file: string; section: string; base: number }): LocationPiece[] {
  const ops = decodeOps(new ByteCursor(expr, isLittleEndian, place), addressSize, offsetSize);
  if (ops.length === 0) return [];
  const pieces: LocationPiece[] = [];
  let start = 0;
  for (let i = 0; i < ops.length; i++) {
    const o = ops[i] as Op;
    if (o.op === C.DW_OP_piece) {
      pieces.push({ size: o.a, location: classify(ops.slice(start, i)) });
      start = i + 1;
    }
  }
  if (start < ops.length) pieces.push({ size: undefined, location: classify(ops.slice(start)) });
  return pieces;
}

function classify(ops: readonly Op[]): Location {
  const [first, second, third] = ops;
  if (first === undefined) return { kind: "empty" };
  const last = ops[ops.length - 1] as Op;
  if (last.op === C.DW_OP_stack_value || last.op === C.DW_OP_implicit_value) return { kind: "implicit" };
  if (ops.length === 1) {
    if (first.op >= C.DW_OP_reg0 && first.op <= C.DW_OP_reg31) return { kind: "register", regnum: first.op - C.DW_OP_reg0 };
    if (first.op === C.DW_OP_regx) return { kind: "register", regnum: first.a };
    if (first.op === C.DW_OP_fbreg) return { kind: "frameBaseOffset", offset: first.a };
    if (first.op === C.DW_OP_call_frame_cfa) return { kind: "cfaOffset", offset: 0 };
    if (first.op >= C.DW_OP_breg0 && first.op <= C.DW_OP_breg31) return { kind: "registerOffset", regnum: first.op - C.DW_OP_breg0, offset: first.a };
    if (first.op === C.DW_OP_bregx) return { kind: "registerOffset", regnum: first.a, offset: first.b };
    if (first.op === C.DW_OP_addr) return { kind: "address", address: first.a };
  }
  if (first.op === C.DW_OP_call_frame_cfa && second !== undefined) {
    if (ops.length === 2 && second.op === C.DW_OP_plus_uconst) return { kind: "cfaOffset", offset: second.a };
    if (ops.length === 3 && third?.op === C.DW_OP_plus && isConstant(second)) return { kind: "cfaOffset", offset: constantValue(second) };
    if (ops.length === 3 && third?.op === C.DW_OP_minus && isConstant(second)) return { kind: "cfaOffset", offset: -constantValue(second) };
  }
  return { kind: "computed", ops: ops.map((o) => opName(o.op)).join(" ") };
}

function isConstant(o: Op): boolean {
  return (o.op >= C.DW_OP_lit0 && o.op <= C.DW_OP_lit31) || (o.op >= C.DW_OP_const1u && o.op <= C.DW_OP_consts);
}

function constantValue(o: Op): number {
  return o.op >= C.DW_OP_lit0 && o.op <= C.DW_OP_lit31 ? o.op - C.DW_OP_lit0 : o.a;
}

function decodeOps(c: ByteCursor, addressSize: 4 | 8, offsetSize: 4 | 8): Op[] {
  const ops: Op[] = [];
  while (c.remaining > 0) {
    if (ops.length >= MAX_OPS) throw c.error(`location expression longer than ${MAX_OPS} operations`);
    const at = c.pos;
    const op = c.u8("DW_OP");
    let a = 0;
    let b = 0;
    if ((op >= C.DW_OP_lit0 && op <= C.DW_OP_lit31) || (op >= C.DW_OP_reg0 && op <= C.DW_OP_reg31)) {
      ops.push({ op, a, b });
      continue;
    }
    if (op >= C.DW_OP_breg0 && op <= C.DW_OP_breg31) {
      ops.push({ op, a: c.sleb("breg offset"), b });
      continue;
    }
    switch (op) {
      case C.DW_OP_addr:
        a = c.word(addressSize, "DW_OP_addr");
        break;
      case C.DW_OP_const1u:
      case C.DW_OP_pick:
      case C.DW_OP_deref_size:
      case C.DW_OP_xderef_size:
        a = c.u8("1-byte operand");
        break;
      case C.DW_OP_const1s:
        a = (c.u8("const1s") << 24) >> 24;
        break;
      case C.DW_OP_const2u:
      case C.DW_OP_call2:
        a = c.u16("2-byte operand");
        break;
      case C.DW_OP_const2s:
      case C.DW_OP_bra:
      case C.DW_OP_skip:
        a = (c.u16("2-byte operand") << 16) >> 16;
        break;
      case C.DW_OP_const4u:
      case C.DW_OP_call4:
        a = c.u32("4-byte operand");
        break;
      case C.DW_OP_const4s:
        a = c.i32("const4s");
        break;
      case C.DW_OP_const8u:
      case C.DW_OP_const8s:
        // 64-bit constants never locate a Go value; keep the low half for reports.
        a = c.u32("const8 low");
        c.skip(4);
        break;
      case C.DW_OP_constu:
      case C.DW_OP_plus_uconst:
      case C.DW_OP_regx:
      case C.DW_OP_piece:
      case C.DW_OP_addrx:
      case C.DW_OP_constx:
      case C.DW_OP_convert:
      case C.DW_OP_reinterpret:
        a = c.uleb("operand");
        break;
      case C.DW_OP_consts:
      case C.DW_OP_fbreg:
        a = c.sleb("operand");
        break;
      case C.DW_OP_bregx:
        a = c.uleb("bregx register");
        b = c.sleb("bregx offset");
        break;
      case C.DW_OP_bit_piece:
      case C.DW_OP_regval_type:
        a = c.uleb("operand 1");
        b = c.uleb("operand 2");
        break;
      case C.DW_OP_call_ref:
        a = c.word(offsetSize, "call_ref");
        break;
      case C.DW_OP_implicit_value:
      case C.DW_OP_entry_value:
      case C.DW_OP_GNU_entry_value:
        a = c.uleb("block length");
        c.skip(a);
        break;
      case C.DW_OP_implicit_pointer:
        a = c.word(offsetSize, "implicit_pointer reference");
        b = c.sleb("implicit_pointer offset");
        break;
      case C.DW_OP_const_type:
        a = c.uleb("const_type type");
        c.skip(c.u8("const_type size"));
        break;
      case C.DW_OP_deref_type:
      case C.DW_OP_xderef_type:
        a = c.u8("deref size");
        b = c.uleb("deref type");
        break;
      case C.DW_OP_deref:
      case C.DW_OP_dup:
      case C.DW_OP_drop:
      case C.DW_OP_over:
      case C.DW_OP_swap:
      case C.DW_OP_rot:
      case C.DW_OP_xderef:
      case C.DW_OP_abs:
      case C.DW_OP_and:
      case C.DW_OP_div:
      case C.DW_OP_minus:
      case C.DW_OP_mod:
      case C.DW_OP_mul:
      case C.DW_OP_neg:
      case C.DW_OP_not:
      case C.DW_OP_or:
      case C.DW_OP_plus:
      case C.DW_OP_shl:
      case C.DW_OP_shr:
      case C.DW_OP_shra:
      case C.DW_OP_xor:
      case C.DW_OP_eq:
      case C.DW_OP_ge:
      case C.DW_OP_gt:
      case C.DW_OP_le:
      case C.DW_OP_lt:
      case C.DW_OP_ne:
      case C.DW_OP_nop:
      case C.DW_OP_push_object_address:
      case C.DW_OP_form_tls_address:
      case C.DW_OP_call_frame_cfa:
      case C.DW_OP_stack_value:
      case C.DW_OP_GNU_push_tls_address:
        break;
      default:
        throw c.error(`location expression: unknown operation 0x${op.toString(16)}`, at);
    }
    ops.push({ op, a, b });
  }
  return ops;
}

/** The spec name of a DW_OP value, for reports ("DW_OP_fbreg"). */
function opName(op: number): string {
  if (op >= C.DW_OP_lit0 && op <= C.DW_OP_lit31) return `DW_OP_lit${op - C.DW_OP_lit0}`;
  if (op >= C.DW_OP_reg0 && op <= C.DW_OP_reg31) return `DW_OP_reg${op - C.DW_OP_reg0}`;
  if (op >= C.DW_OP_breg0 && op <= C.DW_OP_breg31) return `DW_OP_breg${op - C.DW_OP_breg0}`;
  for (const [name, value] of Object.entries(C)) if (name.startsWith("DW_OP_") && value === op) return name;
  return `DW_OP_0x${op.toString(16)}`;
}
