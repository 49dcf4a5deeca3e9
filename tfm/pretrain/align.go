package pretrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/initializer"

	tfm "github.com/tfm-course/course/tfm/model"
	"github.com/tfm-course/course/tfm/traj"
)

// Align is cross-modal alignment pre-training of a multi-modal model (CLIP,
// Radford et al. 2021, as MM-Path aligns GPS paths with their images and
// others GPS with road segments or text): every view of a trip is encoded
// by its own branch, and for each pair (a, b) of modalities a symmetric
// InfoNCE pulls a trip's two views together and pushes the other trips'
// views away,
//
//	z^a_i = p^a_i/‖p^a_i‖,  s_ij = e^t·⟨z^a_i, z^b_j⟩ (t learned, τ = e^−t ≥ 0.01)
//	L_ab = ½·mean_i [CE(s_i·, i) + CE(s_·i, i)]   over the trips with both views
//
// (CLIPLoss), plus a fusion term that trains the fused representation (and
// its gate or cross-attention) to be the same trip whichever views are at
// hand: two fusions of each trip under independent modality dropout are
// contrasted with NT-Xent,
//
//	L = mean_{(a,b)} L_ab + w·NTXent(fuse(π⊙d), fuse(π⊙d')),  d, d' ~ Bernoulli(1−p)
//
// where π marks the views a trip has and a fusion always keeps one.
type Align struct {
	M     *tfm.Model
	Cfg   AlignConfig
	Pairs [][2]int // branch indices of the aligned pairs
}

// AlignConfig configures alignment pre-training (`--set` keys pairs,
// align_temperature, modality_dropout, fuse_weight).
type AlignConfig struct {
	// Pairs are the aligned modality pairs, "gps-road,gps-text" ("": the
	// first modality with each other one).
	Pairs string
	// Temperature is τ's initial value (learned, as CLIP's).
	Temperature float64
	// ModalityDropout is the probability of leaving a view out of a fusion.
	ModalityDropout float64
	// FuseWeight is w, the fusion term's weight (0: alignment only).
	FuseWeight float64
}

// DefaultAlignConfig: τ = 0.07 (CLIP's), dropout 0.3, fusion weight 0.5.
func DefaultAlignConfig() AlignConfig {
	return AlignConfig{Temperature: 0.07, ModalityDropout: 0.3, FuseWeight: 0.5}
}

// minTemperature bounds the learned τ from below (CLIP clips e^t at 100).
const minTemperature = 0.01

// ParsePairs reads "a-b,c-d" (a pair joined by - or :, pairs separated by
// commas, spaces or /) into branch indices of m; "" pairs the first
// modality with each other one.
func ParsePairs(m *tfm.Model, spec string) ([][2]int, error) {
	names := m.Modalities()
	if len(names) < 2 {
		return nil, fmt.Errorf("align: cross-modal alignment needs at least two modalities (--modality gps+road…), the model reads %v", names)
	}
	var pairs [][2]int
	if strings.TrimSpace(spec) == "" {
		for i := 1; i < len(names); i++ {
			pairs = append(pairs, [2]int{0, i})
		}
		return pairs, nil
	}
	for _, p := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == ' ' || r == '/' }) {
		a, b, ok := strings.Cut(strings.ReplaceAll(p, ":", "-"), "-")
		if !ok {
			return nil, fmt.Errorf("align: pair %q: want two modalities joined by '-' (gps-road)", p)
		}
		ia, ib := slices.Index(names, strings.TrimSpace(a)), slices.Index(names, strings.TrimSpace(b))
		if ia < 0 || ib < 0 {
			return nil, fmt.Errorf("align: pair %q names a modality the model does not read (it reads %v)", p, names)
		}
		if ia == ib {
			return nil, fmt.Errorf("align: pair %q pairs a modality with itself", p)
		}
		pair := [2]int{min(ia, ib), max(ia, ib)}
		if slices.Contains(pairs, pair) {
			return nil, fmt.Errorf("align: pair %q twice", p)
		}
		pairs = append(pairs, pair)
	}
	return pairs, nil
}

// NewAlign builds alignment pre-training over m's branches.
func NewAlign(m *tfm.Model, cfg AlignConfig) (*Align, error) {
	pairs, err := ParsePairs(m, cfg.Pairs)
	if err != nil {
		return nil, err
	}
	return &Align{M: m, Cfg: cfg, Pairs: pairs}, nil
}

func (a *Align) Name() string { return "align" }

