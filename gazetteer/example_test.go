package gazetteer_test

import (
	"fmt"

	"citygeo/data"
	"citygeo/gazetteer"
)

func ExampleNormalize() {
	for _, s := range []string{"臺北市大安區和平東路三段228巷37號", "五四路一百二十三号", "3#楼2门502房", "12-3-1001"} {
		fmt.Println(gazetteer.Normalize(s).Norm)
	}
	// Output:
	// 台北市大安区和平东路3段228巷37号
	// 五四路123号
	// 3栋2单元502室
	// 12栋3单元1001室
}

func ExampleParse() {
	p := gazetteer.Parse("浙江省杭州市西湖区文三路138号东方通信大厦3号楼2单元501室")
	for _, e := range p.Elements {
		fmt.Printf("%s:%s ", e.Kind, e.Text)
	}
	fmt.Println()
	// Output:
	// prov:浙江省 city:杭州市 district:西湖区 road:文三路 roadno:138号 poi:东方通信大厦 building:3栋 unit:2单元 room:501室
}

func ExampleIndex_Suggest() {
	ix, err := gazetteer.New(testCity(), gazetteer.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range []string{"建设", "jsl", "dmyy"} {
		fmt.Println(q, "→", ix.Suggest(q, 1)[0].Name)
	}
	// Output:
	// 建设 → 建设路
	// jsl → 建设路
	// dmyy → 东门医院
}

// DeploymentOf names the city a dataset covers from its area codes.
func ExampleDeploymentOf() {
	ds := &data.Dataset{Areas: []*data.Area{
		{Code: "440303", Name: "罗湖区", Level: data.District},
		{Code: "440303001", Name: "东门街道", Level: data.Street},
	}}
	dep := gazetteer.DeploymentOf(ds)
	fmt.Println(dep.Province, dep.City, dep.Districts)
	// Output: 广东省 深圳市 [罗湖区]
}
