import * as C from "../dwarf/constants.js";
import type { DwarfData } from "../dwarf/dwarf-data.js";
import type { EntryCursor } from "../dwarf/entries.js";
import type { DebugInfoOffset } from "../dwarf/offsets.js";
import type { GoField, GoScalarKind, GoType } from "./go-type.js";

// reflect.Kind values, as the compiler writes them in DW_AT_go_kind (cmd/internal/dwarf, reflect/type.go).
const GO_KINDS: readonly (GoType["kind"] | undefined)[] = [
  undefined, "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
  "float32", "float64", "complex64", "complex128", "array", "chan", "func", "interface", "map", "pointer", "slice", "string", "struct", "unsafe.Pointer",
];

// Types nest (arrays of structs of arrays …) but never this deep in a real program.
const MAX_DEPTH = 100;
// A struct with more fields than this is corrupt input.
const MAX_FIELDS = 100_000;

/**
 * Builds GoTypes from DWARF type entries on demand, once per entry. A struct is registered
 * before its fields are read, so a pointer back to it finds it instead of recursing forever.
 */
export class TypeBuilder {
  private readonly dwarf: DwarfData;
  private readonly pointerSize: 4 | 8;
  private readonly built = new Map<number, GoType>();
  private readonly names = new Map<number, string>();
  private readonly nameCursors = new Map<number, EntryCursor>();

  constructor(dwarf: DwarfData, pointerSize: 4 | 8) {
    this.dwarf = dwarf;
    this.pointerSize = pointerSize;
  }

  /** The Go name of the type entry at `offset`, without building the type. */
  nameOf(offset: DebugInfoOffset): string {
    return this.nameAt(offset, 0);
  }

  private nameAt(offset: DebugInfoOffset, depth: number): string {
    let name = this.names.get(offset);
    if (name !== undefined) return name;
    // A cycle of unnamed pointers (corrupt input) ends at the placeholder, not in a stack overflow.
    this.names.set(offset, "?");
    const cursor = depth > MAX_DEPTH ? undefined : this.nameCursorAt(offset);
    if (cursor === undefined) return "?";
    // Everything is read from the entry before any recursion moves the shared cursor.
    const tag = cursor.tag;
    const target = cursor.attrReference(C.DW_AT_type);
    name = this.dwarf.stringAttr(cursor, C.DW_AT_name);
    if (name === undefined) {
      name = this.anonymousName(tag, target, depth);
    } else if (name.startsWith(".param") && tag === C.DW_TAG_typedef && target !== undefined && target !== offset) {
      // A shape function's type parameters are typedefs ".param0", ".param1" of the shape type
      // (DW_AT_go_dict_index, Go 1.19+); the shape ("go.shape.int") is what the body works on.
      name = this.nameAt(target, depth + 1);
    }
    this.names.set(offset, name);
    return name;
  }

  /**
   * A cursor on the entry at `offset`, shared by every name lookup in its unit: names are asked
   * for tens of thousands of times, and a cursor each (with its views) costs more than the read.
   */
  private nameCursorAt(offset: DebugInfoOffset): EntryCursor | undefined {
    const unit = this.dwarf.unitContaining(offset);
    if (unit === undefined || offset < unit.header.entriesStart) return undefined;
    let cursor = this.nameCursors.get(unit.header.offset);
    if (cursor === undefined) {
      cursor = this.dwarf.entries(unit);
      this.nameCursors.set(unit.header.offset, cursor);
    }
    cursor.seek(offset);
    return cursor.next() ? cursor : undefined;
  }

  /** The GoType of the type entry at `offset`. */
  typeAt(offset: DebugInfoOffset): GoType {
    return this.build(offset, 0);
  }