// Terms: the mean alignment loss, the fusion term, τ, each pair's loss
// (align_gps_road, …) and each branch's gradient norm ‖∂L/∂p^a‖ (grad_gps,
// …: a modality the loss hardly moves is one the model ignores).
func (a *Align) Terms() []string {
	terms := []string{"align", "fuse", "tau"}
	names := a.M.Modalities()
	for _, p := range a.Pairs {
		terms = append(terms, "align_"+names[p[0]]+"_"+names[p[1]])
	}
	for _, n := range names {
		terms = append(terms, "grad_"+n)
	}
	return terms
}

// The step inputs of the modality dropout: two masks [B, K] of the views
// each fusion keeps.
const (
	inKeep1 = "align/keep1"
	inKeep2 = "align/keep2"
)

func (a *Align) Inputs(rng *rand.Rand, trajs []*traj.Trajectory) (tfm.Feed, error) {
	bs, err := a.M.Batches(trajs)
	if err != nil {
		return nil, err
	}
	f, err := a.M.Feed(bs...)
	if err != nil {
		return nil, err
	}
	B, K := len(trajs), len(bs)
	for _, name := range []string{inKeep1, inKeep2} {
		keep := make([]float32, B*K)
		for r := range B {
			var present []int
			for k, b := range bs {
				if b.Present(r) {
					present = append(present, k)
					if rng.Float64() >= a.Cfg.ModalityDropout {
						keep[r*K+k] = 1
					}
				}
			}
			kept := 0
			for _, k := range present {
				kept += int(keep[r*K+k])
			}
			if kept == 0 && len(present) > 0 { // a fusion keeps one view
				keep[r*K+present[rng.IntN(len(present))]] = 1
			}
		}
		f[name] = tensors.FromFlatDataAndDimensions(keep, B, K)
	}
	return f, nil
}

func (a *Align) Loss(scope *model.Scope, in tfm.Nodes) (*Node, []*Node) {
	outs := a.M.Encode(scope, in)
	pi := a.M.Present(in, outs)
	g := pi[0].Graph()
	// The learned temperature: t = log 1/τ₀ + δ (δ a variable, 0 at first),
	// τ = e^−t clipped at minTemperature.
	delta := scope.In("align").WithInitializer(initializer.Zero).
		VariableWithShape("log_scale", shapes.Make(dtypes.Float32)).NodeValue(g)
	t := AddScalar(delta, math.Log(1/a.Cfg.Temperature))
	scale := Exp(MinScalar(t, math.Log(1/minTemperature)))

	pooled := make([]*Node, len(outs))
	for i, o := range outs {
		pooled[i] = o.Pooled
	}
	var pairLosses []*Node
	for _, p := range a.Pairs {
		valid := Mul(pi[p[0]], pi[p[1]])
		pairLosses = append(pairLosses, CLIPLoss(pooled[p[0]], pooled[p[1]], valid, scale))
	}
	alignLoss := ReduceMean(Stack(pairLosses, 0), 0)
	loss := alignLoss
	fuse := ScalarZero(g, dtypes.Float32)
	if a.Cfg.FuseWeight > 0 {
		keeps := [2][]*Node{}
		for v, name := range []string{inKeep1, inKeep2} {
			for k := range outs {
				keeps[v] = append(keeps[v], Squeeze(Slice(in[name], AxisRange(), AxisElem(k)), -1))
			}
		}
		f1 := a.M.Fuse(scope, outs, keeps[0])
		f2 := a.M.Fuse(scope, outs, keeps[1])
		fuse = NTXent(f1, f2, a.Cfg.Temperature)
		loss = Add(loss, MulScalar(fuse, a.Cfg.FuseWeight))
	}
	terms := []*Node{alignLoss, fuse, Inverse(scale)}
	terms = append(terms, pairLosses...)
	for _, gr := range Gradient(loss, pooled...) {
		terms = append(terms, StopGradient(L2Norm(gr)))
	}
	return loss, terms
}

// CLIPLoss is the symmetric cross-modal InfoNCE of CLIP between two views
// of N trips: za, zb [N, D] (normalised here), valid [N] (1 where the trip
// has both views: the others are neither queries nor candidates), scale
// the logit scale 1/τ (a scalar node):
//
//	s_ij = scale·⟨za_i/‖za_i‖, zb_j/‖zb_j‖⟩
//	L = Σ_i v_i·½[−log softmax_{j: v_j}(s_i·)_i − log softmax_{j: v_j}(s_·i)_i] / Σ_i v_i
func CLIPLoss(za, zb, valid, scale *Node) *Node {
	g := za.Graph()
	n := za.Shape().Dim(0)
	za = L2NormalizeWithEpsilon(za, 1e-6, -1)
	zb = L2NormalizeWithEpsilon(zb, 1e-6, -1)
	s := Mul(Einsum("nd,md->nm", za, zb), scale) // [N, N]: row i = view a of trip i against view b of every trip
	cand := GreaterThan(valid, ScalarZero(g, dtypes.Float32))
	rows := BroadcastToDims(ExpandAxes(cand, 0), n, n) // [i, j] = v_j: trip j is a candidate
	cols := BroadcastToDims(ExpandAxes(cand, 1), n, n) // [i, j] = v_i
	neg := Const(g, float32(-1e9))
	diag := ReduceSum(Mul(s, Const(g, eyeFloat(n))), -1) // s_ii
	lseRow := logSumExp(Where(rows, s, BroadcastToDims(neg, n, n)), 1)
	lseCol := logSumExp(Where(cols, s, BroadcastToDims(neg, n, n)), 0)
	per := MulScalar(Add(Sub(lseRow, diag), Sub(lseCol, diag)), 0.5) // [N]
	return Div(ReduceAllSum(Mul(per, valid)), Max(ReduceAllSum(valid), OnesLike(ReduceAllSum(valid))))
}

