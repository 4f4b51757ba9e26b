package city

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"citygeo/data"
)

// Outcomes maps the outcome a case is closed with (处置结果) to the status it gives the bound
// component. An outcome not listed here is refused, so a typo never closes a case silently.
var Outcomes = map[string]data.Status{
	"部件丢失": data.StatusLost, "lost": data.StatusLost,
	"部件损坏": data.StatusDamaged, "部件破损": data.StatusDamaged, "damaged": data.StatusDamaged,
	"已修复": data.StatusIntact, "已恢复": data.StatusIntact, "repaired": data.StatusIntact,
	"部件占用": data.StatusOccupied, "occupied": data.StatusOccupied,
	"部件废弃": data.StatusAbandon, "abandoned": data.StatusAbandon,
	"部件移除": data.StatusRemoved, "已移除": data.StatusRemoved, "removed": data.StatusRemoved,
}

// ErrOutcome is returned for an outcome Outcomes does not list.
var ErrOutcome = errors.New("unknown case outcome")

// errUnchanged ends an outcome edit of a component already in the status it would set.
var errUnchanged = errors.New("component already has that status")

// ParseOutcome returns the component status of a case outcome ("" for none).
func ParseOutcome(outcome string) (data.Status, error) {
	o := strings.TrimSpace(outcome)
	if o == "" {
		return 0, nil
	}
	if st, ok := Outcomes[strings.ToLower(o)]; ok {
		return st, nil
	}
	return 0, fmt.Errorf("%w %q: want 部件丢失, 部件损坏, 已修复, 部件占用, 部件废弃 or 部件移除 (or lost, damaged, repaired, occupied, abandoned, removed)", ErrOutcome, outcome)
}

// CaseOutcome gives the component a closed case is bound to the status of the case's outcome,
// recorded in its history with the case id and who closed it. It answers nil (and changes
// nothing) when the case is bound to no component, the outcome is empty, or the component
// already has that status; ErrNotFound when the component is no longer served.
func (c *City) CaseOutcome(ctx context.Context, ev *data.Event, outcome, who string) (*Edited, error) {
	st, err := ParseOutcome(outcome)
	if err != nil || st == 0 || ev == nil || ev.Component == "" {
		return nil, err
	}
	if c.store == nil {
		return nil, ErrNoStore
	}
	cs, ok := c.store.(data.ChangeStore)
	if !ok {
		return nil, ErrNoChanges
	}
	if c.importing.Load() {
		return nil, ErrImportBusy
	}
	res, err := c.edit(cs, Edit{Layer: data.LayerComponent, ID: ev.Component, Op: data.OpUpdate, IfMatch: "*",
		Who: who, Why: "case outcome " + strings.TrimSpace(outcome), Case: ev.ID}, func(old *data.Dataset) (*data.Dataset, error) {
		if old == nil || len(old.Components) != 1 {
			return nil, fmt.Errorf("component %s of case %s: %w", ev.Component, ev.ID, ErrNotFound)
		}
		if old.Components[0].Status == st {
			return nil, errUnchanged
		}
		n := *old.Components[0]
		n.Status = st
		return &data.Dataset{Components: []*data.Component{&n}}, nil
	})
	if errors.Is(err, errUnchanged) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &res, nil
}
