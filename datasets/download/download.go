// Package download fetches the public trajectory data sets (GeoLife,
// Porto, T-Drive) over HTTP with resume (Range requests on a .part file),
// SHA-256 verification where a checksum is known, progress on a writer,
// and zip extraction. When a set cannot be fetched (offline, or no direct
// link exists) Manual says where to get it by hand.
package download

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tfm-course/course/tfm/output"
)

// File is one downloadable file of a Source.
type File struct {
	Name string // file name written in the target folder
	URL  string // "" when no direct link is known (manual download only)
	// Size in bytes; 0 when not known for sure (then not checked).
	Size int64
	// SHA256 in hex; "" when not known for sure (then not checked, and
	// the computed digest is printed so it can be recorded).
	SHA256 string
	// Unzip extracts the archive (and zips inside it) after download.
	Unzip bool
}

// Source is a public data set.
type Source struct {
	Name    string // geolife, porto, tdrive
	Title   string
	Page    string // landing page, for a manual download
	Licence string
	Files   []File
	Format  string // the `tfm data stats --format` to read it with
	After   string // where the loader's input ends up after extraction
}

// Sources is the table of known sets. Checksums and sizes are left empty
// where they could not be verified; see README.md.
var Sources = []Source{
	{
		Name:    "geolife",
		Title:   "GeoLife GPS Trajectories 1.3 (Microsoft Research Asia), 182 users, 17,621 trajectories",
		Page:    "https://www.microsoft.com/en-us/download/details.aspx?id=52367",
		Licence: "Microsoft Research licence: free for research and education; do not redistribute the data.",
		Files: []File{{
			Name:  "Geolife Trajectories 1.3.zip",
			URL:   "https://download.microsoft.com/download/F/4/8/F4894AA5-FDBC-481E-9285-D5F8C4C4F039/Geolife%20Trajectories%201.3.zip",
			Unzip: true,
		}},
		Format: "geolife",
		After:  "Geolife Trajectories 1.3/Data",
	},
	{
		Name:    "porto",
		Title:   "Taxi Service Trajectory, ECML/PKDD 2015 challenge (Porto, 442 taxis, 1.7 million trips)",
		Page:    "https://archive.ics.uci.edu/dataset/339/taxi+service+trajectory+prediction+challenge+ecml+pkdd+2015 (also https://www.kaggle.com/c/pkdd-15-predict-taxi-service-trajectory-i/data)",
		Licence: "CC BY 4.0 (UCI Machine Learning Repository).",
		Files: []File{{
			Name:  "porto.zip",
			URL:   "https://archive.ics.uci.edu/static/public/339/taxi+service+trajectory+prediction+challenge+ecml+pkdd+2015.zip",
			Unzip: true,
		}},
		Format: "porto",
		After:  "train.csv",
	},
	{
		Name:    "tdrive",
		Title:   "T-Drive trajectory data sample (Microsoft Research Asia, 10,357 Beijing taxis, one week of February 2008)",
		Page:    "https://www.microsoft.com/en-us/research/publication/t-drive-trajectory-data-sample/",
		Licence: "Microsoft Research licence: free for research and education; do not redistribute the data.",
		// No stable direct link is known: the page hands out the archive parts.
		Files:  []File{{Name: "T-drive Taxi Trajectories.zip", Unzip: true}},
		Format: "tdrive",
		After:  "release/taxi_log_2008_by_id",
	},
}

// Lookup finds a source by name.
func Lookup(name string) (Source, bool) {
	for _, s := range Sources {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Source{}, false
}

// Names lists the source names.
func Names() []string {
	n := make([]string, len(Sources))
	for i, s := range Sources {
		n[i] = s.Name
	}
	return n
}

// Manual is the by-hand instructions for src, with its public URLs.
func Manual(src Source, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "To get %s by hand:\n", src.Title)
	fmt.Fprintf(&b, "  page:    %s\n", src.Page)
	for _, f := range src.Files {
		if f.URL != "" {
			fmt.Fprintf(&b, "  file:    %s\n", f.URL)
		}
		fmt.Fprintf(&b, "  save as: %s\n", filepath.Join(dir, f.Name))
	}
	fmt.Fprintf(&b, "  licence: %s\n", src.Licence)
	fmt.Fprintf(&b, "then unzip it in %s and run: tfm data stats --format %s %q\n", dir, src.Format, filepath.Join(dir, src.After))
	return b.String()
}

// ErrOffline wraps network failures (no route, DNS, refused connection).
var ErrOffline = errors.New("network unreachable")

// ErrNoURL is returned for a file with no known direct link.
var ErrNoURL = errors.New("no direct download link known: manual download required")

// ErrChecksum is returned when a downloaded file's SHA-256 or size differs.
var ErrChecksum = errors.New("checksum mismatch")

// Options tune Fetch and Get.
type Options struct {
	Client   *http.Client // nil: a client with a 30 s connect timeout
	Progress io.Writer    // nil: silent
	// NoExtract keeps archives zipped.
	NoExtract bool
}

func (o Options) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
	}}
}

