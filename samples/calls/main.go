// Command calls calls one function per kind of Go value, over and over, with fixed arguments,
// and logs every call as a JSON line so traced values can be compared with what it passed.
// signatures.json lists the traced functions; samples/README.md describes the log lines.
//
//	calls [-n N] [-interval D]
package main

import (
	"errors"
	"math"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Point is two words: passed in registers.
type Point struct {
	X, Y int
}

// Rect nests Point: four words, still in registers.
type Rect struct {
	Min, Max Point
}

// Block holds an array of length 3, so under the register ABI the whole struct goes on the stack.
type Block struct {
	ID    uint16
	Vals  [3]int32
	Label string
}

// Wide is ten words, more than amd64's nine integer registers: it goes on the stack.
type Wide struct {
	A, B, C, D, E, F, G, H, I, J int64
}

// Item mixes a string and narrow integers.
type Item struct {
	Name  string
	Price int32
	Qty   uint8
}

// Cart is reached through a pointer receiver.
type Cart struct {
	Owner string
	Items []Item
	Total int64
}

// ParseError is a custom error type, returned as *ParseError inside an error.
type ParseError struct {
	Pos int
	Msg string
}

func (e *ParseError) Error() string {
	return "parse error at " + strconv.Itoa(e.Pos) + ": " + e.Msg
}

//go:noinline
func SignedInts(a int8, b int16, c int32, d int64, e int) int64 {
	return int64(a) + int64(b) + int64(c) + d + int64(e)
}

//go:noinline
func UnsignedInts(a uint8, b uint16, c uint32, d uint64, e uint, f uintptr) uint64 {
	return uint64(a) + uint64(b) + uint64(c) + d + uint64(e) + uint64(f)
}

//go:noinline
func Bools(a, b bool, n int8) bool {
	return a && !b && n < 0
}

//go:noinline
func Greet(name string) string {
	return "hello, " + name
}

//go:noinline
func NulString(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return i
		}
	}
	return -1
}

//go:noinline
func LongString(s string) int {
	return len(s)
}

//go:noinline
func SumBytes(b []byte) int {
	total := 0
	for _, v := range b {
		total += int(v)
	}
	return total
}

//go:noinline
func SumInts(xs []int) (sum int, count int) {
	for _, v := range xs {
		sum += v
	}
	return sum, len(xs)
}

//go:noinline
func Midpoint(a, b Point) Point {
	return Point{(a.X + b.X) / 2, (a.Y + b.Y) / 2}
}

//go:noinline
func Area(r Rect) int {
	return Double(r.Max.X-r.Min.X) * (r.Max.Y - r.Min.Y) / 2
}

//go:noinline
func SumBlock(b Block) int64 {
	return int64(b.ID) + int64(b.Vals[0]) + int64(b.Vals[1]) + int64(b.Vals[2]) + int64(len(b.Label))
}

//go:noinline
func SumWide(w Wide) int64 {
	return w.A + w.B + w.C + w.D + w.E + w.F + w.G + w.H + w.I + w.J
}

//go:noinline
func Scale(p *Point, k int) {
	p.X *= k
	p.Y *= k
}

//go:noinline
func (p Point) Norm() float64 {
	return math.Sqrt(float64(p.X*p.X + p.Y*p.Y))
}

//go:noinline
func (c *Cart) Add(it Item) int {
	c.Items = append(c.Items, it)
	c.Total += int64(it.Price) * int64(it.Qty)
	return len(c.Items)
}

//go:noinline
func Describe(v interface{}) string {
	switch x := v.(type) {
	case int:
		return "int:" + strconv.Itoa(x)
	case string:
		return "string:" + x
	}
	return "other"
}

//go:noinline
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

//go:noinline
func Fail(code int) error {
	return errors.New("fail: code " + strconv.Itoa(code))
}

//go:noinline
func Parse(s string) (n int, err error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return n, &ParseError{Pos: i, Msg: "unexpected " + strconv.QuoteRune(rune(s[i]))}
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, nil
}

