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

// command is one subcommand. Run receives the arguments after its name.
type command struct {
	Name    string
	Summary string
	Run     func(args []string) error
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
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", n, commands[n].Summary)
	}
	fmt.Fprintf(os.Stderr, "\nRun 'tfm COMMAND --help' for a command's flags.\n")
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
		fmt.Fprintf(os.Stderr, "tfm: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	if err := c.Run(os.Args[2:]); err != nil {
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

// dispatch runs the sub-subcommand named by args[0] from subs
// (e.g. "tfm data synth ...").
func dispatch(parent string, subs map[string]func([]string) error, args []string) error {
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(os.Stderr, "Usage: tfm %s {%s} [flags]\n", parent, strings.Join(names, "|"))
		if len(args) == 0 {
			return fmt.Errorf("missing subcommand")
		}
		return errHelp
	}
	f, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("unknown subcommand %q (want one of %s)", args[0], strings.Join(names, ", "))
	}
	return f(args[1:])
}
