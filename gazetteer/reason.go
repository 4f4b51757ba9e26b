package gazetteer

import (
	"cmp"
	"slices"
	"strings"
)

// Reason says how a candidate differs from what the address asked for, or how its point was
// estimated. The empty reason is an exact match at the candidate's level: the 门牌, road, POI or
// area asked for is in the index and the point is its own. A dispatcher reads the reason (and
// Candidate.Asked beside Candidate.Matched) to know what the answer does not vouch for.
type Reason string

// The reasons, grouped by the level they come with. A candidate carries one: the one that
// limits what it vouches for most.
const (
	// ReasonExact: what was asked is indexed and the point is its own.
	ReasonExact Reason = ""

	// At 门牌号: the number asked is not indexed; the point is an estimate for it.

	// ReasonInterpolated: placed between the nearest known numbers on the same side.
	ReasonInterpolated Reason = "interpolated"
	// ReasonAcross: no known number brackets it on its own side; placed from the numbers
	// across the street (along the road's line at its own side's distance from it when its
	// own side is known only far away in number, mirrored across the line from the other
	// side's when its own side is not known at all).
	ReasonAcross Reason = "across"
	// ReasonExtrapolated: beyond the last known number on its side, by at most
	// MaxExtrapolate metres.
	ReasonExtrapolated Reason = "extrapolated"
	// ReasonBaseNumber: N之K (or 甲N, N號之K) placed from N號, a little towards the next
	// number: 之 numbers lie between their base and the next number.
	ReasonBaseNumber Reason = "base_number"
	// ReasonSibling: N號 placed at N之K, or N之K at N之J: a number sharing the base, not the
	// one asked. A known N之J (N號之J) within two of K places N之K (N號之K) even when N號 is
	// known: a building's units lie together, often apart from the base's door.
	ReasonSibling Reason = "sibling"

	// At 道路: the number could not be placed honestly, so the answer is the street.

	// ReasonOutOfRange: the number lies farther beyond the street's known numbers than
	// MaxExtrapolate; the point is among the known houses of the 鄰 the address names when
	// the index holds any, else at the end of the known numbers, towards it.
	ReasonOutOfRange Reason = "out_of_range"
	// ReasonNumberUnknown: the street holds no number to place it by.
	ReasonNumberUnknown Reason = "number_unknown"
	// ReasonLaneRule: a number of a lane (or alley) the index cannot bracket, placed by
	// Taiwan's numbering rule along the lane's inferred line from its mouth (lanes.go).
	ReasonLaneRule Reason = "lane_rule"
	// ReasonLaneEntrance: a lane or alley with no indexed number, at where it leaves its
	// parent street.
	ReasonLaneEntrance Reason = "lane_entrance"
	// ReasonLaneMouth: N號 placed where lane N巷 leaves the street (Taiwan numbers a lane after
	// the house at its mouth), at the road's level: a mouth known from the lane's own houses
	// is rough, and old streets name lanes apart from their numbers.
	ReasonLaneMouth Reason = "lane_mouth"
	// ReasonStreetUnknown: the section, lane or alley asked is not indexed; the road answers.
	ReasonStreetUnknown Reason = "street_unknown"
	// ReasonFuzzyRoad: the road name asked is not indexed; a road one character away (or
	// the known tail of a longer name) answers, never at 门牌号: 建国路1号 is not 建设路1号.
	// The point is where the number would lie on that road.
	ReasonFuzzyRoad Reason = "fuzzy_road"

	// At other levels.

	// ReasonFuzzyName: a POI one character away from the name asked.
	ReasonFuzzyName Reason = "fuzzy_name"
	// ReasonBuildingUnknown: the compound, not the building asked.
	ReasonBuildingUnknown Reason = "building_unknown"
	// ReasonRoadsApart: the two roads of an intersection do not meet in the data; the middle
	// of their closest approach.
	ReasonRoadsApart Reason = "roads_apart"
	// ReasonNeighbourhood: the street asked is not indexed, but the 鄰 the address names is
	// (a Taiwan village's numbered block of a few dozen households, lin.go): the middle of its
	// known houses answers, at the village's level, finer than the village's own point.
	ReasonNeighbourhood Reason = "neighbourhood"
	// ReasonFallback: nothing finer than a named area matched; the area answers.
	ReasonFallback Reason = "fallback"
)

// laneMouthLevel is the level of N號 placed at lane N巷's mouth: the road, since cross-validated
// it lands within 30 m about half the time, as the lane rule does, and within 100 m less often
// (docs/geocode-calibration.md).
const laneMouthLevel = LevelRoad