// Fetch downloads f into dir/f.Name, resuming from dir/f.Name+".part" when
// a previous attempt was interrupted, and verifies size and SHA-256 when
// known. An existing complete file (matching the checksum when known) is
// kept. It returns the path and the file's SHA-256.
func Fetch(ctx context.Context, f File, dir string, opt Options) (path, sum string, err error) {
	if f.URL == "" {
		return "", "", ErrNoURL
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	path = filepath.Join(dir, f.Name)
	if fi, err := os.Stat(path); err == nil && (f.Size == 0 || fi.Size() == f.Size) {
		sum, err := output.FileSHA256(path)
		if err != nil {
			return "", "", err
		}
		if f.SHA256 == "" || strings.EqualFold(sum, f.SHA256) {
			progressf(opt.Progress, "%s: already present\n", path)
			return path, sum, nil
		}
	}
	part := path + ".part"
	if err := fetchPart(ctx, f, part, opt); err != nil {
		return "", "", err
	}
	if fi, err := os.Stat(part); err != nil {
		return "", "", err
	} else if f.Size > 0 && fi.Size() != f.Size {
		os.Remove(part)
		return "", "", fmt.Errorf("%s: %w: size %d, want %d", f.Name, ErrChecksum, fi.Size(), f.Size)
	}
	sum, err = output.FileSHA256(part)
	if err != nil {
		return "", "", err
	}
	if f.SHA256 != "" && !strings.EqualFold(sum, f.SHA256) {
		os.Remove(part)
		return "", "", fmt.Errorf("%s: %w: sha256 %s, want %s (the partial file was removed; run again)", f.Name, ErrChecksum, sum, f.SHA256)
	}
	if err := os.Rename(part, path); err != nil {
		return "", "", err
	}
	return path, sum, nil
}

// fetchPart appends the missing bytes of f to part.
func fetchPart(ctx context.Context, f File, part string, opt Options) error {
	var have int64
	if fi, err := os.Stat(part); err == nil {
		have = fi.Size()
	}
	if f.Size > 0 && have == f.Size {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := opt.client().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var oe *net.OpError
		var de *net.DNSError
		if errors.As(err, &oe) || errors.As(err, &de) {
			return fmt.Errorf("%w: %v", ErrOffline, err)
		}
		return err
	}
	defer resp.Body.Close()
	flags := os.O_CREATE | os.O_WRONLY
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		if cr := resp.Header.Get("Content-Range"); !strings.HasPrefix(cr, fmt.Sprintf("bytes %d-", have)) {
			return fmt.Errorf("%s: server resumed at %q, want byte %d", f.URL, cr, have)
		}
		flags |= os.O_APPEND
		progressf(opt.Progress, "%s: resuming at %s\n", f.Name, mib(have))
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		return nil // the part file is already complete; the checksum decides
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC
		if have > 0 {
			progressf(opt.Progress, "%s: server ignores Range; starting over\n", f.Name)
		}
		have = 0
	default:
		return fmt.Errorf("%s: HTTP %s", f.URL, resp.Status)
	}
	total := f.Size
	if total == 0 && resp.ContentLength > 0 {
		total = have + resp.ContentLength
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return err
	}
	pw := &progressWriter{w: out, name: f.Name, done: have, total: total, to: opt.Progress}
	_, err = io.Copy(pw, resp.Body)
	pw.report(true)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: interrupted after %s (run again to resume): %w", f.Name, mib(pw.done), err)
	}
	return nil
}

// Get fetches every file of src into dir and unzips archives (unless
// opt.NoExtract). It returns the downloaded paths.
func Get(ctx context.Context, src Source, dir string, opt Options) ([]string, error) {
	var paths []string
	for _, f := range src.Files {
		path, sum, err := Fetch(ctx, f, dir, opt)
		if err != nil {
			return paths, err
		}
		if f.SHA256 == "" {
			progressf(opt.Progress, "%s: sha256 %s (no published checksum to compare with)\n", f.Name, sum)
		} else {
			progressf(opt.Progress, "%s: sha256 verified\n", f.Name)
		}
		paths = append(paths, path)
		if f.Unzip && !opt.NoExtract {
			progressf(opt.Progress, "%s: extracting into %s\n", f.Name, dir)
			if err := Unzip(path, dir, true); err != nil {
				return paths, err
			}
		}
	}
	return paths, nil
}

// Unzip extracts zipPath into dir, refusing entries that would escape dir.
// With nested, .zip files found inside are extracted next to themselves
// (Porto's archive holds train.csv.zip).
func Unzip(zipPath, dir string, nested bool) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("%s: %w", zipPath, err)
	}
	defer zr.Close()
	root, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var inner []string
	for _, zf := range zr.File {
		target := filepath.Join(root, filepath.FromSlash(zf.Name))
		if target != root && !strings.HasPrefix(target, root+string(filepath.Separator)) {
			return fmt.Errorf("%s: entry %q escapes the target folder", zipPath, zf.Name)
		}
		if zf.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := extractOne(zf, target); err != nil {
			return fmt.Errorf("%s: %s: %w", zipPath, zf.Name, err)
		}
		if nested && strings.EqualFold(filepath.Ext(target), ".zip") {
			inner = append(inner, target)
		}
	}
	for _, z := range inner {
		if err := Unzip(z, filepath.Dir(z), false); err != nil {
			return err
		}
	}
	return nil
}

func extractOne(zf *zip.File, target string) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.Create(target)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

type progressWriter struct {
	w           io.Writer
	name        string
	done, total int64
	to          io.Writer
	last        time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.report(false)
	return n, err
}

func (p *progressWriter) report(final bool) {
	if p.to == nil {
		return
	}
	if !final && time.Since(p.last) < time.Second {
		return
	}
	p.last = time.Now()
	if p.total > 0 {
		fmt.Fprintf(p.to, "\r%s: %s / %s (%.0f%%)", p.name, mib(p.done), mib(p.total), 100*float64(p.done)/float64(p.total))
	} else {
		fmt.Fprintf(p.to, "\r%s: %s", p.name, mib(p.done))
	}
	if final {
		fmt.Fprintln(p.to)
	}
}

func progressf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
