package query

import (
	"math"
	"sort"
	"strings"
	"time"
)

// Deploy placement. A deploy is shown next to every error group: the
// candidate of a deployment regression when there is one, else the nearest
// earlier deploy. Showing is not blaming: DeployRef.Suspect is set only
// when the verdict blames the deploy (markSuspect), so a deploy shown under
// a dependency failure or a pre-existing error is never badged.

// failedDeploy reports a deploy that did not run its version (helm's
// "failed", Argo CD's "Failed"/"Error", GitLab's "failed"/"canceled").
func failedDeploy(d *Deploy) bool {
	switch strings.ToLower(strings.TrimSpace(d.Status)) {
	case "failed", "failure", "error", "errored", "canceled", "cancelled", "aborted", "pending-install", "pending-upgrade", "pending-rollback":
		return true
	}
	return false
}

// appliesTo reports whether deploy d reached host: a deploy that names its
// hosts (a canary) applies only to those; any deploy applies to an event
// without a host.
func appliesTo(d *Deploy, host string) bool {
	hosts := d.HostList()
	if len(hosts) == 0 || host == "" {
		return true
	}
	for _, h := range hosts {
		if strings.EqualFold(strings.TrimSpace(h), host) {
			return true
		}
	}
	return false
}

// runs reports whether deploy d can be the version an error ran: when the
// error's line names its version, a deploy of another version cannot be.
func runs(d *Deploy, version string) bool {
	return version == "" || d.Version == "" || strings.EqualFold(strings.TrimPrefix(d.Version, "v"), strings.TrimPrefix(version, "v"))
}

// placeDeploys chooses the deploy shown for an error first seen at
// firstSeen in service on host, and lists the deploys within NearbyWindow
// of it.
//
// The candidate is the latest deploy of the error's service at or before
// firstSeen and at most RegressionWindow before it that ran (not failed)
// and reached host, of the version the error's line names if it names
// one the history knows; a regression can only be that deploy. Without one, the
// nearest earlier deploy of any service is shown for context. Among
// deploys at the same instant the one listed last wins. nearby always
// holds the shown deploy, even when it is older than NearbyWindow; it is
// sorted by time. No deploy is flagged Suspect here.
func placeDeploys(ds []Deploy, firstSeen time.Time, service, host, version string, o Options) (shown *DeployRef, candidate bool, nearby []DeployRef) {
	// Versions are compared only when the history knows the error's
	// version at all: logs and histories often spell versions differently
	// (a commit, a build number), and that must not clear a deploy.
	known := false
	for i := range ds {
		if version != "" && sameService(ds[i].Service, service) && ds[i].Version != "" && runs(&ds[i], version) {
			known = true
		}
	}
	if !known {
		version = ""
	}
	same, anySvc := -1, -1
	for i := range ds {
		d := &ds[i]
		if d.Time.After(firstSeen) || failedDeploy(d) {
			continue
		}
		if anySvc < 0 || !d.Time.Before(ds[anySvc].Time) {
			anySvc = i
		}
		if sameService(d.Service, service) && appliesTo(d, host) && runs(d, version) && firstSeen.Sub(d.Time) <= o.RegressionWindow &&
			(same < 0 || !d.Time.Before(ds[same].Time)) {
			same = i
		}
	}
	pick := same
	if pick < 0 {
		pick = anySvc
	}
	nearby = []DeployRef{}
	for i := range ds {
		d := &ds[i]
		off := d.Time.Sub(firstSeen)
		if i != pick && (off > o.NearbyWindow || off < -o.NearbyWindow) {
			continue
		}
		nearby = append(nearby, deployRef(d, firstSeen))
	}
	sort.SliceStable(nearby, func(i, j int) bool { return nearby[i].Time.Before(nearby[j].Time) })
	if pick >= 0 {
		ref := deployRef(&ds[pick], firstSeen)
		shown = &ref
	}
	return shown, same >= 0, nearby
}

// markSuspect flags the shown deploy, and its entry in nearby, as the one
// the verdict blames.
func markSuspect(shown *DeployRef, nearby []DeployRef) {
	if shown == nil {
		return
	}
	shown.Suspect = true
	for i := range nearby {
		d := &nearby[i]
		if d.Time.Equal(shown.Time) && d.Service == shown.Service && d.Version == shown.Version && d.Commit == shown.Commit {
			d.Suspect = true
		}
	}
}

// rollbackAfter returns the first deploy of s's service after s that
// returns to the version before it (on the same hosts, when s names them),
// or nil.
func rollbackAfter(ds []Deploy, s *DeployRef) *Deploy {
	prev := previousDeploy(ds, s)
	if prev == nil {
		return nil
	}
	for i := range ds {
		d := &ds[i]
		if !sameService(d.Service, s.Service) || !d.Time.After(s.Time) || failedDeploy(d) {
			continue
		}
		if d.Version != prev.Version {
			if d.Version != s.Version {
				return nil // rolled forward instead
			}
			continue
		}
		if dh := d.HostList(); len(s.Hosts) > 0 && len(dh) > 0 && !overlaps(s.Hosts, dh) {
			continue
		}
		return d
	}
	return nil
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

func deployRef(d *Deploy, firstSeen time.Time) DeployRef {
	return DeployRef{
		Time: d.Time, Service: d.Service, Version: d.Version, Commit: d.Commit,
		Author: d.Author, Environment: d.Environment, Hosts: d.HostList(), Status: d.Status,
		OffsetSeconds: math.Round(d.Time.Sub(firstSeen).Seconds()*1000) / 1000,
	}
}

// sameService compares service names as people write them in deploy
// histories: case-insensitively.
func sameService(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
