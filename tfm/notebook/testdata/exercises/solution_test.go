package exercises

import "testing"

func TestExDouble(t *testing.T) {
	if got := Double(21); got != 42 {
		t.Errorf("Double(21) = %d, want 42", got)
	}
}

func TestExShout(t *testing.T) {
	if got := Shout("go"); got != "GO!" {
		t.Errorf(`Shout("go") = %q, want "GO!"`, got)
	}
}
