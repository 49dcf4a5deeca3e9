// Command tfm is the course's command-line tool: one subcommand per job
// (data, mapmatch, pretrain, eval, experiment, distance, notebooks, …).
//
// Conventions: every subcommand has --help; with --json the last line on
// stdout is one JSON object; progress and logs go to stderr.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	_ "github.com/tfm-course/course/tfm/modality/all"
	"os"
	"sort"
	"strings"
)

// command is one subcommand. Run receives the arguments after its name;
// a command with Subs and no Run dispatches to them ("tfm data synth").
type command struct {
	Name    string
	Summary string
	Run     func(args []string) error
	Subs    []*command
	Example string // for a command with Subs: one of their commands
}

// run runs c, dispatching to its sub-subcommands when it has no Run.
func (c *command) run(args []string) error {
	if c.Run != nil {
		return c.Run(args)
	}
	return dispatch(c, args)
}

var commands = map[string]*command{}

// register adds a subcommand; each lives in its own file and calls this from init.
func register(c *command) {
	if _, dup := commands[c.Name]; dup {
		panic("tfm: subcommand registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

func usage() {
	fmt.Fprintf(os.Stderr, "tfm: trajectory foundation models toolkit\n\nUsage: tfm COMMAND [flags] [args]\n\nCommands:\n")
	for _, n := range commandNames() {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintf(os.Stderr, "\nExample:\n  tfm pretrain --paradigm contrastive --steps 200 --json\n\nRun 'tfm COMMAND --help' for what a command does, an example and its flags.\n")
}

// commandNames are the registered subcommands, sorted.
func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		if len(os.Args) < 2 {
			os.Exit(2)
		}
		return
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "tfm: unknown command %q%s\n\n", os.Args[1], didYouMean(os.Args[1], commandNames()))
		usage()
		os.Exit(2)
	}
	if err := c.run(os.Args[2:]); err != nil {
		if errors.Is(err, errHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "tfm %s: %v\n", c.Name, err)
		os.Exit(1)
	}
}

// errHelp is returned by a subcommand that printed its help on request
// (flag.ContinueOnError returns it for -h/--help).
var errHelp = flag.ErrHelp

// printJSON writes v as one line of JSON on stdout (the --json convention).
func printJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(os.Stdout, string(b))
	return err
}

// dispatch runs the sub-subcommand of c named by args[0]
// (e.g. "tfm data synth ..."); no name or --help lists them.
func dispatch(c *command, args []string) error {
	var names []string
	for _, sc := range c.Subs {
		names = append(names, sc.Name)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(os.Stderr, "%s\n\nUsage:\n  tfm %s {%s} [flags]\n\nExample:\n  %s\n\nSubcommands:\n",
			sentence(c.Summary), c.Name, strings.Join(names, "|"), c.Example)
		for _, sc := range c.Subs {
			fmt.Fprintf(os.Stderr, "  %-10s %s\n", sc.Name, sc.Summary)
		}
		fmt.Fprintf(os.Stderr, "\nRun 'tfm %s SUBCOMMAND --help' for its flags.\n", c.Name)
		if len(args) == 0 {
			return fmt.Errorf("missing subcommand (one of %s)", strings.Join(names, ", "))
		}
		return errHelp
	}
	for _, sc := range c.Subs {
		if sc.Name == args[0] {
			return sc.run(args[1:])
		}
	}
	return fmt.Errorf("unknown subcommand %q%s; want one of %s", args[0], didYouMean(args[0], names), strings.Join(names, ", "))
}

// sentence is s with a capital first letter and a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
