package data

import (
	"reflect"
	"testing"
)

// TestComponentLayout keeps Component as its comment lays it out: every field that holds a
// pointer before every field that holds none, and no padding that another order would avoid,
// so that a new field in the wrong place does not quietly cost 2M components a word each.
func TestComponentLayout(t *testing.T) {
	typ := reflect.TypeFor[Component]()
	var sum uintptr
	lastPointer, firstPlain := -1, typ.NumField()
	for i := range typ.NumField() {
		f := typ.Field(i)
		sum += f.Type.Size()
		if hasPointers(f.Type) {
			lastPointer = i
		} else if firstPlain == typ.NumField() {
			firstPlain = i
		}
	}
	if lastPointer > firstPlain {
		t.Errorf("field %s holds pointers but follows %s, which holds none", typ.Field(lastPointer).Name, typ.Field(firstPlain).Name)
	}
	if need := (sum + uintptr(typ.Align()) - 1) / uintptr(typ.Align()) * uintptr(typ.Align()); typ.Size() > need {
		t.Errorf("Component is %d bytes where its fields packed need %d", typ.Size(), need)
	}
}
