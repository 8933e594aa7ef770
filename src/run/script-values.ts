import { SCALAR_ELEMENTS } from "../bpftrace/value-printer.js";
import type { GoType } from "../model/go-type.js";
import { goInteger, type GoValue, type NamedValue } from "./events.js";
import { isJsonObject as isObject, type ExactJson, type ExactJsonObject as JsonObject } from "./exact-json.js";

// Decodes what a goxray trace --json script prints for one value (src/bpftrace/value-printer.ts
// writes those shapes) back into a typed Go value, guided by the value's Go type.

const utf8 = new TextDecoder("utf-8", { fatal: false });

/** The value the script printed as `json` for a value of `type`. */
export function decodeScriptValue(type: GoType, json: ExactJson | undefined): GoValue {
  if (json === undefined) return { kind: "unreadable", type: type.name, why: "not printed" };
  if (isObject(json) && typeof json["unreadable"] === "string") return { kind: "unreadable", type: type.name, why: json["unreadable"] };
  if (type.size === 0) return type.kind === "array" ? { kind: "array", type: type.name, elems: [] } : { kind: "struct", type: type.name, fields: [] };
  const bad = (): GoValue => ({ kind: "unreadable", type: type.name, why: `unexpected output ${JSON.stringify(json, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}` });
  switch (type.kind) {
    case "bool":
      return typeof json === "boolean" ? { kind: "bool", type: type.name, value: json } : bad();
    case "int":
    case "int8":
    case "int16":
    case "int32":
    case "int64":
    case "uint":
    case "uint8":
    case "uint16":
    case "uint32":
    case "uint64":
    case "uintptr":
      return typeof json === "number" || typeof json === "bigint" ? { kind: "int", type: type.name, value: goInteger(BigInt(json)) } : bad();
    case "float32":
    case "float64":
      return decodeFloat(type.name, type.size, json) ?? bad();
    case "complex64":
    case "complex128": {
      if (!isObject(json)) return bad();
      const half = type.kind === "complex64" ? "float32" : "float64";
      const real = json["real"] === undefined ? undefined : decodeScriptValue({ kind: half, name: half, size: type.size / 2, align: type.size / 2 }, json["real"]);
      const imag = json["imag"] === undefined ? undefined : decodeScriptValue({ kind: half, name: half, size: type.size / 2, align: type.size / 2 }, json["imag"]);
      return real === undefined || imag === undefined ? bad() : { kind: "complex", type: type.name, real, imag };
    }
    case "pointer": {
      if (typeof json === "string") return { kind: "pointer", type: type.name, address: address(json) };
      if (isObject(json) && typeof json["ptr"] === "string") return { kind: "pointer", type: type.name, address: address(json["ptr"]), target: decodeScriptValue(type.elem, json["deref"]) };
      return bad();
    }
    case "func":
    case "unsafe.Pointer":
      return typeof json === "string" ? { kind: "func", type: type.name, address: address(json) } : bad();
    case "map":
    case "chan": {
      if (!isObject(json) || typeof json["ptr"] !== "string") return bad();
      const len = Number(json["len"] ?? 0);
      return type.kind === "map" ? { kind: "map", type: type.name, address: address(json["ptr"]), len } : { kind: "chan", type: type.name, address: address(json["ptr"]), len, cap: Number(json["cap"] ?? 0) };
    }
    case "string":
      return decodeString(type.name, json) ?? bad();
    case "slice":
      return isObject(json) ? decodeSlice(type, json) : bad();
    case "interface": {
      if (!isObject(json) || typeof json["tab"] !== "string" || typeof json["data"] !== "string") return bad();
      const tab = address(json["tab"]);
      const named = typeof json["type"] === "string" ? json["type"] : "";
      // Without a name the script prints the descriptor's address ("type@0x…"); a descriptor
      // missing from the script's map prints as an empty name.
      const dynamicType = named === "" || named.startsWith("type@") ? undefined : named;
      const message = decodeString("string", json["message"] ?? null);
      return { kind: "interface", type: type.name, dynamicType: tab === 0n ? "nil" : dynamicType, typeWord: tab, data: address(json["data"]), ...(message !== undefined && message.length >= 0 && tab !== 0n ? { message } : {}) };
    }
    case "struct": {
      if (!isObject(json)) return bad();
      return { kind: "struct", type: type.name, fields: type.fields.map((f): NamedValue => ({ name: f.name, value: decodeScriptValue(f.type, json[f.name]) })) };
    }
    case "array": {
      if (!Array.isArray(json)) return bad();
      const items: readonly ExactJson[] = json;
      return { kind: "array", type: type.name, elems: items.map((e) => decodeScriptValue(type.elem, e)) };
    }
    case "unknown":
      return { kind: "unreadable", type: type.name, why: type.why };
    default: {
      const never: never = type;
      throw new RangeError(`unexpected type ${JSON.stringify(never)}`);
    }
  }
}

