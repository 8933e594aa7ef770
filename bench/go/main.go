// Command dwarfwalk is the peer that npm run bench times goxray against.
// It does with Go's standard library (debug/elf, debug/dwarf, debug/gosym)
// the same work as one goxray command, so the two processes can be compared
// on the same file:
//
//	dwarfwalk funcs BIN        every subprogram: name, entry, params and results
//	                           with their type names, as JSON (goxray funcs --json)
//	dwarfwalk check BIN FUNC   one function: pclntab → entry → SeekPC → its unit →
//	                           its signature with every type resolved (goxray check)
//	dwarfwalk gosym BIN        every function in pclntab with its entry and
//	                           file:line (goxray funcs on a stripped binary)
package main

import (
	"bufio"
	"debug/dwarf"
	"debug/elf"
	"debug/gosym"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: dwarfwalk funcs|gosym BIN | dwarfwalk check BIN FUNC")
		os.Exit(2)
	}
	mode, path := os.Args[1], os.Args[2]
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	var err error
	switch {
	case mode == "funcs" && len(os.Args) == 3:
		err = walkFuncs(out, path)
	case mode == "check" && len(os.Args) == 4:
		err = checkFunc(out, path, os.Args[3])
	case mode == "gosym" && len(os.Args) == 3:
		err = listPclntab(out, path)
	default:
		err = fmt.Errorf("unknown mode %q or wrong argument count", mode)
	}
	if flushErr := out.Flush(); err == nil {
		err = flushErr
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "dwarfwalk: %s: %v\n", path, err)
		os.Exit(1)
	}
}

type value struct {
	Name *string `json:"name"`
	Type string  `json:"type"`
}

type function struct {
	Name    string  `json:"name"`
	Entry   *string `json:"entry"`
	Params  []value `json:"params"`
	Results []value `json:"results"`
}

// walkFuncs visits every entry of every unit, as goxray funcs must to find
// inlined copies, and prints each subprogram when its children are done.
func walkFuncs(out *bufio.Writer, path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	d, err := f.DWARF()
	if err != nil {
		return err
	}
	shared := entries{r: d.Reader(), cache: map[dwarf.Offset]*dwarf.Entry{}}
	r := d.Reader()
	var current *function
	depth, funcDepth := 0, -1
	count := 0
	emit := func() error {
		if current == nil {
			return nil
		}
		b, err := json.Marshal(current)
		if err != nil {
			return err
		}
		if count > 0 {
			out.WriteString(",\n")
		}
		out.Write(b)
		count++
		current = nil
		return nil
	}
	out.WriteString("[\n")
	for {
		e, err := r.Next()
		if err != nil {
			return err
		}
		if e == nil {
			break
		}
		if e.Tag == 0 {
			depth--
			if depth == funcDepth {
				if err := emit(); err != nil {
					return err
				}
				funcDepth = -1
			}
			continue
		}
		switch {
		case e.Tag == dwarf.TagSubprogram:
			if err := emit(); err != nil {
				return err
			}
			origin, err := shared.origin(e)
			if err != nil {
				return err
			}
			name, _ := origin.Val(dwarf.AttrName).(string)
			current = &function{Name: name, Params: []value{}, Results: []value{}}
			if low, ok := e.Val(dwarf.AttrLowpc).(uint64); ok {
				entry := "0x" + strconv.FormatUint(low, 16)
				current.Entry = &entry
			}
			if e.Children {
				funcDepth = depth
			} else if err := emit(); err != nil {
				return err
			}
		case e.Tag == dwarf.TagFormalParameter && current != nil && depth == funcDepth+1:
			origin, err := shared.origin(e)
			if err != nil {
				return err
			}
			v := value{}
			if name, ok := origin.Val(dwarf.AttrName).(string); ok {
				v.Name = &name
			}
			if v.Type, err = shared.typeName(origin); err != nil {
				return err
			}
			// Go marks results with DW_AT_variable_parameter (cmd/compile's dwarfgen).
			if isResult, _ := origin.Val(dwarf.AttrVarParam).(bool); isResult {
				current.Results = append(current.Results, v)
			} else {
				current.Params = append(current.Params, v)
			}
		}
		if e.Children {
			depth++
		}
	}
	if err := emit(); err != nil {
		return err
	}
	out.WriteString("\n]\n")
	fmt.Fprintf(os.Stderr, "dwarfwalk: %d subprograms\n", count)
	return nil
}

// entries reads an entry by offset once: abstract origins and type entries
// are shared by many subprograms and parameters.
type entries struct {
	r     *dwarf.Reader
	cache map[dwarf.Offset]*dwarf.Entry
}

func (t *entries) at(off dwarf.Offset) (*dwarf.Entry, error) {
	if e, ok := t.cache[off]; ok {
		return e, nil
	}
	t.r.Seek(off)
	e, err := t.r.Next()
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, fmt.Errorf("no entry at 0x%x", off)
	}
	t.cache[off] = e
	return e, nil
}

