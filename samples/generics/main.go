// Command generics calls instantiations of a generic function with two type parameters and a
// method of a generic type, over and over, with fixed arguments, and logs every call as a JSON
// line. It needs Go 1.18. signatures.json lists the traced functions; samples/README.md
// describes the log lines.
//
//	generics [-n N] [-interval D]
package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"
)

// Pair has two type parameters; each GC shape of (K, V) gets its own body, whose hidden first
// argument is the instantiation's dictionary.
//
//go:noinline
func Pair[K comparable, V any](k K, v V) string {
	return fmt.Sprint(k) + "=" + fmt.Sprint(v)
}

// Box is a generic type with a pointer-receiver method.
type Box[T any] struct {
	Items []T
}

//go:noinline
func (b *Box[T]) Put(v T) int {
	b.Items = append(b.Items, v)
	return len(b.Items)
}

// run makes one call of every traced function, each with the same arguments every time.
func run(iter int) {
	{
		k, v := 7, "seven"
		r := Pair(k, v)
		logCall(iter, "main.Pair[int,string]", obj{{"k", k}, {"v", v}}, obj{{"~r0", r}})
	}
	{
		k, v := "pi", 3.5
		r := Pair(k, v)
		logCall(iter, "main.Pair[string,float64]", obj{{"k", k}, {"v", v}}, obj{{"~r0", r}})
	}
	{
		b := &Box[int]{Items: []int{1, 2}}
		logged := b.log()
		v := -9
		r := b.Put(v)
		logCall(iter, "main.(*Box[int]).Put", obj{{"b", logged}, {"v", v}}, obj{{"~r0", r}},
			kv{"after", obj{{"b", b.log()}}})
	}
}

func (b *Box[T]) log() obj {
	elems := make([]interface{}, len(b.Items))
	for i, v := range b.Items {
		elems[i] = v
	}
	return obj{{"Items", obj{{"len", len(b.Items)}, {"cap", cap(b.Items)}, {"elems", elems}}}}
}

// obj is a JSON object that keeps its keys in source order (encoding/json sorts map keys).
type obj []kv

type kv struct {
	key   string
	value interface{}
}

func (o obj) String() string {
	out := "{"
	for i, field := range o {
		if i > 0 {
			out += ","
		}
		out += jsonString(field.key) + ":" + jsonValue(field.value)
	}
	return out + "}"
}

// jsonValue encodes the few kinds of value this sample logs.
func jsonValue(v interface{}) string {
	switch x := v.(type) {
	case obj:
		return x.String()
	case []interface{}:
		out := "["
		for i, e := range x {
			if i > 0 {
				out += ","
			}
			out += jsonValue(e)
		}
		return out + "]"
	case string:
		return jsonString(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	panic(fmt.Sprintf("generics: cannot log %T", v))
}

// jsonString quotes s for JSON: control bytes as \u00XX; s must be UTF-8.
func jsonString(s string) string {
	const hex = "0123456789abcdef"
	out := []byte{'"'}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			out = append(out, c)
		}
	}
	return string(append(out, '"'))
}

func logCall(iter int, name string, args, results obj, extra ...kv) {
	line := obj{{"iter", iter}, {"func", name}, {"args", args}, {"results", results}}
	fmt.Println(append(line, extra...).String())
}

func main() {
	n := flag.Int("n", 0, "stop after `N` iterations (0: run forever)")
	interval := flag.Duration("interval", 100*time.Millisecond, "pause between iterations")
	flag.Parse()
	for iter := 0; *n == 0 || iter < *n; iter++ {
		if iter > 0 {
			time.Sleep(*interval)
		}
		run(iter)
	}
}
