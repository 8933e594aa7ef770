// Command stackgrow makes a traced function recurse deeply on many goroutines at once, so that
// every goroutine's stack grows several times while Recurse is running, and counts the calls.
// Each iteration logs one JSON line with the calls made, which a trace must match exactly:
// an entry probe fires again when morestack re-runs a function's prologue, a RET probe does not.
//
//	stackgrow [-n N] [-interval D] [-goroutines G] [-depth D]
package main

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

var calls int64

// Recurse calls itself depth times. Its 256-byte frame makes a new goroutine's small stack
// grow (copying the frames below) many times before depth 0 is reached.
//
//go:noinline
func Recurse(depth int, acc uint64) uint64 {
	atomic.AddInt64(&calls, 1)
	// Indexes the compiler cannot relate keep pad a real array in the frame.
	var pad [256]byte
	pad[depth&255] = byte(depth)
	pad[(depth*7)&255] ^= 0x5a
	if depth == 0 {
		return acc
	}
	return Recurse(depth-1, acc+uint64(pad[(depth*3)&255]))
}

func run(iter, goroutines, depth int) {
	before := atomic.LoadInt64(&calls)
	results := make([]uint64, goroutines)
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			results[g] = Recurse(depth, 0)
		}(g)
	}
	wg.Wait()
	for _, r := range results[1:] {
		if r != results[0] {
			fmt.Fprintln(os.Stderr, "stackgrow: goroutines disagree:", results)
			os.Exit(1)
		}
	}
	total := atomic.LoadInt64(&calls)
	fmt.Printf("{\"iter\":%d,\"func\":\"main.Recurse\",\"goroutines\":%d,\"depth\":%d,"+
		"\"calls\":%d,\"totalCalls\":%d,\"result\":%d}\n",
		iter, goroutines, depth, total-before, total, results[0])
}

func main() {
	n := flag.Int("n", 0, "stop after `N` iterations (0: run forever)")
	interval := flag.Duration("interval", 100*time.Millisecond, "pause between iterations")
	goroutines := flag.Int("goroutines", 8, "goroutines recursing at once")
	depth := flag.Int("depth", 2000, "recursion depth: each goroutine makes depth+1 calls")
	flag.Parse()
	for iter := 0; *n == 0 || iter < *n; iter++ {
		if iter > 0 {
			time.Sleep(*interval)
		}
		run(iter, *goroutines, *depth)
	}
}