//go:noinline
func Validate(n int) error {
	if n < 0 {
		return errors.New("negative")
	}
	return nil
}

//go:noinline
func makeAdder(base int) func(int) int {
	return func(x int) int {
		return base + x
	}
}

//go:noinline
func Sum(label string, nums ...int) int {
	total := len(label)
	for _, n := range nums {
		total += n
	}
	return total
}

// Many takes 13 words. On amd64, a..h fill eight registers, s does not fit in the one left and
// goes on the stack, i takes that last register, and j, k go on the stack; arm64 has room for all.
//
//go:noinline
func Many(a, b, c, d, e, f, g, h int, s string, i, j, k int) int {
	return a + 2*b + 3*c + 4*d + 5*e + 6*f + 7*g + 8*h + 9*len(s) + 10*i + 11*j + 12*k
}

//go:noinline
func Floats(a float32, b float64, n int) float64 {
	return (float64(a) + b) * float64(n)
}

//go:noinline
func Complexes(a complex64, b complex128) complex128 {
	return complex128(a) * b
}

// Double is a small leaf the compiler inlines at each call site: Area and twice in run.
func Double(x int) int {
	return x + x
}

// Square would be inlined like Double but for the directive.
//
//go:noinline
func Square(x int) int {
	return x * x
}

// longText is longer than 100 bytes, more than a default bpftrace str() prints.
const longText = "goxray reads Go binaries: DWARF gives the types, pclntab the names, " +
	"the ABI the registers; this string runs past one hundred bytes on purpose."

// int, uint and uintptr values that need more than 32 bits on amd64 and arm64. Some ELF tests
// build this sample for 32-bit targets too, where the shift makes them fit (and they are logged
// as passed, like every value).
const (
	wordShift  = 64 - strconv.IntSize
	wideInt    = -9000000000000000000 >> wordShift
	wideUint   = 12345678901 >> wordShift
	wideIntElm = 1 << 40 >> wordShift
)

// Seeds for Double live in variables so the compiler cannot fold the inlined calls away.
var doubleSeedA, doubleSeedB = 21, -8

func (p Point) log() obj { return obj{{"X", i64(int64(p.X))}, {"Y", i64(int64(p.Y))}} }

func (r Rect) log() obj { return obj{{"Min", r.Min.log()}, {"Max", r.Max.log()}} }

func (b Block) log() obj {
	vals := make([]interface{}, len(b.Vals))
	for i, v := range b.Vals {
		vals[i] = v
	}
	return obj{{"ID", b.ID}, {"Vals", vals}, {"Label", b.Label}}
}

func (w Wide) log() obj {
	return obj{{"A", i64(w.A)}, {"B", i64(w.B)}, {"C", i64(w.C)}, {"D", i64(w.D)}, {"E", i64(w.E)},
		{"F", i64(w.F)}, {"G", i64(w.G)}, {"H", i64(w.H)}, {"I", i64(w.I)}, {"J", i64(w.J)}}
}

func (it Item) log() obj { return obj{{"Name", it.Name}, {"Price", it.Price}, {"Qty", it.Qty}} }

func (c *Cart) log() obj {
	items := make([]interface{}, len(c.Items))
	for i, it := range c.Items {
		items[i] = it.log()
	}
	return obj{{"Owner", c.Owner},
		{"Items", obj{{"len", len(c.Items)}, {"cap", cap(c.Items)}, {"elems", items}}},
		{"Total", i64(c.Total)}}
}

func (e *ParseError) log() obj { return obj{{"Pos", e.Pos}, {"Msg", e.Msg}} }

func funcName(f interface{}) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