  private build(offset: DebugInfoOffset, depth: number): GoType {
    const done = this.built.get(offset);
    if (done !== undefined) return done;
    if (depth > MAX_DEPTH) return this.unknown("?", 0, `type nesting deeper than ${MAX_DEPTH}`);
    const cursor = this.cursorAt(offset);
    if (cursor === undefined) return this.unknown("?", 0, `no type entry at .debug_info+0x${offset.toString(16)}`);
    const name = this.entryName(cursor) ?? this.anonymousName(cursor.tag, cursor.attrReference(C.DW_AT_type), depth);
    const size = constant(cursor, C.DW_AT_byte_size);
    const goKind = GO_KINDS[constant(cursor, C.DW_AT_go_kind) ?? 0];
    const ref = (at: number): DebugInfoOffset | undefined => cursor.attrReference(at);
    const elemRef = ref(C.DW_AT_type);
    const ptr = this.pointerSize;
    let type: GoType;
    const tag = cursor.tag;
    switch (tag) {
      case C.DW_TAG_base_type: {
        const kind = baseKind(goKind, constant(cursor, C.DW_AT_encoding), size ?? 0, name);
        const bytes = size ?? 0;
        type = kind === undefined ? this.unknown(name, bytes, `base type ${name} of ${bytes} bytes`) : { kind, name, size: bytes, align: kind === "complex64" || kind === "complex128" ? bytes / 2 : bytes };
        break;
      }
      case C.DW_TAG_pointer_type: {
        if (goKind === "unsafe.Pointer" || elemRef === undefined) {
          type = { kind: "unsafe.Pointer", name, size: ptr, align: ptr };
          break;
        }
        // The element is built when first asked for: a struct reaches, through its pointers,
        // most of a program's types, and listing a signature needs none of them. The `built`
        // cache makes a pointer back to an enclosing struct find it rather than recurse.
        const builder = this;
        let elem: GoType | undefined;
        type = {
          kind: "pointer",
          name,
          size: ptr,
          align: ptr,
          get elem(): GoType {
            elem ??= builder.build(elemRef, 0);
            return elem;
          },
        };
        break;
      }
      case C.DW_TAG_structure_type: {
        const bytes = size ?? 0;
        if (goKind === "string" || (goKind === undefined && name === "string")) {
          type = { kind: "string", name, size: bytes, align: ptr };
          break;
        }
        if (goKind === "slice" || (goKind === undefined && name.startsWith("[]"))) {
          const elem = ref(C.DW_AT_go_elem);
          type = { kind: "slice", name, size: bytes, align: ptr, elem: elem === undefined ? this.unknown("?", 0, "slice without element type") : this.build(elem, depth + 1) };
          break;
        }
        if (name === "runtime.iface" || name === "runtime.eface") {
          type = { kind: "interface", name, size: bytes, align: ptr, isEmpty: name === "runtime.eface" };
          break;
        }
        const fields: GoField[] = [];
        const struct = { kind: "struct" as const, name, size: bytes, align: 1, fields };
        this.built.set(offset, struct);
        const members: { name: string; offset: number; type: DebugInfoOffset | undefined; isEmbedded: boolean }[] = [];
        if (cursor.hasChildren) {
          const parentDepth = cursor.depth;
          while (cursor.next() && cursor.depth > parentDepth) {
            if (cursor.depth !== parentDepth + 1) continue;
            if (cursor.tag !== C.DW_TAG_member) continue;
            if (members.length >= MAX_FIELDS) {
              // A struct cut short would be placed wrong without a word: it is unknown instead.
              const tooBig = this.unknown(name, bytes, `struct ${name} has more than ${MAX_FIELDS} members`);
              this.built.set(offset, tooBig);
              return tooBig;
            }
            const memberType = ref(C.DW_AT_type);
            const embedded = cursor.attr(C.DW_AT_go_embedded_field);
            members.push({ name: this.entryName(cursor) ?? "", offset: constant(cursor, C.DW_AT_data_member_location) ?? 0, type: memberType, isEmbedded: embedded?.kind === "flag" && embedded.value });
          }
        }
        let align = 1;
        for (const m of members) {
          const fieldType = m.type === undefined ? this.unknown("?", 0, "member without type") : this.build(m.type, depth + 1);
          align = Math.max(align, fieldType.align);
          fields.push({ name: m.name, offset: m.offset, type: fieldType, isEmbedded: m.isEmbedded });
        }
        struct.align = align;
        return struct;
      }
      case C.DW_TAG_array_type: {
        const elem = elemRef === undefined ? this.unknown("?", 0, "array without element type") : this.build(elemRef, depth + 1);
        const length = this.arrayLength(offset) ?? (elem.size > 0 && size !== undefined ? size / elem.size : 0);
        type = { kind: "array", name, size: size ?? elem.size * length, align: elem.align, elem, length };
        break;
      }
      case C.DW_TAG_typedef: {
        const target = elemRef === undefined ? undefined : this.build(elemRef, depth + 1);
        if (target === undefined) {
          type = this.unknown(name, 0, `typedef ${name} without a type`);
          break;
        }
        type = this.typedef(name, goKind, target, cursor, depth);
        break;
      }
      case C.DW_TAG_subroutine_type:
        type = { kind: "func", name, size: ptr, align: ptr };
        break;
      default:
        type = this.unknown(name, size ?? 0, `DWARF tag 0x${tag.toString(16)} is not a Go type`);
    }
    this.built.set(offset, type);
    return type;
  }

