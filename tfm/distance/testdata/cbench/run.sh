#!/bin/sh
# Reproducible C baselines for the Go distance kernels.
#
#   tfm/distance/testdata/cbench/run.sh [N] [REPS]
#       DTW / discrete Fréchet kernels, two random trajectories of N points (default 1000), REPS repetitions.
#   tfm/distance/testdata/cbench/run.sh short [COUNT] [ROUNDS]
#       whole process, short trajectories: `pdist gen COUNT` (default 1000 trips of 5–15 points), then, in
#       alternating rounds (default 5), the C program and `tfm distance pdist --metric dtw --format csv` on
#       1 and 2 threads, each writing every value (%.17g) to /dev/null; prints each run's wall time, the best
#       of each, and checks that C and Go print the same bytes.
set -e
dir=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if [ "$1" != short ]; then
	gcc -O3 -o "$out/dtw" "$dir/dtw.c" -lm
	"$out/dtw" "${1:-1000}" "${2:-200}"
	exit 0
fi
count=${2:-1000}
rounds=${3:-5}
root=$(cd "$dir/../../../.." && pwd)
export GOTOOLCHAIN=${GOTOOLCHAIN_BENCH:-go1.27.3} GOEXPERIMENT=simd
gcc -O3 -o "$out/pdist" "$dir/pdist.c" -lm
(cd "$root" && go build -o "$out/tfm" ./tfm/cmd/tfm)
"$out/pdist" gen "$count" >"$out/trips.csv"
secs() { # wall seconds of "$@" > /dev/null
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s.%N)
	echo "$s $e" | awk '{printf "%.3f", $2 - $1}'
}
best_c=999 best_1=999 best_2=999
i=0
while [ $i -lt "$rounds" ]; do
	c=$(secs "$out/pdist" "$out/trips.csv")
	g1=$(secs "$out/tfm" distance pdist --metric dtw --threads 1 --format csv "$out/trips.csv")
	g2=$(secs "$out/tfm" distance pdist --metric dtw --threads 2 --format csv "$out/trips.csv")
	echo "round $((i + 1)): C -O3 ${c}s  tfm 1 thread ${g1}s  tfm 2 threads ${g2}s"
	best_c=$(echo "$best_c $c" | awk '{print ($2 < $1) ? $2 : $1}')
	best_1=$(echo "$best_1 $g1" | awk '{print ($2 < $1) ? $2 : $1}')
	best_2=$(echo "$best_2 $g2" | awk '{print ($2 < $1) ? $2 : $1}')
	i=$((i + 1))
done
"$out/pdist" "$out/trips.csv" >"$out/c.txt"
"$out/tfm" distance pdist --metric dtw --threads 1 --format csv "$out/trips.csv" >"$out/go.txt" 2>/dev/null
cmp -s "$out/c.txt" "$out/go.txt" && same="identical output" || same="OUTPUTS DIFFER"
echo "best of $rounds, $count trajectories (5–15 points), DTW pdist, whole process: C -O3 ${best_c}s; tfm 1 thread ${best_1}s ($(echo "$best_c $best_1" | awk '{printf "%.2f", $2 / $1}')× C); 2 threads ${best_2}s ($(echo "$best_1 $best_2" | awk '{printf "%.2f", $1 / $2}')× 1 thread); $same"
