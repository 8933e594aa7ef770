package main

// One JSON line per call, in the shape samples/README.md describes. Nothing here is traced.
// A hand-written encoder: encoding/json would double the binary's size with Go 1.27, and fmt
// adds 0.3 MB (this sample is the one binary committed, in samples/bundled/).

import (
	"os"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// obj is a JSON object that keeps its keys in the order given.
type obj []kv

type kv struct {
	key   string
	value interface{}
}

// bigInt is an integer outside ±(2^53-1), logged as a decimal string: JavaScript would round it.
type bigInt string

const maxSafe = 1<<53 - 1

func i64(v int64) interface{} {
	if v > maxSafe || v < -maxSafe {
		return bigInt(strconv.FormatInt(v, 10))
	}
	return v
}

func u64(v uint64) interface{} {
	if v > maxSafe {
		return bigInt(strconv.FormatUint(v, 10))
	}
	return int64(v)
}

func cplx(v complex128) obj {
	return obj{{"real", real(v)}, {"imag", imag(v)}}
}

func byteSlice(s []byte) obj {
	elems := make([]interface{}, len(s))
	for i, b := range s {
		elems[i] = int64(b)
	}
	return obj{{"len", len(s)}, {"cap", cap(s)}, {"elems", elems}}
}

func intSlice(s []int) obj {
	elems := make([]interface{}, len(s))
	for i, v := range s {
		elems[i] = i64(int64(v))
	}
	return obj{{"len", len(s)}, {"cap", cap(s)}, {"elems", elems}}
}

// iface logs an interface as its dynamic type (as %T prints it) and value; nil is null.
func iface(v interface{}) interface{} {
	if v == nil {
		return nil
	}
	return obj{{"type", reflect.TypeOf(v).String()}, {"value", v}}
}

// errValue logs an error as its dynamic type (as %T prints it) and message, plus the fields of our own error type.
func errValue(err error) interface{} {
	if err == nil {
		return nil
	}
	out := obj{{"type", reflect.TypeOf(err).String()}, {"error", err.Error()}}
	if pe, ok := err.(*ParseError); ok {
		out = append(out, kv{"value", pe.log()})
	}
	return out
}

func appendJSON(b []byte, v interface{}) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case obj:
		b = append(b, '{')
		for i, field := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, field.key)
			b = append(b, ':')
			b = appendJSON(b, field.value)
		}
		return append(b, '}')
	case []interface{}:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	case bigInt:
		return appendString(b, string(x))
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int8:
		return strconv.AppendInt(b, int64(x), 10)
	case int16:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10)
	case float32:
		return strconv.AppendFloat(b, float64(x), 'g', -1, 32)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	panic("calls: cannot log a " + reflect.TypeOf(v).String())
}

// appendString writes s as a JSON string: control bytes (NUL included) as \u00XX.
func appendString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		panic("calls: cannot log a string that is not UTF-8: " + strconv.Quote(s))
	}
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func logCall(iter int, name string, args, results obj, extra ...kv) {
	line := obj{{"iter", iter}, {"func", name}, {"args", args}, {"results", results}}
	out := appendJSON(nil, append(line, extra...))
	if _, err := os.Stdout.Write(append(out, '\n')); err != nil {
		os.Exit(1)
	}
}
