package rowcount

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		in   string
		skip int
		want int
	}{{"", 0, 0}, {"a", 0, 1}, {"a\n", 0, 1}, {"a\n\nb", 0, 2}, {"h\r\na\r\n \r\nb", 1, 2}, {"\ufeff\na", 0, 1}} {
		if got := Count([]byte(c.in), c.skip, NotBlank); got != c.want {
			t.Errorf("Count(%q, %d) = %d, want %d", c.in, c.skip, got, c.want)
		}
	}
}
