package data_test

import (
	"fmt"

	"citygeo/data"
)

// A version made of changes is its parent with the changes applied: the lamp renamed, the
// cover deleted, a bin created; the parent is not modified.
func ExampleApply() {
	parent := &data.Dataset{Components: []*data.Component{
		{ID: "4403030118000001", Name: "路灯1"},
		{ID: "4403030101000002", Name: "井盖2"},
	}}
	one := func(id, name string) *data.Dataset {
		return &data.Dataset{Components: []*data.Component{{ID: id, Name: name}}}
	}
	v := data.Apply(parent, []data.Change{
		{Layer: data.LayerComponent, ID: "4403030118000001", Op: data.OpUpdate, After: one("4403030118000001", "路灯1（更换）")},
		{Layer: data.LayerComponent, ID: "4403030101000002", Op: data.OpDelete},
		{Layer: data.LayerComponent, ID: "4403030109000003", Op: data.OpCreate, After: one("4403030109000003", "垃圾箱3")},
	})
	for _, c := range v.Components {
		fmt.Println(c.ID, c.Name)
	}
	fmt.Println(len(parent.Components), parent.Components[0].Name)
	// Output:
	// 4403030118000001 路灯1（更换）
	// 4403030109000003 垃圾箱3
	// 2 路灯1
}