// origin is the entry that holds e's name and type: an out-of-line copy of a
// function inlined elsewhere, and its parameters, point at the abstract
// entries with DW_AT_abstract_origin and carry only PCs and locations.
func (t *entries) origin(e *dwarf.Entry) (*dwarf.Entry, error) {
	if off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
		return t.at(off)
	}
	return e, nil
}

// typeName is the type's DW_AT_name: Go names every type it emits in Go
// syntax, so the name is the type as goxray prints it.
func (t *entries) typeName(e *dwarf.Entry) (string, error) {
	off, ok := e.Val(dwarf.AttrType).(dwarf.Offset)
	if !ok {
		return "?", nil
	}
	typ, err := t.at(off)
	if err != nil {
		return "", err
	}
	if name, ok := typ.Val(dwarf.AttrName).(string); ok {
		return name, nil
	}
	return "?", nil
}

// readPclntab opens the Go symbol table from .gopclntab, which even -s -w keeps.
func readPclntab(f *elf.File) (*gosym.Table, error) {
	pcln := f.Section(".gopclntab")
	text := f.Section(".text")
	if pcln == nil || text == nil {
		return nil, errors.New("no .gopclntab or .text section")
	}
	pclnData, err := pcln.Data()
	if err != nil {
		return nil, err
	}
	var symData []byte
	if s := f.Section(".gosymtab"); s != nil {
		if symData, err = s.Data(); err != nil {
			return nil, err
		}
	}
	return gosym.NewTable(symData, gosym.NewLineTable(pclnData, text.Addr))
}

type checkedValue struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Size   int64  `json:"size"`
	Result bool   `json:"result"`
}

// checkFunc takes the one-function path: find the entry in pclntab, the unit
// by PC, the subprogram in that unit, and resolve each parameter's type in
// full (sizes and fields are what ABI placement needs).
func checkFunc(out *bufio.Writer, path, name string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tab, err := readPclntab(f)
	if err != nil {
		return err
	}
	fn := tab.LookupFunc(name)
	if fn == nil {
		return fmt.Errorf("no function %s in pclntab", name)
	}
	d, err := f.DWARF()
	if err != nil {
		return err
	}
	r := d.Reader()
	unit, err := r.SeekPC(fn.Entry)
	if err != nil {
		return fmt.Errorf("entry 0x%x: %w", fn.Entry, err)
	}
	unitName, _ := unit.Val(dwarf.AttrName).(string)
	shared := entries{r: d.Reader(), cache: map[dwarf.Offset]*dwarf.Entry{}}
	for {
		e, err := r.Next()
		if err != nil {
			return err
		}
		// Every other child was skipped, so a null entry ends the unit.
		if e == nil || e.Tag == 0 {
			break
		}
		if e.Tag != dwarf.TagSubprogram {
			if e.Children {
				r.SkipChildren()
			}
			continue
		}
		if low, ok := e.Val(dwarf.AttrLowpc).(uint64); !ok || low != fn.Entry {
			if e.Children {
				r.SkipChildren()
			}
			continue
		}
		values := []checkedValue{}
		for e.Children {
			child, err := r.Next()
			if err != nil {
				return err
			}
			if child == nil || child.Tag == 0 {
				break
			}
			if child.Tag == dwarf.TagFormalParameter {
				origin, err := shared.origin(child)
				if err != nil {
					return err
				}
				v := checkedValue{}
				v.Name, _ = origin.Val(dwarf.AttrName).(string)
				v.Result, _ = origin.Val(dwarf.AttrVarParam).(bool)
				if off, ok := origin.Val(dwarf.AttrType).(dwarf.Offset); ok {
					typ, err := d.Type(off)
					if err != nil {
						return err
					}
					v.Type, v.Size = typ.String(), typ.Size()
				}
				values = append(values, v)
			}
			if child.Children {
				r.SkipChildren()
			}
		}
		b, err := json.MarshalIndent(map[string]any{
			"name": fn.Name, "entry": fmt.Sprintf("0x%x", fn.Entry), "unit": unitName, "values": values,
		}, "", "  ")
		if err != nil {
			return err
		}
		out.Write(b)
		out.WriteString("\n")
		return nil
	}
	return fmt.Errorf("no subprogram at 0x%x in unit %s", fn.Entry, unitName)
}

// listPclntab prints every function pclntab knows, with its entry's file:line.
func listPclntab(out *bufio.Writer, path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tab, err := readPclntab(f)
	if err != nil {
		return err
	}
	for i := range tab.Funcs {
		fn := &tab.Funcs[i]
		file, line, _ := tab.PCToLine(fn.Entry)
		fmt.Fprintf(out, "%s 0x%x %d %s:%d\n", fn.Name, fn.Entry, fn.End-fn.Entry, file, line)
	}
	fmt.Fprintf(os.Stderr, "dwarfwalk: %d functions\n", len(tab.Funcs))
	return nil
}