function address(text: string): bigint {
  return /^0x[0-9a-fA-F]+$/.test(text) ? BigInt(text) : 0n;
}

/** Bytes that %rh printed: two hex digits per byte, separated by spaces. */
function bytesFromHex(hex: string): Uint8Array {
  const digits = hex.replace(/[^0-9a-fA-F]/g, "");
  const bytes = new Uint8Array(digits.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** A Go string from its bytes read and its real length (the bytes are cut to it). */
export function goString(type: string, read: Uint8Array, length: number): GoValue & { kind: "string" } {
  const bytes = read.subarray(0, Math.max(0, Math.min(read.length, length)));
  return { kind: "string", type, bytes, text: utf8.decode(bytes), length, isTruncated: bytes.length < length };
}

function decodeString(type: string, json: ExactJson): (GoValue & { kind: "string" }) | undefined {
  if (!isObject(json) || typeof json["hex"] !== "string") return undefined;
  const len = json["len"];
  if (typeof len !== "number" && typeof len !== "bigint") return undefined;
  const length = Number(len);
  return length < 0 ? { ...goString(type, new Uint8Array(0), 0), length: -1 } : goString(type, bytesFromHex(json["hex"]), length);
}

/** An IEEE float from the bits the script printed ({"float64bits":"0x…"}). */
export function floatFromBits(bits: bigint, size: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt.asUintN(64, bits), true);
  return size === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
}

function decodeFloat(type: string, size: number, json: ExactJson): GoValue | undefined {
  if (!isObject(json)) return undefined;
  const bits = json[`float${size * 8}bits`];
  return typeof bits === "string" && /^0x[0-9a-fA-F]+$/.test(bits) ? { kind: "float", type, value: floatFromBits(BigInt(bits), size) } : undefined;
}

/** A scalar slice element from its little-endian bytes (amd64 and arm64). */
export function elementFromBytes(elem: GoType, bytes: Uint8Array): GoValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length;
  const unsigned = size === 8 ? view.getBigUint64(0, true) : BigInt(size === 4 ? view.getUint32(0, true) : size === 2 ? view.getUint16(0, true) : view.getUint8(0));
  switch (elem.kind) {
    case "bool":
      return { kind: "bool", type: elem.name, value: unsigned !== 0n };
    case "int":
    case "int8":
    case "int16":
    case "int32":
    case "int64":
      return { kind: "int", type: elem.name, value: goInteger(BigInt.asIntN(size * 8, unsigned)) };
    case "uint":
    case "uint8":
    case "uint16":
    case "uint32":
    case "uint64":
    case "uintptr":
      return { kind: "int", type: elem.name, value: goInteger(unsigned) };
    case "float32":
    case "float64":
      return { kind: "float", type: elem.name, value: floatFromBits(unsigned, size) };
    case "pointer":
      return { kind: "pointer", type: elem.name, address: unsigned };
    case "map":
      return { kind: "map", type: elem.name, address: unsigned, len: -1 };
    case "chan":
      return { kind: "chan", type: elem.name, address: unsigned, len: -1, cap: -1 };
    default:
      return { kind: "func", type: elem.name, address: unsigned };
  }
}

function decodeSlice(type: Extract<GoType, { kind: "slice" }>, json: JsonObject): GoValue {
  const len = Number(json["len"] ?? 0);
  const base = { kind: "slice" as const, type: type.name, address: typeof json["ptr"] === "string" ? address(json["ptr"]) : 0n, len, cap: Number(json["cap"] ?? 0) };
  const bytes = json["bytes"];
  if (isObject(bytes) && typeof bytes["hex"] === "string") {
    return { ...base, elems: [...bytesFromHex(bytes["hex"]).subarray(0, Math.max(0, len))].map((b): GoValue => ({ kind: "int", type: type.elem.name, value: b })) };
  }
  const elems = json["elems"];
  if (isObject(elems) && typeof elems["hex"] === "string" && SCALAR_ELEMENTS.has(type.elem.kind)) {
    const memory = bytesFromHex(elems["hex"]);
    const size = type.elem.size;
    const values: GoValue[] = [];
    for (let at = 0; at + size <= memory.length && values.length < len; at += size) values.push(elementFromBytes(type.elem, memory.subarray(at, at + size)));
    return { ...base, elems: values };
  }
  const strings = json["strings"];
  if (Array.isArray(strings)) {
    const slots: readonly ExactJson[] = strings;
    const values = slots.flatMap((slot) => {
      const s = decodeString(type.elem.name, slot);
      return s === undefined || s.length < 0 ? [] : [s];
    });
    return { ...base, elems: values.slice(0, Math.max(0, len)) };
  }
  return { ...base, elems: [] };
}
