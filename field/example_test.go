package field_test

import (
	"context"
	"fmt"
	"time"

	"github.com/paulmach/orb"

	"citygeo/data"
	"citygeo/field"
)

// Two patrollers and a truck report; the dispatch desk asks who is nearest a case.
func ExampleForce_Nearest() {
	reg, _ := field.NewRegistry([]data.Device{
		{ID: "h-001", Kind: data.DevicePerson, Name: "张三", Role: "patroller"},
		{ID: "h-002", Kind: data.DevicePerson, Name: "李四", Role: "patroller"},
		{ID: "13912345678", Kind: data.DeviceVehicle, Name: "粤B12345", Role: "sanitation"},
	})
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	f, _ := field.Open(context.Background(), &field.MemTracks{}, field.Options{Devices: reg, Now: func() time.Time { return now }})
	defer f.Close()
	f.Ingest(context.Background(), []data.Fix{
		{Device: "h-001", Time: now, Point: orb.Point{114.1200, 22.5500}},
		{Device: "h-002", Time: now, Point: orb.Point{114.1230, 22.5510}},
		{Device: "13912345678", Time: now, Point: orb.Point{114.1180, 22.5480}},
	})
	near, _ := f.Nearest(field.NearestQuery{Point: orb.Point{114.1185, 22.5485}, K: 2, Kind: data.DevicePerson, OnlineWithin: time.Minute}, nil)
	for _, n := range near {
		fmt.Printf("%s %s %.0f m\n", n.Fix.Device, n.Device.Name, n.Distance)
	}
	// Output:
	// h-001 张三 227 m
	// h-002 李四 539 m
}
