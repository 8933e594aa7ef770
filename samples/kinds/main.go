// Command kinds calls one function per kind of Go value that the calls sample leaves out —
// maps, channels, funcs, string slices and pointers to scalars — over and over, with fixed
// arguments, and logs every call as a JSON line (samples/README.md describes them).
//
//	kinds [-n N] [-interval D]
package main

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"time"
)

//go:noinline
func MapLen(m map[string]int) int {
	return len(m)
}

//go:noinline
func ChanState(c chan int) (n int, size int) {
	return len(c), cap(c)
}

//go:noinline
func Apply(f func(int) int, x int) int {
	return f(x)
}

//go:noinline
func Join(parts []string, sep string) string {
	return strings.Join(parts, sep)
}

//go:noinline
func Deref(s *string, n *int) int {
	return len(*s) + *n
}

// line is one log line: the call's arguments and results, as samples/README.md describes.
type line struct {
	Iter    int                    `json:"iter"`
	Func    string                 `json:"func"`
	Args    map[string]interface{} `json:"args"`
	Results map[string]interface{} `json:"results"`
}

func logCall(iter int, name string, args, results map[string]interface{}) {
	out, err := json.Marshal(line{iter, name, args, results})
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(out, '\n'))
}

func run(iter int) {
	{
		m := map[string]int{"a": 1, "b": 2, "c": 3}
		r := MapLen(m)
		logCall(iter, "main.MapLen", map[string]interface{}{"m": map[string]int{"len": len(m)}}, map[string]interface{}{"~r0": r})
	}
	{
		c := make(chan int, 4)
		c <- 7
		n, size := ChanState(c)
		logCall(iter, "main.ChanState", map[string]interface{}{"c": map[string]int{"len": len(c), "cap": cap(c)}}, map[string]interface{}{"n": n, "size": size})
	}
	{
		f := func(x int) int { return x * 3 }
		r := Apply(f, 14)
		logCall(iter, "main.Apply", map[string]interface{}{"f": "func", "x": 14}, map[string]interface{}{"~r0": r})
	}
	{
		parts := make([]string, 3, 4)
		copy(parts, []string{"go", "x", "ray"})
		r := Join(parts, "-")
		logCall(iter, "main.Join", map[string]interface{}{"parts": map[string]interface{}{"len": len(parts), "cap": cap(parts), "elems": parts}, "sep": "-"}, map[string]interface{}{"~r0": r})
	}
	{
		s, n := "pointer", 5
		r := Deref(&s, &n)
		logCall(iter, "main.Deref", map[string]interface{}{"s": s, "n": n}, map[string]interface{}{"~r0": r})
	}
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
