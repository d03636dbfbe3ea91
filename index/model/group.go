package model

// GroupSummary is one value of a field over the events a filter selects
// (its GroupEnds) with, in the same pass, the distributions of other
// fields over the events that carry it: for an error group, its requests,
// traces, routes and users.
type GroupSummary struct {
	GroupEnds
	// Facets are in the order of the fields asked, each as Facet would
	// give it over the filter narrowed to Value.
	Facets []Facet
}
