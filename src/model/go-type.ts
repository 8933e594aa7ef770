/**
 * Go types as goxray needs them: kind, size, alignment and, for composite kinds, their parts.
 * Built from DWARF by type-builder.ts; placement (abi/) and decoders see only these.
 */

/** Scalar kinds, named as Go spells the types. */
export type GoScalarKind =
  | "bool"
  | "int"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "uintptr"
  | "float32"
  | "float64"
  | "complex64"
  | "complex128"
  | "unsafe.Pointer";

/** One struct field, at its byte offset. */
export interface GoField {
  readonly name: string;
  readonly offset: number;
  readonly type: GoType;
  readonly isEmbedded: boolean;
}

interface Common {
  /** The type in Go syntax, as the compiler named it ("*main.Cart", "[]uint8", "error"). */
  readonly name: string;
  readonly size: number;
  readonly align: number;
}

/** A Go type. Pointers may point back at a struct that contains them: structures can be cyclic. */
export type GoType =
  | (Common & { readonly kind: GoScalarKind })
  | (Common & { readonly kind: "string" })
  | (Common & { readonly kind: "pointer"; readonly elem: GoType })
  | (Common & { readonly kind: "struct"; readonly fields: readonly GoField[] })
  | (Common & { readonly kind: "slice"; readonly elem: GoType })
  | (Common & { readonly kind: "array"; readonly elem: GoType; readonly length: number })
  | (Common & { readonly kind: "interface"; readonly isEmpty: boolean })
  | (Common & { readonly kind: "map"; readonly key: GoType; readonly elem: GoType })
  | (Common & { readonly kind: "chan"; readonly elem: GoType })
  | (Common & { readonly kind: "func" })
  /** A type goxray could not read (missing, corrupt or unsupported DWARF); `why` says which. */
  | (Common & { readonly kind: "unknown"; readonly why: string });

/** Every kind a GoType can have. */
export type GoKind = GoType["kind"];

/** True for float32/64 and complex64/128: values Go passes in floating-point registers. */
export function isFloatKind(kind: GoKind): boolean {
  return kind === "float32" || kind === "float64" || kind === "complex64" || kind === "complex128";
}
