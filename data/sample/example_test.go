package sample_test

import (
	"fmt"
	"testing"

	"citygeo/data"
	"citygeo/data/sample"
)

func ExampleGenerate() {
	ds, err := sample.Generate(sample.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var communities int
	for _, a := range ds.Areas {
		if a.Level == data.Community {
			communities++
		}
	}
	fmt.Println(ds.Name, communities, "communities")
	fmt.Println(ds.Grids[0].Code, len(ds.Components[0].ID), "digit component ids")
	// Output:
	// 深圳市罗湖区（示例） 109 communities
	// 440303001001001 16 digit component ids
}

func BenchmarkGenerateDefault(b *testing.B) {
	for b.Loop() {
		if _, err := sample.Generate(sample.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerate100k is the large city: 100k grids and 2M components.
func BenchmarkGenerate100k(b *testing.B) {
	for b.Loop() {
		if _, err := sample.Generate(sample.Options{Grids: 100_000, Components: 2_000_000}); err != nil {
			b.Fatal(err)
		}
	}
}
