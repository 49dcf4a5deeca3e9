package viz

import (
	"strings"
	"testing"
)

func TestDAG(t *testing.T) {
	nodes := []DAGNode{{ID: "C", Label: "context", X: 0.5, Y: 1, Observed: true}, {ID: "X", X: 0, Y: 0}, {ID: "Y", X: 1, Y: 0}}
	d := NewDAG("scm", 600, 300,
		DAGPanel{Title: "observed", Nodes: nodes, Edges: []DAGEdge{{From: "C", To: "X", Path: true, Label: "a"}, {From: "X", To: "Y"}}},
		DAGPanel{Title: "do(X)", Nodes: nodes, Edges: []DAGEdge{{From: "C", To: "X", Cut: true}}, Note: "P(Y | do(X))"})
	svg, err := d.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "do(X)", "P(Y | do(X))", "context"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if png, err := d.PNG(); err != nil || len(png) < 1000 {
		t.Errorf("PNG: %d bytes, %v", len(png), err)
	}
	bad := NewDAG("bad", 300, 200, DAGPanel{Nodes: nodes, Edges: []DAGEdge{{From: "C", To: "Z"}}})
	if _, err := bad.SVG(); err == nil {
		t.Error("an edge to an unknown node drew")
	}
}
