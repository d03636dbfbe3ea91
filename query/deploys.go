package query

import (
	"math"
	"sort"
	"strings"
	"time"
)

// placeDeploys chooses the suspect deploy of an error first seen at
// firstSeen in service, and lists the deploys within NearbyWindow of it.
//
// The suspect is never after firstSeen. A deploy of the same service within
// RegressionWindow before firstSeen wins; otherwise the latest deploy of any
// service at or before firstSeen. Among deploys at the same instant the one
// listed last wins. nearby always holds the suspect, flagged, even when it
// is older than NearbyWindow; it is sorted by time.
func placeDeploys(ds []Deploy, firstSeen time.Time, service string, o Options) (*DeployRef, []DeployRef) {
	same, anySvc := -1, -1
	for i := range ds {
		d := &ds[i]
		if d.Time.After(firstSeen) {
			continue
		}
		if anySvc < 0 || !d.Time.Before(ds[anySvc].Time) {
			anySvc = i
		}
		if sameService(d.Service, service) && firstSeen.Sub(d.Time) <= o.RegressionWindow &&
			(same < 0 || !d.Time.Before(ds[same].Time)) {
			same = i
		}
	}
	pick := same
	if pick < 0 {
		pick = anySvc
	}
	nearby := []DeployRef{}
	var suspect *DeployRef
	for i := range ds {
		d := &ds[i]
		off := d.Time.Sub(firstSeen)
		if i != pick && (off > o.NearbyWindow || off < -o.NearbyWindow) {
			continue
		}
		ref := deployRef(d, firstSeen)
		ref.Suspect = i == pick
		nearby = append(nearby, ref)
	}
	sort.SliceStable(nearby, func(i, j int) bool { return nearby[i].Time.Before(nearby[j].Time) })
	if pick >= 0 {
		ref := deployRef(&ds[pick], firstSeen)
		ref.Suspect = true
		suspect = &ref
	}
	return suspect, nearby
}

func deployRef(d *Deploy, firstSeen time.Time) DeployRef {
	return DeployRef{
		Time: d.Time, Service: d.Service, Version: d.Version, Commit: d.Commit,
		Author: d.Author, Environment: d.Environment,
		OffsetSeconds: math.Round(d.Time.Sub(firstSeen).Seconds()*1000) / 1000,
	}
}

// sameService compares service names as people write them in deploy
// histories: case-insensitively.
func sameService(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
