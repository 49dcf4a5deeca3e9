package continual

import "math"

// The continual-learning metrics of two stages (the old city, then the new
// one), after Lopez-Paz & Ranzato (GEM, 2017) and Chaudhry et al. (2018).
// With R(i, j) the score on city j after training through stage i and b_j
// a randomly initialised model's:
//
//	forgetting  F   = R(1, old) − R(2, old)        how much worse the old city got
//	gain        G   = R(2, new) − R(1, new)        how much better the new city got
//	backward    BWT = R(2, old) − R(1, old)  = −F
//	forward     FWT = R(1, new) − b_new             what the old pre-training gave the new city
//
// The course's metrics have units (seconds, ranks, metres) and directions,
// so each difference is taken relative to the earlier value, in percent,
// and signed by Change: positive is better.

// LowerIsBetter says which way a metric improves: errors and ranks
// (mae, mape, rmse, mean_rank, recovery_error_m) go down, accuracies up.
func LowerIsBetter(metric string) bool {
	switch metric {
	case "mae", "mape", "rmse", "mean_rank", "recovery_error_m":
		return true
	}
	return false
}

// Change is the relative change from before to after in percent, positive
// when after is better: 100·(after − before)/|before|, negated for a metric
// where lower is better. NaN when before is 0.
func Change(metric string, before, after float64) float64 {
	if before == 0 {
		return math.NaN()
	}
	d := 100 * (after - before) / math.Abs(before)
	if LowerIsBetter(metric) {
		d = -d
	}
	return d
}

// Forgetting is how much worse the old city's metric got (percent of its
// value before; negative: it improved).
func Forgetting(metric string, oldBefore, oldAfter float64) float64 {
	return -Change(metric, oldBefore, oldAfter)
}

// Gain is how much better the new city's metric got (percent; negative:
// worse).
func Gain(metric string, newBefore, newAfter float64) float64 {
	return Change(metric, newBefore, newAfter)
}

// ForwardTransfer is how much better the old model does on the new city
// than a randomly initialised one (percent).
func ForwardTransfer(metric string, scratchNew, newBefore float64) float64 {
	return Change(metric, scratchNew, newBefore)
}

// Keeps reports whether every forgetting is within tol percent (an
// improvement always is).
func Keeps(forgetting []float64, tol float64) bool {
	for _, f := range forgetting {
		if !(f <= tol) {
			return false
		}
	}
	return true
}