// run makes one call of every traced function, each with the same arguments every time.
func run(iter int) {
	{
		var a, b, c, d, e = int8(-5), int16(-300), int32(-70000), int64(-5000000000), wideInt
		r := SignedInts(a, b, c, d, e)
		logCall(iter, "main.SignedInts",
			obj{{"a", a}, {"b", b}, {"c", c}, {"d", i64(d)}, {"e", i64(int64(e))}},
			obj{{"~r0", i64(r)}})
	}
	{
		var a, b, c, d, e, f = uint8(250), uint16(65000), uint32(4000000000), uint64(0xFEDCBA9876543210), uint(wideUint), uintptr(0xC0FFEE)
		r := UnsignedInts(a, b, c, d, e, f)
		logCall(iter, "main.UnsignedInts",
			obj{{"a", a}, {"b", b}, {"c", c}, {"d", u64(d)}, {"e", u64(uint64(e))}, {"f", u64(uint64(f))}},
			obj{{"~r0", u64(r)}})
	}
	{
		a, b, n := true, false, int8(-1)
		r := Bools(a, b, n)
		logCall(iter, "main.Bools", obj{{"a", a}, {"b", b}, {"n", n}}, obj{{"~r0", r}})
	}
	{
		name := "gopher"
		r := Greet(name)
		logCall(iter, "main.Greet", obj{{"name", name}}, obj{{"~r0", r}})
	}
	{
		s := "nul\x00inside"
		r := NulString(s)
		logCall(iter, "main.NulString", obj{{"s", s}}, obj{{"~r0", r}})
	}
	{
		s := longText
		r := LongString(s)
		logCall(iter, "main.LongString", obj{{"s", s}}, obj{{"~r0", r}})
	}
	{
		b := make([]byte, 5, 8)
		copy(b, "ab\x00\xfe\xff")
		logged := byteSlice(b)
		r := SumBytes(b)
		logCall(iter, "main.SumBytes", obj{{"b", logged}}, obj{{"~r0", r}})
	}
	{
		xs := make([]int, 4, 6)
		copy(xs, []int{7, -2, wideIntElm, 3})
		logged := intSlice(xs)
		sum, count := SumInts(xs)
		logCall(iter, "main.SumInts", obj{{"xs", logged}}, obj{{"sum", i64(int64(sum))}, {"count", count}})
	}
	{
		a, b := Point{X: 10, Y: -20}, Point{X: 30, Y: 40}
		r := Midpoint(a, b)
		logCall(iter, "main.Midpoint", obj{{"a", a.log()}, {"b", b.log()}}, obj{{"~r0", r.log()}})
	}
	{
		rect := Rect{Min: Point{X: 1, Y: 2}, Max: Point{X: 11, Y: 7}}
		r := Area(rect)
		logCall(iter, "main.Area", obj{{"r", rect.log()}}, obj{{"~r0", r}})
	}
	{
		b := Block{ID: 513, Vals: [3]int32{-1, 65536, 7}, Label: "blk"}
		r := SumBlock(b)
		logCall(iter, "main.SumBlock", obj{{"b", b.log()}}, obj{{"~r0", i64(r)}})
	}
	{
		w := Wide{A: 1, B: -2, C: 3, D: -4, E: 5, F: -6, G: 7, H: -8, I: 9, J: 1 << 33}
		r := SumWide(w)
		logCall(iter, "main.SumWide", obj{{"w", w.log()}}, obj{{"~r0", i64(r)}})
	}
	{
		p, k := &Point{X: 3, Y: -4}, 5
		logged := p.log()
		Scale(p, k)
		logCall(iter, "main.Scale", obj{{"p", logged}, {"k", k}}, obj{}, kv{"after", obj{{"p", p.log()}}})
	}
	{
		p := Point{X: 3, Y: 4}
		r := p.Norm()
		logCall(iter, "main.Point.Norm", obj{{"p", p.log()}}, obj{{"~r0", r}})
	}
	{
		c := &Cart{Owner: "ana", Items: []Item{{Name: "tea", Price: 250, Qty: 2}}, Total: 500}
		it := Item{Name: "biscuits", Price: -75, Qty: 3}
		logged := c.log()
		r := c.Add(it)
		logCall(iter, "main.(*Cart).Add", obj{{"c", logged}, {"it", it.log()}}, obj{{"~r0", r}},
			kv{"after", obj{{"c", c.log()}}})
	}
	{
		var v interface{} = 42
		r := Describe(v)
		logCall(iter, "main.Describe", obj{{"v", iface(v)}}, obj{{"~r0", r}})
	}
	{
		err := errors.New("disk full")
		r := ErrorText(err)
		logCall(iter, "main.ErrorText", obj{{"err", errValue(err)}}, obj{{"~r0", r}})
	}
	{
		code := 7
		r := Fail(code)
		logCall(iter, "main.Fail", obj{{"code", code}}, obj{{"~r0", errValue(r)}})
	}
	{
		s := "12x4"
		n, err := Parse(s)
		logCall(iter, "main.Parse", obj{{"s", s}}, obj{{"n", n}, {"err", errValue(err)}})
	}
	{
		n := 3
		r := Validate(n)
		logCall(iter, "main.Validate", obj{{"n", n}}, obj{{"~r0", errValue(r)}})
	}
	{
		base := 100
		add := makeAdder(base)
		logCall(iter, "main.makeAdder", obj{{"base", base}}, obj{{"~r0", obj{{"func", funcName(add)}}}})
		x := 5
		r := add(x)
		logCall(iter, "main.makeAdder.func1", obj{{"x", x}}, obj{{"~r0", r}}, kv{"captured", obj{{"base", base}}})
	}
	{
		label, nums := "total", []int{1, 2, 3, 4}
		r := Sum(label, nums...)
		logCall(iter, "main.Sum", obj{{"label", label}, {"nums", intSlice(nums)}}, obj{{"~r0", r}})
	}
	{
		s := "spill"
		r := Many(1, 2, 3, 4, 5, 6, 7, 8, s, 9, 10, 11)
		logCall(iter, "main.Many",
			obj{{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}, {"f", 6}, {"g", 7}, {"h", 8},
				{"s", s}, {"i", 9}, {"j", 10}, {"k", 11}},
			obj{{"~r0", r}})
	}
	{
		a, b, n := float32(1.5), -2.25, 4
		r := Floats(a, b, n)
		logCall(iter, "main.Floats", obj{{"a", a}, {"b", b}, {"n", n}}, obj{{"~r0", r}})
	}
	{
		a, b := complex64(complex(1, 2)), complex(-0.5, 4)
		r := Complexes(a, b)
		logCall(iter, "main.Complexes", obj{{"a", cplx(complex128(a))}, {"b", cplx(b)}}, obj{{"~r0", cplx(r)}})
	}
	{
		x := doubleSeedA
		r := Double(x)
		logCall(iter, "main.Double", obj{{"x", x}}, obj{{"~r0", r}})
		y := doubleSeedB
		r = Double(y)
		logCall(iter, "main.Double", obj{{"x", y}}, obj{{"~r0", r}})
	}
	{
		x := 12
		r := Square(x)
		logCall(iter, "main.Square", obj{{"x", x}}, obj{{"~r0", r}})
	}
}

// parseArgs reads -n N and -interval D (also -n=N, -interval=D). Not the flag package: it
// brings in fmt, which would make the bundled binary 0.3 MB larger.
func parseArgs(args []string) (n int, interval time.Duration, err error) {
	interval = 100 * time.Millisecond
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value := strings.TrimLeft(arg, "-"), ""
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			name, value = name[:eq], name[eq+1:]
		} else if i+1 < len(args) {
			i++
			value = args[i]
		}
		switch name {
		case "n":
			n, err = strconv.Atoi(value)
		case "interval":
			interval, err = time.ParseDuration(value)
		default:
			err = errors.New("unknown argument " + strconv.Quote(arg))
		}
		if err != nil {
			return 0, 0, err
		}
	}
	return n, interval, nil
}

func main() {
	n, interval, err := parseArgs(os.Args[1:])
	if err != nil {
		os.Stderr.WriteString("calls: " + err.Error() + "\nusage: calls [-n N] [-interval D]\n")
		os.Exit(2)
	}
	for iter := 0; n == 0 || iter < n; iter++ {
		if iter > 0 {
			time.Sleep(interval)
		}
		run(iter)
	}
}
