// Command kinds calls one function per kind of Go value that the calls sample leaves out —
// maps, channels, funcs, string slices and pointers to scalars — over and over, with fixed
// arguments, and logs every call as a JSON line (samples/README.md describes them).
//
//	kinds [-n N] [-interval D]
package main

import (
	"flag"
	"os"
	"strconv"
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

// logCall writes one log line; args and results are JSON object bodies, already encoded.
// Hand-written (no encoding/json): that package would bring generic reflect code into the binary.
func logCall(iter int, name, args, results string) {
	os.Stdout.WriteString(`{"iter":` + strconv.Itoa(iter) + `,"func":` + strconv.Quote(name) + `,"args":{` + args + `},"results":{` + results + "}}\n")
}

// quote is a JSON string for the ASCII text this sample logs.
func quote(s string) string { return strconv.Quote(s) }

func num(n int) string { return strconv.Itoa(n) }

func run(iter int) {
	{
		m := map[string]int{"a": 1, "b": 2, "c": 3}
		r := MapLen(m)
		logCall(iter, "main.MapLen", `"m":{"len":`+num(len(m))+`}`, `"~r0":`+num(r))
	}
	{
		c := make(chan int, 4)
		c <- 7
		n, size := ChanState(c)
		logCall(iter, "main.ChanState", `"c":{"len":`+num(len(c))+`,"cap":`+num(cap(c))+`}`, `"n":`+num(n)+`,"size":`+num(size))
	}
	{
		f := func(x int) int { return x * 3 }
		r := Apply(f, 14)
		logCall(iter, "main.Apply", `"f":"func","x":14`, `"~r0":`+num(r))
	}
	{
		parts := make([]string, 3, 4)
		copy(parts, []string{"go", "x", "ray"})
		r := Join(parts, "-")
		elems := make([]string, len(parts))
		for i, p := range parts {
			elems[i] = quote(p)
		}
		logCall(iter, "main.Join", `"parts":{"len":`+num(len(parts))+`,"cap":`+num(cap(parts))+`,"elems":[`+strings.Join(elems, ",")+`]},"sep":"-"`, `"~r0":`+quote(r))
	}
	{
		s, n := "pointer", 5
		r := Deref(&s, &n)
		logCall(iter, "main.Deref", `"s":`+quote(s)+`,"n":`+num(n), `"~r0":`+num(r))
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