// laneRuleLevel is the level of a number placed by the lane rule: the road, since the rule
// lands within 30 m less often than an interpolation (docs/geocode-calibration.md).
const laneRuleLevel = LevelRoad

// MaxExtrapolate is how far (metres) beyond the last known number on its side a number is
// still placed at 门牌号. Past it the error grows with the distance (numbering restarts, a
// road bends, a block without houses), so the answer is the road (ReasonOutOfRange). The
// value comes from the calibration table (docs/geocode-calibration.md).
const MaxExtrapolate = 150

// scoreKey is one row of the score table.
type scoreKey struct {
	level  Level
	reason Reason
}

// scores is the base score of each (level, reason). The order follows the share of answers
// within 30 m measured by bench/geocode on the shared data (docs/geocode-calibration.md): a
// row that lands farther from the truth more often scores lower. Rows the harness cannot
// measure (areas, roads asked without a number) keep their place by what they vouch for.
// Dispatch refuses answers below 0.5 (city.MinDispatchScore): every row that did not place
// what was asked (a number at the road, a fuzzy name, an area for an address) sits below it.
var scores = map[scoreKey]float64{
	{LevelHouse, ReasonExact}:        1,
	{LevelHouse, ReasonSibling}:      0.88,
	{LevelHouse, ReasonBaseNumber}:   0.86,
	{LevelHouse, ReasonInterpolated}: 0.8,
	{LevelHouse, ReasonExtrapolated}: 0.7,
	{LevelHouse, ReasonAcross}:       0.68,

	{LevelBuilding, ReasonExact}:            0.95,
	{LevelBuilding, ReasonFuzzyName}:        0.48,
	{LevelPOI, ReasonExact}:                 0.9,
	{LevelPOI, ReasonBuildingUnknown}:       0.55,
	{LevelPOI, ReasonFuzzyName}:             0.45,
	{LevelIntersection, ReasonExact}:        0.9,
	{LevelIntersection, ReasonInterpolated}: 0.7,
	{LevelIntersection, ReasonRoadsApart}:   0.6,
	{LevelIntersection, ReasonFuzzyRoad}:    0.45,
	{LevelSegment, ReasonExact}:             0.65,
	{LevelRoad, ReasonExact}:                0.6,
	// Neither the lane rule nor a number out of range (placed by its 鄰 when the address
	// names one) vouches for the number: they land within 30 m about as often
	// (calibration: leaving each lane out in turn), so they score alike.
	{laneRuleLevel, ReasonLaneRule}:       0.48,
	{LevelRoad, ReasonOutOfRange}:         0.48,
	{laneMouthLevel, ReasonLaneMouth}:     0.47,
	{LevelRoad, ReasonLaneEntrance}:       0.46,
	{LevelRoad, ReasonNumberUnknown}:      0.45,
	{LevelRoad, ReasonStreetUnknown}:      0.42,
	{LevelRoad, ReasonFuzzyRoad}:          0.4,
	{LevelCommunity, ReasonExact}:         0.5,
	{LevelCommunity, ReasonNeighbourhood}: 0.37,
	{LevelCommunity, ReasonFallback}:      0.35,
	{LevelStreet, ReasonExact}:            0.4,
	{LevelStreet, ReasonFallback}:         0.3,
	{LevelDistrict, ReasonExact}:          0.3,
	{LevelDistrict, ReasonFallback}:       0.2,
}

// Score returns the base score of a candidate at level for reason: 1 for an exact 门牌, lower
// for every estimate, in the order of the calibration table. A query's own doubts (another
// city named, an offset or 附近) scale it further. Unknown pairs score 0.
func Score(level Level, reason Reason) float64 { return scores[scoreKey{level, reason}] }

// ScoreTable returns every (level, reason) pair the geocoder can answer with, with its base
// score, best first; the harness prints the calibration table over it.
func ScoreTable() []ScoreRow {
	out := make([]ScoreRow, 0, len(scores))
	for k, s := range scores {
		out = append(out, ScoreRow{Level: k.level, Reason: k.reason, Score: s})
	}
	slices.SortFunc(out, func(a, b ScoreRow) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), strings.Compare(string(a.Level), string(b.Level)),
			strings.Compare(string(a.Reason), string(b.Reason)))
	})
	return out
}

// ScoreRow is one row of ScoreTable.
type ScoreRow struct {
	Level  Level
	Reason Reason
	Score  float64
}