  /** A named Go type: the name is the typedef's, the representation its target's. */
  private typedef(name: string, goKind: GoType["kind"] | undefined, target: GoType, cursor: EntryCursor, depth: number): GoType {
    const ptr = this.pointerSize;
    const refAttr = (at: number): DebugInfoOffset | undefined => cursor.attrReference(at);
    switch (goKind) {
      case "interface":
        return { kind: "interface", name, size: 2 * ptr, align: ptr, isEmpty: target.kind === "interface" ? target.isEmpty : target.name === "runtime.eface" };
      case "map": {
        const key = refAttr(C.DW_AT_go_key);
        const elem = refAttr(C.DW_AT_go_elem);
        return { kind: "map", name, size: ptr, align: ptr, key: key === undefined ? this.unknown("?", 0, "map without key type") : this.build(key, depth + 1), elem: elem === undefined ? this.unknown("?", 0, "map without element type") : this.build(elem, depth + 1) };
      }
      case "chan": {
        const elem = refAttr(C.DW_AT_go_elem);
        return { kind: "chan", name, size: ptr, align: ptr, elem: elem === undefined ? this.unknown("?", 0, "chan without element type") : this.build(elem, depth + 1) };
      }
      case "func":
        return { kind: "func", name, size: ptr, align: ptr };
      default:
        return { ...target, name } as GoType;
    }
  }

  private arrayLength(offset: DebugInfoOffset): number | undefined {
    const cursor = this.cursorAt(offset);
    if (cursor === undefined || !cursor.hasChildren) return undefined;
    const parentDepth = cursor.depth;
    while (cursor.next() && cursor.depth > parentDepth) {
      if (cursor.tag !== C.DW_TAG_subrange_type) continue;
      const count = constant(cursor, C.DW_AT_count);
      if (count !== undefined) return count;
      const upper = constant(cursor, C.DW_AT_upper_bound);
      if (upper !== undefined) return upper + 1;
    }
    return undefined;
  }

  private entryName(cursor: EntryCursor): string | undefined {
    return this.dwarf.stringAttr(cursor, C.DW_AT_name);
  }

  /** A Go-syntax name for an entry the compiler left unnamed (never seen from Go; C types in cgo units). */
  private anonymousName(tag: number, target: DebugInfoOffset | undefined, depth: number): string {
    return tag !== C.DW_TAG_pointer_type ? "?" : target === undefined ? "unsafe.Pointer" : `*${this.nameAt(target, depth + 1)}`;
  }

  private unknown(name: string, size: number, why: string): GoType {
    return { kind: "unknown", name, size, align: 1, why };
  }

  private cursorAt(offset: DebugInfoOffset): EntryCursor | undefined {
    const unit = this.dwarf.unitContaining(offset);
    if (unit === undefined || offset < unit.header.entriesStart) return undefined;
    const cursor = this.dwarf.entries(unit, offset);
    return cursor.next() ? cursor : undefined;
  }
}

/** A constant attribute (sizes, kinds, offsets, bounds: never flags) as a number, without a FormValue. */
function constant(cursor: EntryCursor, at: number): number | undefined {
  return cursor.attrConstant(at);
}

/** The scalar kind of a base type: from DW_AT_go_kind when present (Go ≥ 1.?), else from encoding and size. */
function baseKind(goKind: GoType["kind"] | undefined, encoding: number | undefined, size: number, name: string): GoScalarKind | undefined {
  if (goKind !== undefined && isScalar(goKind)) return goKind;
  if (isScalar(name)) return name;
  switch (encoding) {
    case C.DW_ATE_boolean:
      return "bool";
    case C.DW_ATE_signed:
    case C.DW_ATE_signed_char:
      return size === 1 ? "int8" : size === 2 ? "int16" : size === 4 ? "int32" : size === 8 ? "int64" : undefined;
    case C.DW_ATE_unsigned:
    case C.DW_ATE_unsigned_char:
      return size === 1 ? "uint8" : size === 2 ? "uint16" : size === 4 ? "uint32" : size === 8 ? "uint64" : undefined;
    case C.DW_ATE_float:
      return size === 4 ? "float32" : size === 8 ? "float64" : undefined;
    case C.DW_ATE_complex_float:
      return size === 8 ? "complex64" : size === 16 ? "complex128" : undefined;
    default:
      return undefined;
  }
}

const SCALARS = new Set<string>(["bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "float32", "float64", "complex64", "complex128", "unsafe.Pointer"]);
function isScalar(s: string): s is GoScalarKind {
  return SCALARS.has(s);
}