// logSumExp is log Σ exp(x) over axis, stabilised by the maximum.
func logSumExp(x *Node, axis int) *Node {
	m := StopGradient(ReduceAndKeep(x, ReduceMax, axis))
	return Add(Log(ReduceSum(Exp(Sub(x, m)), axis)), Squeeze(m, axis))
}

func eyeFloat(n int) [][]float32 {
	e := make([][]float32, n)
	for i := range e {
		e[i] = make([]float32, n)
		e[i][i] = 1
	}
	return e
}

// validate checks the align settings.
func (c AlignConfig) validate(check func(field string, v float64, ok bool, want string)) {
	check("Align.Temperature", c.Temperature, c.Temperature >= minTemperature, "≥ "+strconv.FormatFloat(minTemperature, 'g', -1, 64))
	check("Align.ModalityDropout", c.ModalityDropout, c.ModalityDropout >= 0 && c.ModalityDropout < 1, "in [0, 1)")
	check("Align.FuseWeight", c.FuseWeight, c.FuseWeight >= 0, "≥ 0")
}

// ModalityNames splits a modality list, "gps+road+text" or "gps,road,text".
func ModalityNames(spec string) []string {
	var names []string
	for _, n := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' || r == '+' }) {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// ModelKeys are the `--set` keys that configure a multi-modal model and its
// alignment rather than its encoders.
var ModelKeys = []string{"fusion", "pairs", "align_temperature", "modality_dropout", "fuse_weight"}

// SetModel applies the ModelKeys assignments of a `--set` list
// ("fusion=gated;pairs=gps-road,gps-text;layers=2") to o and returns the
// others, the encoder's. Assignments are separated by ';' (or ','; a comma
// item without '=' continues the value before it, as pairs' list does).
func (o *Options) SetModel(set string) (rest string, err error) {
	var items []string
	for _, part := range strings.Split(set, ";") {
		for _, it := range strings.Split(part, ",") {
			if it = strings.TrimSpace(it); it == "" {
				continue
			}
			if !strings.Contains(it, "=") && len(items) > 0 {
				items[len(items)-1] += "," + it
				continue
			}
			items = append(items, it)
		}
	}
	var others []string
	for _, it := range items {
		k, v, _ := strings.Cut(it, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		num := func() (float64, error) {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, fmt.Errorf("--set %s=%q: not a number", k, v)
			}
			return x, nil
		}
		var x float64
		switch k {
		case "fusion":
			o.Fusion = strings.ToLower(v)
			if !slices.Contains(tfm.Fusions, o.Fusion) {
				return "", fmt.Errorf("--set fusion=%q: want one of %s", v, strings.Join(tfm.Fusions, ", "))
			}
		case "pairs":
			o.Align.Pairs = v
		case "align_temperature":
			x, err = num()
			o.Align.Temperature = x
		case "modality_dropout":
			x, err = num()
			o.Align.ModalityDropout = x
		case "fuse_weight":
			x, err = num()
			o.Align.FuseWeight = x
		default:
			others = append(others, it)
		}
		if err != nil {
			return "", err
		}
	}
	return strings.Join(others, ";"), nil
}

// SetString is the `--set` list that rebuilds o's encoder and model
// settings (the run record's "set"): the encoder's, then fusion (when not
// concat) and, for align, its settings.
func (o Options) SetString() string {
	s := o.Encoder.String()
	if o.Fusion != "" && o.Fusion != tfm.FuseConcat {
		s += ";fusion=" + o.Fusion
	}
	if o.Paradigm == "align" {
		a := o.Align
		f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
		if a.Pairs != "" {
			s += ";pairs=" + a.Pairs
		}
		s += ";align_temperature=" + f(a.Temperature) + ";modality_dropout=" + f(a.ModalityDropout) + ";fuse_weight=" + f(a.FuseWeight)
	}
	return s
}
