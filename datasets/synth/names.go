package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Word lists for generated names. Only lookups into maps are made (never
// iteration), so the names depend on the seed alone.
var (
	streetWords = []string{
		"Maple", "Oak", "Elm", "Ash", "Birch", "Cedar", "Willow", "Linden", "Hazel", "Rowan",
		"Alder", "Poplar", "Chestnut", "Juniper", "Laurel", "Holly", "Aspen", "Beech", "Cypress", "Hawthorn",
		"Magnolia", "Orchard", "Meadow", "Brook", "River", "Mill", "Church", "Market", "Station", "Bridge",
		"Castle", "Harbour", "King", "Queen", "Prince", "Victoria", "Albert", "Garden", "Spring", "Summer",
		"Sunset", "Lake", "Hill", "Valley", "Forest", "Ridge", "Stone", "Copper", "Silver", "Golden",
		"Crown", "Abbey", "College", "Canal", "Wharf", "Baker", "Fletcher", "Cooper", "Mason", "Tanner",
		"Weaver", "Carter", "Fisher", "Potter", "Miller", "Hunter", "Archer", "Chandler", "Thatcher", "Wheeler",
		"Franklin", "Lincoln", "Darwin", "Newton", "Curie", "Lovelace", "Turing", "Tesla", "Kepler", "Galileo",
		"Euler", "Gauss", "Noether", "Hopper", "Shelley", "Byron", "Keats", "Austen", "Bronte", "Dickens",
		"Hardy", "Wilde", "Yeats", "Swift", "Lark", "Heron", "Falcon", "Sparrow", "Robin", "Wren",
	}
	townWords   = []string{"Ashby", "Brampton", "Colwick", "Dunmore", "Eastleigh", "Farnham", "Glenrock", "Hollins", "Ivybridge", "Kelso", "Langford", "Marston"}
	placeStarts = []string{"Ash", "Elm", "Oak", "Stone", "Mill", "Brook", "Fair", "Green", "Kings", "Queens", "Red", "White", "Black", "Thorn", "Hart", "Bram", "Wil", "North", "South", "East", "West", "Cross", "Bell", "Wood"}
	placeEnds   = []string{"ford", "field", "wood", "gate", "dale", "hurst", "ley", "ton", "wick", "mere", "bury", "stead", "combe", "holm", "side"}
	firstNames  = []string{"Rosa", "Marco", "Lena", "Omar", "Aiko", "Nina", "Pablo", "Iris", "Hugo", "Zara", "Milo", "Ada", "Luca", "Sofia", "Ravi", "Elsa", "Jonas", "Mei", "Tomas", "Yara", "Felix", "Clara", "Ines", "Noah"}
	surnames    = []string{"Baker", "Moreau", "Rossi", "Novak", "Tanaka", "Okafor", "Larsen", "Silva", "Kowalski", "Haddad", "Fischer", "Duarte", "Lindqvist", "Petrov", "Nakamura", "Brennan"}
	adjectives  = []string{"Golden", "Blue", "Green", "Little", "Happy", "Silver", "Red", "Quiet", "Corner", "Sunny", "Urban", "Old", "Bright", "Velvet"}
	animals     = []string{"Fox", "Crow", "Stag", "Hare", "Otter", "Swan", "Badger", "Owl", "Lion", "Raven"}
	objects     = []string{"Anchor", "Crown", "Barrel", "Lantern", "Key", "Compass", "Wheel", "Bell"}
	brands      = []string{"FreshWay", "GreenBasket", "DailyMart", "Corner Grocer", "FoodHall", "ValueFresh"}
	cuisines    = []string{"Saffron", "Olive", "Basil", "Ginger", "Pepper", "Lotus", "Sesame", "Fig"}
)

// namer hands out unique names from the word lists.
type namer struct {
	rng  *rand.Rand
	used map[string]bool
}

func newNamer(rng *rand.Rand) *namer { return &namer{rng: rng, used: map[string]bool{}} }

func (n *namer) pick(list []string) string { return list[n.rng.IntN(len(list))] }

// unique returns gen() until a fresh name comes, then marks it used; after
// 20 collisions it disambiguates with a numeral.
func (n *namer) unique(gen func() string) string {
	var s string
	for range 20 {
		s = gen()
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
	for k := 2; ; k++ {
		t := fmt.Sprintf("%s %d", s, k)
		if !n.used[t] {
			n.used[t] = true
			return t
		}
	}
}

// streets returns a shuffled copy of the street words, for one name per line.
func (n *namer) streets() []string {
	w := append([]string(nil), streetWords...)
	n.rng.Shuffle(len(w), func(i, j int) { w[i], w[j] = w[j], w[i] })
	return w
}

// place returns a town-like name such as "Ashford" or "Millbury".
func (n *namer) place() string {
	return n.unique(n.placeWord)
}

// placeWord joins a start and an end, not tripling a letter ("Milley", not
// "Millley").
func (n *namer) placeWord() string {
	a, b := n.pick(placeStarts), n.pick(placeEnds)
	for strings.EqualFold(a, b) { // no "Woodwood"
		b = n.pick(placeEnds)
	}
	if a[len(a)-1] == b[0] {
		b = b[1:]
	}
	return a + b
}

// district names a district of type t.
func (n *namer) district(t string) string {
	return n.unique(func() string {
		p := n.placeWord()
		switch t {
		case Park:
			return p + " Park"
		case University:
			return p + " Campus"
		case Industrial:
			return p + " Industrial Estate"
		case Commercial:
			return p + " Market"
		case Business:
			return p + " Centre"
		}
		return p
	})
}

// poi names a point of interest of a category.
func (n *namer) poi(category string) string {
	return n.unique(func() string {
		first, sur, adj := n.pick(firstNames), n.pick(surnames), n.pick(adjectives)
		word := n.pick(streetWords)
		alt := n.rng.IntN(3)
		switch category {
		case "cafe":
			return []string{"Café " + first, first + "'s Coffee", "The " + adj + " Bean"}[alt]
		case "restaurant":
			return []string{"Trattoria " + first, sur + " Kitchen", n.pick(cuisines) + " House"}[alt]
		case "bakery":
			return []string{first + "'s Bakery", word + " Bakery", "The " + adj + " Loaf"}[alt]
		case "supermarket":
			return []string{n.pick(brands) + " " + word, n.pick(brands) + " Express", n.pick(brands)}[alt]
		case "shop":
			return []string{sur + " & Sons", adj + " Books", first + "'s Boutique"}[alt]
		case "pharmacy":
			return word + " Pharmacy"
		case "gym":
			return []string{adj + " Fitness", word + " Sports Club", "Iron " + n.pick(animals) + " Gym"}[alt]
		case "school":
			return []string{word + " Primary School", word + " High School", "St " + first + "'s School"}[alt]
		case "library":
			return word + " Library"
		case "cinema":
			return []string{word + " Cinema", "The " + adj + " Screen", "Roxy " + word}[alt]
		case "bar":
			return "The " + n.pick(animals) + " & " + n.pick(objects)
		case "museum":
			return word + " Museum"
		case "park":
			return []string{word + " Gardens", word + " Green", word + " Playground"}[alt]
		case "hospital":
			return word + " General Hospital"
		case "bank":
			return word + " Savings Bank"
		case "fuel":
			return word + " Fuel Station"
		case "office":
			return []string{word + " House", word + " Tower", sur + " Building"}[alt]
		}
		return word + " " + category
	})
}
